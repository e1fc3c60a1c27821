/**
 * Keeps a slow or idle client from holding the server's sockets. Timeouts bound each phase (headers,
 * the whole request, keep-alive idleness, a silent socket), and a cap on connections makes room for
 * a newcomer by closing the longest-idle sockets (no request in flight: never used, or between
 * keep-alive requests) instead of letting the process run out of file descriptors and reset
 * everyone.
 */
import type { Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionLimits {
  /**
   * Open connections before the longest-idle ones (idle past `idleGraceMs`) are closed for a
   * newcomer; twice this, and newcomers are refused.
   */
  maxConnections: number;
  /** A socket with no request in flight for less than this is not closed to make room. */
  idleGraceMs: number;
  /** From a request's first byte to its last header. */
  headersTimeoutMs: number;
  /** From a request's first byte to its last body byte. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; above clients' own idle time (30 s here). */
  keepAliveTimeoutMs: number;
  /** A socket silent this long is closed, whatever its state (a connection that never sends). */
  idleSocketTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  // Twice this stays under the 20,000 file descriptors a process gets here, with room for Redis, Temporal, logs.
  maxConnections: 8000,
  // A client's request waits to be read as long as the event loop is busy: at 1 s, a flood of
  // 2,000 new clients on a loaded machine (CI) had 286 closed before their request was read.
  idleGraceMs: 3000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  idleSocketTimeoutMs: 75_000,
};

/** The options of `http.createServer` that carry the timeouts. */
export const serverOptions = (limits: ConnectionLimits): ServerOptions => ({
  headersTimeout: limits.headersTimeoutMs,
  requestTimeout: limits.requestTimeoutMs,
  keepAliveTimeout: limits.keepAliveTimeoutMs,
  // Checks those deadlines often enough for a 10 s limit to hold within a second.
  connectionsCheckingInterval: 1000,
});

/** The cap on connections, and a silent socket's timeout, on a server made with serverOptions(). */
export function guardConnections(server: Server, limits: ConnectionLimits): void {
  server.timeout = limits.idleSocketTimeoutMs;

  const live = new Set<Socket>();
  /** Sockets with no request in flight and since when, longest idle first (a Map keeps insertion order). */
  const idle = new Map<Socket, number>();
  const close = (socket: Socket) => {
    live.delete(socket);
    idle.delete(socket);
    socket.destroy();
  };
  const hardLimit = 2 * limits.maxConnections;
  server.on('connection', (socket: Socket) => {
    if (live.size >= limits.maxConnections) {
      // Make room for a tenth of the cap at once, so a flood is not evicted one socket at a time.
      // A socket idle for less than the grace may be a client about to send its request: kept.
      const target = Math.floor(limits.maxConnections * 0.9);
      const staleBefore = Date.now() - limits.idleGraceMs;
      for (const [victim, since] of idle) {
        if (live.size <= target || since > staleBefore) break;
        close(victim);
      }
      // Past twice the cap with nothing stale to close: refused, before file descriptors run out.
      if (live.size >= hardLimit) return void socket.destroy();
    }
    live.add(socket);
    idle.set(socket, Date.now());
    socket.once('close', () => {
      live.delete(socket);
      idle.delete(socket);
    });
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    idle.delete(socket);
    res.once('close', () => {
      if (live.has(socket) && !socket.destroyed) idle.set(socket, Date.now());
    });
  });
}
