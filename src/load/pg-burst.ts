/**
 * Drives a burst of charges straight at a PG through admission steps, as the engines' callers do:
 * acquire → charge (telling the permit when the request went out) → on a 429 tell the permit,
 * release, wait Retry-After and try the same payment again. For tests and measurements of the
 * admission step alone, with no engine in between. Call i goes through admission i mod n, so
 * several admission steps stand for several workers.
 */
import type { PgAdmission } from '../pg-client/admission';
import { type ChargeOutcome, createPgClient } from '../pg-client/pg-client';

export interface PgBurstOptions {
  pgUrl: string;
  admissions: PgAdmission[];
  count: number;
  /** Prefix of the calls' idempotency keys and order ids. */
  tag: string;
  /**
   * The calls arrive evenly over this long (0: all at once). Through an engine a burst reaches the
   * PG spread over its first second or so, never all in one instant.
   */
  arrivalsMs?: number;
  /** Connections each admission step's client keeps to the PG. */
  connections?: number;
}

export interface PgBurstResult {
  /** Each call's final outcome, in order. */
  outcomes: ChargeOutcome[];
  /** 429s the callers got, in all. */
  refused: number;
}

export async function burstThroughAdmission(options: PgBurstOptions): Promise<PgBurstResult> {
  const clients = options.admissions.map(() =>
    createPgClient({ baseUrl: options.pgUrl, connections: options.connections ?? 10 }),
  );
  let refused = 0;
  const chargeOne = async (i: number): Promise<ChargeOutcome> => {
    const admission = options.admissions[i % options.admissions.length]!;
    const pg = clients[i % clients.length]!;
    const key = `${options.tag}-${i}`;
    const arrivesAt = ((options.arrivalsMs ?? 0) * i) / options.count;
    if (arrivesAt > 0) await new Promise((r) => setTimeout(r, arrivesAt));
    for (;;) {
      const permit = await admission.acquire();
      let outcome: ChargeOutcome;
      try {
        outcome = await pg.charge({
          idempotencyKey: key,
          request: { orderId: key, amount: 1000, currency: 'KRW' },
          onSent: (at) => permit.sent(at),
          onAnswered: (networkMs) => permit.answered(networkMs),
        });
        if (outcome.kind === 'rate_limited') permit.refused(outcome.retryAfterMs);
      } finally {
        permit.release();
      }
      if (outcome.kind !== 'rate_limited') return outcome;
      refused++;
      await new Promise((r) => setTimeout(r, outcome.retryAfterMs));
    }
  };
  try {
    await Promise.all(clients.map((pg) => pg.warmUp()));
    const outcomes = await Promise.all(Array.from({ length: options.count }, (_, i) => chargeOne(i)));
    return { outcomes, refused };
  } finally {
    await Promise.all(clients.map((pg) => pg.close()));
  }
}
