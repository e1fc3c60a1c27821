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

  async reset(): Promise<FakePgStats> {
    const res = await request(`${this.baseUrl}/v1/stats/reset`, { method: 'POST' });
    return (await res.body.json()) as FakePgStats;
  }
}
