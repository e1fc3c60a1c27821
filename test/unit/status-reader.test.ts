import type { Client } from '@temporalio/client';
import type { PaymentStatusView } from '../../src/contract/payment';
import type { PaymentStore, StoredPayment } from '../../src/intake/payment-store';
import { createStatusReader } from '../../src/temporal/status-reader';

/**
 * A running payment's status read answers from its record without waiting for the workflow
 * query; the query's answer, once it comes, serves the reads after it. The store and the Temporal
 * client are stand-ins here: what is tested is the reader's order of work, which a real worker
 * would only make slower to observe (test/intake/status.test.ts reads through real servers).
 */
describe('status reader', () => {
  const view = (status: PaymentStatusView['status']): PaymentStatusView => ({
    requestId: 'pay-1',
    merchantId: 'shop',
    status,
    attempts: 1,
    acceptedAt: '2026-12-01T00:00:00.000Z',
  });

  function reader(record: StoredPayment, queriesPerSecond = 20) {
    const answers: Array<(v: PaymentStatusView) => void> = [];
    let queries = 0;
    const client = {
      connection: { withDeadline: (_deadline: number, fn: () => Promise<unknown>) => fn() },
      workflow: {
        getHandle: () => ({
          query: () => {
            queries++;
            return new Promise<PaymentStatusView>((resolve) => answers.push(resolve));
          },
        }),
      },
    } as unknown as Client;
    const store = { get: () => Promise.resolve(record) } as unknown as PaymentStore;
    const status = createStatusReader({ client, store, queriesPerSecond, timeoutMs: 1000 });
    return { status, answers, queries: () => queries };
  }

  test('when the worker has not answered the query then a running payment reads its record at once', async () => {
    const r = reader({ view: view('PROCESSING'), workflowStarted: true });
    // The query never answers: a read that waited for it would never resolve.
    await expect(r.status('pay-1')).resolves.toMatchObject({ status: 'PROCESSING' });
    await expect(r.status('pay-1')).resolves.toMatchObject({ status: 'PROCESSING' });
    expect(r.queries()).toBe(1);
  });

  test('when the query answers a later state then the next read has it', async () => {
    const r = reader({ view: view('PENDING'), workflowStarted: true });
    await expect(r.status('pay-1')).resolves.toMatchObject({ status: 'PENDING' });
    r.answers[0]!(view('PROCESSING'));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(r.status('pay-1')).resolves.toMatchObject({ status: 'PROCESSING' });
  });

  test('when the status budget is spent then no query is made and the record answers', async () => {
    const r = reader({ view: view('PROCESSING'), workflowStarted: true }, 0);
    await expect(r.status('pay-1')).resolves.toMatchObject({ status: 'PROCESSING' });
    expect(r.queries()).toBe(0);
  });

  test('when the payment has ended then its record answers and no query is made', async () => {
    const r = reader({ view: view('SUCCESS'), workflowStarted: true });
    await expect(r.status('pay-1')).resolves.toMatchObject({ status: 'SUCCESS' });
    expect(r.queries()).toBe(0);
  });
});
