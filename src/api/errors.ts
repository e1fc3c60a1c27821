/**
 * Typed errors and the one place that turns them into HTTP answers. Routes throw; this formats.
 * No answer ever carries a stack trace.
 */
import type { ErrorRequestHandler } from 'express';
import type { ApiErrorCode } from '../contract/payment';
import type { Logger } from '../infra/logger';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class InvalidRequest extends ApiError {
  constructor(issues: Array<{ path: string; message: string }>) {
    super(400, 'invalid_request', 'the request is invalid', { issues });
  }
}

export class IdempotencyKeyReused extends ApiError {
  constructor() {
    super(409, 'idempotency_key_reused', 'this idempotency key was used with a different request');
  }
}

/** No valid API key: the same answer whatever was wrong, so it helps nobody guess a key. */
export class Unauthorized extends ApiError {
  constructor(message: string) {
    super(401, 'unauthorized', message, {}, { 'WWW-Authenticate': 'Bearer' });
  }
}

/** The merchant's order already has a live or successful payment (or a failed one, and this is no declared new attempt). */
export class OrderAlreadyPaid extends ApiError {
  constructor(order: { status: string; requestId: string }) {
    const retry = order.status === 'FAILED' || order.status === 'CANCELLED';
    super(
      409,
      'order_already_paid',
      retry
        ? `this order's payment ended ${order.status}: to try again, send the header Payment-Attempt: new`
        : `this order already has a payment that is ${order.status}`,
      { payment: order },
    );
  }
}

/** A cancel came after a PG call claimed the payment (or after it ended). */
export class AlreadyProcessing extends ApiError {
  constructor(status: string) {
    super(409, 'already_processing', `the payment can no longer be cancelled: it is ${status}`, { status });
  }
}

export class PaymentNotFound extends ApiError {
  constructor() {
    super(404, 'not_found', 'no payment with this id');
  }
}

/** The engine's backing service (Temporal, Redis) cannot be reached; the client should retry. */
export class EngineUnavailable extends ApiError {
  constructor(reason: string, retryAfterSeconds = 5) {
    super(503, 'unavailable', reason, {}, { 'Retry-After': String(retryAfterSeconds) });
  }
}

export class UnsupportedMediaType extends ApiError {
  constructor() {
    super(415, 'unsupported_media_type', 'send the body as application/json');
  }
}

export class PayloadTooLarge extends ApiError {
  constructor() {
    super(413, 'payload_too_large', 'the body is larger than 16 KiB');
  }
}

/** A path whose percent-encoding does not decode (the router's URIError): the path is wrong, not the body. */
const badPath = (path: string) =>
  new ApiError(400, 'invalid_request', `the path is not valid percent-encoding: ${path.slice(0, 200)}`, {
    issues: [{ path: 'path', message: 'malformed percent-encoding' }],
  });

/** Errors thrown by express.json(), recognised by their `type`. */
function fromBodyParser(err: { type?: string; status?: unknown }): ApiError | undefined {
  if (err.type === 'entity.parse.failed') return new ApiError(400, 'malformed_json', 'the body is not valid JSON');
  if (err.type === 'entity.too.large') return new PayloadTooLarge();
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') return new UnsupportedMediaType();
  // Any other body the parser could not read (a corrupt gzip stream, a short body): the client's fault.
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500)
    return new ApiError(400, 'malformed_json', 'the body could not be read as JSON');
  return undefined;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known =
      err instanceof ApiError
        ? err
        : err instanceof URIError
          ? badPath(req.path)
          : fromBodyParser(err as { type?: string; status?: unknown });
    const apiError = known ?? new ApiError(500, 'internal', 'internal error');
    if (!known) log.error({ err, method: req.method, path: req.path }, 'unhandled error');
    else if (apiError.status >= 500)
      log.warn({ code: apiError.code, reason: apiError.message, path: req.path }, 'engine unavailable');
    // A body still on its way (refused before it was read) is not read to its end: close instead.
    if (!req.complete) res.set('Connection', 'close');
    res
      .status(apiError.status)
      .set(apiError.headers)
      .json({ error: apiError.code, message: apiError.message, ...apiError.extra });
  };
}
