/**
 * A worker thread that is started again when it ends on its own (an uncaught error, an exit), so a
 * crash in the intake's starter does not leave accepted payments waiting until someone restarts
 * the API. The pause before a restart doubles with each crash in a row, so a crash loop does not
 * spin a core. `stop()` asks the thread to finish (a 'stop' message) and ends it after a grace.
 */
import type { Worker } from 'node:worker_threads';
import type { Logger } from './logger';

export interface SupervisedThread {
  /** True while a thread runs: false between a crash and its restart, and after stop(). */
  running(): boolean;
  /** How many times the thread was started again after ending on its own. */
  restarts(): number;
  /** Posts 'stop', waits for the thread to end, and ends it after `graceMs`. */
  stop(): Promise<void>;
}

export interface SupervisedThreadOptions {
  /** Named in the log lines. */
  name: string;
  log: Logger;
  graceMs: number;
  /** The first pause before a restart; it doubles with each crash in a row up to `maxPauseMs`. */
  pauseMs?: number;
  maxPauseMs?: number;
  /** A thread that ran this long before it ended counts as a first crash again. */
  steadyMs?: number;
}

export function superviseThread(spawn: () => Worker, options: SupervisedThreadOptions): SupervisedThread {
  const { pauseMs = 1000, maxPauseMs = 30_000, steadyMs = 60_000 } = options;
  let worker: Worker | undefined;
  let stopping = false;
  let restarts = 0;
  let inARow = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const launch = () => {
    const startedAt = Date.now();
    const current = spawn();
    worker = current;
    current.on('error', (err) => options.log.error({ err }, `the ${options.name} thread failed`));
    current.once('exit', (code) => {
      worker = undefined;
      if (stopping) return;
      if (Date.now() - startedAt >= steadyMs) inARow = 0;
      const pause = Math.min(maxPauseMs, pauseMs * 2 ** inARow++);
      options.log.error({ code, pauseMs: pause }, `the ${options.name} thread ended; starting it again`);
      restartTimer = setTimeout(() => {
        restarts++;
        launch();
      }, pause);
    });
  };
  launch();

  return {
    running: () => worker !== undefined,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      clearTimeout(restartTimer);
      const current = worker;
      if (!current) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      current.postMessage('stop');
      // A thread that does not end once its work is over is ended.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.graceMs)));
      await Promise.race([exited, late.then(() => current.terminate())]);
      clearTimeout(timer);
    },
  };
}
