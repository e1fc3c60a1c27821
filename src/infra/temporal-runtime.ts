/**
 * The Temporal SDK's runtime for a worker process, installed once, before the first connection:
 * its log lines go to the process's own pino logger, and its Prometheus exporter is turned on when
 * a port is given. Durations stay in milliseconds, as Temporal's stock SDK dashboards expect;
 * counters carry Prometheus's `_total` suffix, so the endpoint passes `promtool check metrics`.
 */
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import type { Logger } from './logger';

/**
 * The workflow bundler logs webpack's whole module list at INFO as the worker starts. A person
 * starting the stack wants the block of URLs, not that; LOG_LEVEL=debug brings it back.
 */
const isBundlerOutput = (message: string): boolean =>
  message.startsWith('asset ') || /\bwebpack [\d.]+ compiled\b/.test(message) || message === 'Workflow bundle created';

/** The PG activity's worker polls no workflows by design; the SDK warns about it all the same. */
const isExpectedNotice = (message: string) => message.startsWith('No workflows registered, not polling');

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The SDK's logger interface over a pino logger; the bundler's output drops to debug. */
export function sdkLogger(log: Logger): SdkLogger {
  const write = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const pinoLevel =
      (level === 'INFO' && isBundlerOutput(message)) || isExpectedNotice(message) ? 'debug' : PINO_LEVEL[level];
    log[pinoLevel]({ sdk: meta ?? {} }, message);
  };
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

/** Installs the runtime; answers the SDK metrics URL when `metrics` is given. */
export function installTemporalRuntime(log: Logger, metrics?: { host: string; port: number }): string | undefined {
  const bindAddress = metrics && `${metrics.host}:${metrics.port}`;
  Runtime.install({
    logger: sdkLogger(log),
    ...(bindAddress && { telemetryOptions: { metrics: { prometheus: { bindAddress, countersTotalSuffix: true } } } }),
  });
  return bindAddress && `http://${bindAddress}/metrics`;
}
