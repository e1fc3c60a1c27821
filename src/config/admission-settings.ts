/**
 * The admission step's settings, and the names they had until this release. One setting now picks
 * the step: `PG_ADMISSION` = `local | redis | share | off`. Before, `PG_ADMISSION` (on | off) said
 * whether it ran and `PG_PERMITS` (local | redis | share) which one, and `PG_PERMITS_LEASE_MS` and
 * `PG_PERMITS_PREFIX` tuned the Redis one. The old names are still read for one release, each
 * with one warning line naming the old setting and the new.
 */
import { ConfigError } from './env';

export const ADMISSION_KINDS = ['local', 'redis', 'share', 'off'] as const;
/** local: one process's exact step; redis: one step shared by all workers; share: limit / N each; off: none. */
export type AdmissionKind = (typeof ADMISSION_KINDS)[number];

/** Old name → current name, for the settings that were only renamed. */
const RENAMED = {
  PG_PERMITS_LEASE_MS: 'PG_ADMISSION_LEASE_MS',
  PG_PERMITS_PREFIX: 'PG_ADMISSION_PREFIX',
} as const;

/** Every name of the previous release that is read for one more. */
export const OLD_ADMISSION_NAMES = ['PG_PERMITS', ...Object.keys(RENAMED)] as const;

const printWarning = (line: string) => void process.stderr.write(`${line}\n`);

/**
 * `source` with the admission settings under their current names, read from the old ones where
 * only those are set; `warn` hears one line per old setting found. A current name set beside its
 * old one wins.
 */
export function withCurrentAdmissionNames(
  source: NodeJS.ProcessEnv,
  warn: (line: string) => void = printWarning,
): NodeJS.ProcessEnv {
  const read = (name: string) => source[name]?.trim() || undefined;
  const env: NodeJS.ProcessEnv = { ...source };
  const admission = read('PG_ADMISSION');
  const permits = read('PG_PERMITS');
  if (permits !== undefined && !['local', 'redis', 'share'].includes(permits)) {
    throw new ConfigError(
      `invalid setting PG_PERMITS=${JSON.stringify(permits)}: use PG_ADMISSION=local|redis|share|off`,
    );
  }

  if (admission === 'on') {
    env.PG_ADMISSION = permits ?? 'local';
    warn(
      `deprecated setting PG_ADMISSION=on: read as PG_ADMISSION=${env.PG_ADMISSION}; set local, redis, share or off`,
    );
  }
  if (permits !== undefined) {
    if (admission === undefined) {
      env.PG_ADMISSION = permits;
      warn(`deprecated setting PG_PERMITS=${permits}: read as PG_ADMISSION=${permits}; set PG_ADMISSION instead`);
    } else if (admission === 'on') {
      warn(`deprecated setting PG_PERMITS=${permits}: read as PG_ADMISSION=${permits}; set PG_ADMISSION instead`);
    } else {
      warn(`deprecated setting PG_PERMITS=${permits}: ignored, PG_ADMISSION=${admission} is set`);
    }
  }

  for (const [old, current] of Object.entries(RENAMED)) {
    const value = read(old);
    if (value === undefined) continue;
    if (read(current) === undefined) {
      env[current] = value;
      warn(`deprecated setting ${old}: read as ${current}=${value}; set ${current} instead`);
    } else {
      warn(`deprecated setting ${old}: ignored, ${current} is set`);
    }
  }
  return env;
}

/**
 * For a process that starts others (`npm start`): the admission settings of `env` (already read
 * through withCurrentAdmissionNames) under their current names only, with every old name unset, so
 * the processes it starts do not warn again.
 */
export function currentAdmissionNamesOnly(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const current: NodeJS.ProcessEnv = Object.fromEntries(OLD_ADMISSION_NAMES.map((old) => [old, undefined]));
  for (const name of ['PG_ADMISSION', ...Object.values(RENAMED)]) current[name] = env[name];
  return current;
}
