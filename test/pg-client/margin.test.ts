import { LocalPgAdmission } from '../../src/pg-client/admission';
import {
  DEFAULT_MARGIN_LEARNING,
  LearnedMargin,
  type MarginLearning,
  afterRefusal,
  marginAt,
} from '../../src/pg-client/margin';

/** The margin's arithmetic (src/pg-client/margin.ts), on a clock the test moves. */
const learning: MarginLearning = { ...DEFAULT_MARGIN_LEARNING, floorMs: 15 };
const S = 1000;

describe('the learnt margin', () => {
  test('when nothing was refused then the margin is the configured floor', () => {
    expect(marginAt(undefined, learning, 123_456)).toBe(15);
    expect(new LearnedMargin(15).at(0)).toBe(15);
  });

  test('when a call is refused then the margin becomes max(2m, m + 30), up to 500 ms', () => {
    const widened = (m: number) => afterRefusal(undefined, learning, 0, 0, m)!.widenedMs;
    expect([15, 45, 90, 180, 300, 499].map(widened)).toEqual([45, 90, 180, 360, 500, 500]);
    // A floor above the cap leaves nothing to widen.
    expect(afterRefusal(undefined, { ...learning, floorMs: 800 }, 0, 0, 800)!.widenedMs).toBe(800);
  });

  test('when calls admitted before the widening are refused then they do not widen it again', () => {
    const margin = new LearnedMargin(15);
    // Ten calls admitted at t=1 s with 15 ms; three of them come back 429 around t=1.3 s.
    expect(margin.refused(1.3 * S, 1 * S, 15)).toBe(true);
    expect(margin.refused(1.31 * S, 1 * S, 15)).toBe(false);
    expect(margin.refused(1.32 * S, 1.2 * S, 15)).toBe(false);
    expect(margin.at(1.4 * S)).toBe(45);
    // A call admitted after the widening, with 45 ms, that is refused: the margin was still short.
    expect(margin.refused(2.5 * S, 2 * S, 45)).toBe(true);
    expect(margin.at(2.6 * S)).toBe(90);
  });

  test('when no refusal comes for a minute then the margin shrinks 10 % every 10 s, not below 1.25 × what failed', () => {
    const margin = new LearnedMargin(15);
    margin.refused(0, 0, 35); // 35 failed: 70
    const at = (s: number) => Math.round(margin.at(s * S) * 100) / 100;
    expect([at(1), at(30), at(59.9)]).toEqual([70, 70, 70]);
    expect([at(60), at(69.9), at(70), at(80)]).toEqual([63, 63, 56.7, 51.03]);
    // 1.25 × 35 = 43.75, reached after ~4.5 steps, and held while the refusal is recent.
    expect([at(100), at(200), at(299.9)]).toEqual([43.75, 43.75, 43.75]);
  });

  test('when no refusal comes for five minutes then the failed margin is forgotten and the margin returns to the floor', () => {
    const margin = new LearnedMargin(15);
    margin.refused(0, 0, 35);
    expect(margin.at(300 * S)).toBe(15);
    // A refusal then starts over from what failed that time.
    expect(margin.refused(301 * S, 300.5 * S, 15)).toBe(true);
    expect(margin.at(302 * S)).toBe(45);
  });

  test('when the cap was reached then the margin still comes down to the floor in time', () => {
    const margin = new LearnedMargin(15);
    margin.refused(0, 0, 400);
    expect(margin.at(1 * S)).toBe(500);
    expect(margin.at(299 * S)).toBe(500); // 1.25 × 400 = 500, remembered
    expect(margin.at(300 * S)).toBeCloseTo(500 * 0.9 ** 25, 6);
    expect(margin.at(400 * S)).toBe(15);
  });
});

describe('LocalPgAdmission with the learnt margin', () => {
  test('when a call is refused then the window it gates by widens, and usage() tells the margin', async () => {
    let clock = 0;
    const admission = new LocalPgAdmission({ concurrency: 10, ratePerSecond: 2, marginMs: 15 }, () => clock);
    clock = 5 * S; // past the full window a new step starts with
    const first = await admission.acquire();
    const second = await admission.acquire();
    first.sent(clock);
    second.sent(clock);
    expect(admission.usage().marginMs).toBe(15);

    let third = false;
    void admission.acquire().then((p) => {
      third = true;
      p.release();
    });
    clock += 300;
    first.refused(1000);
    second.refused(1000); // in flight with it: no second widening
    expect(admission.usage().marginMs).toBe(45);

    // 1020 ms after the sends: open under the old window of 1015 ms, shut under the new 1045.
    clock = 5 * S + 1020;
    first.release();
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    clock = 5 * S + 1046;
    second.release();
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(true);
  });
});
