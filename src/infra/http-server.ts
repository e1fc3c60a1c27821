/** Starts an HTTP app on host:port (port 0 picks a free one) and stops it gracefully. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:http';
import { type ConnectionLimits, guardConnections, serverOptions } from './connection-guard';

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * With `limits` (the payments APIs, which face clients), the connection guard: timeouts and a cap.
 * Without (the fake PG, the metrics endpoints), Node's defaults and an idle keep-alive longer than
 * callers keep theirs, so such a server never closes a connection under its caller.
 */
export async function listen(
  app: RequestListener,
  host: string,
  port: number,
  limits?: ConnectionLimits,
): Promise<RunningServer> {
  const server = limits ? createServer(serverOptions(limits), app) : createServer(app);
  if (limits) guardConnections(server, limits);
  else server.keepAliveTimeout = 620_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    port: bound,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}

/** Calls `stop` once on SIGINT or SIGTERM, then exits. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop()
      .catch((err: unknown) => process.stderr.write(`shutdown after ${signal} failed: ${String(err)}\n`))
      .finally(() => process.exit(0));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
