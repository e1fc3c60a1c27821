/**
 * The histograms and the outcome counter kept in Redis, for engines whose figures live there (the
 * Redis baseline): each consumer (or API charging inline) records into one hash, so the counts
 * survive a consumer's restart and every API replica reads the same totals.
 *
 * Hash fields: `<histogram>:b<i>` (count in bucket i, not cumulative; `b<n>` is +Inf),
 * `<histogram>:sum`, `<histogram>:count`, `outcome:<STATUS>`. One MULTI per observation.
 */
import type Redis from 'ioredis';
import { FINAL_STATUSES } from '../contract/payment';
import { HELP, METRIC, type PaymentObserver, WAIT_BUCKETS } from './payment-metrics';
import type { MetricJson, MetricsJson } from './routes';

type RedisLike = Pick<Redis, 'multi' | 'hgetall'>;

const bucketIndex = (seconds: number): number => {
  const i = WAIT_BUCKETS.findIndex((le) => seconds <= le);
  return i < 0 ? WAIT_BUCKETS.length : i;
};

/**
 * Records into `key`. Best effort: a Redis hiccup loses one observation, never a payment; `onError`
 * hears it.
 */
export function createRedisObserver(
  redis: RedisLike,
  key: string,
  onError: (err: Error) => void = () => undefined,
): PaymentObserver {
  const observe = (histogram: string, raw: number, extra?: (m: ReturnType<RedisLike['multi']>) => void) => {
    const seconds = Number.isFinite(raw) ? Math.max(0, raw) : 0;
    const m = redis
      .multi()
      .hincrby(key, `${histogram}:b${bucketIndex(seconds)}`, 1)
      .hincrbyfloat(key, `${histogram}:sum`, seconds)
      .hincrby(key, `${histogram}:count`, 1);
    extra?.(m);
    m.exec().catch(onError);
  };
  return {
    queueWait: (seconds) => observe(METRIC.queueWait, seconds),
    final: (status, seconds) => observe(METRIC.processing, seconds, (m) => m.hincrby(key, `outcome:${status}`, 1)),
  };
}

function histogramJson(name: string, help: string, fields: Record<string, string>): MetricJson {
  const num = (field: string) => Number(fields[`${name}:${field}`] ?? 0) || 0;
  let cumulative = 0;
  const buckets = [...WAIT_BUCKETS, '+Inf' as const].map((le, i) => {
    cumulative += num(`b${i}`);
    return { labels: { le }, value: cumulative, metricName: `${name}_bucket` };
  });
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    values: [
      ...buckets,
      { labels: {}, value: num('sum'), metricName: `${name}_sum` },
      { labels: {}, value: num('count'), metricName: `${name}_count` },
    ],
  };
}

/** The hash as prom-client JSON, ready for `EngineSnapshot.observations`. */
export async function readRedisObservations(redis: RedisLike, key: string): Promise<MetricsJson> {
  const fields = await redis.hgetall(key);
  return [
    histogramJson(METRIC.queueWait, HELP.queueWait, fields),
    histogramJson(METRIC.processing, HELP.processing, fields),
    {
      name: METRIC.outcomes,
      help: HELP.outcomes,
      type: 'counter',
      aggregator: 'sum',
      values: FINAL_STATUSES.map((status) => ({
        labels: { status },
        value: Number(fields[`outcome:${status}`] ?? 0) || 0,
      })),
    },
  ];
}
