import type { Logger } from '../observability/logger.ts';
import { listConnectors } from '../store/connector-repository.ts';
import type { PrismaClient } from '../store/database.ts';
import { jobCatalog, jobId, type SyncPayload } from './job-catalog.ts';
import type { Queues } from './queues.ts';

/**
 * Keeps exactly one repeatable incremental sync per enabled connector, derived from PostgreSQL (the
 * source of truth) — so a Redis that lost its keys is rebuilt on the next reconcile, and a connector
 * disabled or removed by `config apply` stops being scheduled.
 */
export interface ReconcileReport {
  scheduled: string[];
  removed: string[];
}

const schedulerId = (connectorId: string): string => jobId('sync', connectorId, 'schedule');

export async function reconcileSchedules(prisma: PrismaClient, queues: Queues): Promise<ReconcileReport> {
  const connectors = await listConnectors(prisma, { enabledOnly: true });
  const wanted = new Set<string>();
  for (const connector of connectors) {
    const id = schedulerId(connector.id);
    wanted.add(id);
    const data: SyncPayload = { v: 1, connectorId: connector.id, mode: 'incremental', reason: 'schedule' };
    await queues.pull.upsertJobScheduler(
      id,
      { every: connector.syncEverySeconds * 1000 },
      {
        name: 'sync',
        data,
        opts: { attempts: jobCatalog.sync.attempts, backoff: jobCatalog.sync.backoff, removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } },
      },
    );
  }
  const removed: string[] = [];
  for (const existing of await queues.pull.getJobSchedulers(0, -1)) {
    const key = existing.key;
    if (!wanted.has(key)) {
      await queues.pull.removeJobScheduler(key);
      removed.push(key);
    }
  }
  return { scheduled: connectors.map((c) => `${c.organizationKey}/${c.key}`), removed };
}

export interface RunningScheduler {
  close(): Promise<void>;
}

export async function startScheduler(deps: { prisma: PrismaClient; queues: Queues; logger: Logger; everyMs?: number }): Promise<RunningScheduler> {
  const tick = async (): Promise<void> => {
    try {
      const report = await reconcileSchedules(deps.prisma, deps.queues);
      deps.logger.debug(report, 'sync schedules reconciled');
    } catch (error) {
      deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'could not reconcile sync schedules');
    }
  };
  const first = await reconcileSchedules(deps.prisma, deps.queues);
  deps.logger.info(first, 'sync schedules reconciled');
  const timer = setInterval(() => void tick(), deps.everyMs ?? 60_000);
  return {
    async close() {
      clearInterval(timer);
    },
  };
}
