/**
 * Reads a process's settings from the environment once, validated with zod. A bad value stops the
 * process with one line naming the variable.
 */
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readEnv<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<z.ZodObject<S>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0] ?? '?');
    throw new ConfigError(`invalid setting ${name}=${JSON.stringify(input[name] ?? '')}: ${issue.message}`);
  }
  return result.data;
}

/** Common field types for settings. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  nonNegative: (fallback: number) => z.coerce.number().min(0).default(fallback),
  host: (fallback = '127.0.0.1') => z.string().min(1).default(fallback),
  url: (fallback: string) => z.string().url().default(fallback),
  string: (fallback: string) => z.string().min(1).default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Runs a process's main, turning a ConfigError into one line on stderr and exit code 2. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`fatal: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
