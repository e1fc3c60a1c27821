import { firstSecondOf, retryGapsMs } from '../../compare/bench/figures';

/** When the PG's first sliding second filled (compare/bench/figures.ts), as the report shows it. */
describe('the PG first second figure', () => {
  test('when arrivals come out of order then the first and the R-th are read by time, shifted to the first POST', () => {
    // The PG's clock started 40 ms after the first POST: its stamps are 40 ms behind the run's.
    const arrivals = [900, 10, 500, 30, 20, 1200, 40, 700, 60, 50, 1100];
    expect(firstSecondOf({ arrivals }, 40, 10)).toEqual({ firstCallMs: 50, rateFullMs: 1140 });
    expect(firstSecondOf({ arrivals }, 40, 3)).toEqual({ firstCallMs: 50, rateFullMs: 70 });
  });

  test('when the PG saw fewer calls than its rate then the R-th is null, and with none the first is too', () => {
    expect(firstSecondOf({ arrivals: [5, 7] }, 0, 10)).toEqual({ firstCallMs: 5, rateFullMs: null });
    expect(firstSecondOf({ arrivals: [] }, 0, 10)).toEqual({ firstCallMs: null, rateFullMs: null });
  });
});

/** The retry path as the PG saw it (compare/bench/figures.ts). */
describe('the PG retry gaps', () => {
  test('when a key is called again after an admitted call then the gap counts, and after a 429 it does not', () => {
    const gaps = retryGapsMs({
      once: [{ at: 100 }],
      // A 5xx at 200, its retry at 950; a 429 at 1,000 and the retry after it at 2,000.
      failedThenRetried: [{ at: 200 }, { at: 950 }],
      refusedThenRetried: [{ at: 1000, refused: 'rate' }, { at: 2000 }],
      // A 5xx, then a refused retry, then the call after that 429: one gap, the first.
      both: [{ at: 3000 }, { at: 3800, refused: 'concurrency' }, { at: 4800 }],
    });
    expect(gaps.sort((a, b) => a - b)).toEqual([750, 800]);
  });
});
