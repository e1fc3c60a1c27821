/**
 * pg-outage's second PG (issue 16): `pg-alt` beside the run's `pg-main`, its outage switch thrown
 * just before the first POST, and the figures per PG: each merchant's payments, each PG's own
 * score, and each PG's utilisation against its own burst's ideal. Merchant A's payments are
 * pg-main's, merchant B's pg-alt's.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PgSettings } from '../../src/config/pgs';
import type { PaymentStatusView } from '../../src/contract/payment';
import type { PgStats } from '../../src/fake-pg/scoreboard';
import type { FakePgHandle } from '../../src/launch/fake-pg';
import { idealMakespanMs, meanLatencyMs, utilisation } from './figures';
import type { SentPayment } from './load';
import { PG_ALT, PG_MAIN, type Scenario } from './scenarios';
import type { LaneFigures } from './types';

/** A PGS_FILE in the run's directory naming each PG with the engine's limits; returns its path. */
export function writePgsFile(dir: string, scenario: Scenario, pgs: Record<string, FakePgHandle>): string {
  const file = path.join(dir, 'pgs.json');
  const entries: PgSettings[] = Object.entries(pgs).map(([name, pg]) => ({
    name,
    url: pg.url,
    ...scenario.engineLimits,
  }));
  writeFileSync(file, JSON.stringify(entries));
  return file;
}

/** A fresh score on pg-alt and, in the outage run, 503s from now on (the first POST follows at once). */
export async function armPgAlt(pgAlt: FakePgHandle, scenario: Scenario): Promise<void> {
  await pgAlt.client.reset();
  if (scenario.pgAlt?.outageSeconds) await pgAlt.client.outage(scenario.pgAlt.outageSeconds);
}

/** The PG a payment was posted for: merchant B's go to pg-alt. */
export const pgOfSent = (p: SentPayment): string => (p.merchant === 'B' ? PG_ALT : PG_MAIN);

/**
 * Both PGs' scores as one for the result's top-level figures: the worst of each limit (the two PGs
 * have the same limits), every count summed, so no PG's refusal or double charge is hidden.
 */
export function bothScores(main: PgStats, alt: PgStats): PgStats {
  const sum = (k: 'requests' | 'charges' | 'replays' | 'declined' | 'rejected429' | 'injected5xx' | 'outage503') =>
    main[k] + alt[k];
  return {
    ...main,
    requests: sum('requests'),
    charges: sum('charges'),
    replays: sum('replays'),
    declined: sum('declined'),
    rejected429: sum('rejected429'),
    injected5xx: sum('injected5xx'),
    outage503: sum('outage503'),
    duplicateCharges: main.duplicateCharges + alt.duplicateCharges,
    maxInFlight: Math.max(main.maxInFlight, alt.maxInFlight),
    maxPerSecond: Math.max(main.maxPerSecond, alt.maxPerSecond),
    inFlight: main.inFlight + alt.inFlight,
    rejectedBy: {
      concurrency: main.rejectedBy.concurrency + alt.rejectedBy.concurrency,
      rate: main.rejectedBy.rate + alt.rejectedBy.rate,
    },
  };
}

/** One PG's figures: its merchant's payments, as their statuses say, and its own score. */
function laneOf(
  pg: string,
  outageSeconds: number,
  scenario: Scenario,
  payments: SentPayment[],
  finals: Map<string, PaymentStatusView>,
  t0: number,
  score: PgStats,
): LaneFigures {
  const done = payments.flatMap((p) => finals.get(p.requestId!) ?? []);
  const endedAt = (v: PaymentStatusView) => (v.completedAt ? Date.parse(v.completedAt) - t0 : 0);
  const successes = done.filter((v) => v.status === 'SUCCESS').map(endedAt);
  const makespanMs = Math.max(0, ...done.map(endedAt));
  // Nothing can be charged before the PG is back: its ideal starts when the outage ends.
  const ideal =
    outageSeconds * 1000 + idealMakespanMs(payments.length, scenario.pg, meanLatencyMs(scenario.pg.latencyMs));
  return {
    pg,
    outageSeconds,
    payments: payments.length,
    succeeded: successes.length,
    failed: done.filter((v) => v.status === 'FAILED').length,
    lost: payments.length - done.length,
    score: {
      charges: score.charges,
      duplicateCharges: score.duplicateCharges,
      maxInFlight: score.maxInFlight,
      maxPerSecond: score.maxPerSecond,
      rejected429: score.rejected429,
      outage503: score.outage503,
    },
    makespanMs,
    idealMakespanMs: ideal,
    utilisation: utilisation(ideal, makespanMs),
    firstSuccessMs: successes.length ? Math.min(...successes) : null,
  };
}

/** pg-main's and pg-alt's figures, from the accepted payments, their final statuses and each PG's score. */
export function laneFigures(
  scenario: Scenario,
  accepted: SentPayment[],
  finals: Map<string, PaymentStatusView>,
  t0: number,
  scores: { main: PgStats; alt: PgStats },
): LaneFigures[] {
  const of = (pg: string) => accepted.filter((p) => pgOfSent(p) === pg);
  return [
    laneOf(PG_MAIN, 0, scenario, of(PG_MAIN), finals, t0, scores.main),
    laneOf(PG_ALT, scenario.pgAlt?.outageSeconds ?? 0, scenario, of(PG_ALT), finals, t0, scores.alt),
  ];
}
