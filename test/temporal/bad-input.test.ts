import { bearer } from '../../src/load/payments-client';
import { TEST_MERCHANT } from '../../src/launch/merchants';
import { randomUUID } from 'node:crypto';
import { requestIdForKey } from '../../src/contract/payment';
import { type TemporalStack, startTemporalStack } from '../../src/launch/temporal-stack';
import { looksLikeStackTrace } from '../support/answers';
import { badInputCases, sendBadInput } from '../support/bad-inputs';

/** Bad input gets a clear 4xx with a JSON {error} code, never a stack trace (docs/design.md §4). */
describe('bad input to the Temporal API', () => {
  let stack: TemporalStack;

  beforeAll(async () => {
    stack = await startTemporalStack({ pgEnv: { PG_LATENCY_MS: '20-50' } });
  });
  afterAll(() => stack?.stop());

  test.each(badInputCases)('when POST /payments gets $name then it answers $status $error', async (c) => {
    const answer = await sendBadInput(stack.apiUrl, c, stack.merchants.apiKey);
    expect({ status: answer.status, error: answer.body.error }).toEqual({ status: c.status, error: c.error });
    expect(looksLikeStackTrace(answer.text)).toBe(false);
  });

  test('when an invalid body is refused then the answer lists each issue by path', async () => {
    const answer = await sendBadInput(
      stack.apiUrl,
      {
        name: 'two bad fields',
        body: { orderId: 'a b', amount: -1 },
        status: 400,
        error: 'invalid_request',
      },
      stack.merchants.apiKey,
    );
    expect(answer.status).toBe(400);
    const paths = (answer.body.issues as Array<{ path: string }>).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['orderId', 'amount']));
  });

  test('when bad inputs were refused then nothing reached the PG', async () => {
    expect((await stack.pg.client.stats()).requests).toBe(0);
  });

  test('when the status of an unknown id is asked then the answer is 404 not_found', async () => {
    const unknown = requestIdForKey(TEST_MERCHANT, `never-posted-${randomUUID()}`);
    const res = await fetch(`${stack.apiUrl}/payments/${unknown}/status`, { headers: bearer(stack.merchants.apiKey) });
    const text = await res.text();
    expect(res.status).toBe(404);
    expect(JSON.parse(text)).toMatchObject({ error: 'not_found' });
    expect(looksLikeStackTrace(text)).toBe(false);
  });

  test.each([
    ['an id with a dot', 'pay_..x'],
    ['an id of 101 characters', 'p'.repeat(101)],
    ['an id with encoded slashes', '..%2F..%2Fetc'],
    ['an id with a space', 'pay%20x'],
    ['an id with a quote', "pay'x"],
  ])('when the status of %s is asked then the answer is 404', async (_name, id) => {
    const res = await fetch(`${stack.apiUrl}/payments/${id}/status`, { headers: bearer(stack.merchants.apiKey) });
    const text = await res.text();
    expect(res.status).toBe(404);
    expect(JSON.parse(text)).toMatchObject({ error: 'not_found' });
    expect(looksLikeStackTrace(text)).toBe(false);
  });

  test('when an unknown route is asked then the answer is a JSON 404', async () => {
    const res = await fetch(`${stack.apiUrl}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});
