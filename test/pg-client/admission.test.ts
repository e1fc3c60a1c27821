import { performance } from 'node:perf_hooks';
import { LocalPgAdmission, type PgPermit } from '../../src/pg-client/admission';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LocalPgAdmission, the exact admission step in front of the PG', () => {
  test('when 13 calls queue at rate 3/s and concurrency 2 then no sliding window (1 s + margin) holds more than 3 sends, and never more than 2 are open', async () => {
    const admission = new LocalPgAdmission({ concurrency: 2, ratePerSecond: 3, marginMs: 10 });
    const sends: number[] = [];
    let open = 0;
    let maxOpen = 0;
    await Promise.all(
      Array.from({ length: 13 }, async () => {
        const permit = await admission.acquire();
        open++;
        maxOpen = Math.max(maxOpen, open);
        sends.push(performance.now());
        permit.sent(performance.now());
        await sleep(20);
        open--;
        permit.release();
      }),
    );
    expect(maxOpen).toBeLessThanOrEqual(2);
    sends.sort((a, b) => a - b);
    // The fourth send after any send comes no sooner than one window later.
    const gaps = sends.slice(3).map((t, i) => t - sends[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1010);
  }, 20_000);

  test("when a call's answer shows the PG stamped it late then the next call its place in the window gates waits that much longer", async () => {
    const admission = new LocalPgAdmission({ concurrency: 5, ratePerSecond: 3, marginMs: 10 });
    await sleep(1000);
    const [late, ...quick] = await Promise.all([admission.acquire(), admission.acquire(), admission.acquire()]);
    const sentAt = performance.now();
    for (const p of [late, ...quick]) p.sent(sentAt);
    // Two answers 2 ms over the PG's own time, one 72 ms: 70 over the fastest, 60 beyond the margin.
    for (const p of quick) p.answered(2);
    late.answered(72);
    for (const p of [late, ...quick]) p.release();
    const fourth = await admission.acquire();
    const fourthAt = performance.now();
    fourth.release();
    // Without the late answer it would come one window (1,010 ms) after the sends.
    expect(fourthAt - sentAt).toBeGreaterThanOrEqual(1010 + 60);
  }, 20_000);

  test('when a granted call has not been sent yet then it holds its place in the window until it is, and counts from its send', async () => {
    // A new admission step starts with a full window (it cannot know what was sent before it); let it pass.
    const admission = new LocalPgAdmission({ concurrency: 5, ratePerSecond: 1, marginMs: 0 });
    await sleep(1000);
    const first: PgPermit = await admission.acquire();
    let secondAt: number | undefined;
    const second = admission.acquire().then((p) => {
      secondAt = performance.now();
      return p;
    });
    await sleep(1300);
    // More than a window after the grant, the unsent call still blocks the next one.
    expect(secondAt).toBeUndefined();
    const sentAt = performance.now();
    first.sent(sentAt);
    (await second).release();
    first.release();
    expect(secondAt! - sentAt).toBeGreaterThanOrEqual(1000);
  }, 20_000);
});
