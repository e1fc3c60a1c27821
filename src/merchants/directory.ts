/**
 * The merchants the API knows, looked up by a presented key. Reloaded when the file changes (its
 * mtime, size or inode), so `npm run merchant -- add|remove` takes effect without a restart; a bad
 * file on reload keeps the last good list and says so.
 */
import { statSync } from 'node:fs';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../infra/logger';
import type { Merchant } from './merchant';
import { readMerchantsFile } from './merchants-file';

export interface MerchantDirectory {
  /** The merchant whose key this is, or undefined. */
  byApiKey(apiKey: string): Merchant | undefined;
  byId(id: string): Merchant | undefined;
  list(): readonly Merchant[];
  close(): void;
}

interface Loaded {
  byHash: Map<string, { merchant: Merchant; digest: Buffer }>;
  byId: Map<string, Merchant>;
  merchants: Merchant[];
}

function index(merchants: Merchant[]): Loaded {
  return {
    byHash: new Map(
      merchants.map((m) => [m.apiKeySha256, { merchant: m, digest: Buffer.from(m.apiKeySha256, 'hex') }]),
    ),
    byId: new Map(merchants.map((m) => [m.id, m])),
    merchants,
  };
}

const signatureOf = (file: string): string => {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'missing';
  }
};

export interface DirectoryOptions {
  file: string;
  log?: Logger;
  /** How often the file's mtime is looked at. */
  reloadCheckMs?: number;
}

/** Loads the file now (a bad one throws a ConfigError) and watches it. */
export function openMerchantDirectory({ file, log, reloadCheckMs = 500 }: DirectoryOptions): MerchantDirectory {
  let signature = signatureOf(file);
  let loaded = index(readMerchantsFile(file));
  const timer = setInterval(() => {
    const now = signatureOf(file);
    if (now === signature) return;
    signature = now;
    try {
      loaded = index(readMerchantsFile(file));
      log?.info({ merchants: loaded.merchants.length }, 'merchants file reloaded');
    } catch (err) {
      log?.warn({ reason: (err as Error).message }, 'merchants file not reloaded: keeping the last good list');
    }
  }, reloadCheckMs);
  timer.unref();

  return {
    byApiKey(apiKey) {
      // The lookup is by the key's hash, so its timing tells nothing about the key itself; the
      // final comparison is constant-time all the same.
      const digest = createHash('sha256').update(apiKey).digest();
      const entry = loaded.byHash.get(digest.toString('hex'));
      return entry && timingSafeEqual(entry.digest, digest) ? entry.merchant : undefined;
    },
    byId: (id) => loaded.byId.get(id),
    list: () => loaded.merchants,
    close: () => clearInterval(timer),
  };
}
