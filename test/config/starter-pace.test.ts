/** The starter's pace per PG (STARTER_PACE), read with the API's settings. */
import { ConfigError } from '../../src/config/env';
import { loadApiConfig } from '../../src/temporal/config';

describe('the starter pace setting', () => {
  test('when nothing is set then each PG is started at its own pace: its first moment, then its rate', () => {
    expect(loadApiConfig({}).starterPace('pg-main')).toEqual({ burst: 10, perSecond: 10 });
    const narrow = loadApiConfig({ PG_MAX_CONCURRENCY: '4', PG_RATE_LIMIT: '20' });
    expect(narrow.starterPace('pg-main')).toEqual({ burst: 4, perSecond: 20 });
    // A PG no lane serves gets no pace (and no window: its payments wait).
    expect(narrow.starterPace('pg-gone')).toBeUndefined();
  });

  test('when STARTER_PACE=none then the window is started as it frees', () => {
    expect(loadApiConfig({ STARTER_PACE: 'none' }).starterPace('pg-main')).toBeUndefined();
  });

  test('when STARTER_PACE has another value then the API stops, naming it', () => {
    expect(() => loadApiConfig({ STARTER_PACE: 'fast' })).toThrow(ConfigError);
    expect(() => loadApiConfig({ STARTER_PACE: 'fast' })).toThrow(/STARTER_PACE/);
  });
});
