import type { Job } from 'bullmq';
import { z } from 'zod';
import { refreshOrganizationKpis } from '../../pipeline/kpi/refresh-organization-kpis.ts';
import { defaultRetention, defineJob, jobId, type JobContext } from '../job-definition.ts';
import type { WorkerDeps } from '../workers.ts';

/**
 * KPI series of one organization brought up to date with its tickets (the KPI stage): requested after
 * every derive, and by the scheduler for KPIs applied while nothing derived.
 */
export const kpiPayload = z.object({
  v: z.literal(1),
  organizationId: z.uuid(),
});
export type KpiPayload = z.infer<typeof kpiPayload>;

export const kpiJob = defineJob({
  name: 'kpi',
  queue: 'kpi',
  payload: kpiPayload,
  attempts: 8,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.3 },
  // One waiting run per organization; a request during a run waits behind it (the positions say what
  // is left, so nothing requested is lost).
  dedupe: (payload) => jobId('kpi', payload.organizationId),
  retention: defaultRetention,
  handler: processKpi,
});

async function processKpi(deps: WorkerDeps, _job: Job, { payload }: JobContext<KpiPayload>): Promise<object> {
  return refreshOrganizationKpis(deps.kpi, payload.organizationId);
}
