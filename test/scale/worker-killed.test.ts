import Redis from 'ioredis';
import { paymentBodies } from '../../src/load/payments-client';
import { type ScaleStack, startScaleStack } from './scale-support';

/** The bound stated in docs/scale-out.md: a dead worker's slots return within the lease time. */
const LEASE_MS = 5000;
/** Slack over the lease for the waiters' wake-up and the samples' own spacing. */
const SLACK_MS = 1500;

describe('three workers, one SIGKILLed while it holds PG slots', () => {
  let scale: ScaleStack;
  let redis: Redis;

  beforeAll(async () => {
    scale = await startScaleStack({ workers: 3, pgLatencyMs: '200-400', leaseMs: LEASE_MS });
    redis = new Redis(scale.redis.url);
  }, 180_000);
  afterAll(async () => {
    redis?.disconnect();
    await scale?.stop();
  });

  /** pid → leases held, from the lease ids (`<pid>:<random>:<n>`). */
  const leasesByPid = async () => {
    const counts = new Map<number, number>();
    for (const id of await redis.zrange(`${scale.prefix}leases`, 0, -1)) {
      const pid = Number(id.split(':')[0]);
      counts.set(pid, (counts.get(pid) ?? 0) + 1);
    }
    return counts;
  };

  test('when a worker holding PG slots is killed then every payment still succeeds once and the PG reaches 10 in flight again before the lease bound', async () => {
    const { stack } = scale;
    const posted = await stack.api.burst(paymentBodies(300, `kill-${Date.now()}`));
    expect(posted.map((p) => p.status)).toEqual(Array(300).fill(202));
    const ids = posted.map((p) => p.requestId!);

    // Wait (bounded) until the PG is busy and the holder to kill has slots.
    let victim: { pid: number; leases: number } | undefined;
    for (let i = 0; i < 300 && !victim; i++) {
      const stats = await stack.pg.client.stats();
      const [pid, leases] = [...(await leasesByPid())].sort((a, b) => b[1] - a[1])[0] ?? [0, 0];
      if (stats.charges >= 30 && leases >= 3) victim = { pid, leases };
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(victim).toBeDefined();
    process.kill(victim!.pid, 'SIGKILL');
    const killedAt = Date.now();

    // Its leases stay until they expire: they are what the PG waits out.
    expect((await leasesByPid()).get(victim!.pid) ?? 0).toBeGreaterThan(0);

    // The dead worker's own calls finish at the PG within its latency (400 ms); after that, 10 in
    // flight means the surviving workers hold every slot, the dead leases included.
    const samples: Array<{ at: number; inFlight: number }> = [];
    let recoveredAt: number | undefined;
    while (Date.now() < killedAt + LEASE_MS + SLACK_MS && recoveredAt === undefined) {
      const { inFlight } = await stack.pg.client.stats();
      const at = Date.now() - killedAt;
      samples.push({ at, inFlight });
      const deadLeases = (await leasesByPid()).get(victim!.pid) ?? 0;
      if (at > 500 && deadLeases === 0 && inFlight === 10) recoveredAt = at;
      await new Promise((r) => setTimeout(r, 25));
    }
    const dipped = samples.some((s) => s.at > 500 && s.inFlight < 10);
    console.log(
      `killed pid ${victim!.pid} holding ${victim!.leases} leases; PG back at 10 in flight ${recoveredAt} ms after the kill (bound ${LEASE_MS} + ${SLACK_MS} ms); dipped: ${dipped}`,
    );
    expect(recoveredAt).toBeDefined();

    const final = await stack.api.waitForFinal(ids, { timeoutMs: 150_000 });
    expect(ids.map((id) => final.get(id)?.status)).toEqual(Array(300).fill('SUCCESS'));
    const pg = await stack.pg.client.stats();
    console.log(`PG score: ${JSON.stringify(pg)}`);
    expect(pg.duplicateCharges).toBe(0);
    expect(pg.charges).toBe(300);
    expect(pg.rejected429).toBe(0);
    expect(pg.maxInFlight).toBeLessThanOrEqual(10);
  }, 240_000);
});
