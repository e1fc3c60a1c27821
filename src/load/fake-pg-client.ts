/** Reads and resets the fake PG's score over HTTP: the only source tests and the benchmark trust. */
import { request } from 'undici';
import type { FakePgStats } from '../fake-pg/app';
import type { PgTimeline } from '../fake-pg/scoreboard';

export class FakePgClient {
  constructor(readonly baseUrl: string) {}

  async stats(): Promise<FakePgStats> {
    const res = await request(`${this.baseUrl}/v1/stats`);
    return (await res.body.json()) as FakePgStats;
  }

  async timeline(): Promise<PgTimeline> {
    const res = await request(`${this.baseUrl}/v1/stats/timeline`);
    return (await res.body.json()) as PgTimeline;
  }

  /** Answers 503 to every charge for `seconds` from now (0 ends it); resolves to when it ends. */
  async outage(seconds: number): Promise<string | null> {
    const res = await request(`${this.baseUrl}/v1/admin/outage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds }),
    });
    return ((await res.body.json()) as { outageUntil: string | null }).outageUntil;
  }

  async reset(): Promise<FakePgStats> {
    const res = await request(`${this.baseUrl}/v1/stats/reset`, { method: 'POST' });
    return (await res.body.json()) as FakePgStats;
  }
}
