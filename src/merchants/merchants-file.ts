/**
 * Reading and changing the merchants file. Writes go to a temporary file renamed over the old
 * one, so a running API that reloads it never reads half a file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/env';
import { type Merchant, apiKeySha256, newApiKey, parseMerchants } from './merchant';

export function readMerchantsFile(file: string): Merchant[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `MERCHANTS_FILE ${file}: no such file (create one with: npm run merchant -- add <id>)`
        : `MERCHANTS_FILE ${file}: cannot be read (${code ?? String(err)})`,
    );
  }
  return parseMerchants(text, file);
}

export function writeMerchantsFile(file: string, merchants: Merchant[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  // Only hashes are in it, but nobody else needs to read it.
  writeFileSync(temporary, `${JSON.stringify(merchants, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/** Adds a merchant with a new key; returns the key, which is stored nowhere. */
export function addMerchant(file: string, id: string, extra: Partial<Pick<Merchant, 'pg' | 'weight'>> = {}): string {
  const merchants = existsSync(file) ? readMerchantsFile(file) : [];
  if (merchants.some((m) => m.id === id)) throw new ConfigError(`merchant ${JSON.stringify(id)} already exists`);
  const apiKey = newApiKey();
  const entry = { id, apiKeySha256: apiKeySha256(apiKey), ...extra };
  // Validated as the API will read it, so a bad id never reaches the file.
  const next = parseMerchants(JSON.stringify([...merchants, entry]), file);
  writeMerchantsFile(file, next);
  return apiKey;
}

/** Removes a merchant; false when there was none with this id. */
export function removeMerchant(file: string, id: string): boolean {
  const merchants = readMerchantsFile(file);
  const kept = merchants.filter((m) => m.id !== id);
  if (kept.length === merchants.length) return false;
  writeMerchantsFile(file, kept);
  return true;
}
