/**
 * `npm start` stays quiet: the workflow bundler's output drops to debug in the worker's log, and
 * each part's lines go to its own file, reaching the terminal only when they warn or fail (or,
 * with LOG_LEVEL=debug, all of them).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { logTo, pinoLevelOf } from '../../src/infra/stack-runner';
import { sdkLogger } from '../../src/infra/temporal-runtime';
import { pollUntil } from '../support/answers';

/** A pino logger at `level` whose lines land in the returned array. */
function capturedLogger(level: string): { log: pino.Logger; lines: Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("the worker's SDK log lines", () => {
  test('when the bundler reports webpack output then it is logged at debug, hidden at info', async () => {
    const quiet = capturedLogger('info');
    const sdk = sdkLogger(quiet.log);
    sdk.info(
      'asset workflow-bundle-1a2b.js 1.31 MiB [emitted] (name: main)\n...\nwebpack 5.112.2 compiled successfully in 808 ms',
    );
    sdk.info('Workflow bundle created', { size: '1.31MB' });
    sdk.info('Worker state changed', { state: 'RUNNING' });
    await flush();
    expect(quiet.lines.map((l) => l.msg)).toEqual(['Worker state changed']);

    const verbose = capturedLogger('debug');
    sdkLogger(verbose.log).info('webpack 5.112.2 compiled successfully in 808 ms');
    await flush();
    expect(verbose.lines).toEqual([expect.objectContaining({ level: 20 })]);
  });

  test('when the SDK warns or errs then the line keeps its level', async () => {
    const { log, lines } = capturedLogger('info');
    const sdk = sdkLogger(log);
    sdk.warn('activity failed', { attempt: 2 });
    sdk.error('worker failed');
    await flush();
    expect(lines.map((l) => l.level)).toEqual([40, 50]);
  });
});

describe("a stack part's log file", () => {
  let dir: string;
  let printed: string[];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'stack-logs-'));
    printed = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The file stream opens and writes asynchronously: waits (bounded) until the file holds every line. */
  const written = (name: string) =>
    pollUntil(`${name}.log written`, () => {
      const file = path.join(dir, `${name}.log`);
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      return Promise.resolve(text.split('\n').length > lines.length ? text : undefined);
    });

  const lines = [
    '{"level":30,"msg":"worker polling"}',
    'asset workflow-bundle.js 1.3 MiB',
    '{"level":40,"msg":"PG slow"}',
    '{"level":50,"msg":"PG gone"}',
  ];

  test('when a part logs then every line is in its file and only warnings and errors reach the terminal', async () => {
    const onLine = logTo(dir, 'worker-1', false);
    lines.forEach(onLine);
    expect(await written('worker-1')).toBe(lines.map((l) => `${l}\n`).join(''));
    expect(printed).toEqual([
      'worker-1   | {"level":40,"msg":"PG slow"}\n',
      'worker-1   | {"level":50,"msg":"PG gone"}\n',
    ]);
  });

  test('when the stack is verbose (LOG_LEVEL=debug) then every line reaches the terminal too', async () => {
    const onLine = logTo(dir, 'api', true);
    lines.forEach(onLine);
    expect(printed).toHaveLength(lines.length);
    await written('api');
  });

  test('when a line is not pino JSON then it has no level', () => {
    expect(pinoLevelOf('{"level":30}')).toBe(30);
    expect(pinoLevelOf('time=... level=WARN msg=x')).toBeUndefined();
    expect(pinoLevelOf('{not json')).toBeUndefined();
  });
});
