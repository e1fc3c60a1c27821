/**
 * The demo merchant of `npm start` and `npm run baseline`: made on the first start, when there is
 * no merchants file yet, with its key printed once in the start-up block. Later starts keep the
 * file and its merchants; their keys were printed when they were added.
 */
import { existsSync } from 'node:fs';
import { addMerchant, readMerchantsFile } from './merchants-file';

export const DEMO_MERCHANT = 'demo-shop';

/** Creates the file with the demo merchant if it is missing; returns the new key, or undefined. */
export function ensureDemoMerchant(file: string): string | undefined {
  if (existsSync(file)) {
    readMerchantsFile(file); // a bad file stops the start here, with one line naming the entry
    return undefined;
  }
  return addMerchant(file, DEMO_MERCHANT);
}

/** The start-up block's lines about merchants: the demo key and a curl line that works with it. */
export function merchantLines(apiUrl: string, file: string, newKey: string | undefined): string[] {
  const key = newKey ?? '<your API key>';
  return [
    newKey
      ? `  merchant     ${DEMO_MERCHANT}, API key ${newKey}   (shown once; stored in ${file} as its sha-256 only)`
      : `  merchants    ${readMerchantsFile(file)
          .map((m) => m.id)
          .join(', ')}   (${file}; keys were shown when added)`,
    `  add one      npm run merchant -- add <id>   (prints its key)`,
    '',
    `try:  curl -si -XPOST ${apiUrl}/payments -H 'authorization: Bearer ${key}' -H 'content-type: application/json' -d '{"orderId":"order-1","amount":15000}'`,
  ];
}
