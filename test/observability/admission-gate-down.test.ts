/**
 * The shared PG admission step's Redis goes down under a running engine (PG_ADMISSION=redis):
 * `/healthz` names it (and the payment store on the same Redis) and answers 503, and the semaphore gauges say they cannot be read
 * (`payment_admission_up 0`, NaN) instead of showing every PG slot free. When Redis is back,
 * both recover. Real processes: a redis-server, the dev server, the fake PG, a worker, the API.
 */
import { randomUUID } from 'node:crypto';
import { type RunningRedis, startRedis } from '../../src/infra/redis-server';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { METRIC } from '../../src/metrics/payment-metrics';
import { pollUntil } from '../support/answers';
import { scrape } from './support';

interface Health {
  status: number;
  retryAfter: string | null;
  body: { status: string; checks: Record<string, string> };
}

async function health(apiUrl: string): Promise<Health> {
  const res = await fetch(`${apiUrl}/healthz`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Health['body'] };
}

describe("the shared admission step's Redis, down and back", () => {
  let redis: RunningRedis;
  let stack: TemporalStack;

  beforeAll(async () => {
    redis = await startRedis();
    // The payment store and the shared gate on one Redis, as `npm start` runs them.
    const gate = { PG_ADMISSION: 'redis', PG_ADMISSION_PREFIX: `pg:gate:${randomUUID()}:` };
    stack = await startTemporalStack({ redis, workerEnv: gate, apiEnv: gate });
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  const ALL_UP = { 'payment-store': 'up', 'intake-starter': 'up', temporal: 'up', 'pg-admission-redis': 'up' };

  test('when Redis answers then /healthz is 200 naming every dependency up, and the gauges read the gate', async () => {
    const answer = await health(stack.apiUrl);
    expect(answer.status).toBe(200);
    expect(answer.body.checks).toEqual(ALL_UP);
    const samples = await scrape(stack.apiUrl);
    expect(samples.get(METRIC.admissionUp)).toBe(1);
    expect(samples.get(METRIC.semaphoreAvailable)).toBe(10);
  });

  test('when Redis is killed then /healthz is 503 naming it, and the gauges say unknown, not free; when it is back both recover', async () => {
    const { port } = redis;
    redis.process.kill('SIGKILL');
    await redis.stop(); // already dead: removes its data directory

    const down = await pollUntil('/healthz 503', async () => {
      const answer = await health(stack.apiUrl);
      return answer.status === 503 ? answer : undefined;
    });
    expect(down.retryAfter).not.toBeNull();
    expect(down.body).toMatchObject({
      status: 'unavailable',
      checks: { temporal: 'up', 'pg-admission-redis': 'down' },
    });
    const unknown = await pollUntil('payment_admission_up 0', async () => {
      const samples = await scrape(stack.apiUrl);
      return samples.get(METRIC.admissionUp) === 0 ? samples : undefined;
    });
    expect(unknown.get(METRIC.semaphoreAvailable)).toBeNaN();
    expect(unknown.get(METRIC.semaphoreUsed)).toBeNaN();

    redis = await startRedis({ port });
    const back = await pollUntil('/healthz 200', async () => {
      const answer = await health(stack.apiUrl);
      return answer.status === 200 ? answer : undefined;
    });
    expect(back.body.checks).toEqual(ALL_UP);
    const readable = await pollUntil('payment_admission_up 1', async () => {
      const samples = await scrape(stack.apiUrl);
      return samples.get(METRIC.admissionUp) === 1 ? samples : undefined;
    });
    expect(readable.get(METRIC.semaphoreAvailable)).toBe(10);
  });
});
