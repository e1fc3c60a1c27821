/**
 * `GET /openapi.json`: the OpenAPI 3.1 document of the HTTP contract (docs/design.md §4), generated from the
 * contract's zod schemas, so the document cannot drift from what the API validates. The answers'
 * shapes are declared here as zod too, checked against the contract's TypeScript types.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type express from 'express';
import { z } from 'zod';
import {
  API_ERROR_CODES,
  type AcceptedPayment,
  PAYMENT_STATUSES,
  type PaymentStatusView,
  type PaymentListItem,
  type PaymentListPage,
  idempotencyKeySchema,
  paymentListQuerySchema,
  paymentRequestSchema,
} from '../contract/payment';

const isoTime = z.string().datetime({ offset: true });

export const acceptedPaymentSchema = z
  .object({
    requestId: z.string().min(1),
    status: z.enum(PAYMENT_STATUSES),
    message: z.string(),
    statusUrl: z.string().startsWith('/payments/'),
  })
  .strict() satisfies z.ZodType<AcceptedPayment>;

export const paymentStatusViewSchema = z
  .object({
    requestId: z.string().min(1),
    merchantId: z.string().optional().meta({ description: 'The merchant whose payment this is: the caller' }),
    status: z.enum(PAYMENT_STATUSES),
    transactionId: z.string().optional(),
    error: z.string().optional().meta({ description: 'Why a FAILED payment failed, e.g. card_declined' }),
    attempts: z.number().int().min(0).meta({ description: 'PG calls made so far' }),
    acceptedAt: isoTime,
    startedAt: isoTime.optional(),
    completedAt: isoTime.optional(),
    links: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: "e.g. webUi: the payment's workflow in the Temporal Web UI" }),
  })
  .strict() satisfies z.ZodType<PaymentStatusView>;

export const errorAnswerSchema = z.object({
  error: z.enum(API_ERROR_CODES),
  message: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const healthSchema = z.object({
  /** `degraded`: a dependency the process accepts payments without (Temporal behind the Redis intake) is down. */
  status: z.enum(['ok', 'degraded', 'unavailable']),
  error: z.literal('unavailable').optional(),
  /** Each dependency the process needs (`temporal`, `pg-admission-redis`, …) and whether it answers. */
  checks: z.record(z.string(), z.enum(['up', 'down'])),
});

function buildDocument() {
  const registry = new OpenAPIRegistry();
  // zod's own `.meta({id})` names a component; it copies the schema and leaves the contract's untouched.
  const PaymentRequest = paymentRequestSchema.meta({ id: 'PaymentRequest' });
  const Accepted = acceptedPaymentSchema.meta({ id: 'AcceptedPayment' });
  const Status = paymentStatusViewSchema.meta({ id: 'PaymentStatus' });
  const ErrorAnswer = errorAnswerSchema.meta({ id: 'Error' });
  const json = <T extends z.ZodType>(schema: T, description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });
  // Every /payments route: `Authorization: Bearer <key>` (docs/merchants.md).
  const bearerAuth = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: "A merchant's API key (npm run merchant -- add <id> prints one)",
  });
  const security = [{ [bearerAuth.name]: [] }];
  const unauthorized = {
    ...json(ErrorAnswer, 'unauthorized: no valid API key (missing, malformed, wrong, or its merchant removed)'),
    headers: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' as const } } },
  };
  const retryAfter = {
    'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'string' as const } },
  };

  registry.registerPath({
    method: 'post',
    path: '/payments',
    summary: 'Accept a payment for processing',
    description:
      "The Idempotency-Key header (or, without it, the orderId) names the payment within the caller's merchant: the same key and body again answers the same requestId and charges nothing new; the same key from another merchant is another payment.",
    security,
    request: {
      headers: z.object({
        'Idempotency-Key': idempotencyKeySchema.optional(),
        'Payment-Attempt': z
          .literal('new')
          .optional()
          .meta({ description: 'A deliberate new attempt at an order whose payment FAILED or was CANCELLED' }),
      }),
      body: { required: true, content: { 'application/json': { schema: PaymentRequest } } },
    },
    responses: {
      202: {
        ...json(Accepted, 'Accepted; poll statusUrl'),
        headers: { Location: { description: 'statusUrl', schema: { type: 'string' } } },
      },
      200: json(Status, 'Charged within the request (the semaphore-only baseline only)'),
      400: json(ErrorAnswer, 'invalid_request (with issues) or malformed_json'),
      401: unauthorized,
      409: json(
        ErrorAnswer,
        "idempotency_key_reused: the same key with a different body; order_already_paid: the merchant's order has a live or successful payment (or a FAILED one, and no Payment-Attempt: new)",
      ),
      413: json(ErrorAnswer, 'payload_too_large: over 16 KiB'),
      415: json(ErrorAnswer, 'unsupported_media_type: not application/json'),
      503: {
        ...json(
          ErrorAnswer,
          'unavailable: the engine cannot be reached or is too busy; retry after Retry-After with the same Idempotency-Key (a start cut off by its deadline may have gone through; the retry then answers 202 with it, never a second payment)',
        ),
        headers: retryAfter,
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/payments/{requestId}/status',
    summary: 'The status of a payment',
    security,
    request: { params: z.object({ requestId: z.string() }) },
    responses: {
      200: json(Status, 'The payment'),
      401: unauthorized,
      404: json(ErrorAnswer, "not_found: no payment with this id, or another merchant's"),
      503: { ...json(ErrorAnswer, 'unavailable'), headers: retryAfter },
    },
  });
  const ListItem = z
    .object({
      requestId: z.string().min(1),
      orderId: z.string(),
      amount: z.number().int(),
      status: z.enum(PAYMENT_STATUSES),
      acceptedAt: z.string(),
    })
    .strict() satisfies z.ZodType<PaymentListItem>;
  const ListPage = z
    .object({ payments: z.array(ListItem), nextCursor: z.string().optional() })
    .strict()
    .meta({ id: 'PaymentList' }) satisfies z.ZodType<PaymentListPage>;
  registry.registerPath({
    method: 'get',
    path: '/payments',
    summary: "The caller's payments, newest first, a page at a time",
    description:
      'On Temporal from the visibility store (running payments first, then ended ones by when they ended). Pass nextCursor as cursor for the next page.',
    security,
    request: { query: paymentListQuerySchema },
    responses: {
      200: json(ListPage, 'One page'),
      400: json(ErrorAnswer, 'invalid_request: a bad filter, limit or cursor'),
      401: unauthorized,
      501: json(ErrorAnswer, 'not_implemented: this engine keeps no list'),
      503: { ...json(ErrorAnswer, 'unavailable'), headers: retryAfter },
    },
  });
  registry.registerPath({
    method: 'post',
    path: '/payments/{requestId}/cancel',
    summary: 'Cancel a payment whose PG call has not started',
    description:
      'CANCELLED, never charged, while no PG call has claimed the payment; cancelling twice answers the same.',
    security,
    request: { params: z.object({ requestId: z.string() }) },
    responses: {
      200: json(Status, 'The payment, CANCELLED'),
      401: unauthorized,
      404: json(ErrorAnswer, "not_found: no payment with this id, or another merchant's"),
      409: json(ErrorAnswer, 'already_processing: a PG call has it, or it has ended (its status in `status`)'),
      501: json(ErrorAnswer, 'not_implemented: this engine cannot cancel'),
      503: { ...json(ErrorAnswer, 'unavailable'), headers: retryAfter },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Whether every dependency the process needs answers, each named in checks',
    responses: {
      200: json(healthSchema, 'ok, or degraded: accepting while a dependency it can wait for is down'),
      503: { ...json(healthSchema, 'a dependency is unreachable (its check reads down)'), headers: retryAfter },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary:
      'Prometheus metrics: payment_queue_size, payment_semaphore_available/used (NaN while payment_admission_up is 0), payment_queue_wait_seconds, payment_processing_seconds, payment_outcomes_total',
    responses: {
      200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } },
      503: { description: 'the engine did not answer' },
    },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Payments API',
      version: '1.0.0',
      description: 'Rate-limited payments: one contract served by the Temporal engine and the Redis baselines.',
    },
  });
}

let cached: ReturnType<typeof buildDocument> | undefined;
export const openApiDocument = () => (cached ??= buildDocument());

/** Mounts `GET /openapi.json`; use in `createApp({extend})` of any engine's API. */
export function openApiRoutes(app: express.Express): void {
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
}
