/**
 * The PG's outage switch (`POST /v1/admin/outage`), for a scenario where one PG is down for a
 * while: until the switch runs out every charge that gets past the limits is answered 503
 * `pg_outage`. Such a call has still arrived and still counts toward the limits, as at a load
 * balancer in front of a PG that is down. Resetting the score leaves the switch as it is.
 */
import { z } from 'zod';

/** The longest outage one call may ask for: an hour, so a typo cannot take a PG down for good. */
const MAX_SECONDS = 3600;

/** A number in a JSON body, or the digits of a query string; 0 ends an outage. */
const secondsSchema = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
      .transform(Number),
  ])
  .pipe(z.number().min(0, 'must be 0 or more').max(MAX_SECONDS, `must be ${MAX_SECONDS} or less`));

/** Reads the seconds asked for from the body first, then the query; an error message otherwise. */
export function readOutageSeconds(body: unknown, query: Record<string, unknown>): number | string {
  const fromBody = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).seconds : undefined;
  const input = fromBody ?? query.seconds;
  if (input === undefined) return 'give the outage length as {"seconds": 20} or ?seconds=20 (0 ends it)';
  const parsed = secondsSchema.safeParse(input);
  return parsed.success ? parsed.data : `seconds ${parsed.error.issues[0]?.message ?? 'is invalid'}`;
}

export class Outage {
  private until: number | undefined;

  constructor(private readonly now = () => Date.now()) {}

  /** Starts an outage of `seconds` from now, replacing any other; 0 ends it. */
  set(seconds: number): void {
    this.until = seconds > 0 ? this.now() + seconds * 1000 : undefined;
  }

  active(): boolean {
    return this.until !== undefined && this.now() < this.until;
  }

  /** When the outage ends (ISO), or null when the PG is up. */
  untilIso(): string | null {
    return this.active() ? new Date(this.until!).toISOString() : null;
  }
}
