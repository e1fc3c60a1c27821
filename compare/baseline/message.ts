/**
 * Reads a queue message in the study document's `QueuedPaymentRequest` JSON shape, from this API or from
 * any Phase 2-A producer, and validates its request with the one shared schema.
 */
import { type QueuedPaymentRequest, fingerprintOf, paymentRequestSchema } from '../../src/contract/payment';
import { merchantSchema } from '../../src/merchants/merchant';

export type ParsedMessage =
  | { ok: true; payment: QueuedPaymentRequest & { fingerprint: string } }
  | { ok: false; reason: string; requestId?: string };

const REQUEST_ID = /^[A-Za-z0-9_-]{1,100}$/;
const merchantIdOf = (value: unknown): string => merchantSchema.shape.id.safeParse(value).data ?? '';

export function parseMessage(raw: string): ParsedMessage {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const requestId = typeof data?.requestId === 'string' && REQUEST_ID.test(data.requestId) ? data.requestId : undefined;
  if (!requestId) return { ok: false, reason: 'no valid requestId' };
  // An outside producer's request may carry fields this contract does not know: keep ours only.
  const body = (data.request ?? {}) as Record<string, unknown>;
  const parsed = paymentRequestSchema.safeParse({
    orderId: body.orderId,
    amount: body.amount,
    currency: body.currency ?? undefined,
    customerId: body.customerId ?? undefined,
  });
  if (!parsed.success) return { ok: false, reason: 'invalid request', requestId };
  const fingerprint = fingerprintOf(parsed.data);
  return {
    ok: true,
    payment: {
      requestId,
      // A Phase 2-A producer names no merchant: its payment is nobody's to read through the API.
      merchantId: merchantIdOf(data.merchantId),
      request: parsed.data,
      enqueuedAt: enqueuedAtOf(data.enqueuedAt),
      fingerprint,
    },
  };
}

/** ISO-8601, or Jackson's default for an `Instant`: epoch seconds with a fraction. */
function enqueuedAtOf(value: unknown): string {
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return new Date(value * 1000).toISOString();
  return new Date().toISOString();
}
