/**
 * `npm run baseline`: the Redis baseline on this machine: the fake PG (:4000), the baseline API
 * (:3001) and `BASELINE_CONSUMERS` consumers of `BASELINE_MODE`, against `REDIS_URL`. Prints
 * where each is; Ctrl-C or SIGTERM stops everything.
 */
import { z } from 'zod';
import { env, readEnv, runMain } from '../../src/config/env';
import { type ManagedProcess, spawnTs } from '../../src/infra/child-process';
import { BASELINE_MODES } from './config';
import { connectRedis, whenReady } from './redis';

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const prefixed = (name: string) => (line: string) => process.stdout.write(`${name.padEnd(11)}| ${line}\n`);

runMain(async () => {
  const config = readEnv({
    BASELINE_MODE: z.enum(BASELINE_MODES).default('list'),
    BASELINE_CONSUMERS: z.coerce.number().int().min(0).max(32).default(1),
    BASELINE_PORT: env.port(3001),
    PG_PORT: env.port(4000),
    REDIS_URL: env.url('redis://127.0.0.1:6379'),
  });

  // Say plainly when Redis is not there, rather than starting processes that cannot work.
  const probe = connectRedis(config.REDIS_URL);
  try {
    await whenReady(probe, 3000);
  } catch {
    throw new Error(`no Redis at ${config.REDIS_URL}: start one (redis-server) or set REDIS_URL`);
  } finally {
    probe.disconnect();
  }

  const parts: ManagedProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log(bold('\nstopping…'));
    for (const part of parts.reverse()) await part.stop().catch(() => undefined);
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  const watch = (proc: ManagedProcess) => {
    parts.push(proc);
    void proc.exited.then((code) => {
      if (!stopping) {
        console.error(bold(`${proc.name} exited (${code}); stopping the stack`));
        void stopAll(1);
      }
    });
    return proc;
  };

  const pgUrl = `http://127.0.0.1:${config.PG_PORT}`;
  const pg = watch(spawnTs('fake-pg', 'src/fake-pg/main.ts', { env: { PG_PORT: String(config.PG_PORT) }, onLine: prefixed('fake-pg') }));
  await pg.waitForLine(/fake PG listening/);
  const common = { REDIS_URL: config.REDIS_URL, BASELINE_MODE: config.BASELINE_MODE, PG_URL: pgUrl };
  const consumerCount = config.BASELINE_MODE === 'semaphore-only' ? 0 : config.BASELINE_CONSUMERS;
  const consumers = Array.from({ length: consumerCount }, (_, i) =>
    watch(spawnTs(`consumer-${i + 1}`, 'compare/baseline/consumer-main.ts', { env: { ...common, CONSUMER_ID: `consumer-${i + 1}` }, onLine: prefixed(`consumer-${i + 1}`) })),
  );
  const api = watch(spawnTs('api', 'compare/baseline/api-main.ts', { env: { ...common, BASELINE_PORT: String(config.BASELINE_PORT) }, onLine: prefixed('api') }));
  await Promise.all([api.waitForLine(/baseline API listening on/), ...consumers.map((c) => c.waitForLine(/consumer ready/))]);

  const apiUrl = `http://127.0.0.1:${config.BASELINE_PORT}`;
  console.log(
    [
      '',
      bold(`the Redis baseline is up (mode ${config.BASELINE_MODE}):`),
      `  API          ${apiUrl}   (POST /payments, GET /payments/:id/status, /healthz)`,
      `  fake PG      ${pgUrl}   (score: /v1/stats)`,
      `  Redis        ${config.REDIS_URL}`,
      `  consumers    ${consumerCount}${config.BASELINE_MODE === 'semaphore-only' ? ' (semaphore-only charges inside the request)' : ''}`,
      '',
      `try:  curl -si -XPOST ${apiUrl}/payments -H 'content-type: application/json' -d '{"orderId":"order-1","amount":15000}'`,
      bold('Ctrl-C stops everything.'),
      '',
    ].join('\n'),
  );
});
