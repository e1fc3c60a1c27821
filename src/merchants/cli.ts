/**
 * `npm run merchant -- add <id> [--pg <name>] [--weight <n>] | list | remove <id>`: manages the
 * merchants file (MERCHANTS_FILE). `add` prints the new key once; only its sha-256 is stored.
 * A running API picks the change up within a second.
 */
import { parseArgs } from 'node:util';
import { ConfigError, readEnv, runMain } from '../config/env';
import { merchantsFileShape } from './config';
import { addMerchant, readMerchantsFile, removeMerchant } from './merchants-file';

const USAGE = 'usage: npm run merchant -- add <id> [--pg <name>] [--weight <n>] | list | remove <id>';

function main(): void {
  const { MERCHANTS_FILE: file } = readEnv(merchantsFileShape);
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { pg: { type: 'string' }, weight: { type: 'string' } },
  });
  const [command, id] = positionals;
  switch (command) {
    case 'add': {
      if (!id) throw new ConfigError(USAGE);
      const weight = values.weight === undefined ? undefined : Number(values.weight);
      const apiKey = addMerchant(file, id, { pg: values.pg, weight });
      console.log(`merchant ${id} added to ${file}`);
      console.log(`API key (shown once, stored only as its sha-256): ${apiKey}`);
      console.log(`use it as:  Authorization: Bearer ${apiKey}`);
      return;
    }
    case 'list':
      for (const m of readMerchantsFile(file)) console.log(`${m.id}\tpg=${m.pg}\tweight=${m.weight}`);
      return;
    case 'remove':
      if (!id) throw new ConfigError(USAGE);
      if (!removeMerchant(file, id)) throw new ConfigError(`no merchant ${JSON.stringify(id)} in ${file}`);
      console.log(`merchant ${id} removed from ${file}; its key stops working within a second`);
      return;
    default:
      throw new ConfigError(USAGE);
  }
}

runMain(() => Promise.resolve().then(main));
