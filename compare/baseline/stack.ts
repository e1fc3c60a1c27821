/**
 * `npm run baseline`: the Redis baseline on this machine: the fake PG (:4000), the baseline API
 * (:3001) and `BASELINE_CONSUMERS` consumers of `BASELINE_MODE`, against `REDIS_URL`. Prints
 * where each is; Ctrl-C or SIGTERM stops everything.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { env, readEnv, runMain } from '../../src/config/env';
import { type ManagedProcess, spawnTs } from '../../src/infra/child-process';
import { spawnFakePg } from '../../src/launch/fake-pg';
import { DATA_DIR } from '../../src/infra/paths';
import { startRedis } from '../../src/infra/redis-server';
import { StackRunner, bold, prefixed } from '../../src/infra/stack-runner';
import { ensureDemoMerchant, merchantLines } from '../../src/merchants/demo';
import { merchantsFileShape } from '../../src/merchants/config';
import { BASELINE_MODES } from './config';
import { connectRedis, whenReady } from './redis';

async function redisAnswers(url: string): Promise<boolean> {
  const probe = connectRedis(url);
  try {
    await whenReady(probe, 2000);
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

runMain(async () => {
  const config = readEnv({
    BASELINE_MODE: z.enum(BASELINE_MODES).default('list'),
    BASELINE_CONSUMERS: z.coerce.number().int().min(0).max(32).default(1),
    BASELINE_PORT: env.port(3001),
    PG_PORT: env.port(4000),
    REDIS_URL: env.url('redis://127.0.0.1:6379'),
    ...merchantsFileShape,
  });
  const demoKey = ensureDemoMerchant(config.MERCHANTS_FILE);

  const stack = new StackRunner();
  // No Redis at the default address: run one for this stack (append-only file under .data/redis).
  if (!(await redisAnswers(config.REDIS_URL))) {
    if (process.env.REDIS_URL)
      throw new Error(`no Redis at ${config.REDIS_URL}: start one or unset REDIS_URL to let this script run one`);
    const dir = path.join(DATA_DIR, 'redis');
    mkdirSync(dir, { recursive: true });
    console.log(bold(`starting redis-server on :${new URL(config.REDIS_URL).port || 6379} (data: ${dir})…`));
    const redis = await startRedis({
      port: Number(new URL(config.REDIS_URL).port || 6379),
      dir,
      args: ['--appendonly', 'yes', '--appendfsync', 'everysec'],
    });
    stack.add(redis);
  }

  const watch = (proc: ManagedProcess) => stack.watch(proc);

  const pgUrl = `http://127.0.0.1:${config.PG_PORT}`;
  const pg = watch(spawnFakePg({ PG_PORT: String(config.PG_PORT) }, prefixed('fake-pg')));
  await pg.waitForLine(/fake PG listening/);
  const common = { REDIS_URL: config.REDIS_URL, BASELINE_MODE: config.BASELINE_MODE, PG_URL: pgUrl };
  const consumerCount = config.BASELINE_MODE === 'semaphore-only' ? 0 : config.BASELINE_CONSUMERS;
  const consumers = Array.from({ length: consumerCount }, (_, i) =>
    watch(
      spawnTs(`consumer-${i + 1}`, 'compare/baseline/consumer-main.ts', {
        env: { ...common, CONSUMER_ID: `consumer-${i + 1}` },
        onLine: prefixed(`consumer-${i + 1}`),
      }),
    ),
  );
  const api = watch(
    spawnTs('api', 'compare/baseline/api-main.ts', {
      env: { ...common, BASELINE_PORT: String(config.BASELINE_PORT), MERCHANTS_FILE: config.MERCHANTS_FILE },
      onLine: prefixed('api'),
    }),
  );
  await Promise.all([
    api.waitForLine(/baseline API listening on/),
    ...consumers.map((c) => c.waitForLine(/consumer ready/)),
  ]);

  const apiUrl = `http://127.0.0.1:${config.BASELINE_PORT}`;
  console.log(
    [
      '',
      bold(`the Redis baseline is up (mode ${config.BASELINE_MODE}):`),
      `  API          ${apiUrl}   (POST /payments, GET /payments/:id/status, /healthz)`,
      `  fake PG      ${pgUrl}   (score: /v1/stats)`,
      `  Redis        ${config.REDIS_URL}`,
      `  consumers    ${consumerCount}${config.BASELINE_MODE === 'semaphore-only' ? ' (semaphore-only charges inside the request)' : ''}`,
      ...merchantLines(apiUrl, config.MERCHANTS_FILE, demoKey),
      bold('Ctrl-C stops everything.'),
      '',
    ].join('\n'),
  );
});
