/**
 * The polling clients of `polling-clients`: each accepted payment's client reads its status every
 * interval, as a shop's page does, until the payment ends (or the run stops them). Answers are
 * counted by code and their latencies go to a histogram, so memory stays bounded however long the
 * run. The reads go through a pool of their own, so they never queue behind the burst's posts.
 */
import { performance } from 'node:perf_hooks';
import { isFinal } from '../../src/contract/payment';
import { PaymentsClient } from '../../src/load/payments-client';
import { LatencyHistogram } from './histogram';
import type { CodeCounts, ResultDetail } from './types';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export class StatusPollers {
  private readonly client: PaymentsClient;
  private readonly latency = new LatencyHistogram();
  private readonly answers: CodeCounts = {};
  private readonly loops: Array<Promise<void>> = [];
  private stopped = false;

  constructor(
    apiUrl: string,
    apiKey: string,
    private readonly intervalMs: number,
  ) {
    this.client = new PaymentsClient(apiUrl, { connections: 64, apiKey });
  }

  /** A client starts reading its payment's status one interval after its 202. */
  add(requestId: string): void {
    if (!this.stopped) this.loops.push(this.poll(requestId));
  }

  private async poll(requestId: string): Promise<void> {
    let next = performance.now() + this.intervalMs;
    while (!this.stopped) {
      await sleep(next - performance.now());
      if (this.stopped) return;
      next += this.intervalMs;
      const started = performance.now();
      const answer = await this.client.status(requestId).catch(() => undefined);
      this.latency.record(performance.now() - started);
      const code = String(answer?.status ?? 0);
      this.answers[code] = (this.answers[code] ?? 0) + 1;
      if (answer?.status === 200 && isFinal(answer.body.status)) return;
    }
  }

  /** Stops every client (each within one interval) and gives the counts. */
  async stop(): Promise<NonNullable<ResultDetail['statusReads']>> {
    if (!this.stopped) {
      this.stopped = true;
      await Promise.all(this.loops);
      await this.client.close().catch(() => undefined);
    }
    return { answers: { ...this.answers }, latencyMs: this.latency.summary() };
  }
}
