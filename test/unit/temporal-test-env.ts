/**
 * The fast tier's Temporal: @temporalio/testing's local environment running the project's own
 * CLI build (.tools/bin/temporal), since its download cannot work on machines without internet.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { toolPath } from '../../src/infra/paths';
import { searchAttributeFlags } from '../../src/infra/temporal-search-attributes';

export function createTestEnv(): Promise<TestWorkflowEnvironment> {
  // The workers' routine lines (started, stopped, each failed attempt the tests provoke) would bury
  // jest's report; real errors still show.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: toolPath('temporal') },
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'warn' },
      // One task-queue partition, as the project's dev server runs (src/infra/temporal-dev-server.ts);
      // and timers fired within 10 ms instead of up to 1 s late, so the retries the tests provoke
      // (1 ms apart) take milliseconds: ten attempts took 9-10 s with the default.
      extraArgs: [
        '--dynamic-config-value',
        'matching.numTaskqueueReadPartitions=1',
        '--dynamic-config-value',
        'matching.numTaskqueueWritePartitions=1',
        '--dynamic-config-value',
        'history.timerProcessorMaxTimeShift="10ms"',
        // The workflow sets its PaymentStatus search attribute when it ends: the server must know it.
        ...searchAttributeFlags(),
      ],
    },
  });
}
