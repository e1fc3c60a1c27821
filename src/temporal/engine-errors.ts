/**
 * What a failed call to Temporal or to the payment store means for the client, said plainly:
 * every such failure becomes a 503 with Retry-After and a reason naming what did not answer.
 */
import { EngineUnavailable } from '../api/errors';
import { ApiError } from '../api/errors';

/** gRPC status codes Temporal's client reports. */
const GRPC = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14 } as const;

export function temporalUnavailable(err: unknown, doing: string): EngineUnavailable {
  const e = err as { code?: number; name?: string; message?: string };
  const text = `${e.name} ${e.message}`;
  if (e.code === GRPC.DEADLINE_EXCEEDED || /deadline|timed? ?out/i.test(text))
    return new EngineUnavailable(`temporal did not answer in time while ${doing}`, 1);
  if (e.code === GRPC.RESOURCE_EXHAUSTED) return new EngineUnavailable(`temporal is overloaded while ${doing}`, 1);
  if (e.code === GRPC.UNAVAILABLE || e.code === GRPC.CANCELLED || /unavailable|connect|closed/i.test(text))
    return new EngineUnavailable(`temporal is unreachable while ${doing}`);
  return new EngineUnavailable(`temporal refused the call while ${doing}`);
}

export const storeUnavailable = () => new EngineUnavailable('the payment store (Redis) is unreachable', 2);

/** Lets the API's own errors through and turns anything else into a 503 naming Temporal. */
export function rethrowAsTemporal(err: unknown, doing: string): never {
  if (err instanceof ApiError) throw err;
  throw temporalUnavailable(err, doing);
}
