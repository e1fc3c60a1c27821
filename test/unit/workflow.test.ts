/**
 * The payment workflow's own logic in seconds: a real (local) Temporal server, the workflow as it
 * is bundled for the worker, and the charge activity replaced by one that answers as the real one
 * would. Covers the workflow's mapping of every activity result to the payment's status.
 */
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
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

/** One payment's script: how its charge answers, and what the activities heard. */
interface Script {
  answer: Answer;
  calls: number;
  recorded: PaymentStatusView[];
}
const scripts = new Map<string, Script>();
const scriptOf = (requestId: string): Script => {
  const script = scripts.get(requestId);
  if (!script) throw new Error(`no script for ${requestId}`);
  return script;
};

// One workflow worker and one PG worker for every test (each payment finds its script by its id):
// starting workers is most of a test's time otherwise.
const taskQueue = `unit-${randomUUID()}`;
let env: TestWorkflowEnvironment;
let workers: Worker[] = [];
let running: Promise<void>[] = [];
beforeAll(async () => {
  const [testEnv, workflowBundle] = await Promise.all([
    createTestEnv(),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../../src/temporal/workflows'),
      logger: new DefaultLogger('WARN'),
    }),
  ]);
  env = testEnv;
  const chargePayment = (payment: QueuedPaymentRequest): Promise<ChargeResult> =>
    new Promise((resolve) => {
      const script = scriptOf(payment.requestId);
      resolve(script.answer(++script.calls));
    });
  const recordOutcome = (requestId: string, view: PaymentStatusView): Promise<void> => {
    scriptOf(requestId).recorded.push(view);
    return Promise.resolve();
  };
  workers = await Promise.all([
    Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: { recordOutcome } }),
    // The charge activity runs on its PG's own task queue, as on the real workers: pg-main's and pg-alt's.
    ...[undefined, 'pg-alt'].map((pg) =>
      Worker.create({
        connection: env.nativeConnection,
        taskQueue: pgTaskQueue(taskQueue, pg),
        activities: { chargePayment },
      }),
    ),
  ]);
  running = workers.map((worker) => worker.run());
}, 60_000);
afterAll(async () => {
  for (const worker of workers) worker.shutdown();
  await Promise.allSettled(running);
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
 * resolves with the workflow's result, the status query's answer after it, and the activities' calls.
 */
async function runPayment(
  answer: Answer,
  route: Partial<Pick<QueuedPaymentRequest, 'merchantId' | 'pg' | 'weight'>> = {},
): Promise<{
  result: PaymentStatusView;
  queried: PaymentStatusView;
  calls: number;
  recorded: PaymentStatusView[];
  /** The charge activity's scheduling as the server recorded it: its task queue and priority. */
  scheduled?: { taskQueue?: string | null; fairnessKey?: string | null; fairnessWeight?: number | null };
  /** The history's event types, in order (`WORKFLOW_EXECUTION_STARTED`, …). */
  events: string[];
}> {
  const input = { ...payment(), ...route };
  const script: Script = { answer, calls: 0, recorded: [] };
  scripts.set(input.requestId, script);
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: input.requestId,
    args: [input],
  });
  const result = (await handle.result()) as PaymentStatusView;
  const queried = await handle.query(getStatusQuery);
  const history = await handle.fetchHistory();
  const attributes = history.events?.find(
    (e) => e.activityTaskScheduledEventAttributes,
  )?.activityTaskScheduledEventAttributes;
  const scheduled = attributes
    ? {
        taskQueue: attributes.taskQueue?.name,
        fairnessKey: attributes.priority?.fairnessKey,
        fairnessWeight: attributes.priority?.fairnessWeight,
      }
    : undefined;
  const events = (history.events ?? []).map((e) =>
    String(temporal.api.enums.v1.EventType[e.eventType ?? 0]).replace(/^EVENT_TYPE_/, ''),
  );
  return { result, queried, calls: script.calls, recorded: script.recorded, scheduled, events };
}

describe('the payment workflow with the charge activity mocked', () => {
  test("when the payment names a PG and a merchant then its charge runs on that PG's lane with the merchant as fairness key", async () => {
    const { result, scheduled } = await runPayment(() => ({ transactionId: 'TXN-2', attempt: 1, replayed: false }), {
      merchantId: 'shop-b',
      pg: 'pg-alt',
      weight: 3,
    });
    expect(result.status).toBe('SUCCESS');
    expect(scheduled?.taskQueue).toMatch(/\.pg\.pg-alt$/);
    expect({ ...scheduled, taskQueue: undefined }).toEqual({ fairnessKey: 'shop-b', fairnessWeight: 3 });
  });

  test("when an outside producer's payment names neither PG nor merchant then its charge runs on pg-main's lane as merchant default", async () => {
    const { scheduled } = await runPayment(() => ({ transactionId: 'TXN-3', attempt: 1, replayed: false }), {
      merchantId: '',
    });
    expect(scheduled?.taskQueue).toMatch(/\.pg$/);
    expect({ ...scheduled, taskQueue: undefined }).toEqual({ fairnessKey: 'default', fairnessWeight: 1 });
  });

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

  test('when the PG approves at once then the payment costs the server two workflow tasks, one activity task and twelve events', async () => {
    const { events } = await runPayment(() => ({ transactionId: 'TXN-3', attempt: 1, replayed: false }));
    // The cost line of docs/benchmark.md ("What a payment costs the server"): a change here changes it.
    expect(events).toEqual([
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_STARTED',
      'ACTIVITY_TASK_COMPLETED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
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
