/** `/healthz`'s checks: healthy only while every named dependency answers, each bounded in time. */
import { checkHealth } from '../../src/api/health';

const answering = (name: string) => ({ name, check: () => Promise.resolve(true) });

describe('the health checks', () => {
  test('when every dependency answers then the report is ok and names each one up', async () => {
    expect(await checkHealth([answering('temporal'), answering('pg-admission-redis')])).toEqual({
      ok: true,
      degraded: false,
      checks: { temporal: 'up', 'pg-admission-redis': 'up' },
    });
  });

  test('when one says no, one fails and one never answers then the report is not ok and names each of them down', async () => {
    const report = await checkHealth(
      [
        answering('temporal'),
        { name: 'says-no', check: () => Promise.resolve(false) },
        { name: 'fails', check: () => Promise.reject(new Error('connection refused')) },
        { name: 'hangs', check: () => new Promise<boolean>(() => undefined) },
      ],
      100,
    );
    expect(report).toEqual({
      ok: false,
      degraded: false,
      checks: { temporal: 'up', 'says-no': 'down', fails: 'down', hangs: 'down' },
    });
  });

  test('when a dependency that is not required is down then the report is ok but degraded, naming it down', async () => {
    const report = await checkHealth([
      answering('payment-store'),
      { name: 'temporal', required: false, check: () => Promise.reject(new Error('connection refused')) },
    ]);
    expect(report).toEqual({ ok: true, degraded: true, checks: { 'payment-store': 'up', temporal: 'down' } });
  });

  test('when a required dependency is down beside one that is not then the report is not ok', async () => {
    const report = await checkHealth([
      { name: 'payment-store', check: () => Promise.resolve(false) },
      { name: 'temporal', required: false, check: () => Promise.resolve(false) },
    ]);
    expect(report).toMatchObject({ ok: false, checks: { 'payment-store': 'down', temporal: 'down' } });
  });
});
