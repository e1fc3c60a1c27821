/**
 * `npm start`: the whole Temporal stack on this machine: the dev server with its Web UI, the fake
 * PG, the worker(s) and the API. Prints where each is; Ctrl-C stops everything.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { runMain } from './config/env';
import { type ManagedProcess, spawnTs } from './infra/child-process';
import { spawnFakePg } from './launch/fake-pg';
import { StackRunner, bold, logTo } from './infra/stack-runner';
import { postgresDurability, sqliteDurability } from './config/durability';
import { startDevServer } from './infra/temporal-dev-server';
import { startPostgresServer } from './infra/temporal-postgres';
import { checkRedis } from './temporal/admission-choice';
import { DURABLE_REDIS_ARGS, startRedis } from './infra/redis-server';
import { loadStackConfig } from './stack-config';
import type { PgSettings } from './config/pgs';

const isLoopback = (url: string): boolean => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(url).hostname);

/** A fake PG that keeps this PG's limits and scores every engine against them. */
const fakePgEnv = (pg: PgSettings): NodeJS.ProcessEnv => ({
  PG_PORT: new URL(pg.url).port || '80',
  PG_MAX_CONCURRENCY: String(pg.concurrency),
  PG_RATE_LIMIT: String(pg.ratePerSecond),
});
import { DEMO_MERCHANT, ensureDemoMerchant, merchantLines } from './merchants/demo';

runMain(async () => {
  const config = loadStackConfig();
  mkdirSync(path.dirname(config.dbFile), { recursive: true });
  // Before anything starts: a bad merchants file is one line naming the entry.
  const demoKey = ensureDemoMerchant(config.merchantsFile);
  const stack = new StackRunner(config.logDir);
  const logOf = (part: string) => logTo(config.logDir, part, config.verbose);
  // The payment store: accepted payments live here until they end, so it keeps an append-only file.
  let redisUrl = config.redisUrl;
  if (redisUrl) {
    // Before anything starts: a missing Redis is a one-line answer, not a stack that half runs.
    await checkRedis(redisUrl);
  } else {
    mkdirSync(config.redisDir, { recursive: true });
    console.log(bold(`starting the payment store: redis-server on :${config.redisPort} (AOF in ${config.redisDir})…`));
    const redis = stack.add(
      await startRedis({ port: config.redisPort, dir: config.redisDir, args: DURABLE_REDIS_ARGS }),
    );
    redisUrl = redis.url;
  }
  if (config.admission === 'redis') {
    console.log(bold(`shared PG admission: Redis at ${redisUrl} (PG_ADMISSION=redis, ${config.workers} workers)`));
  } else if (config.admission === 'local' && config.workers > 1) {
    console.log(
      bold(
        `warning: PG_ADMISSION=local with ${config.workers} workers: each keeps the PG's limits alone, so together they exceed them`,
      ),
    );
  }

  const { postgres: pgs } = config;
  console.log(
    bold(
      config.persistence === 'postgres'
        ? `starting the Temporal server on PostgreSQL (${pgs.user}@${pgs.host}:${pgs.port}, databases ${pgs.database}, ${pgs.visibilityDatabase})…`
        : `starting the Temporal dev server (SQLite: ${config.dbFile})…`,
    ),
  );
  const temporalOptions = {
    port: config.temporalPort,
    uiPort: config.uiPort,
    partitions: config.partitions,
    onLine: logOf('temporal'),
  };
  const temporal =
    config.persistence === 'postgres'
      ? await startPostgresServer({
          ...temporalOptions,
          pg: pgs,
          database: pgs.database,
          visibilityDatabase: pgs.visibilityDatabase,
        })
      : await startDevServer({ ...temporalOptions, dbFile: config.dbFile, synchronous: config.sqliteSynchronous });
  stack.add(temporal);

  const common = { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_WEB_UI_URL: temporal.uiUrl ?? '', REDIS_URL: redisUrl };
  const watch = (proc: ManagedProcess) => stack.watch(proc);

  // A fake PG for each PG on this machine; one elsewhere is the operator's to run.
  const fakePgs = config.pgs.filter((pg) => isLoopback(pg.url));
  for (const pg of fakePgs) {
    console.log(bold(`starting the fake PG ${pg.name} on :${new URL(pg.url).port}…`));
    const part = config.pgs.length === 1 ? 'fake-pg' : `fake-pg-${pg.name}`;
    const proc = watch(spawnFakePg(fakePgEnv(pg), logOf(part)));
    await proc.waitForLine(/fake PG listening/);
  }
  const workerCount = config.workers === 1 ? 'the worker' : `${config.workers} workers`;
  console.log(bold(`starting ${workerCount} (bundling the workflow code takes a few seconds) and the API…`));
  const workers = Array.from({ length: config.workers }, (_, i) =>
    watch(
      spawnTs(`worker-${i + 1}`, 'src/temporal/worker-main.ts', {
        env: {
          ...common,
          ...config.pgsEnv,
          ...config.workerAdmissionEnv,
          WORKER_INDEX: String(i),
          WORKER_COUNT: String(config.workers),
          WORKER_METRICS_PORT: String(config.workerMetricsPort + i),
          SDK_METRICS_PORT: String(config.sdkMetricsPort + i),
        },
        onLine: logOf(`worker-${i + 1}`),
      }),
    ),
  );
  const api = watch(
    spawnTs('api', 'src/api/main.ts', {
      // PG_ADMISSION: the API's /healthz checks the workers' shared gate when they use one.
      env: {
        ...common,
        ...config.pgsEnv,
        PORT: String(config.apiPort),
        PG_ADMISSION: config.admission,
        MERCHANTS_FILE: config.merchantsFile,
      },
      onLine: logOf('api'),
    }),
  );
  await Promise.all([
    api.waitForLine(/payments API listening/),
    ...workers.map((w) => w.waitForLine(/worker polling/, 120_000)),
  ]);

  console.log(
    [
      '',
      bold('the payment stack is up:'),
      `  API          http://127.0.0.1:${config.apiPort}   (POST /payments, GET /payments/:id/status, /healthz)`,
      `  Web UI       ${temporal.uiUrl}   (every payment is a workflow named by its requestId; filter: MerchantId="${DEMO_MERCHANT}")`,
      `  Temporal     ${temporal.address}   (gRPC; ${config.persistence === 'postgres' ? postgresDurability() : sqliteDurability(config.sqliteSynchronous)})`,
      ...config.pgs.map(
        (pg) =>
          `  PG ${pg.name.padEnd(9)} ${pg.url}   (${pg.concurrency} at once, ${pg.ratePerSecond}/s${fakePgs.includes(pg) ? '; fake PG, score: /v1/stats' : ''})`,
      ),
      `  workers      ${config.workers}   (PG admission: ${config.admission})`,
      `  store        ${redisUrl}   (Redis: the intake and every payment's status record)`,
      `  metrics      http://127.0.0.1:${config.apiPort}/metrics   (the engine's view: queue, PG slots, waits, outcomes)`,
      `  OpenAPI      http://127.0.0.1:${config.apiPort}/openapi.json`,
      `  SDK metrics  ${Array.from({ length: config.workers }, (_, i) => `http://127.0.0.1:${config.sdkMetricsPort + i}/metrics`).join(' ')}   (Temporal's own worker series)`,
      `  logs         ${path.relative(process.cwd(), config.logDir) || config.logDir}/   (one file per process; LOG_LEVEL=debug for more)`,
      ...merchantLines(`http://127.0.0.1:${config.apiPort}`, config.merchantsFile, demoKey),
      bold('Ctrl-C stops everything.'),
      '',
    ].join('\n'),
  );
});
