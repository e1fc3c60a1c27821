/**
 * Free TCP ports on loopback, for tests and the benchmark.
 *
 * Ports come from below the kernel's ephemeral range. A port from the ephemeral range (what
 * `listen(0)` returns) can be taken before its server binds it: by another process's outgoing
 * connection, or by a client that keeps dialling a server not yet up, which the kernel may connect
 * to itself on that very port. A Temporal dev server started late on such a port exited at once.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest ephemeral port (Linux); the usual 32768 elsewhere. */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 2048 ? low : 32768;
  } catch {
    return 32768;
  }
}

const LOWEST = 10_000;
const handedOut = new Set<number>();

const tryListen = (port: number, host: string): Promise<number | undefined> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolve(bound));
    });
  });

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const high = ephemeralLow() - 1;
  for (let attempt = 0; high > LOWEST && attempt < 50; attempt++) {
    const candidate = LOWEST + Math.floor(Math.random() * (high - LOWEST + 1));
    if (handedOut.has(candidate)) continue;
    // Taken before the check, so two calls at once never hand out the same port.
    handedOut.add(candidate);
    if ((await tryListen(candidate, host)) !== undefined) return candidate;
    handedOut.delete(candidate);
  }
  // Nothing free below the ephemeral range: any port the kernel gives.
  const port = await tryListen(0, host);
  if (port === undefined) throw new Error(`no free TCP port on ${host}`);
  return port;
}
