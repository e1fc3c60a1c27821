/**
 * A small HTTP client of the payments contract (docs/design.md §4), used by the tests and the benchmark to
 * drive any engine by its base URL: post payments, read statuses, wait for final ones.
 */
import { Agent, request } from 'undici';
import { type AcceptedPayment, type PaymentStatusView, isFinal } from '../contract/payment';

export interface PostedPayment {
  orderId: string;
  status: number;
  body: AcceptedPayment | Record<string, unknown>;
  /** Milliseconds from send to answer. */
  acceptMs: number;
  /** The answer's Retry-After header, if it had one (a 503 must). */
  retryAfter?: string;
  requestId?: string;
}

export interface PaymentsClientOptions {
  /** Open connections to the API; a burst of N posts N at once through these. */
  connections?: number;
  /** The merchant's API key, sent as `Authorization: Bearer <key>` on every /payments call. */
  apiKey?: string;
}

/** The header that authenticates a merchant. */
export const bearer = (apiKey: string): Record<string, string> => ({ authorization: `Bearer ${apiKey}` });

export class PaymentsClient {
  private readonly agent: Agent;
  private readonly connections: number;
  private readonly auth: Record<string, string>;

  constructor(
    readonly baseUrl: string,
    options: PaymentsClientOptions = {},
  ) {
    this.connections = options.connections ?? 128;
    this.auth = options.apiKey ? bearer(options.apiKey) : {};
    this.agent = new Agent({ connections: this.connections, keepAliveTimeout: 30_000 });
  }

  /**
   * Opens every connection of the pool ahead of a burst (one health check on each). Opened on
   * demand instead, they open while the burst's clock runs: 63 new connections held back all but
   * the first post of a burst for almost half a second, a delay of the client, not of the engine.
   */
  async connect(): Promise<void> {
    await Promise.all(
      Array.from({ length: this.connections }, () =>
        request(`${this.baseUrl}/healthz`, { dispatcher: this.agent }).then((res) => res.body.dump()),
      ),
    );
  }

  async post(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<PostedPayment> {
    const started = performance.now();
    const res = await request(`${this.baseUrl}/payments`, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json', ...this.auth, ...headers },
      body: JSON.stringify(body),
    });
    const answer = (await res.body.json().catch(() => ({}))) as Record<string, unknown>;
    return {
      orderId: String(body.orderId),
      status: res.statusCode,
      body: answer,
      acceptMs: performance.now() - started,
      requestId: typeof answer.requestId === 'string' ? answer.requestId : undefined,
      retryAfter: typeof res.headers['retry-after'] === 'string' ? res.headers['retry-after'] : undefined,
    };
  }

  /** Posts every payment at once. */
  burst(payments: Array<Record<string, unknown>>): Promise<PostedPayment[]> {
    return Promise.all(payments.map((p) => this.post(p)));
  }

  async status(requestId: string): Promise<{ status: number; body: PaymentStatusView }> {
    const res = await request(`${this.baseUrl}/payments/${requestId}/status`, {
      dispatcher: this.agent,
      headers: this.auth,
    });
    return { status: res.statusCode, body: (await res.body.json().catch(() => ({}))) as PaymentStatusView };
  }

  /**
   * Asks for each status once, `parallel` at a time (on Temporal each is a workflow query);
   * an id whose request failed maps to undefined.
   */
  async statusRound(
    requestIds: string[],
    parallel = 16,
  ): Promise<Map<string, { status: number; body: PaymentStatusView } | undefined>> {
    const answers = new Map<string, { status: number; body: PaymentStatusView } | undefined>();
    for (let i = 0; i < requestIds.length; i += parallel) {
      const batch = requestIds.slice(i, i + parallel);
      const replies = await Promise.all(batch.map((id) => this.status(id).catch(() => undefined)));
      batch.forEach((id, j) => answers.set(id, replies[j]));
    }
    return answers;
  }

  /**
   * Polls until every payment is final or the deadline passes; returns the last status of each.
   * `onProgress` hears how many are final after each round.
   */
  async waitForFinal(
    requestIds: string[],
    {
      timeoutMs = 120_000,
      intervalMs = 500,
      parallel = 16,
      onProgress,
    }: {
      timeoutMs?: number;
      intervalMs?: number;
      parallel?: number;
      onProgress?: (final: number, total: number) => void;
    } = {},
  ): Promise<Map<string, PaymentStatusView>> {
    const latest = new Map<string, PaymentStatusView>();
    const deadline = Date.now() + timeoutMs;
    let pending = [...requestIds];
    while (pending.length > 0 && Date.now() < deadline) {
      const answers = await this.statusRound(pending, parallel);
      const stillPending: string[] = [];
      for (const id of pending) {
        const answer = answers.get(id);
        if (answer?.status === 200) latest.set(id, answer.body);
        if (!answer || answer.status !== 200 || !isFinal(answer.body.status)) stillPending.push(id);
      }
      pending = stillPending;
      onProgress?.(requestIds.length - pending.length, requestIds.length);
      if (pending.length > 0) await new Promise((r) => setTimeout(r, intervalMs));
    }
    return latest;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** N distinct payment bodies with a common order-id prefix. */
export const paymentBodies = (count: number, prefix: string, amount = 1000): Array<Record<string, unknown>> =>
  Array.from({ length: count }, (_, i) => ({ orderId: `${prefix}-${i}`, amount, currency: 'KRW' }));
