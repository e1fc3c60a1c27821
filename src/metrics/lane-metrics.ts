/**
 * The Temporal worker's figures per PG lane and per merchant (docs/pgs.md, "Metrics"): each PG's
 * calls by answer and its calls in flight, and each merchant's wait for its first PG call. The
 * API sums them over the workers like the other recorded series (routes.ts). The Redis engines
 * serve one PG in one line, so they have no lanes to report.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PgAdmission } from '../pg-client/admission';
import type { ChargeOutcome } from '../pg-client/pg-client';
import { HELP, METRIC, WAIT_BUCKETS } from './payment-metrics';

/** What one lane's activities report as its payments meet the PG. */
export interface LaneObserver {
  /** A payment's first PG call started `seconds` after it was accepted. */
  firstCall(seconds: number, merchant: string): void;
  /** The PG answered a call. */
  answered(kind: ChargeOutcome['kind']): void;
}

const ANSWERS: ReadonlyArray<ChargeOutcome['kind']> = ['approved', 'declined', 'rejected', 'rate_limited', 'transient'];

/** Registers the lane series in `registry`; `lane(pg)` is that PG's observer. */
export function createLaneMetrics(
  registry: Registry,
  lanes: ReadonlyArray<{ pg: string; admission: Pick<PgAdmission, 'usage'> }>,
): { lane(pg: string): LaneObserver } {
  const calls = new Counter({
    name: METRIC.pgCalls,
    help: HELP.pgCalls,
    labelNames: ['pg', 'outcome'],
    registers: [registry],
  });
  const wait = new Histogram({
    name: METRIC.merchantQueueWait,
    help: HELP.merchantQueueWait,
    labelNames: ['pg', 'merchant'],
    buckets: WAIT_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: METRIC.pgInFlight,
    help: HELP.pgInFlight,
    labelNames: ['pg'],
    registers: [registry],
    collect() {
      for (const { pg, admission } of lanes) {
        // What the step cannot read it does not claim (payment_admission_up says why).
        const { used, readable = true } = admission.usage();
        this.set({ pg }, readable ? used : NaN);
      }
    },
  });
  // Zero series from the start, so rate() sees each PG and each answer before the first call.
  for (const { pg } of lanes) for (const outcome of ANSWERS) calls.inc({ pg, outcome }, 0);
  return {
    lane: (pg) => ({
      firstCall: (seconds, merchant) => wait.observe({ pg, merchant }, Math.max(0, seconds)),
      answered: (outcome) => calls.inc({ pg, outcome }),
    }),
  };
}
