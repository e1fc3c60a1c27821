/**
 * A merchant: who may call the payments API, known by the sha-256 of its secret key. The file
 * named by MERCHANTS_FILE is a JSON list of these; a bad entry stops the process with one line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../config/env';
import { ORDER_ID_PATTERN } from '../contract/payment';

/** The one PG there is today; the issue on several PGs adds more names. */
export const DEFAULT_PG = 'pg-main';

export const merchantSchema = z
  .object({
    id: z.string().regex(ORDER_ID_PATTERN, 'must be 1-64 characters of A-Z, a-z, 0-9, _ or -'),
    apiKeySha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the lowercase hex sha-256 of the key (64 characters)'),
    pg: z.string().min(1).max(64).default(DEFAULT_PG),
    weight: z.number().int().min(1).max(1000).default(1),
  })
  .strict();

export type Merchant = z.output<typeof merchantSchema>;

/** Hex sha-256 of a key: the only form in which a key is stored. */
export const apiKeySha256 = (apiKey: string): string => createHash('sha256').update(apiKey).digest('hex');

/** A new secret key: `sk_` and 32 random bytes, base64url. */
export const newApiKey = (): string => `sk_${randomBytes(32).toString('base64url')}`;

/** Parses a merchants file's text; a bad file throws a ConfigError whose one line names the entry. */
export function parseMerchants(text: string, file: string): Merchant[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`MERCHANTS_FILE ${file}: not JSON (${(err as Error).message})`);
  }
  if (!Array.isArray(data)) throw new ConfigError(`MERCHANTS_FILE ${file}: must be a JSON list of merchants`);
  const merchants: Merchant[] = [];
  const ids = new Set<string>();
  const hashes = new Set<string>();
  data.forEach((entry: unknown, index) => {
    const id = (entry as { id?: unknown } | null)?.id;
    const name = `entry ${index}${typeof id === 'string' ? ` (${JSON.stringify(id.slice(0, 64))})` : ''}`;
    const parsed = merchantSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.map(String).join('.') || 'entry';
      throw new ConfigError(`MERCHANTS_FILE ${file}: ${name}: ${field} ${issue.message}`);
    }
    if (ids.has(parsed.data.id)) throw new ConfigError(`MERCHANTS_FILE ${file}: ${name}: id is already taken`);
    if (hashes.has(parsed.data.apiKeySha256))
      throw new ConfigError(`MERCHANTS_FILE ${file}: ${name}: apiKeySha256 is another merchant's key`);
    ids.add(parsed.data.id);
    hashes.add(parsed.data.apiKeySha256);
    merchants.push(parsed.data);
  });
  return merchants;
}
