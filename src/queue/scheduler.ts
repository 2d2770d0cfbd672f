import type pg from 'pg';
import type { Logger } from '../observability/logger.ts';
import { connectorsBehindDerive } from '../store/derive-repository.ts';
import { organizationsBehindKpis } from '../store/kpi-series-repository.ts';
import { listConnectors } from '../store/connector-repository.ts';
import { organizationsWithSeries } from '../store/series-subject-repository.ts';
import type { PrismaClient } from '../store/database.ts';
import { jobCatalog } from './job-catalog.ts';
import { jobId, jobOptions } from './job-definition.ts';
import type { SyncPayload } from './jobs/sync-job.ts';
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
  const sync = jobCatalog.jobs.sync;
  const pull = queues.queue(sync.queue);
  const connectors = await listConnectors(prisma, { enabledOnly: true });
  const wanted = new Set<string>();
  for (const connector of connectors) {
    const id = schedulerId(connector.id);
    wanted.add(id);
    const data: SyncPayload = { v: 1, connectorId: connector.id, mode: 'incremental', reason: 'schedule' };
    // The sync definition's attempts, backoff and retention (schedulers take no deduplication).
    await pull.upsertJobScheduler(id, { every: connector.syncEverySeconds * 1000 }, { name: sync.name, data, opts: jobOptions(sync) });
  }
  const removed: string[] = [];
  for (const existing of await pull.getJobSchedulers(0, -1)) {
    const key = existing.key;
    if (!wanted.has(key)) {
      await pull.removeJobScheduler(key);
      removed.push(key);
    }
  }
  return { scheduled: connectors.map((c) => `${c.organizationKey}/${c.key}`), removed };
}

export interface RunningScheduler {
  close(): Promise<void>;
}

/**
 * Derive state against the active taxonomy: a derive for every connector whose series are behind
 * (a taxonomy applied while Redis was away, a derive job lost with Redis' keys). Returns the connector ids.
 */
export async function reconcileDerives(pool: pg.Pool, queues: Queues): Promise<string[]> {
  const behind = await connectorsBehindDerive(pool);
  for (const connectorId of behind) await queues.enqueue('derive', { v: 1, connectorId });
  return behind;
}

/** The KPI stage for every organization whose KPI series are behind its tickets (a KPI applied, a job lost). */
export async function reconcileKpis(pool: pg.Pool, queues: Queues): Promise<string[]> {
  const behind = await organizationsBehindKpis(pool);
  for (const organizationId of behind) await queues.enqueue('kpi', { v: 1, organizationId });
  return behind;
}

/**
 * A detect run for every organization with series, each tick: hours close and open episodes must
 * resolve while no ticket changes (a run with nothing to evaluate costs two small queries).
 */
export async function requestDetection(pool: pg.Pool, queues: Queues): Promise<number> {
  const organizations = await organizationsWithSeries(pool);
  for (const organizationId of organizations) await queues.enqueue('detect', { v: 1, organizationId });
  return organizations.length;
}

export interface SchedulerDeps {
  prisma: PrismaClient;
  pool: pg.Pool;
  queues: Queues;
  logger: Logger;
  everyMs?: number;
}

export async function startScheduler(deps: SchedulerDeps): Promise<RunningScheduler> {
  const reconcile = async (level: 'info' | 'debug'): Promise<void> => {
    const report = await reconcileSchedules(deps.prisma, deps.queues);
    deps.logger[level](report, 'sync schedules reconciled');
    const derives = await reconcileDerives(deps.pool, deps.queues);
    if (derives.length > 0) deps.logger.info({ connectors: derives }, 'derive requested for connectors whose series are behind');
    const kpis = await reconcileKpis(deps.pool, deps.queues);
    if (kpis.length > 0) deps.logger.info({ organizations: kpis }, 'KPI series requested for organizations whose KPIs are behind');
    await requestDetection(deps.pool, deps.queues);
  };
  const tick = async (): Promise<void> => {
    try {
      await reconcile('debug');
    } catch (error) {
      deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'could not reconcile sync schedules and derives');
    }
  };
  await reconcile('info');
  const timer = setInterval(() => void tick(), deps.everyMs ?? 60_000);
  return {
    async close() {
      clearInterval(timer);
    },
  };
}
