import { UnrecoverableError, type Job } from 'bullmq';
import { z } from 'zod';
import { deriveConnector } from '../../pipeline/derive/derive-connector.ts';
import { getConnectorById } from '../../store/connector-repository.ts';
import { defaultRetention, defineJob, jobId, type JobContext } from '../job-definition.ts';
import type { WorkerDeps } from '../workers.ts';

/** Classify a connector's changed tickets and move their series contributions (the derive stage). */
export const derivePayload = z.object({
  v: z.literal(1),
  connectorId: z.uuid(),
  /** The pull run's highest change_seq: only for the job id and logs, the derive reads its own state. */
  upToSeq: z.string().regex(/^\d+$/).optional(),
});
export type DerivePayload = z.infer<typeof derivePayload>;

export const deriveJob = defineJob({
  name: 'derive',
  queue: 'derive',
  payload: derivePayload,
  attempts: 10,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.3 },
  // Every page enqueues a derive; while one runs, the latest request waits behind it, so tickets
  // stored after the running derive read its batch are never left underived.
  dedupe: (payload) => jobId('derive', payload.connectorId),
  retention: defaultRetention,
  handler: processDerive,
});

async function processDerive(deps: WorkerDeps, _job: Job, { payload }: JobContext<DerivePayload>): Promise<object> {
  const connector = await getConnectorById(deps.prisma, payload.connectorId);
  if (!connector) throw new UnrecoverableError(`connector ${payload.connectorId} no longer exists`);
  const summary = await deriveConnector(deps.derive, connector);
  // Series may have moved (here, or in the pages classified at ingest that requested this derive).
  await deps.queues.enqueue('kpi', { v: 1, organizationId: connector.organizationId });
  await deps.queues.enqueue('detect', { v: 1, organizationId: connector.organizationId });
  return summary;
}
