import { subWaves } from '../../../compare/bench/bench';
import { Lineup } from '../../../compare/bench/lineup';
import { sendLoad } from '../../../compare/bench/load';
import type { PaymentsClient } from '../../../src/load/payments-client';

const tick = () => new Promise((r) => setImmediate(r));

describe('Lineup', () => {
  it('holds every run until all are ready or have left', async () => {
    const lineup = new Lineup(3);
    let released = 0;
    void lineup.ready().then(() => released++);
    void lineup.ready().then(() => released++);
    await tick();
    expect(released).toBe(0);
    lineup.leave(2);
    await tick();
    expect(released).toBe(2);
  });

  it('runs intakes one at a time in the wave order, whatever order they ask in, past a failed one', async () => {
    const lineup = new Lineup(4);
    const log: string[] = [];
    let finishFirst!: () => void;
    const third = lineup.intake(2, () => Promise.resolve(void log.push('c')));
    const second = lineup.intake(1, () => {
      log.push('b');
      return Promise.reject(new Error('b failed'));
    });
    lineup.pass(3);
    const first = lineup.intake(0, async () => {
      log.push('a start');
      await new Promise<void>((r) => (finishFirst = r));
      log.push('a end');
    });
    await tick();
    expect(log).toEqual(['a start']);
    finishFirst();
    await first;
    await expect(second).rejects.toThrow('b failed');
    await third;
    expect(log).toEqual(['a start', 'a end', 'b', 'c']);
  });

  it("keeps the turn until the PG's first second is filled where a run comes after, and not for the last run", async () => {
    const lineup = new Lineup(2);
    const log: string[] = [];
    let fill!: () => void;
    const first = lineup.intake(
      0,
      () => Promise.resolve(void log.push('a posted')),
      () => new Promise<void>((r) => (fill = r)),
    );
    const second = lineup.intake(
      1,
      () => Promise.resolve(void log.push('b posted')),
      () => new Promise<void>(() => log.push('b waited, though last')),
    );
    await tick();
    await tick();
    expect(log).toEqual(['a posted']);
    fill();
    await first;
    await second;
    expect(log).toEqual(['a posted', 'b posted']);
  });

  it('tells when every run of the wave has had its turn, a flash sale passing its turn early', async () => {
    const lineup = new Lineup(3);
    let over = false;
    void lineup.everyTurnOver().then(() => (over = true));
    lineup.pass(2);
    const first = lineup.intake(0, async () => {
      lineup.pass(0);
      await lineup.everyTurnOver();
    });
    await tick();
    expect(over).toBe(false);
    await lineup.intake(1, () => Promise.resolve());
    await first;
    expect(over).toBe(true);
  });
});

describe('subWaves', () => {
  const run = (name: string, scenario: string) => ({ name, scenario: { name: scenario } });
  const names = (waves: Array<Array<ReturnType<typeof run>>>) =>
    waves.map((w) => w.map((r) => `${r.scenario.name}/${r.name}`));

  it("puts each scenario's temporal run beside its redis-stream run, then every other run together", () => {
    const runs = ['flaky-pg', 'scale-3'].flatMap((scenario) =>
      ['temporal', 'temporal-direct', 'bullmq', 'redis-stream'].map((name) => run(name, scenario)),
    );
    runs.push(run('temporal', 'partitions-1'));
    expect(names(subWaves(runs))).toEqual([
      ['flaky-pg/temporal', 'flaky-pg/redis-stream'],
      ['scale-3/temporal', 'scale-3/redis-stream'],
      ['partitions-1/temporal'],
      ['flaky-pg/temporal-direct', 'flaky-pg/bullmq', 'scale-3/temporal-direct', 'scale-3/bullmq'],
    ]);
  });

  it('leaves a wave without a temporal run as one sub-wave', () => {
    const runs = ['bullmq', 'temporal-direct', 'redis-stream'].map((name) => run(name, 'surge'));
    expect(names(subWaves(runs))).toEqual([['surge/bullmq', 'surge/temporal-direct', 'surge/redis-stream']]);
  });
});

describe('the noisy-neighbour load', () => {
  it("posts merchant B's payments only after A's flash sale is answered and the wave lets it", async () => {
    const log: string[] = [];
    let release!: () => void;
    const clientFor = (merchant: string) =>
      ({
        post: (body: Record<string, unknown>) => {
          log.push(`${merchant} ${String(body.orderId).split('-').pop()}`);
          return Promise.resolve({ status: 202, acceptMs: 1, requestId: `${merchant}-${log.length}` });
        },
      }) as unknown as PaymentsClient;
    const sent = sendLoad(
      clientFor('A'),
      { kind: 'neighbours', surge: 3, everyMs: 10, durationMs: 20 },
      5,
      'nn',
      { flashSaleIn: () => new Promise<void>((r) => (release = r)) },
      clientFor('B'),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(log.filter((l) => l.startsWith('B'))).toEqual([]);
    expect(log.filter((l) => l.startsWith('A'))).toHaveLength(3);
    release();
    const all = await sent;
    expect(all.map((p) => p.merchant)).toEqual(['A', 'A', 'A', 'B', 'B']);
  });
});
