import type { Job } from 'bullmq';
import { z } from 'zod';
import { detectOrganization } from '../../pipeline/detect/detect-organization.ts';
import { defaultRetention, defineJob, jobId, type JobContext } from '../job-definition.ts';
import type { WorkerDeps } from '../workers.ts';

/**
 * Spike detection for one organization (the detect stage): requested after every derive and by the
 * scheduler each minute (hours close, and open episodes must resolve, with no ticket changing).
 */
export const detectPayload = z.object({
  v: z.literal(1),
  organizationId: z.uuid(),
});
export type DetectPayload = z.infer<typeof detectPayload>;

export const detectJob = defineJob({
  name: 'detect',
  queue: 'detect',
  payload: detectPayload,
  attempts: 8,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.3 },
  // One waiting run per organization; a request during a run waits behind it (its facts are not lost:
  // they stay in series_changes until a run takes them).
  dedupe: (payload) => jobId('detect', payload.organizationId),
  retention: defaultRetention,
  handler: processDetect,
});

async function processDetect(deps: WorkerDeps, _job: Job, { payload }: JobContext<DetectPayload>): Promise<object> {
  return detectOrganization(deps.detect, payload.organizationId);
}
