/**
 * The payment workflow's own logic in seconds: a real (local) Temporal server, the workflow as it
 * is bundled for the worker, and the charge activity replaced by one that answers as the real one
 * would. Covers the workflow's mapping of every activity result to the payment's status.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { PAYMENT_ERRORS, type PaymentStatusView, type QueuedPaymentRequest } from '../../src/contract/payment';
import {
  ActivityErrorType,
  type ChargeFailureDetails,
  type ChargeResult,
  WORKFLOW_TYPE,
  getStatusQuery,
  pgTaskQueue,
} from '../../src/temporal/shared';
import { createTestEnv } from './temporal-test-env';

// Starting the local server and bundling the workflow take a few seconds each.
jest.setTimeout(30_000);

/** How the mocked activity answers its `call`-th call (1, 2, …): a result, or a thrown failure. */
type Answer = (call: number) => ChargeResult;

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  // One bundle for every test's worker: bundling is most of a worker's start.
  [env, workflowBundle] = await Promise.all([
    createTestEnv(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/temporal/workflows'),
      logger: new DefaultLogger('WARN'),
    }),
  ]);
}, 60_000);
afterAll(async () => {
  await env?.teardown();
});

const payment = (): QueuedPaymentRequest => ({
  requestId: `pay_${randomUUID()}`,
  merchantId: 'shop-test',
  request: { orderId: 'order-1', amount: 15_000, currency: 'KRW' },
  enqueuedAt: new Date().toISOString(),
});

/**
 * What the real activity throws for a failed attempt: a final one it has recorded in the payment
 * store itself. A 1 ms retry delay keeps retried cases fast.
 */
const failure = (type: string, code: string, attempt: number, nonRetryable: boolean) =>
  ApplicationFailure.create({
    type,
    message: code,
    nonRetryable,
    nextRetryDelay: nonRetryable ? undefined : 1,
    details: [
      { attempt, code, startedAt: new Date().toISOString(), recorded: nonRetryable } satisfies ChargeFailureDetails,
    ],
  });

/**
 * Runs one payment workflow to its end with the charge activity answering as `answer` says;
 * resolves with the workflow's result, the status query's answer after it, and the activity's calls.
 */
async function runPayment(answer: Answer): Promise<{
  result: PaymentStatusView;
  queried: PaymentStatusView;
  calls: number;
  recorded: PaymentStatusView[];
}> {
  let calls = 0;
  const recorded: PaymentStatusView[] = [];
  const chargePayment = (): Promise<ChargeResult> => new Promise((resolve) => resolve(answer(++calls)));
  const recordOutcome = (_requestId: string, view: PaymentStatusView): Promise<void> => {
    recorded.push(view);
    return Promise.resolve();
  };
  const taskQueue = `unit-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: { recordOutcome },
  });
  // The charge activity runs on the PG's own task queue, as on the real workers.
  const pgWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: pgTaskQueue(taskQueue),
    activities: { chargePayment },
  });
  const pgRunning = pgWorker.run();
  try {
    return await worker.runUntil(async () => {
      const input = payment();
      const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: input.requestId,
        args: [input],
      });
      const result = (await handle.result()) as PaymentStatusView;
      const queried = await handle.query(getStatusQuery);
      return { result, queried, calls, recorded };
    });
  } finally {
    pgWorker.shutdown();
    await pgRunning;
  }
}

describe('the payment workflow with the charge activity mocked', () => {
  test('when the PG approves then the payment is SUCCESS with its transaction id, and the status query says so', async () => {
    const { result, queried } = await runPayment(() => ({
      transactionId: 'TXN-1',
      attempt: 1,
      replayed: false,
      startedAt: new Date().toISOString(),
    }));
    expect(result).toMatchObject({ status: 'SUCCESS', transactionId: 'TXN-1', attempts: 1 });
    expect(result.startedAt).toBeDefined();
    expect(result.completedAt).toBeDefined();
    expect(queried).toEqual(result);
  });

  test('when the PG declines then the payment is FAILED card_declined after one attempt', async () => {
    const { result, queried, calls, recorded } = await runPayment(() => {
      throw failure(ActivityErrorType.CardDeclined, PAYMENT_ERRORS.cardDeclined, 1, true);
    });
    expect(calls).toBe(1);
    expect(recorded).toEqual([]); // the activity recorded it
    expect(result).toMatchObject({ status: 'FAILED', error: PAYMENT_ERRORS.cardDeclined, attempts: 1 });
    expect(result.transactionId).toBeUndefined();
    expect(queried).toEqual(result);
  });

  test('when the PG rejects the request itself then the payment is FAILED pg_rejected without a retry', async () => {
    const { result, calls } = await runPayment(() => {
      throw failure(ActivityErrorType.PgRejected, PAYMENT_ERRORS.pgRejected, 1, true);
    });
    expect(calls).toBe(1);
    expect(result).toMatchObject({ status: 'FAILED', error: PAYMENT_ERRORS.pgRejected, attempts: 1 });
  });

  test('when the declined type comes back without nonRetryable then the retry policy still stops at one attempt', async () => {
    const { result, calls } = await runPayment((call) => {
      throw failure(ActivityErrorType.CardDeclined, PAYMENT_ERRORS.cardDeclined, call, false);
    });
    expect(calls).toBe(1);
    expect(result).toMatchObject({ status: 'FAILED', error: PAYMENT_ERRORS.cardDeclined });
  });

  test('when the PG stays unavailable then every attempt is spent and the payment is FAILED pg_unavailable', async () => {
    const { result, calls, recorded } = await runPayment((call) => {
      throw failure(ActivityErrorType.PgUnavailable, PAYMENT_ERRORS.pgUnavailable, call, false);
    });
    expect(calls).toBe(10);
    expect(result).toMatchObject({ status: 'FAILED', error: PAYMENT_ERRORS.pgUnavailable, attempts: 10 });
    // No attempt recorded the end (as when a worker dies on the last one): the workflow does.
    expect(recorded).toEqual([expect.objectContaining({ status: 'FAILED', error: PAYMENT_ERRORS.pgUnavailable })]);
  });

  test('when the PG is unavailable twice then approves then the payment is SUCCESS on the third attempt', async () => {
    const { result } = await runPayment((call) => {
      if (call < 3) throw failure(ActivityErrorType.PgUnavailable, PAYMENT_ERRORS.pgUnavailable, call, false);
      return { transactionId: 'TXN-3', attempt: call, replayed: false, startedAt: new Date().toISOString() };
    });
    expect(result).toMatchObject({ status: 'SUCCESS', transactionId: 'TXN-3', attempts: 3 });
  });

  test('when the payment was cancelled before its PG call then it is CANCELLED, with nothing recorded as FAILED', async () => {
    const { result, calls, recorded } = await runPayment(() => {
      throw ApplicationFailure.create({ type: ActivityErrorType.Cancelled, message: 'cancelled', nonRetryable: true });
    });
    expect(calls).toBe(1);
    expect(result).toMatchObject({ status: 'CANCELLED' });
    expect(result.error).toBeUndefined();
    expect(recorded).toEqual([]);
  });

  test('when the activity fails with something it does not describe then the payment is FAILED processing_failed', async () => {
    const { result } = await runPayment(() => {
      throw ApplicationFailure.nonRetryable('unexpected', 'Unexpected');
    });
    expect(result).toMatchObject({ status: 'FAILED', error: 'processing_failed' });
  });
});
