/**
 * The bad inputs of docs/design.md §4 and the answer each must get. Shared by every engine's tests, so the
 * Temporal engine and the Redis baselines are held to the same contract.
 */
import { bearer } from '../../src/load/payments-client';

export interface BadInputCase {
  name: string;
  /** Raw body text (sent as is) or an object (sent as JSON). */
  body: string | Record<string, unknown>;
  contentType?: string;
  headers?: Record<string, string>;
  status: number;
  error: string;
}

const valid = { orderId: 'order-1', amount: 1000 };

export const badInputCases: BadInputCase[] = [
  { name: 'malformed JSON', body: '{"orderId": "x", amount', status: 400, error: 'malformed_json' },
  { name: 'a JSON array', body: '[1,2]', status: 400, error: 'invalid_request' },
  { name: 'a missing orderId', body: { amount: 1000 }, status: 400, error: 'invalid_request' },
  { name: 'an amount as a string', body: { orderId: 'o-1', amount: '1000' }, status: 400, error: 'invalid_request' },
  { name: 'a fractional amount', body: { orderId: 'o-1', amount: 10.5 }, status: 400, error: 'invalid_request' },
  { name: 'a zero amount', body: { orderId: 'o-1', amount: 0 }, status: 400, error: 'invalid_request' },
  { name: 'a negative amount', body: { orderId: 'o-1', amount: -5 }, status: 400, error: 'invalid_request' },
  {
    name: 'an amount over 10^12',
    body: { orderId: 'o-1', amount: 1_000_000_000_001 },
    status: 400,
    error: 'invalid_request',
  },
  { name: 'a lower-case currency', body: { ...valid, currency: 'krw' }, status: 400, error: 'invalid_request' },
  { name: 'a four-letter currency', body: { ...valid, currency: 'KRWX' }, status: 400, error: 'invalid_request' },
  {
    name: 'an orderId of 65 characters',
    body: { orderId: 'o'.repeat(65), amount: 1000 },
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'an orderId with a space',
    body: { orderId: 'order 1', amount: 1000 },
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'an unknown field',
    body: { ...valid, cardNumber: '4111111111111111' },
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'an idempotency key of 256 characters',
    body: valid,
    headers: { 'Idempotency-Key': 'k'.repeat(256) },
    status: 400,
    error: 'invalid_request',
  },
  {
    name: 'a body over 16 KiB',
    body: { ...valid, customerId: 'c'.repeat(17 * 1024) },
    status: 413,
    error: 'payload_too_large',
  },
  {
    name: 'a corrupt gzip body',
    body: 'not gzip at all',
    headers: { 'Content-Encoding': 'gzip' },
    status: 400,
    error: 'malformed_json',
  },
  {
    name: 'a text/plain body',
    body: JSON.stringify(valid),
    contentType: 'text/plain',
    status: 415,
    error: 'unsupported_media_type',
  },
  {
    name: 'a form body',
    body: 'orderId=o-1&amount=1000',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    error: 'unsupported_media_type',
  },
];

/** Sends one case to an API's POST /payments and returns the status and parsed body. */
export async function sendBadInput(
  apiUrl: string,
  c: BadInputCase,
  apiKey: string,
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const res = await fetch(`${apiUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': c.contentType ?? 'application/json', ...bearer(apiKey), ...c.headers },
    body: typeof c.body === 'string' ? c.body : JSON.stringify(c.body),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* the assertion on `error` reports it */
  }
  return { status: res.status, body, text };
}
