/**
 * The payment contract shared by every engine, the fake PG's callers, the benchmark and the tests
 * (docs/design.md §4). Defined once; nothing else declares these shapes.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** 1-64 printable ASCII characters: nothing invisible or reordering in the workflow history or logs. */
export const PRINTABLE_ID_PATTERN = /^[\x20-\x7E]{1,64}$/;
export const MAX_AMOUNT = 1_000_000_000_000;
export const MAX_BODY_BYTES = 16 * 1024;
/** 1–255 printable ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

export const paymentRequestSchema = z
  .object({
    orderId: z.string().regex(ORDER_ID_PATTERN, 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -'),
    amount: z
      .number()
      .int('must be an integer amount in minor units')
      .positive('must be positive')
      .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code of three capital letters')
      .default('KRW'),
    customerId: z
      .string()
      .regex(PRINTABLE_ID_PATTERN, 'must be 1-64 printable ASCII characters (no control or bidi characters)')
      .optional(),
  })
  .strict();

export type PaymentRequest = z.output<typeof paymentRequestSchema>;

export const idempotencyKeySchema = z
  .string()
  .regex(IDEMPOTENCY_KEY_PATTERN, 'must be 1-255 printable ASCII characters');

/** The study document's words for where a payment is. */
export const PAYMENT_STATUSES = ['PENDING', 'PROCESSING', 'SUCCESS', 'FAILED', 'CANCELLED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export const FINAL_STATUSES: readonly PaymentStatus[] = ['SUCCESS', 'FAILED', 'CANCELLED'];
export const isFinal = (s: PaymentStatus): boolean => FINAL_STATUSES.includes(s);

/** The `GET /payments/:requestId/status` answer. Timestamps are ISO-8601 strings. */
export interface PaymentStatusView {
  requestId: string;
  /** The merchant whose payment this is; another merchant's read answers 404. */
  merchantId?: string;
  status: PaymentStatus;
  transactionId?: string;
  error?: string;
  attempts: number;
  acceptedAt: string;
  startedAt?: string;
  completedAt?: string;
  links?: Record<string, string>;
}

/**
 * The study document's `QueuedPaymentRequest`: what a producer hands to an engine. The Temporal engine
 * passes it as the workflow input; the Redis baseline pushes it as JSON.
 */
export interface QueuedPaymentRequest {
  requestId: string;
  /** The merchant that posted it (empty for a message from an outside producer: nobody's). */
  merchantId: string;
  request: PaymentRequest;
  enqueuedAt: string;
  /** sha256 of the canonical request: tells a replay from a reused key. */
  fingerprint?: string;
  /** The PG it is routed to (the merchant's `pg`, one of PGS_FILE); absent: `pg-main`. */
  pg?: string;
  /** The merchant's share of its PG against other merchants with a backlog; absent: 1. */
  weight?: number;
}

/** The 202 answer of `POST /payments`. */
export interface AcceptedPayment {
  requestId: string;
  /** PENDING when first accepted; a replay answers the payment's current status. */
  status: PaymentStatus;
  message: string;
  statusUrl: string;
}

/** `GET /payments?status=&orderId=&limit=&cursor=`: the calling merchant's payments, newest first. */
export const paymentListQuerySchema = z
  .object({
    status: z.enum(PAYMENT_STATUSES).optional(),
    orderId: z.string().regex(ORDER_ID_PATTERN, 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -').optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,2048}$/, 'must be the nextCursor of a previous page')
      .optional(),
  })
  .strict();
export type PaymentListQuery = z.output<typeof paymentListQuerySchema> & { merchantId: string };

export interface PaymentListItem {
  requestId: string;
  orderId: string;
  amount: number;
  status: PaymentStatus;
  acceptedAt: string;
}

/** One page of the list; `nextCursor` asks for the next, absent on the last page. */
export interface PaymentListPage {
  payments: PaymentListItem[];
  nextCursor?: string;
}

/** Error codes of the HTTP contract, the `error` field of every 4xx/5xx answer. */
export const API_ERROR_CODES = [
  'invalid_request',
  'malformed_json',
  'payload_too_large',
  'unsupported_media_type',
  'idempotency_key_reused',
  'unauthorized',
  'already_processing',
  'order_already_paid',
  'not_found',
  'not_implemented',
  'unavailable',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Failure codes a payment can end with (`error` of a FAILED status). */
export const PAYMENT_ERRORS = {
  cardDeclined: 'card_declined',
  /** The PG refused the request itself (400, 422); final, like a decline. */
  pgRejected: 'pg_rejected',
  pgUnavailable: 'pg_unavailable',
  rateLimited: 'rate_limited',
} as const;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The request id (and Temporal workflow id) for a merchant's idempotency key: URL-safe, fixed
 * length, and free of the key itself, so the key never shows in URLs, logs or the Web UI. The
 * merchant is part of it, so two merchants' equal keys name two payments.
 */
export const requestIdForKey = (merchantId: string, idempotencyKey: string): string =>
  `pay_${sha256(`${merchantId}\n${idempotencyKey}`).slice(0, 32)}`;

/** A stable hash of a validated request; equal for equal bodies whatever their key order. */
export function fingerprintOf(request: PaymentRequest): string {
  const { orderId, amount, currency, customerId } = request;
  return sha256(JSON.stringify([orderId, amount, currency, customerId ?? null]));
}

export const statusUrlFor = (requestId: string): string => `/payments/${requestId}/status`;
