/** measure-server-pipeline.ts's payment: one activity, nothing else, so the server's path is all that is timed. */
import { proxyActivities } from '@temporalio/workflow';
import type { createPipelineActivities } from './activities';

export async function pipelinePayment(id: string, activityQueue: string): Promise<string> {
  const { charge } = proxyActivities<ReturnType<typeof createPipelineActivities>>({
    startToCloseTimeout: '10 seconds',
    taskQueue: activityQueue,
  });
  return await charge(id);
}
