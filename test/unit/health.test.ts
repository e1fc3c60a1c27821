/** `/healthz`'s checks: healthy only while every named dependency answers, each bounded in time. */
import { checkHealth } from '../../src/api/health';

const answering = (name: string) => ({ name, check: () => Promise.resolve(true) });

describe('the health checks', () => {
  test('when every dependency answers then the report is ok and names each one up', async () => {
    expect(await checkHealth([answering('temporal'), answering('pg-admission-redis')])).toEqual({
      ok: true,
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
      checks: { temporal: 'up', 'says-no': 'down', fails: 'down', hangs: 'down' },
    });
  });
});
