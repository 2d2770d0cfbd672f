import {
  type DriverRouteRowData,
  type FrontlineConfig,
  type PersonRowData,
  type ReleaseRowData,
  driverRouteRowData,
  personRowData,
  releaseRowData,
  rowChanges,
} from '../config/index.ts';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

export type Db = PrismaClient | Prisma.TransactionClient;

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** What apply did (or, in a dry run, would do) to people, driver routes and releases. */
export interface RoutingApplySummary {
  /** By e-mail. People no longer in the config keep their rows (they may own items): `notInConfig`. */
  people: { created: string[]; updated: string[]; unchanged: string[]; notInConfig: string[] };
  /** By driver key or family prefix; the stored set is replaced by the config's. */
  routes: { created: string[]; updated: string[]; removed: string[]; unchanged: string[] };
  /** By key. Releases from config no longer in it are removed; those from the API or Jira are kept. */
  releases: { created: string[]; updated: string[]; removed: string[]; unchanged: string[] };
}

const personFields = ['email', 'name', 'function', 'functions', 'escalateTo'] as const;
const routeFields = ['ownerEmail', 'functions', 'measures', 'kpis', 'detection'] as const;
const releaseFields = ['name', 'releasedAt', 'products', 'source'] as const;

const pick = <T extends object, K extends keyof T>(row: T, fields: readonly K[]) => Object.fromEntries(fields.map((f) => [f, row[f]]));

/** People and driver routes and releases, as config declares them; one audit entry per change. */
export async function applyRouting(tx: Db, organizationId: string, config: FrontlineConfig, audit: AuditEntry[]): Promise<RoutingApplySummary> {
  return {
    people: await applyPeople(tx, organizationId, config.people.map(personRowData), audit),
    routes: await applyRoutes(tx, organizationId, config.routing.drivers.map(driverRouteRowData), audit),
    releases: await applyReleases(tx, organizationId, config.releases.map(releaseRowData), audit),
  };
}

/** Upserted by (organization, e-mail), matched case-insensitively (a row written elsewhere as Ana@… is the same person). */
async function applyPeople(tx: Db, organizationId: string, desired: readonly PersonRowData[], audit: AuditEntry[]): Promise<RoutingApplySummary['people']> {
  const rows = await tx.person.findMany({ where: { organizationId }, orderBy: { createdAt: 'asc' } });
  const byEmail = new Map<string, (typeof rows)[number]>();
  for (const row of rows) {
    const email = row.email.toLowerCase();
    if (!byEmail.has(email) || row.email === email) byEmail.set(email, row);
  }
  const out: RoutingApplySummary['people'] = { created: [], updated: [], unchanged: [], notInConfig: [] };
  for (const person of desired) {
    const existing = byEmail.get(person.email);
    if (existing === undefined) {
      const created = await tx.person.create({ data: { organizationId, ...person } });
      audit.push({ action: 'person.created', entityType: 'person', entityId: created.id, after: person });
      out.created.push(person.email);
      continue;
    }
    const changed = rowChanges(existing, person, personFields);
    if (changed.length === 0) {
      out.unchanged.push(person.email);
      continue;
    }
    await tx.person.update({ where: { id: existing.id }, data: person });
    audit.push({ action: 'person.updated', entityType: 'person', entityId: existing.id, before: pick(existing, changed), after: pick(person, changed) });
    out.updated.push(person.email);
  }
  const declared = new Set(desired.map((p) => p.email));
  out.notInConfig = [...byEmail.keys()].filter((email) => !declared.has(email)).sort();
  return out;
}

/** Replaced to exactly the config's set: created, updated, and removed when no longer declared. */
async function applyRoutes(tx: Db, organizationId: string, desired: readonly DriverRouteRowData[], audit: AuditEntry[]): Promise<RoutingApplySummary['routes']> {
  const rows = await tx.driverRoute.findMany({ where: { organizationId } });
  const stored = new Map(rows.map((r) => [r.driverPrefix, r]));
  const out: RoutingApplySummary['routes'] = { created: [], updated: [], removed: [], unchanged: [] };
  const entityId = (prefix: string) => `${organizationId}/${prefix}`;
  for (const route of desired) {
    const existing = stored.get(route.driverPrefix);
    if (existing === undefined) {
      await tx.driverRoute.create({ data: { organizationId, ...route } });
      audit.push({ action: 'driver_route.created', entityType: 'driver_route', entityId: entityId(route.driverPrefix), after: route });
      out.created.push(route.driverPrefix);
      continue;
    }
    const changed = rowChanges(existing, route, routeFields);
    if (changed.length === 0) {
      out.unchanged.push(route.driverPrefix);
      continue;
    }
    await tx.driverRoute.update({ where: { organizationId_driverPrefix: { organizationId, driverPrefix: route.driverPrefix } }, data: route });
    audit.push({ action: 'driver_route.updated', entityType: 'driver_route', entityId: entityId(route.driverPrefix), before: pick(existing, changed), after: pick(route, changed) });
    out.updated.push(route.driverPrefix);
  }
  const keep = new Set(desired.map((r) => r.driverPrefix));
  for (const row of rows.filter((r) => !keep.has(r.driverPrefix)).sort((a, b) => a.driverPrefix.localeCompare(b.driverPrefix))) {
    await tx.driverRoute.delete({ where: { organizationId_driverPrefix: { organizationId, driverPrefix: row.driverPrefix } } });
    audit.push({ action: 'driver_route.removed', entityType: 'driver_route', entityId: entityId(row.driverPrefix), before: pick(row, ['driverPrefix', ...routeFields]) });
    out.removed.push(row.driverPrefix);
  }
  return out;
}

/**
 * Upserted by (organization, key) with source 'config' (a key config declares is config's, whoever
 * wrote it first). Config releases no longer declared are removed (an item naming one keeps its
 * text; its release_id is cleared); releases from the API or Jira are left alone.
 */
async function applyReleases(tx: Db, organizationId: string, desired: readonly ReleaseRowData[], audit: AuditEntry[]): Promise<RoutingApplySummary['releases']> {
  const rows = await tx.release.findMany({ where: { organizationId } });
  const stored = new Map(rows.map((r) => [r.key, r]));
  const out: RoutingApplySummary['releases'] = { created: [], updated: [], removed: [], unchanged: [] };
  for (const release of desired) {
    const data = { ...release, releasedAt: new Date(release.releasedAt) };
    const existing = stored.get(release.key);
    if (existing === undefined) {
      const created = await tx.release.create({ data: { organizationId, ...data } });
      audit.push({ action: 'release.created', entityType: 'release', entityId: created.id, after: release });
      out.created.push(release.key);
      continue;
    }
    const changed = rowChanges(existing, release, releaseFields);
    if (changed.length === 0) {
      out.unchanged.push(release.key);
      continue;
    }
    await tx.release.update({ where: { id: existing.id }, data });
    audit.push({ action: 'release.updated', entityType: 'release', entityId: existing.id, before: pick(existing, changed), after: pick(release, changed) });
    out.updated.push(release.key);
  }
  const keep = new Set(desired.map((r) => r.key));
  for (const row of rows.filter((r) => r.source === 'config' && !keep.has(r.key)).sort((a, b) => a.key.localeCompare(b.key))) {
    await tx.release.delete({ where: { id: row.id } });
    audit.push({ action: 'release.removed', entityType: 'release', entityId: row.id, before: pick(row, ['key', ...releaseFields]) });
    out.removed.push(row.key);
  }
  return out;
}

/**
 * The routing part of `config apply`'s output (after the connector lines), in the same style:
 * changed lists by name, unchanged as counts.
 */
export function formatRoutingSummary(s: RoutingApplySummary & { organizationChanged: readonly string[] }): string {
  const list = (label: string, keys: readonly string[]): string => (keys.length ? `  ${label}: ${keys.join(', ')}\n` : '');
  const count = (label: string, keys: readonly string[]): string => (keys.length ? `  ${label}: ${keys.length}\n` : '');
  return (
    list('organization settings changed', s.organizationChanged) +
    list('people created', s.people.created) +
    list('people updated', s.people.updated) +
    count('people unchanged', s.people.unchanged) +
    list('people no longer in config (kept)', s.people.notInConfig) +
    list('driver routes created', s.routes.created) +
    list('driver routes updated', s.routes.updated) +
    list('driver routes removed', s.routes.removed) +
    count('driver routes unchanged', s.routes.unchanged) +
    list('releases created', s.releases.created) +
    list('releases updated', s.releases.updated) +
    list('releases removed', s.releases.removed) +
    count('releases unchanged', s.releases.unchanged)
  );
}
