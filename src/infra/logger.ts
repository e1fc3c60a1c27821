/** One pino logger per process: JSON lines, with card data and idempotency keys redacted. */
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    base: { name, pid: process.pid },
    redact: {
      paths: ['idempotencyKey', '*.idempotencyKey', 'headers["idempotency-key"]', 'cardNumber', '*.cardNumber'],
      censor: '[redacted]',
    },
  });
}
