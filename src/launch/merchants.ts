/**
 * Merchants for the tests and the benchmark: a merchants file of their own in a temporary folder,
 * with the keys kept in memory so clients can send them. Every launcher makes one unless given one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PaymentsClient } from '../load/payments-client';
import type { Merchant } from '../merchants/merchant';
import { addMerchant, removeMerchant, writeMerchantsFile } from '../merchants/merchants-file';

/** A merchant's PG and fairness weight, as in MERCHANTS_FILE. */
type MerchantExtra = Partial<Pick<Merchant, 'pg' | 'weight'>>;

/** The merchant a launcher makes when the caller brings none. */
export const TEST_MERCHANT = 'shop-test';

export interface MerchantsFixture {
  /** The file to pass as MERCHANTS_FILE. */
  file: string;
  /** Each merchant's key by id. */
  keys: Map<string, string>;
  /** The key of the first merchant. */
  apiKey: string;
  /** Adds a merchant (routed to `extra.pg`, if given) and returns its key. */
  add(id: string, extra?: MerchantExtra): string;
  remove(id: string): void;
  dispose(): void;
}

export function createMerchantsFixture(ids: string[] = [TEST_MERCHANT]): MerchantsFixture {
  const dir = mkdtempSync(path.join(tmpdir(), 'merchants-'));
  const file = path.join(dir, 'merchants.json');
  writeMerchantsFile(file, []);
  const keys = new Map<string, string>();
  const add = (id: string, extra: MerchantExtra = {}) => {
    const key = addMerchant(file, id, extra);
    keys.set(id, key);
    return key;
  };
  const apiKey = ids.map((id) => add(id))[0]!;
  return {
    file,
    keys,
    apiKey,
    add,
    remove(id) {
      removeMerchant(file, id);
      keys.delete(id);
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A client for each of `ids`, each sending that merchant's key. */
export const merchantClients = (apiUrl: string, fixture: MerchantsFixture, ids: string[]): PaymentsClient[] =>
  ids.map((id) => new PaymentsClient(apiUrl, { apiKey: fixture.keys.get(id) }));
