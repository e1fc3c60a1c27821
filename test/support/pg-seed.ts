/**
 * A charge made at the fake PG directly, under the PG key a later payment will use: what another
 * caller sharing the key would leave behind, so that payment's call meets 422 (same key, another
 * body). Retries the PG's injected 5xx; answers how many calls it took.
 */
export async function chargeElsewhere(pgUrl: string, pgKey: string, orderId: string): Promise<number> {
  for (let calls = 1; calls <= 20; calls++) {
    const res = await fetch(`${pgUrl}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': pgKey },
      body: JSON.stringify({ orderId, amount: 1, currency: 'KRW' }),
    });
    await res.body?.cancel();
    if (res.status === 200) return calls;
    if (res.status < 500) throw new Error(`the PG refused the earlier charge: ${res.status}`);
  }
  throw new Error('the PG failed the earlier charge 20 times');
}
