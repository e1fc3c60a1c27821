/**
 * Every error answer of the fake PG is JSON, `{code, message}`. Express's own fallback answers an
 * error with an HTML page carrying the stack trace and the server's file paths (a security
 * finding: bad JSON showed both), so the PG ends its routes with these two handlers instead:
 * an unknown route is a 404 and whatever a handler or the body parser throws becomes a fixed
 * answer that says nothing of the server's insides.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';

export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  res.status(status).json({ code, message, ...extra });
}

type Answer = readonly [status: number, code: string, message: string];

/** What the body parser's errors mean to the caller, by their `type`; its own words stay here. */
const BODY_PARSER_ERRORS: Record<string, Answer> = {
  'entity.parse.failed': [400, 'malformed_json', 'the body is not valid JSON'],
  'entity.too.large': [413, 'payload_too_large', 'the body is larger than the PG takes'],
  'encoding.unsupported': [415, 'unsupported_media_type', 'the body must be JSON without a content encoding'],
  'charset.unsupported': [415, 'unsupported_media_type', 'the body must be JSON in UTF-8'],
};
/** Another body the parser could not read (aborted, shorter than its length): still the client's. */
const UNREADABLE_BODY: Answer = [400, 'malformed_request', 'the request body could not be read'];
const INTERNAL: Answer = [500, 'internal_error', 'internal error'];

export const notFound: RequestHandler = (_req, res) => sendError(res, 404, 'not_found', 'no such route');

/** Turns anything thrown into a JSON answer; `onUnexpected` hears what is not the client's fault. */
export function jsonErrors(onUnexpected: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, next) => {
    // Too late for an answer: Express's fallback then only closes the connection.
    if (res.headersSent) return next(err);
    const { type, status } = (err ?? {}) as { type?: unknown; status?: unknown };
    const fromParser = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
    const clientSide = typeof status === 'number' && status >= 400 && status < 500;
    const answer = fromParser ?? (clientSide ? UNREADABLE_BODY : INTERNAL);
    if (answer === INTERNAL) onUnexpected(err);
    sendError(res, ...answer);
  };
}
