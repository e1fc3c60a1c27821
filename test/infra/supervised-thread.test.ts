import { Worker } from 'node:worker_threads';
import type { Logger } from '../../src/infra/logger';
import { superviseThread } from '../../src/infra/supervised-thread';
import { pollUntil } from '../support/answers';

// Real threads: one that crashes as it starts, one that ends on 'stop', one that ignores it.
const crashing = () => new Worker("throw new Error('boom')", { eval: true });
const stoppable = () =>
  new Worker(
    "require('node:worker_threads').parentPort.on('message', (m) => { if (m === 'stop') process.exit(0); });",
    {
      eval: true,
    },
  );
const deaf = () => new Worker('setInterval(() => {}, 1000);', { eval: true });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingLog() {
  const errors: Array<Record<string, unknown>> = [];
  const log = { error: (fields: Record<string, unknown>) => errors.push(fields) } as unknown as Logger;
  return { log, errors };
}

describe('superviseThread', () => {
  it('starts a crashed thread again, pausing longer for each crash in a row, and stops it for good', async () => {
    const { log, errors } = recordingLog();
    let spawned = 0;
    const thread = superviseThread(() => (++spawned <= 2 ? crashing() : stoppable()), {
      name: 'test',
      log,
      graceMs: 5000,
      pauseMs: 20,
    });

    await pollUntil(
      'the third thread running',
      () => Promise.resolve(spawned === 3 && thread.running() ? true : undefined),
      10_000,
      10,
    );
    expect(thread.restarts()).toBe(2);
    expect(errors.filter((e) => 'pauseMs' in e).map((e) => e.pauseMs)).toEqual([20, 40]);

    await thread.stop();
    expect(thread.running()).toBe(false);
    await sleep(200);
    expect(spawned).toBe(3);
  });

  it('ends a thread that does not stop within its grace, and does not start it again', async () => {
    const { log } = recordingLog();
    let spawned = 0;
    const thread = superviseThread(() => (spawned++, deaf()), { name: 'test', log, graceMs: 200, pauseMs: 20 });
    await sleep(100);
    expect(thread.running()).toBe(true);

    await thread.stop();
    expect(thread.running()).toBe(false);
    await sleep(200);
    expect(spawned).toBe(1);
    expect(thread.restarts()).toBe(0);
  });
});
