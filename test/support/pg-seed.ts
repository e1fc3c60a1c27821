import { createPgClient } from '../../src/pg-client/pg-client';

/**
 * A charge made at the fake PG directly, with the engines' own PG client, under the PG key a later
 * payment will use: what another caller sharing the key would leave behind, so that payment's call
 * meets 422 (same key, another body). Retries the PG's injected 5xx; answers how many calls it took.
 */
export async function chargeElsewhere(pgUrl: string, pgKey: string, orderId: string): Promise<number> {
  const pg = createPgClient({ baseUrl: pgUrl, connections: 1 });
  try {
    for (let calls = 1; calls <= 20; calls++) {
      const outcome = await pg.charge({ idempotencyKey: pgKey, request: { orderId, amount: 1, currency: 'KRW' } });
      if (outcome.kind === 'approved') return calls;
      if (outcome.kind !== 'transient')
        throw new Error(`the PG did not take the earlier charge: ${JSON.stringify(outcome)}`);
    }
    throw new Error('the PG failed the earlier charge 20 times');
  } finally {
    await pg.close();
  }
}
