/** MERCHANTS_FILE: one setting, spread into the config module of every process that reads it. */
import path from 'node:path';
import { env } from '../config/env';
import { DATA_DIR } from '../infra/paths';

export const DEFAULT_MERCHANTS_FILE = path.join(DATA_DIR, 'merchants.json');

export const merchantsFileShape = { MERCHANTS_FILE: env.string(DEFAULT_MERCHANTS_FILE) };
