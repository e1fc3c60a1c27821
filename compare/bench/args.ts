/**
 * `npm run bench -- [--requests N] [--surge N] [--out DIR] [--engines a,b] [--scenarios x,y] [--sequential]`
 * and the one setting it reads from the environment, TEMPORAL_SQLITE_SYNCHRONOUS (the dev server's
 * durability class, src/config/durability.ts), checked at start.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type SqliteSynchronous, sqliteSynchronousSetting } from '../../src/config/durability';
import { readEnv } from '../../src/config/env';
import { SCENARIO_GROUPS, SURGE_DEFAULT } from './scenarios';
import { ENGINE_NAMES, type EngineName } from './types';

export const USAGE = `npm run bench -- [options]

  --requests N     payments of the burst-sized scenarios (default 500; the smaller ones send N/5)
  --surge N        payments posted at once in \`surge\` (default ${SURGE_DEFAULT})
  --engines a,b    among ${ENGINE_NAMES.join(', ')}
  --scenarios x,y  among ${SCENARIO_GROUPS.join(', ')}
  --out DIR        where report.json, series.json and report.html go (default bench-report)
  --sequential     one run at a time instead of waves side by side (about three times as long)
  --help           this text

environment:
  TEMPORAL_SQLITE_SYNCHRONOUS  NORMAL (default), FULL or OFF: the dev server's SQLite durability;
                               OFF is below the other engines' class and the report marks it
`;

export interface BenchArgs {
  requests: number;
  /** Payments posted at once in `surge`. */
  surge?: number;
  out: string;
  engines: EngineName[];
  scenarios: string[];
  /** One run at a time, instead of the waves of bench.ts (about three times as long). */
  sequential?: boolean;
  /** The Temporal dev server's SQLite synchronous pragma; NORMAL unless TEMPORAL_SQLITE_SYNCHRONOUS says. */
  sqliteSynchronous?: SqliteSynchronous;
}

const list = <T extends string>(all: readonly T[], what: string) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(z.enum(all as unknown as [T, ...T[]], { error: () => `${what} must be among ${all.join(', ')}` })).min(1),
    );

const schema = z.object({
  requests: z.coerce.number().int().min(1).max(100_000).default(500),
  surge: z.coerce.number().int().min(1).max(100_000).default(SURGE_DEFAULT),
  out: z.string().min(1).default('bench-report'),
  engines: list(ENGINE_NAMES, '--engines').default([...ENGINE_NAMES]),
  scenarios: list(SCENARIO_GROUPS, '--scenarios').default([...SCENARIO_GROUPS]),
  sequential: z.boolean().default(false),
});

export function parseBenchArgs(argv: string[], source: NodeJS.ProcessEnv = process.env): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string' },
      surge: { type: 'string' },
      out: { type: 'string' },
      engines: { type: 'string' },
      scenarios: { type: 'string' },
      sequential: { type: 'boolean' },
    },
    strict: true,
  });
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`--${String(issue.path[0])}: ${issue.message}`);
  }
  const { TEMPORAL_SQLITE_SYNCHRONOUS } = readEnv({ TEMPORAL_SQLITE_SYNCHRONOUS: sqliteSynchronousSetting }, source);
  return { ...parsed.data, sqliteSynchronous: TEMPORAL_SQLITE_SYNCHRONOUS };
}
