/**
 * The PGs a stack routes payments to (PGS_FILE), read and validated once per process. Each PG gets
 * its own lane: its own activity task queue, worker options, PG client and admission step. Without
 * PGS_FILE there is one PG, `pg-main`, from PG_URL, PG_MAX_CONCURRENCY and PG_RATE_LIMIT.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, env } from './env';
import { DEFAULT_PG, PG_NAME_PATTERN } from '../temporal/routing';

const pgSchema = z
  .object({
    name: z.string().regex(PG_NAME_PATTERN, 'must be 1-32 characters of A-Z, a-z, 0-9, _ or -'),
    url: z.string().url(),
    concurrency: z.number().int().positive(),
    ratePerSecond: z.number().int().positive(),
  })
  .strict();

export type PgSettings = z.output<typeof pgSchema>;

/** Spread into the env shape of every process that reads the PGs. */
export const pgsShape = {
  PGS_FILE: z.string().min(1).optional(),
  PG_URL: env.url('http://127.0.0.1:4000'),
  PG_MAX_CONCURRENCY: env.positiveInt(10),
  PG_RATE_LIMIT: env.positiveInt(10),
};

export function pgsOf(e: {
  PGS_FILE?: string;
  PG_URL: string;
  PG_MAX_CONCURRENCY: number;
  PG_RATE_LIMIT: number;
}): PgSettings[] {
  if (!e.PGS_FILE)
    return [{ name: DEFAULT_PG, url: e.PG_URL, concurrency: e.PG_MAX_CONCURRENCY, ratePerSecond: e.PG_RATE_LIMIT }];
  let text: string;
  try {
    text = readFileSync(e.PGS_FILE, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new ConfigError(`PGS_FILE ${e.PGS_FILE}: cannot be read (${code})`);
  }
  return parsePgs(text, e.PGS_FILE);
}

/** Parses a PGS_FILE's text; a bad file throws a ConfigError whose one line names the entry. */
export function parsePgs(text: string, file: string): PgSettings[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`PGS_FILE ${file}: not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data) || data.length === 0)
    throw new ConfigError(`PGS_FILE ${file}: must be a non-empty JSON list of PGs`);
  const pgs: PgSettings[] = [];
  data.forEach((entry: unknown, index) => {
    const parsed = pgSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.map(String).join('.') || 'entry';
      throw new ConfigError(`PGS_FILE ${file}: entry ${index}: ${field} ${issue.message}`);
    }
    if (pgs.some((pg) => pg.name === parsed.data.name))
      throw new ConfigError(`PGS_FILE ${file}: entry ${index}: name ${parsed.data.name} is already taken`);
    pgs.push(parsed.data);
  });
  return pgs;
}
