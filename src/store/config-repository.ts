import {
  type ConfigIssue,
  type ConnectorConfig,
  type ConnectorRowData,
  type FrontlineConfig,
  configContentHash,
  connectorChanges,
  connectorRowData,
  rowChanges,
  storedReportingCadence,
  storedRouting,
} from '../config/index.ts';
import { ConnectorError } from '../connector-kit/failure.ts';
import { type CompiledTaxonomy, type FunctionArea, compileTaxonomy, hashDefinition, taxonomyInputSchema } from '../domain/driver/index.ts';
import { Prisma, type PrismaClient } from '../generated/prisma/client.ts';
import type { FunctionArea as StoredFunctionArea } from '../generated/prisma/enums.ts';
import { applyGovernance, type GovernanceApplySummary } from './config-governance.ts';
import { applyKpis, type KpiApplySummary } from './config-kpis.ts';
import { type AuditEntry, applyRouting, type Db, type RoutingApplySummary } from './config-routing.ts';
import type { SealedSecret, SecretBox } from './secret-box.ts';

/** The domain mirrors the Prisma enum without importing Prisma: this fails to compile if they drift. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<FunctionArea, StoredFunctionArea>;

export interface ApplyOptions {
  /** Resolved secret values by connector key (see `resolveAllSecrets`). Only these are written. */
  secrets: Record<string, Record<string, string>>;
  secretBox: SecretBox;
  actor: string;
  /** The config files, recorded with the apply. */
  source: readonly string[];
  /** Plan only: everything runs, then the transaction is rolled back. */
  dryRun?: boolean;
}

export interface ApplySummary {
  /** Not persisted when `dryRun` created the organization. */
  organizationId: string;
  organization: 'created' | 'unchanged' | 'updated';
  /** Which organization settings an update changed (empty when created or unchanged). */
  organizationChanged: OrganizationField[];
  connectors: { created: string[]; updated: string[]; disabled: string[]; unchanged: string[] };
  /** `connectorKey/secretName`; values are never reported. */
  secrets: { written: string[]; removed: string[] };
  taxonomy: { version: number; changed: boolean };
  people: RoutingApplySummary['people'];
  routes: RoutingApplySummary['routes'];
  releases: RoutingApplySummary['releases'];
  governance: GovernanceApplySummary;
  kpis: KpiApplySummary;
  auditEntries: number;
  dryRun: boolean;
}

export { formatGovernanceSummary, type GovernanceApplySummary } from './config-governance.ts';
export { formatKpiSummary, type KpiApplySummary } from './config-kpis.ts';
export { formatRoutingSummary, type RoutingApplySummary } from './config-routing.ts';

const organizationFields = ['name', 'timeZone', 'reportingCadence', 'routing'] as const;
type OrganizationField = (typeof organizationFields)[number];

export type ApplyResult = { ok: true; summary: ApplySummary } | { ok: false; issues: ConfigIssue[] };

/** Thrown inside the transaction to roll it back while returning a result (dry run, refused apply). */
class Rollback extends Error {
  readonly result: ApplyResult;
  constructor(result: ApplyResult) {
    super('rollback');
    this.result = result;
  }
}

/**
 * Applies a loaded config in one transaction (serialised per organization by an advisory lock):
 * organization (with its reporting cadence and routing settings), connectors (a removed one is
 * disabled, never deleted), encrypted secrets, a new taxonomy version only when its hash changed,
 * people (upserted, never deleted), driver routes (replaced to the config's set) and config releases.
 * One audit row per change and one config_applies row per apply; re-applying the same config changes
 * nothing and writes no audit rows.
 */
export async function applyConfig(prisma: PrismaClient, config: FrontlineConfig, options: ApplyOptions): Promise<ApplyResult> {
  try {
    return await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`frontline:config:${config.organization.key}`}))`;
      const audit: AuditEntry[] = [];
      const org = await applyOrganization(tx, config, audit);
      const refused = await refusedSystemChanges(tx, org.id, config.connectors);
      if (refused.length > 0) throw new Rollback({ ok: false, issues: refused });
      const connectors = { created: [] as string[], updated: [] as string[], disabled: [] as string[], unchanged: [] as string[] };
      const secrets = { written: [] as string[], removed: [] as string[] };
      for (const connector of config.connectors) {
        const outcome = await applyConnector(tx, org.id, connector, options, audit, secrets);
        connectors[outcome].push(connector.key);
      }
      connectors.disabled = await disableRemoved(tx, org.id, config.connectors, audit);
      const taxonomy = await applyTaxonomy(tx, org.id, config, audit);
      const routing = await applyRouting(tx, org.id, config, audit);
      const people = new Map((await tx.person.findMany({ where: { organizationId: org.id }, select: { id: true, email: true } })).map((p) => [p.email.toLowerCase(), p.id]));
      const governance = await applyGovernance(tx, org.id, config.governance, people, audit);
      const kpis = await applyKpis(tx, org.id, config.kpis, audit);
      const summary: ApplySummary = {
        organizationId: org.id, organization: org.outcome, organizationChanged: org.changed, connectors, secrets, taxonomy, ...routing, governance, kpis,
        auditEntries: audit.length, dryRun: options.dryRun === true,
      };
      await writeAudit(tx, org.id, options, audit);
      await tx.configApply.create({ data: { organizationId: org.id, contentHash: configContentHash(config), sources: [...options.source], actor: options.actor, summary: toJson(summary) } });
      if (options.dryRun) throw new Rollback({ ok: true, summary });
      return { ok: true, summary };
    }, { maxWait: 10_000, timeout: 60_000 });
  } catch (error) {
    if (error instanceof Rollback) return error.result;
    throw error;
  }
}

async function applyOrganization(tx: Db, config: FrontlineConfig, audit: AuditEntry[]): Promise<{ id: string; outcome: ApplySummary['organization']; changed: OrganizationField[] }> {
  const { key, name, timeZone } = config.organization;
  const desired = { name, timeZone, reportingCadence: storedReportingCadence(config.organization.reportingCadence), routing: storedRouting(config.routing) };
  const data = { name, timeZone, reportingCadence: jsonOrNull(desired.reportingCadence), routing: toJson(desired.routing) };
  const existing = await tx.organization.findUnique({ where: { key } });
  if (existing === null) {
    const created = await tx.organization.create({ data: { key, ...data } });
    audit.push({ action: 'organization.created', entityType: 'organization', entityId: created.id, after: { key, ...desired } });
    return { id: created.id, outcome: 'created', changed: [] };
  }
  const changed = rowChanges(existing, desired, organizationFields);
  if (changed.length === 0) return { id: existing.id, outcome: 'unchanged', changed };
  await tx.organization.update({ where: { id: existing.id }, data });
  const pick = (row: Record<OrganizationField, unknown>) => Object.fromEntries(changed.map((f) => [f, row[f] ?? null]));
  audit.push({ action: 'organization.updated', entityType: 'organization', entityId: existing.id, before: pick(existing), after: pick(desired) });
  return { id: existing.id, outcome: 'updated', changed };
}

/** A connector key is bound to its system for good: its tickets, cursors and series belong to it. */
async function refusedSystemChanges(tx: Db, organizationId: string, connectors: readonly ConnectorConfig[]): Promise<ConfigIssue[]> {
  const rows = await tx.connector.findMany({ where: { organizationId }, select: { key: true, system: true } });
  const stored = new Map(rows.map((r) => [r.key, r.system]));
  return connectors.flatMap((c) => {
    const system = stored.get(c.key);
    if (system === undefined || system === c.system) return [];
    const { file, path, line, column } = c.origin;
    return [{
      file, path: `${path}.system`, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }),
      message: `connector '${c.key}' was applied as ${system}; its system cannot change (got ${c.system})`,
      fix: `keep system: ${system}, or give the ${c.system} connector a new key (remove the old one to disable it)`,
    }];
  });
}

async function applyConnector(tx: Db, organizationId: string, connector: ConnectorConfig, options: ApplyOptions, audit: AuditEntry[], secrets: ApplySummary['secrets']): Promise<'created' | 'updated' | 'unchanged'> {
  const desired = connectorRowData(connector);
  const existing = await tx.connector.findUnique({ where: { organizationId_key: { organizationId, key: connector.key } } });
  let outcome: 'created' | 'updated' | 'unchanged' = 'unchanged';
  let connectorId: string;
  if (existing === null) {
    const created = await tx.connector.create({ data: { organizationId, ...rowInput(desired) } });
    connectorId = created.id;
    outcome = 'created';
    audit.push({ action: 'connector.created', entityType: 'connector', entityId: created.id, after: desired });
  } else {
    connectorId = existing.id;
    const changed = connectorChanges(existing, desired);
    if (changed.length > 0) {
      await tx.connector.update({ where: { id: existing.id }, data: rowInput(desired) });
      outcome = 'updated';
      const before = Object.fromEntries(changed.map((f) => [f, existing[f]]));
      audit.push({ action: 'connector.updated', entityType: 'connector', entityId: existing.id, before, after: Object.fromEntries(changed.map((f) => [f, desired[f]])) });
    }
  }
  const secretChanges = await syncSecrets(tx, connectorId, connector, options, audit);
  secrets.written.push(...secretChanges.written.map((n) => `${connector.key}/${n}`));
  secrets.removed.push(...secretChanges.removed.map((n) => `${connector.key}/${n}`));
  const secretsChanged = secretChanges.written.length + secretChanges.removed.length > 0;
  return outcome === 'unchanged' && secretsChanged ? 'updated' : outcome;
}

function rowInput(row: ConnectorRowData) {
  return { ...row, settings: toJson(row.settings) };
}

/**
 * Each config-managed secret keeps an `applied:<name>` row: the value config last stored. A secret
 * is written only when config now provides a different value — so a refresh token rotated at run
 * time (saveConnectorSecrets) is not overwritten by re-applying an unchanged config.
 */
async function syncSecrets(tx: Db, connectorId: string, connector: ConnectorConfig, options: ApplyOptions, audit: AuditEntry[]): Promise<{ written: string[]; removed: string[] }> {
  const rows = await tx.connectorSecret.findMany({ where: { connectorId } });
  const byName = new Map(rows.map((r) => [r.name, r]));
  const provided = options.secrets[connector.key] ?? {};
  const written: string[] = [];
  for (const [name, value] of Object.entries(provided)) {
    const applied = byName.get(appliedName(name));
    if (byName.has(name) && applied !== undefined && tryDecrypt(options.secretBox, applied, connectorId) === value) continue;
    await upsertSecret(tx, options.secretBox, connectorId, name, value);
    await upsertSecret(tx, options.secretBox, connectorId, appliedName(name), value);
    written.push(name);
    audit.push({ action: 'connector.secret_set', entityType: 'connector_secret', entityId: `${connectorId}/${name}`, after: { name, keyId: options.secretBox.keyId } });
  }
  const removed = rows
    .filter((r) => r.name.startsWith('applied:') && !Object.hasOwn(connector.secrets, r.name.slice('applied:'.length)))
    .map((r) => r.name.slice('applied:'.length));
  for (const name of removed) {
    await tx.connectorSecret.deleteMany({ where: { connectorId, name: { in: [name, appliedName(name)] } } });
    audit.push({ action: 'connector.secret_removed', entityType: 'connector_secret', entityId: `${connectorId}/${name}`, before: { name } });
  }
  return { written, removed };
}

const appliedName = (name: string) => `applied:${name}`;

function tryDecrypt(box: SecretBox, row: SealedSecret & { name: string }, connectorId: string): string | null {
  try {
    return box.decrypt(row, `${connectorId}/${row.name}`);
  } catch (error) {
    // An unreadable row (rotated-away key, altered bytes) is simply replaced by the new value.
    if (error instanceof ConnectorError) return null;
    throw error;
  }
}

async function upsertSecret(tx: Db, box: SecretBox, connectorId: string, name: string, value: string): Promise<void> {
  const sealed = box.encrypt(value, `${connectorId}/${name}`);
  await tx.connectorSecret.upsert({
    where: { connectorId_name: { connectorId, name } },
    create: { connectorId, name, ...sealed },
    update: sealed,
  });
}

async function disableRemoved(tx: Db, organizationId: string, connectors: readonly ConnectorConfig[], audit: AuditEntry[]): Promise<string[]> {
  const keep = connectors.map((c) => c.key);
  const removed = await tx.connector.findMany({ where: { organizationId, enabled: true, key: { notIn: keep } }, select: { id: true, key: true } });
  for (const row of removed) {
    await tx.connector.update({ where: { id: row.id }, data: { enabled: false } });
    audit.push({ action: 'connector.disabled', entityType: 'connector', entityId: row.id, before: { enabled: true }, after: { enabled: false } });
  }
  return removed.map((r) => r.key);
}

/** A new version only when the hash differs; an earlier identical version is re-activated instead. */
async function applyTaxonomy(tx: Db, organizationId: string, config: FrontlineConfig, audit: AuditEntry[]): Promise<ApplySummary['taxonomy']> {
  const contentHash = hashDefinition(config.taxonomy);
  const active = await tx.driverTaxonomy.findFirst({ where: { organizationId, active: true } });
  if (active?.contentHash === contentHash) return { version: active.version, changed: false };
  if (active) await tx.driverTaxonomy.update({ where: { id: active.id }, data: { active: false } });
  const earlier = await tx.driverTaxonomy.findUnique({ where: { organizationId_contentHash: { organizationId, contentHash } } });
  const target = earlier !== null
    ? await tx.driverTaxonomy.update({ where: { id: earlier.id }, data: { active: true } })
    : await createTaxonomyVersion(tx, organizationId, config, contentHash);
  audit.push({
    action: earlier !== null ? 'taxonomy.reactivated' : 'taxonomy.activated',
    entityType: 'driver_taxonomy',
    entityId: target.id,
    before: active ? { version: active.version, contentHash: active.contentHash } : null,
    after: { version: target.version, contentHash, drivers: config.taxonomy.drivers.length, rules: config.taxonomy.rules.length },
  });
  return { version: target.version, changed: true };
}

async function createTaxonomyVersion(tx: Db, organizationId: string, config: FrontlineConfig, contentHash: string): Promise<{ id: string; version: number }> {
  const latest = await tx.driverTaxonomy.aggregate({ where: { organizationId }, _max: { version: true } });
  const compiled = compileTaxonomy(config.taxonomy);
  return tx.driverTaxonomy.create({
    data: {
      organizationId,
      version: (latest._max.version ?? 0) + 1,
      contentHash,
      active: true,
      drivers: {
        createMany: {
          data: [...compiled.drivers.values()].map((d) => ({ key: d.key, name: d.name, parentKey: d.parentKey, owningFunction: d.owningFunction, owners: [...d.owners], description: d.description })),
        },
      },
      rules: { createMany: { data: compiled.rules.map((r) => ({ position: r.position, key: r.key, driverKey: r.driverKey, condition: toJson(r.condition) })) } },
    },
    select: { id: true, version: true },
  });
}

async function writeAudit(tx: Db, organizationId: string, options: ApplyOptions, audit: readonly AuditEntry[]): Promise<void> {
  if (audit.length === 0) return;
  const reason = `config apply from ${options.source.join(', ')}`;
  await tx.auditLog.createMany({
    data: audit.map((e) => ({
      organizationId, actor: options.actor, action: e.action, entityType: e.entityType, entityId: e.entityId, reason,
      ...(e.before === undefined || e.before === null ? {} : { before: toJson(e.before) }),
      ...(e.after === undefined ? {} : { after: toJson(e.after) }),
    })),
  });
}

/** The active taxonomy as stored: its row and the taxonomy compiled from its drivers and rules. */
export interface StoredTaxonomy {
  id: string;
  version: number;
  contentHash: string;
  compiled: CompiledTaxonomy;
}

/** Which taxonomy version is active (one indexed row): lets callers reuse a compiled one by id. */
export async function activeTaxonomyId(prisma: Db, organizationId: string): Promise<string | null> {
  const row = await prisma.driverTaxonomy.findFirst({ where: { organizationId, active: true }, select: { id: true } });
  return row?.id ?? null;
}

/** The organization's active taxonomy, compiled for `classify`; null before the first apply. */
export async function loadActiveTaxonomy(prisma: Db, organizationId: string): Promise<StoredTaxonomy | null> {
  const row = await prisma.driverTaxonomy.findFirst({
    where: { organizationId, active: true },
    include: { drivers: { orderBy: { key: 'asc' } }, rules: { orderBy: { position: 'asc' } } },
  });
  if (row === null) return null;
  const parsed = taxonomyInputSchema.safeParse({
    drivers: row.drivers.map((d) => ({ key: d.key, name: d.name, owningFunction: d.owningFunction, owners: d.owners, ...(d.description === null ? {} : { description: d.description }) })),
    rules: row.rules.map((r) => ({ key: r.key, driver: r.driverKey, when: r.condition })),
  });
  if (!parsed.success) {
    throw new ConnectorError(`stored driver taxonomy v${row.version} cannot be read (${parsed.error.issues[0]?.message ?? 'invalid'}): re-apply the config`, { failure: 'system', code: 'taxonomy_unreadable' });
  }
  return { id: row.id, version: row.version, contentHash: row.contentHash, compiled: compileTaxonomy(parsed.data) };
}

/** A connector's current secrets (decrypted), as the pull stage hands them to the connector. */
export async function loadConnectorSecrets(prisma: Db, connectorId: string, secretBox: SecretBox): Promise<Record<string, string>> {
  const rows = await prisma.connectorSecret.findMany({ where: { connectorId, NOT: { name: { startsWith: 'applied:' } } } });
  return Object.fromEntries(rows.map((r) => [r.name, secretBox.decrypt(r, `${connectorId}/${r.name}`)]));
}

/** Stores (upserts) secrets, e.g. OAuth tokens rotated during a run; other secrets are kept. */
export async function saveConnectorSecrets(prisma: Db, connectorId: string, secrets: Readonly<Record<string, string>>, secretBox: SecretBox): Promise<void> {
  for (const [name, value] of Object.entries(secrets)) {
    if (name.startsWith('applied:')) continue;
    await upsertSecret(prisma, secretBox, connectorId, name, value);
  }
}

/** A nullable Json column: SQL NULL for null (Prisma wants `Prisma.DbNull`, not `null`). */
function jsonOrNull(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return value === null || value === undefined ? Prisma.DbNull : toJson(value);
}

/** Plain JSON for a Prisma Json column (drops undefined members; dates become strings). */
function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) ?? {};
}
