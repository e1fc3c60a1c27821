/** What every BullMQ test needs: a private redis-server, a fake PG, the engine on them and a client. */
import { type BullmqStack, startBullmqStack } from '../../../compare/bullmq/launch';
import { type RunningRedis, startRedis } from '../../../src/infra/redis-server';
import { type FakePgHandle, startFakePg } from '../../../src/launch/fake-pg';
import { PaymentsClient } from '../../../src/load/payments-client';

export interface BullmqFixture {
  redis: RunningRedis;
  pg: FakePgHandle;
  stack: BullmqStack;
  api: PaymentsClient;
  stop(): Promise<void>;
}

/** Starts everything; what did start is stopped again if a later part fails. */
export async function startBullmqFixture(
  pgEnv: NodeJS.ProcessEnv,
  env: NodeJS.ProcessEnv = {},
): Promise<BullmqFixture> {
  const started: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of started.reverse()) await s().catch(() => undefined);
  };
  try {
    const redis = await startRedis();
    started.push(() => redis.stop());
    const pg = await startFakePg(pgEnv);
    started.push(() => pg.process.stop());
    const stack = await startBullmqStack({ workers: 1, pgUrl: pg.url, redisUrl: redis.url, env });
    started.push(() => stack.stop());
    const api = new PaymentsClient(stack.apiUrl, { apiKey: stack.merchants.apiKey });
    started.push(() => api.close());
    return { redis, pg, stack, api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
