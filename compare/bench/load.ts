/**
 * The load: bounded loops of undici posts (PaymentsClient) to 127.0.0.1 only. A burst posts every
 * payment at once through the client's connection pool; a paced load posts at a fixed rate.
 */
import type { PaymentsClient } from '../../src/load/payments-client';
import { paymentBodies } from '../../src/load/payments-client';
import type { Load } from './scenarios';

export interface SentPayment {
  orderId: string;
  /** Epoch ms when the POST was handed to the client. */
  sentAt: number;
  status: number;
  acceptMs: number;
  requestId?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoadHooks {
  /** How many posts have been answered so far. */
  onSent?: (done: number) => void;
  /** Each answer as it comes (the polling clients start from their 202). */
  onAnswer?: (payment: SentPayment) => void;
}

export async function sendLoad(
  client: PaymentsClient,
  load: Load,
  count: number,
  prefix: string,
  hooks: LoadHooks = {},
): Promise<SentPayment[]> {
  const bodies = paymentBodies(count, prefix);
  let done = 0;
  const send = async (body: Record<string, unknown>): Promise<SentPayment> => {
    const sentAt = Date.now();
    const answer = await client
      .post(body)
      .catch(() => ({ status: 0, acceptMs: Date.now() - sentAt, requestId: undefined }));
    hooks.onSent?.(++done);
    const sent: SentPayment = {
      orderId: String(body.orderId),
      sentAt,
      status: answer.status,
      acceptMs: answer.acceptMs,
      requestId: answer.requestId,
    };
    hooks.onAnswer?.(sent);
    return sent;
  };
  if (load.kind === 'burst') return Promise.all(bodies.map(send));

  const started = Date.now();
  const posts: Array<Promise<SentPayment>> = [];
  for (let i = 0; i < bodies.length; i++) {
    const due = started + (i * 1000) / load.perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    posts.push(send(bodies[i]!));
  }
  return Promise.all(posts);
}
