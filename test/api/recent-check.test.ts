import { recentCheck } from '../../src/api/recent-check';

describe('recentCheck', () => {
  test('when 2,000 callers ask at once then one check runs and all get its answer', async () => {
    let calls = 0;
    const healthy = recentCheck(async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 20));
      return true;
    });
    const answers = await Promise.all(Array.from({ length: 2000 }, () => healthy()));
    expect(answers.every(Boolean)).toBe(true);
    expect(calls).toBe(1);
  });

  test('when the answer is older than its age then the next caller checks again', async () => {
    let calls = 0;
    const healthy = recentCheck(() => Promise.resolve(++calls === 1), 50);
    expect(await healthy()).toBe(true);
    expect(await healthy()).toBe(true);
    expect(calls).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(await healthy()).toBe(false);
    expect(calls).toBe(2);
  });
});

test('when the answer is forgotten then the next caller checks again at once', async () => {
  let calls = 0;
  const healthy = recentCheck(() => Promise.resolve(++calls === 1));
  expect(await healthy()).toBe(true);
  healthy.forget();
  expect(await healthy()).toBe(false);
  expect(calls).toBe(2);
});
