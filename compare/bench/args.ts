/** `npm run bench -- [--requests N] [--out DIR] [--engines a,b] [--scenarios x,y] [--sequential]`, checked at start. */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SCENARIO_GROUPS } from './scenarios';
import { ENGINE_NAMES, type EngineName } from './types';

export interface BenchArgs {
  requests: number;
  out: string;
  engines: EngineName[];
  scenarios: string[];
  /** One run at a time, instead of the waves of bench.ts (about three times as long). */
  sequential?: boolean;
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
  out: z.string().min(1).default('bench-report'),
  engines: list(ENGINE_NAMES, '--engines').default([...ENGINE_NAMES]),
  scenarios: list(SCENARIO_GROUPS, '--scenarios').default([...SCENARIO_GROUPS]),
  sequential: z.boolean().default(false),
});

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      requests: { type: 'string' },
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
  return parsed.data;
}
