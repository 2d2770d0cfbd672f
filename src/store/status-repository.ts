import type { PrismaClient } from '../generated/prisma/client.ts';
import type { FunctionArea, SyncMode, SyncRunStatus, FailureClass } from '../generated/prisma/enums.ts';

/**
 * Read models behind the HTTP API: connector status, quarantine, drivers and driver series. Every
 * query is scoped by organization ids handed in by the caller (the token's scope).
 */

export interface OrganizationRow {
  id: string;
  key: string;
  name: string;
  timeZone: string;
}

export interface SyncRunRow {
  id: bigint;
  stream: string;
  mode: SyncMode;
  status: SyncRunStatus;
  startedAt: Date;
  finishedAt: Date | null;
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  quarantined: number;
  throttled: number;
  errorClass: FailureClass | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface SyncStateRow {
  stream: string;
  cursorPresent: boolean;
  cursorUpdatedAt: Date | null;
  sourceHighWater: Date | null;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  rateBudget: unknown;
}

export interface ConnectorStatusRow {
  id: string;
  organization: { id: string; key: string };
  key: string;
  system: string;
  name: string;
  enabled: boolean;
  baseUrl: string;
  syncEverySeconds: number;
  syncState: SyncStateRow | null;
  /** Newest first. */
  runs: SyncRunRow[];
  tickets: { live: number; deleted: number };
  quarantinedUnresolved: number;
}

const runSelect = {
  id: true, stream: true, mode: true, status: true, startedAt: true, finishedAt: true, fetched: true, inserted: true,
  updated: true, unchanged: true, quarantined: true, throttled: true, errorClass: true, errorCode: true, errorMessage: true,
} as const;

export async function pingDatabase(prisma: PrismaClient, pool?: { query(sql: string): Promise<unknown> }): Promise<void> {
  if (pool) await pool.query('SELECT 1');
  else await prisma.$queryRaw`SELECT 1`;
}

export async function findOrganizations(prisma: PrismaClient, ids: readonly string[]): Promise<OrganizationRow[]> {
  return prisma.organization.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, key: true, name: true, timeZone: true },
    orderBy: { key: 'asc' },
  });
}

export interface ConnectorRef {
  id: string;
  key: string;
  organizationId: string;
  organizationKey: string;
}

/**
 * References (ids and keys, nothing else) of the connectors with this key among the organizations a
 * caller may see (keys are unique per organization only). The pipeline's full records by key are
 * connector-repository's `findConnectorsByKey`.
 */
export async function findConnectorRefs(prisma: PrismaClient, organizationIds: readonly string[], key: string): Promise<ConnectorRef[]> {
  const rows = await prisma.connector.findMany({
    where: { organizationId: { in: [...organizationIds] }, key },
    select: { id: true, key: true, organizationId: true, organization: { select: { key: true } } },
    orderBy: { organization: { key: 'asc' } },
  });
  return rows.map((r) => ({ id: r.id, key: r.key, organizationId: r.organizationId, organizationKey: r.organization.key }));
}

/** Keys of every connector of one organization. */
export async function connectorKeysOf(prisma: PrismaClient, organizationId: string): Promise<string[]> {
  const rows = await prisma.connector.findMany({ where: { organizationId }, select: { key: true }, orderBy: { key: 'asc' } });
  return rows.map((r) => r.key);
}

/**
 * Status of the connectors of `organizationIds` (optionally only those with `key`), each with its
 * newest `runsLimit` runs and the sync state of `stream`. Secrets and settings are never selected.
 */
export async function listConnectorStatus(
  prisma: PrismaClient,
  organizationIds: readonly string[],
  options: { key?: string; runsLimit: number; stream: string },
): Promise<ConnectorStatusRow[]> {
  const connectors = await prisma.connector.findMany({
    where: { organizationId: { in: [...organizationIds] }, ...(options.key === undefined ? {} : { key: options.key }) },
    select: {
      id: true, key: true, system: true, name: true, enabled: true, baseUrl: true, syncEverySeconds: true,
      organization: { select: { id: true, key: true } },
      syncStates: {
        where: { stream: options.stream },
        select: { stream: true, cursor: true, cursorUpdatedAt: true, sourceHighWater: true, lastSuccessAt: true, lastErrorAt: true, rateBudget: true },
      },
    },
    orderBy: [{ organization: { key: 'asc' } }, { key: 'asc' }],
  });
  if (connectors.length === 0) return [];
  const ids = connectors.map((c) => c.id);
  const [runs, ticketGroups, quarantineGroups] = await Promise.all([
    Promise.all(ids.map((connectorId) => prisma.syncRun.findMany({ where: { connectorId }, orderBy: [{ startedAt: 'desc' }, { id: 'desc' }], take: options.runsLimit, select: runSelect }))),
    prisma.ticket.groupBy({ by: ['connectorId', 'status'], where: { connectorId: { in: ids } }, _count: { _all: true } }),
    prisma.quarantinedRecord.groupBy({ by: ['connectorId'], where: { connectorId: { in: ids }, resolvedAt: null }, _count: { _all: true } }),
  ]);
  return connectors.map((c, index) => {
    const state = c.syncStates[0];
    const ticketsOf = ticketGroups.filter((g) => g.connectorId === c.id);
    const deleted = ticketsOf.filter((g) => g.status === 'deleted').reduce((sum, g) => sum + g._count._all, 0);
    const total = ticketsOf.reduce((sum, g) => sum + g._count._all, 0);
    return {
      id: c.id, organization: c.organization, key: c.key, system: c.system, name: c.name, enabled: c.enabled,
      baseUrl: c.baseUrl, syncEverySeconds: c.syncEverySeconds,
      syncState: state
        ? { stream: state.stream, cursorPresent: state.cursor !== null, cursorUpdatedAt: state.cursorUpdatedAt, sourceHighWater: state.sourceHighWater,
            lastSuccessAt: state.lastSuccessAt, lastErrorAt: state.lastErrorAt, rateBudget: state.rateBudget }
        : null,
      runs: runs[index] ?? [],
      tickets: { live: total - deleted, deleted },
      quarantinedUnresolved: quarantineGroups.find((g) => g.connectorId === c.id)?._count._all ?? 0,
    };
  });
}

export interface QuarantineRow {
  id: bigint;
  stream: string;
  nativeId: string | null;
  reason: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** Unresolved quarantined records of one connector, keyset-paginated by id (ascending). */
export async function listQuarantine(
  prisma: PrismaClient,
  connectorId: string,
  page: { limit: number; afterId?: bigint },
): Promise<{ items: QuarantineRow[]; nextAfterId: bigint | null }> {
  const rows = await prisma.quarantinedRecord.findMany({
    where: { connectorId, resolvedAt: null, ...(page.afterId === undefined ? {} : { id: { gt: page.afterId } }) },
    select: { id: true, stream: true, nativeId: true, reason: true, firstSeenAt: true, lastSeenAt: true },
    orderBy: { id: 'asc' },
    take: page.limit + 1,
  });
  const items = rows.slice(0, page.limit);
  return { items, nextAfterId: rows.length > page.limit ? (items.at(-1)?.id ?? null) : null };
}

export interface DriverRow {
  key: string;
  name: string;
  parentKey: string | null;
  owningFunction: FunctionArea;
  owners: string[];
  description: string | null;
}

export interface DriverCounts {
  taxonomy: { id: string; version: number; contentHash: string; createdAt: Date } | null;
  drivers: DriverRow[];
  /** Live (not deleted) tickets classified under the taxonomy, by driver key; `null` key = unmatched. */
  counts: Map<string | null, number>;
}

export async function activeTaxonomyDriverCounts(
  prisma: PrismaClient,
  organizationId: string,
  connectorId?: string,
): Promise<DriverCounts> {
  const taxonomy = await prisma.driverTaxonomy.findFirst({
    where: { organizationId, active: true },
    orderBy: { version: 'desc' },
    select: { id: true, version: true, contentHash: true, createdAt: true },
  });
  if (!taxonomy) return { taxonomy: null, drivers: [], counts: new Map() };
  const [drivers, groups] = await Promise.all([
    prisma.driver.findMany({
      where: { taxonomyId: taxonomy.id },
      select: { key: true, name: true, parentKey: true, owningFunction: true, owners: true, description: true },
      orderBy: { key: 'asc' },
    }),
    prisma.ticketClassification.groupBy({
      by: ['driverKey'],
      where: { taxonomyId: taxonomy.id, ticket: { organizationId, status: { not: 'deleted' }, ...(connectorId === undefined ? {} : { connectorId }) } },
      _count: { _all: true },
    }),
  ]);
  return { taxonomy, drivers, counts: new Map(groups.map((g) => [g.driverKey, g._count._all])) };
}

/** The series with these keys in one organization (missing keys are simply absent). */
export async function findSeries(prisma: PrismaClient, organizationId: string, keys: readonly string[]): Promise<{ id: bigint; key: string }[]> {
  return prisma.series.findMany({ where: { organizationId, key: { in: [...keys] } }, select: { id: true, key: true }, orderBy: { key: 'asc' } });
}

export async function driverExists(prisma: PrismaClient, organizationId: string, driverKey: string): Promise<boolean> {
  const [driver, series] = await Promise.all([
    prisma.driver.findFirst({ where: { key: driverKey, taxonomy: { organizationId, active: true } }, select: { id: true } }),
    prisma.series.findFirst({ where: { organizationId, kind: 'driver_volume', driverKey }, select: { id: true } }),
  ]);
  return driver !== null || series !== null;
}
