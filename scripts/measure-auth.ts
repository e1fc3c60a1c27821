/**
 * What authentication costs a request: the Bearer middleware alone (header parse, sha-256 of the
 * key, lookup, constant-time compare), timed over many calls with 1 and 10,000 merchants, for a
 * valid key and a wrong one. `npx tsx scripts/measure-auth.ts`; the figures are in docs/merchants.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Request, Response } from 'express';
import { authenticate } from '../src/api/auth';
import { openMerchantDirectory } from '../src/merchants/directory';
import { apiKeySha256, newApiKey } from '../src/merchants/merchant';
import { writeMerchantsFile } from '../src/merchants/merchants-file';

const CALLS = 200_000;

function measure(merchantCount: number): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'measure-auth-'));
  const file = path.join(dir, 'merchants.json');
  const keys = Array.from({ length: merchantCount }, () => newApiKey());
  writeMerchantsFile(
    file,
    keys.map((key, i) => ({ id: `shop-${i}`, apiKeySha256: apiKeySha256(key), pg: 'pg-main', weight: 1 })),
  );
  const directory = openMerchantDirectory({ file });
  const middleware = authenticate(directory);
  try {
    for (const [label, key] of [
      ['valid key', keys[merchantCount - 1]!],
      ['wrong key', newApiKey()],
    ] as const) {
      const header = `Bearer ${key}`;
      const req = { get: () => header } as unknown as Request;
      const res = { locals: {} } as unknown as Response;
      const next = () => undefined;
      for (let i = 0; i < 20_000; i++) middleware(req, res, next); // warm-up
      const started = process.hrtime.bigint();
      for (let i = 0; i < CALLS; i++) middleware(req, res, next);
      const nsPerCall = Number(process.hrtime.bigint() - started) / CALLS;
      console.log(
        `${String(merchantCount).padStart(6)} merchants, ${label}: ${(nsPerCall / 1000).toFixed(2)} µs per request`,
      );
    }
  } finally {
    directory.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

measure(1);
measure(10_000);
