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
      // The workflow keeps its PaymentStatus search attribute current: the server must know it.
      extraArgs: searchAttributeFlags(),
    },
  });
}
