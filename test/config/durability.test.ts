/** TEMPORAL_SQLITE_SYNCHRONOUS: read once by npm start's config and by the bench, passed to the dev server. */
import { parseBenchArgs } from '../../compare/bench/args';
import { ConfigError } from '../../src/config/env';
import { devServerArgs } from '../../src/infra/temporal-dev-server';
import { loadStackConfig } from '../../src/stack-config';

const pragmas = (args: string[]) => args.filter((_, i) => args[i - 1] === '--sqlite-pragma');

describe('the dev server durability class', () => {
  test('when nothing is set then npm start, the bench and the dev server use WAL with synchronous=NORMAL', () => {
    expect(loadStackConfig({}).sqliteSynchronous).toBe('NORMAL');
    expect(parseBenchArgs([], {}).sqliteSynchronous).toBe('NORMAL');
    expect(pragmas(devServerArgs({ port: 7233 }))).toEqual(['journal_mode=WAL', 'synchronous=NORMAL']);
  });

  test('when TEMPORAL_SQLITE_SYNCHRONOUS names a class then it is used, whatever its case', () => {
    expect(loadStackConfig({ TEMPORAL_SQLITE_SYNCHRONOUS: 'full' }).sqliteSynchronous).toBe('FULL');
    expect(parseBenchArgs([], { TEMPORAL_SQLITE_SYNCHRONOUS: 'OFF' }).sqliteSynchronous).toBe('OFF');
    expect(pragmas(devServerArgs({ port: 7233, synchronous: 'FULL' }))).toContain('synchronous=FULL');
  });

  test('when TEMPORAL_SQLITE_SYNCHRONOUS is not a class then the process stops with a line naming it', () => {
    expect(() => loadStackConfig({ TEMPORAL_SQLITE_SYNCHRONOUS: 'EXTRA' })).toThrow(ConfigError);
    expect(() => parseBenchArgs([], { TEMPORAL_SQLITE_SYNCHRONOUS: 'EXTRA' })).toThrow(
      /TEMPORAL_SQLITE_SYNCHRONOUS.*NORMAL, FULL, OFF/,
    );
  });
});
