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
  /** noisy-neighbour: the flash sale's merchant (A) or its neighbour (B); pg-outage: pg-main's (A) or pg-alt's (B). */
  merchant?: 'A' | 'B';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoadHooks {
  /** How many posts have been answered so far. */
  onSent?: (done: number) => void;
  /** Each answer as it comes (the polling clients start from their 202). */
  onAnswer?: (payment: SentPayment) => void;
  /** noisy-neighbour: A's flash sale is answered; B starts posting once this resolves. */
  flashSaleIn?: () => Promise<void>;
}

/**
 * `neighbour` posts merchant B's payments of a `neighbours` or `two-pgs` load; it is `client`
 * itself for an engine that knows no merchants (all its payments are one line's).
 */
export async function sendLoad(
  client: PaymentsClient,
  load: Load,
  count: number,
  prefix: string,
  hooks: LoadHooks = {},
  neighbour: PaymentsClient = client,
): Promise<SentPayment[]> {
  const bodies = paymentBodies(count, prefix);
  let done = 0;
  const send = async (body: Record<string, unknown>, merchant?: 'A' | 'B'): Promise<SentPayment> => {
    const sentAt = Date.now();
    const answer = await (merchant === 'B' ? neighbour : client)
      .post(body)
      .catch(() => ({ status: 0, acceptMs: Date.now() - sentAt, requestId: undefined }));
    hooks.onSent?.(++done);
    const sent: SentPayment = {
      orderId: String(body.orderId),
      sentAt,
      status: answer.status,
      acceptMs: answer.acceptMs,
      requestId: answer.requestId,
      ...(merchant ? { merchant } : {}),
    };
    hooks.onAnswer?.(sent);
    return sent;
  };
  if (load.kind === 'burst') return Promise.all(bodies.map((body) => send(body)));
  if (load.kind === 'paced') return paced(bodies, 1000 / load.perSecond, (body) => send(body));
  if (load.kind === 'two-pgs') return Promise.all(bodies.map((body, i) => send(body, i < load.main ? 'A' : 'B')));
  // B's payments arrive behind A's backlog, not among A's posts (whose 202s would delay theirs).
  const flashSale = await Promise.all(bodies.slice(0, load.surge).map((body) => send(body, 'A')));
  await hooks.flashSaleIn?.();
  return [...flashSale, ...(await paced(bodies.slice(load.surge), load.everyMs, (body) => send(body, 'B')))];
}

/** Posts one body every `everyMs` from now, without waiting for the answers in between. */
async function paced<T>(
  bodies: Array<Record<string, unknown>>,
  everyMs: number,
  send: (body: Record<string, unknown>) => Promise<T>,
): Promise<T[]> {
  const started = Date.now();
  const posts: Array<Promise<T>> = [];
  for (let i = 0; i < bodies.length; i++) {
    const due = started + i * everyMs;
    if (due > Date.now()) await sleep(due - Date.now());
    posts.push(send(bodies[i]!));
  }
  return Promise.all(posts);
}
