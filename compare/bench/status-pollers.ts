/**
 * The polling clients of `polling-clients`: each accepted payment's client reads its status every
 * interval, as a shop's page does, until the payment ends (or the run stops them). Answers are
 * counted by code and their latencies go to a histogram, so memory stays bounded however long the
 * run. The reads go through a pool of their own, one connection per client (as many browsers
 * would hold) up to MAX_CONNECTIONS, so a read never queues behind a post or another client's read
 * in the load client: its latency is the engine's. The connections are opened before the burst, as
 * the load client's are (a client that has just posted holds a connection to the API): 500
 * connections opened in the second after the burst put their handshakes into the first reads.
 */
import { performance } from 'node:perf_hooks';
import { isFinal } from '../../src/contract/payment';
import { PaymentsClient } from '../../src/load/payments-client';
import { LatencyHistogram } from './histogram';
import type { CodeCounts, ResultDetail } from './types';

const MAX_CONNECTIONS = 1000;

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
    clients: number,
  ) {
    this.client = new PaymentsClient(apiUrl, {
      connections: Math.min(MAX_CONNECTIONS, Math.max(1, clients)),
      apiKey,
    });
  }

  /** Opens every client's connection ahead of the load. */
  open(): Promise<void> {
    return this.client.connect();
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

  /**
   * Lets every client read on until its payment ends (one more read each, once the run has seen
   * every payment final), for at most `graceMs`; then stops the rest and gives the counts.
   */
  async finish(graceMs: number): Promise<NonNullable<ResultDetail['statusReads']>> {
    if (!this.stopped) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(this.loops),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
      this.stopped = true;
      await Promise.all(this.loops);
      await this.client.close().catch(() => undefined);
    }
    return { answers: { ...this.answers }, latencyMs: this.latency.summary() };
  }
}
