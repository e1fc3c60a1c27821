/**
 * Lua scripts as ioredis commands. Every `<name>-<keys>.lua` in a directory becomes the command
 * `<name>` in camelCase (`accept-payment-2.lua` → `acceptPayment`) whose first `<keys>` arguments
 * are Redis keys: the file name is the one place a script's key count is written. Each connection
 * loads them with `defineCommand` (EVALSHA, falling back to EVAL after a Redis restart).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Defines every script of `dir` on `redis`. `Commands` types them: an interface with one method
 * per script, its arguments the keys then the other arguments.
 */
export function defineLuaCommands<Commands>(redis: Redis, dir: string): Redis & Commands {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.lua'))) {
    const match = /^(.+)-(\d+)\.lua$/.exec(file);
    if (!match) throw new Error(`${path.join(dir, file)}: the name must be <name>-<number of keys>.lua`);
    redis.defineCommand(camel(match[1]!), {
      numberOfKeys: Number(match[2]),
      lua: readFileSync(path.join(dir, file), 'utf8'),
    });
  }
  return redis as Redis & Commands;
}
