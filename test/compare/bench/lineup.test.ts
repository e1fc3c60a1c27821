import { Lineup } from '../../../compare/bench/lineup';

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
});
