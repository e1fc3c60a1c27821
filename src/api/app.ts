/**
 * The HTTP contract of docs/design.md §4 as an Express app, built without listening so tests and every
 * engine share it: `createApp({engine})`, then `listen()`.
 */
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import {
  type AcceptedPayment,
  type PaymentStatusView,
  MAX_BODY_BYTES,
  fingerprintOf,
  idempotencyKeySchema,
  paymentListQuerySchema,
  paymentRequestSchema,
  requestIdForKey,
  statusUrlFor,
} from '../contract/payment';
import type { Logger } from '../infra/logger';
import type { MerchantDirectory } from '../merchants/directory';
import { authenticate, merchantOf } from './auth';
import type { PaymentEngine } from './engine';
import {
  ApiError,
  EngineUnavailable,
  InvalidRequest,
  PayloadTooLarge,
  PaymentNotFound,
  UnsupportedMediaType,
  errorHandler,
} from './errors';
import { type HealthCheck, checkHealth } from './health';
import { recentCheck } from './recent-check';

export interface AppDeps {
  engine: PaymentEngine;
  log: Logger;
  /** Who may call /payments: each merchant's payments are its own. */
  merchants: MerchantDirectory;
  /** Extra routes (metrics, OpenAPI) mounted before the error handler. */
  extend?: (app: express.Express) => void;
  /** What `/healthz` checks; by default the engine alone, named `engine`. */
  health?: HealthCheck[];
}

const issuesOf = (error: { issues: Array<{ path: PropertyKey[]; message: string }> }, prefix = '') =>
  error.issues.map((i) => ({ path: prefix + i.path.map(String).join('.'), message: i.message }));

export function createApp({ engine, log, merchants, extend, health }: AppDeps): express.Express {
  const healthChecks = health ?? [{ name: 'engine', check: () => engine.healthy() }];
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Before any body is read: an unauthenticated or oversized request costs nothing more.
  app.use('/payments', authenticate(merchants));
  const healthy = recentCheck(() => checkHealth(healthChecks));

  app.post(
    '/payments',
    (req, _res, next) => next(req.is('application/json') ? undefined : new UnsupportedMediaType()),
    (req, _res, next) => next(Number(req.get('Content-Length')) > MAX_BODY_BYTES ? new PayloadTooLarge() : undefined),
    express.json({ limit: MAX_BODY_BYTES, strict: true }),
    async (req: Request, res: Response) => {
      const body = paymentRequestSchema.safeParse(req.body);
      const header = req.get('Idempotency-Key');
      const key = header === undefined ? undefined : idempotencyKeySchema.safeParse(header);
      // Node joins repeated headers into "A, B": a key that never was.
      if ((req.headersDistinct['idempotency-key']?.length ?? 0) > 1)
        throw new InvalidRequest([{ path: 'header:Idempotency-Key', message: 'must be sent once' }]);
      const issues = [
        ...(body.success ? [] : issuesOf(body.error)),
        ...(key && !key.success ? issuesOf(key.error, 'header:Idempotency-Key') : []),
      ];
      if (!body.success || (key && !key.success)) throw new InvalidRequest(issues);

      const request = body.data;
      const merchant = merchantOf(res);
      const merchantId = merchant.id;
      const requestId = requestIdForKey(merchantId, key?.data ?? request.orderId);
      const accepted = await engine.submit({
        requestId,
        merchantId,
        // The merchant's PG and its share of it against the PG's other merchants (docs/pgs.md).
        pg: merchant.pg,
        weight: merchant.weight,
        request,
        enqueuedAt: new Date().toISOString(),
        fingerprint: fingerprintOf(request),
        // A deliberate new attempt at an order whose payment FAILED (or was cancelled).
        newAttempt: req.get('Payment-Attempt') === 'new',
      });
      const statusUrl = statusUrlFor(accepted.requestId);
      log.info(
        { requestId, merchantId, orderId: request.orderId, created: accepted.created },
        accepted.created ? 'payment accepted' : 'payment replayed',
      );
      if (accepted.completed) {
        res.status(200).location(statusUrl).json(accepted.completed);
        return;
      }
      // A replay answers where the payment is now, not where it was when first accepted.
      const current = accepted.created ? undefined : await engine.status(accepted.requestId).catch(() => null);
      const answer: AcceptedPayment = {
        requestId: accepted.requestId,
        status: current?.status ?? 'PENDING',
        message: accepted.created ? 'payment accepted for processing' : 'payment already accepted with this key',
        statusUrl,
      };
      res.status(202).location(statusUrl).json(answer);
    },
  );

  app.get('/payments', async (req: Request, res: Response) => {
    const query = paymentListQuerySchema.safeParse(req.query);
    if (!query.success) throw new InvalidRequest(issuesOf(query.error, 'query:'));
    if (!engine.listPayments) throw new ApiError(501, 'not_implemented', 'this engine keeps no list of payments');
    res.json(await engine.listPayments({ ...query.data, merchantId: merchantOf(res).id }));
  });

  /** The caller's own payment; another merchant's is answered exactly like an unknown one. */
  async function ownPayment(requestId: string, res: Response): Promise<PaymentStatusView> {
    const status = /^[A-Za-z0-9_-]{1,100}$/.test(requestId) ? await engine.status(requestId) : null;
    if (!status || status.merchantId !== merchantOf(res).id) throw new PaymentNotFound();
    return status;
  }

  app.get('/payments/:requestId/status', async (req: Request<{ requestId: string }>, res: Response) => {
    res.json(await ownPayment(req.params.requestId, res));
  });

  // CANCELLED while no PG call has claimed the payment; 409 already_processing after. Twice: the same.
  app.post('/payments/:requestId/cancel', async (req: Request<{ requestId: string }>, res: Response) => {
    const { requestId } = await ownPayment(req.params.requestId, res);
    if (!engine.cancel) throw new ApiError(501, 'not_implemented', 'this engine cannot cancel a payment');
    const cancelled = await engine.cancel(requestId);
    if (!cancelled) throw new PaymentNotFound();
    log.info({ requestId, merchantId: merchantOf(res).id }, 'payment cancelled');
    res.json(cancelled);
  });

  app.get('/healthz', async (_req, res) => {
    const { ok, degraded, checks } = await healthy();
    if (ok) res.json({ status: degraded ? 'degraded' : 'ok', checks });
    else res.status(503).set('Retry-After', '5').json({ status: 'unavailable', error: 'unavailable', checks });
  });

  extend?.(app);
  app.use((_req, _res, next) => next(new ApiError(404, 'not_found', 'no such route')));
  // A request that found the engine down makes the next health probe check again, not remember.
  app.use(((err, _req, _res, next) => {
    if (err instanceof EngineUnavailable) healthy.forget();
    next(err);
  }) satisfies ErrorRequestHandler);
  app.use(errorHandler(log));
  return app;
}
