import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config/env';
import { openMerchantDirectory } from '../../src/merchants/directory';
import { apiKeySha256, parseMerchants } from '../../src/merchants/merchant';
import { addMerchant, readMerchantsFile, removeMerchant } from '../../src/merchants/merchants-file';
import { pollUntil } from '../support/answers';

/** The merchants file and the directory the API reads it into. */
describe('merchants file and directory', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'merchants-test-'));
    file = path.join(dir, 'merchants.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const hash = 'a'.repeat(64);

  test.each([
    ['not JSON', '{', /not JSON/],
    ['not a list', '{}', /must be a JSON list/],
    ['a bad id', JSON.stringify([{ id: 'shop a', apiKeySha256: hash }]), /entry 0 \("shop a"\): id must be/],
    ['a short hash', JSON.stringify([{ id: 'shop-a', apiKeySha256: 'abc' }]), /entry 0 \("shop-a"\): apiKeySha256/],
    ['an unknown field', JSON.stringify([{ id: 'shop-a', apiKeySha256: hash, apiKey: 'x' }]), /entry 0/],
    [
      'a taken id',
      JSON.stringify([
        { id: 'shop-a', apiKeySha256: hash },
        { id: 'shop-a', apiKeySha256: 'b'.repeat(64) },
      ]),
      /entry 1 \("shop-a"\): id is already taken/,
    ],
    [
      'a shared key',
      JSON.stringify([
        { id: 'shop-a', apiKeySha256: hash },
        { id: 'shop-b', apiKeySha256: hash },
      ]),
      /entry 1 \("shop-b"\): apiKeySha256 is another merchant's key/,
    ],
    [
      'a weight of 0',
      JSON.stringify([{ id: 'shop-a', apiKeySha256: hash, weight: 0 }]),
      /entry 0 \("shop-a"\): weight/,
    ],
  ])('when the file has %s then reading it fails with one line naming the entry', (_name, text, message) => {
    let error: unknown;
    try {
      parseMerchants(text, file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  test('when an entry leaves out pg and weight then they are pg-main and 1', () => {
    expect(parseMerchants(JSON.stringify([{ id: 'shop-a', apiKeySha256: hash }]), file)).toEqual([
      { id: 'shop-a', apiKeySha256: hash, pg: 'pg-main', weight: 1 },
    ]);
  });

  test('when a merchant is added then only the sha-256 of its key is stored', () => {
    const key = addMerchant(file, 'shop-a');
    expect(key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    expect(readMerchantsFile(file)).toEqual([
      { id: 'shop-a', apiKeySha256: apiKeySha256(key), pg: 'pg-main', weight: 1 },
    ]);
    expect(JSON.stringify(readMerchantsFile(file))).not.toContain(key);
    expect(() => addMerchant(file, 'shop-a')).toThrow(/already exists/);
  });

  test('when a key is presented then its merchant is found, and a wrong or near key finds none', () => {
    const key = addMerchant(file, 'shop-a');
    const directory = openMerchantDirectory({ file });
    try {
      expect(directory.byApiKey(key)?.id).toBe('shop-a');
      expect(directory.byApiKey(`${key}x`)).toBeUndefined();
      expect(directory.byApiKey(key.slice(0, -1))).toBeUndefined();
      expect(directory.byApiKey('')).toBeUndefined();
    } finally {
      directory.close();
    }
  });

  test('when the file changes then the directory reloads it, and a bad change keeps the last good list', async () => {
    const keyA = addMerchant(file, 'shop-a');
    const directory = openMerchantDirectory({ file, reloadCheckMs: 50 });
    try {
      const keyB = addMerchant(file, 'shop-b');
      await pollUntil('shop-b to be known', () => Promise.resolve(directory.byApiKey(keyB)), 5000);
      removeMerchant(file, 'shop-a');
      await pollUntil('shop-a to be gone', () => Promise.resolve(directory.byApiKey(keyA) ? undefined : true), 5000);

      writeFileSync(file, '[{"id": "broken"');
      await new Promise((r) => setTimeout(r, 300));
      expect(directory.byApiKey(keyB)?.id).toBe('shop-b');
    } finally {
      directory.close();
    }
  });
});
