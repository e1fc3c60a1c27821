import { BoundedConcurrency, DeadlinePassed } from '../../src/infra/bounded-concurrency';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('BoundedConcurrency', () => {
  it('runs at most `limit` calls at once and the rest in arrival order', async () => {
    const limiter = new BoundedConcurrency(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const runs = gates.map((gate, i) =>
      limiter.run(Date.now() + 5000, async () => {
        started.push(i);
        maxRunning = Math.max(maxRunning, ++running);
        await gate.promise;
        running--;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(limiter.usage()).toEqual({ active: 2, waiting: 3 });
    for (const i of [1, 0, 2, 3, 4]) {
      gates[i]!.resolve();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(maxRunning).toBe(2);
    expect(limiter.usage()).toEqual({ active: 0, waiting: 0 });
  });

  it('gives up on a waiter at its deadline without running it, and frees nothing it did not hold', async () => {
    const limiter = new BoundedConcurrency(1);
    const gate = deferred();
    const first = limiter.run(Date.now() + 5000, () => gate.promise);
    const ran: string[] = [];
    const late = limiter.run(Date.now() + 20, () => Promise.resolve(void ran.push('late')));
    await expect(late).rejects.toBeInstanceOf(DeadlinePassed);
    expect(limiter.usage()).toEqual({ active: 1, waiting: 0 });
    gate.resolve();
    await first;
    expect(ran).toEqual([]);
    expect(limiter.usage()).toEqual({ active: 0, waiting: 0 });
  });

  it('frees the slot when the call throws', async () => {
    const limiter = new BoundedConcurrency(1);
    await expect(limiter.run(Date.now() + 1000, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(Date.now() + 1000, () => Promise.resolve('next'))).toBe('next');
  });
});
