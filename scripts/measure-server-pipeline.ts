/**
 * How soon the dev server gets N payments from their start to their activity's start on this
 * machine, with nothing else running: the floor under a burst's first second (docs/benchmark.md,
 * "Where Temporal's extra seconds go"). A one-activity workflow, its worker and the client in this
 * process; N starts at once (16 in flight, as the starter), after a warm-up payment. Modes:
 * - plain: the activity on a task queue of its own, as a PG lane is (today's shape);
 * - eager-start: the client asks for eager workflow start (the server hands the first workflow task
 *   to this process's worker in the start's answer), activity as plain;
 * - eager-both: eager start, and the activity on the workflow's own queue with the server's eager
 *   activity dispatch on (`system.enableActivityEagerExecution`), which a PG lane's queue rules out.
 * Not a test: one run at a time.
 *   npx tsx scripts/measure-server-pipeline.ts [--payments 10] [--rounds 3] [--mode plain|eager-start|eager-both]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { toolPath } from '../src/infra/paths';
import { freePort } from '../src/infra/ports';
import { devServerArgs, runTemporalServer } from '../src/infra/temporal-dev-server';
import { createPipelineActivities } from './pipeline/activities';

const MODES = ['plain', 'eager-start', 'eager-both'] as const;
const { values: a } = parseArgs({
  options: {
    payments: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    mode: { type: 'string', default: 'plain' },
  },
});
const mode = a.mode as (typeof MODES)[number];
if (!MODES.includes(mode)) throw new Error(`--mode is one of ${MODES.join(', ')}`);

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'server-pipeline-'));
  const port = await freePort();
  const options = { port, dbFile: path.join(dir, 'temporal.db') };
  const eagerActivities = mode === 'eager-both';
  const server = await runTemporalServer(
    toolPath('temporal'),
    [
      ...devServerArgs(options),
      '--dynamic-config-value',
      `system.enableActivityEagerExecution=${eagerActivities}`,
      '--dynamic-config-value',
      'system.enableEagerWorkflowStart=true',
    ],
    options,
  );
  const connection = await NativeConnection.connect({ address: server.address });
  const startedAt = new Map<string, number>();
  const taskQueue = 'pipeline';
  const activityQueue = eagerActivities ? taskQueue : 'pipeline-pg';
  const activities = createPipelineActivities(startedAt);
  const workers = [
    await Worker.create({
      connection,
      taskQueue,
      workflowsPath: require.resolve('./pipeline/workflow'),
      ...(eagerActivities ? { activities, maxConcurrentActivityTaskExecutions: 20 } : {}),
    }),
  ];
  if (!eagerActivities)
    workers.push(
      await Worker.create({
        connection,
        taskQueue: activityQueue,
        activities,
        maxConcurrentActivityTaskExecutions: 20,
      }),
    );
  const running = Promise.all(workers.map((w) => w.run()));
  // A client on the worker's own connection: the only kind eager workflow start can hand a task to.
  const client = new Client({ connection });
  const start = (id: string) =>
    client.workflow.start('pipelinePayment', {
      taskQueue,
      workflowId: id,
      args: [id, activityQueue],
      requestEagerStart: mode !== 'plain',
    });
  try {
    await (await start(`warm-${Date.now()}`)).result();
    for (let round = 1; round <= Number(a.rounds); round++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const ids = Array.from({ length: Number(a.payments) }, (_, i) => `r${round}-${i}-${Date.now()}`);
      const t0 = Date.now();
      const queue = [...ids];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let id = queue.shift(); id; id = queue.shift()) await start(id);
        }),
      );
      await Promise.all(ids.map((id) => client.workflow.getHandle(id).result()));
      const times = ids.map((id) => startedAt.get(id)! - t0).sort((x, y) => x - y);
      console.log(`${mode}, round ${round}: ${ids.length} activities started after ${times.join(' ')} ms`);
    }
  } finally {
    for (const w of workers) w.shutdown();
    await running;
    await connection.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
