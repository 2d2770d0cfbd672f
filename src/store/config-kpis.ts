import type { KpiConfig } from '../config/index.ts';
import { canonicalJson } from '../domain/driver/index.ts';
import type { AuditEntry, Db } from './config-routing.ts';

/**
 * `config apply` for KPI definitions: a new key is version 1; a changed definition (node, metric,
 * filters, bucket, zone, direction, target, bands or name) becomes the next version, the previous one
 * kept inactive with its series and history; an unchanged one is left alone. A KPI config no longer
 * declares is kept as it is and reported (`notInConfig`): removals are explicit.
 */
export interface KpiApplySummary {
  created: string[];
  versioned: string[];
  unchanged: string[];
  notInConfig: string[];
}

const HIERARCHY_LEVEL = { organization: 'organization', portfolio: 'portfolio', program: 'program', project: 'project', package: 'measure_package', measure: 'measure' } as const;

export async function applyKpis(tx: Db, organizationId: string, kpis: readonly KpiConfig[], audit: AuditEntry[]): Promise<KpiApplySummary> {
  const out: KpiApplySummary = { created: [], versioned: [], unchanged: [], notInConfig: [] };
  const active = await tx.kpi.findMany({ where: { organizationId, active: true } });
  const byKey = new Map(active.map((k) => [k.key, k]));
  for (const kpi of kpis) {
    const nodeId = await nodeIdOf(tx, organizationId, kpi.node);
    const data = {
      name: kpi.name, nodeLevel: HIERARCHY_LEVEL[kpi.node.level], nodeId, metric: kpi.metric, filters: kpi.filters, bucket: kpi.bucket, timeZone: kpi.timeZone,
      direction: kpi.direction, target: kpi.target, customerBase: kpi.customers,
    };
    const existing = byKey.get(kpi.key);
    const definition = (d: {
      name: string; nodeLevel: string; nodeId: string; metric: string; filters: unknown; bucket: string; timeZone: string; direction: string; target: unknown; bands: unknown;
      customerBase: number | null;
    }) =>
      canonicalJson({
        name: d.name, nodeLevel: d.nodeLevel, nodeId: d.nodeId, metric: d.metric, filters: d.filters, bucket: d.bucket, timeZone: d.timeZone, direction: d.direction,
        target: d.target === null || d.target === undefined ? null : Number(d.target), bands: d.bands ?? null,
        // Absent from definitions stored before the customer base existed: the same as null.
        ...(d.customerBase === null ? {} : { customerBase: d.customerBase }),
      });
    if (existing && definition(existing) === definition({ ...data, bands: kpi.bands })) {
      out.unchanged.push(kpi.key);
      continue;
    }
    const latest = await tx.kpi.findFirst({ where: { organizationId, key: kpi.key }, orderBy: { version: 'desc' }, select: { version: true } });
    if (existing) await tx.kpi.update({ where: { id: existing.id }, data: { active: false } });
    const created = await tx.kpi.create({ data: { organizationId, key: kpi.key, version: (latest?.version ?? 0) + 1, active: true, ...data, ...(kpi.bands ? { bands: kpi.bands } : {}) } });
    audit.push({
      action: existing ? 'kpi.versioned' : 'kpi.created', entityType: 'kpi', entityId: created.id,
      ...(existing ? { before: { version: existing.version, definition: JSON.parse(definition(existing)) } } : {}),
      after: { key: kpi.key, version: created.version, definition: JSON.parse(definition({ ...data, bands: kpi.bands })) },
    });
    (existing ? out.versioned : out.created).push(kpi.key);
  }
  const declared = new Set(kpis.map((k) => k.key));
  out.notInConfig = active.map((k) => k.key).filter((k) => !declared.has(k)).sort();
  return out;
}

async function nodeIdOf(tx: Db, organizationId: string, node: KpiConfig['node']): Promise<string> {
  const where = { organizationId, key: node.key ?? '' };
  const row = node.level === 'organization' ? { id: organizationId }
    : node.level === 'portfolio' ? await tx.portfolio.findFirst({ where, select: { id: true } })
      : node.level === 'program' ? await tx.program.findFirst({ where, select: { id: true } })
        : node.level === 'project' ? await tx.project.findFirst({ where, select: { id: true } })
          : node.level === 'package' ? await tx.measurePackage.findFirst({ where, select: { id: true } })
            : await tx.measure.findFirst({ where, select: { id: true } });
  // Config checked the node is declared, and governance was applied first: a missing one is a bug.
  if (!row) throw new Error(`config apply: ${node.level} '${node.key ?? ''}' has no row`);
  return row.id;
}

export function formatKpiSummary(s: KpiApplySummary): string {
  const list = (label: string, keys: readonly string[]): string => (keys.length ? `  ${label}: ${keys.join(', ')}\n` : '');
  return list('KPIs created', s.created) + list('KPIs changed (new version; the old one and its history kept)', s.versioned)
    + (s.unchanged.length ? `  KPIs unchanged: ${s.unchanged.length}\n` : '') + list('KPIs no longer in config (kept)', s.notInConfig);
}
