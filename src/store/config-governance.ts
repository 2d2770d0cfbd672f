import type { GovernanceConfig, MeasureConfig } from '../config/index.ts';
import { canonicalJson } from '../domain/driver/index.ts';
import type { AuditEntry, Db } from './config-routing.ts';

/**
 * `config apply` for the governance hierarchy: business units, portfolios, programs, projects,
 * measure packages and measures upserted by key, parents resolved by key; a measure's planned
 * milestones (by title) and EBITDA plan (by period start) upserted with it. Nothing is deleted:
 * what the store has and config no longer declares is reported (`notInConfig`), for a person to
 * remove deliberately. A measure is created at Defined (config has checked its gate: people,
 * business unit, steering committee, duties apart); its stage is never config's, and a closed
 * measure is not changed (`frozen`). One audit entry per change; applying twice changes nothing.
 */
export interface LevelSummary {
  created: string[];
  updated: string[];
  unchanged: string[];
  notInConfig: string[];
}

export interface GovernanceApplySummary {
  businessUnits: LevelSummary;
  portfolios: LevelSummary;
  programs: LevelSummary;
  projects: LevelSummary;
  packages: LevelSummary;
  measures: LevelSummary & { frozen: string[] };
}

interface StoredNode {
  id: string;
  key: string;
  [field: string]: unknown;
}

interface LevelStore<T extends { key: string }> {
  entity: string;
  find(): Promise<StoredNode[]>;
  /** The row's config-controlled fields as config would write them (for comparison and audit). */
  desired(item: T): Record<string, unknown>;
  create(item: T): Promise<string>;
  update(id: string, item: T): Promise<void>;
}

const emptyLevel = (): LevelSummary => ({ created: [], updated: [], unchanged: [], notInConfig: [] });

async function applyLevel<T extends { key: string }>(store: LevelStore<T>, items: readonly T[], audit: AuditEntry[], frozen?: (row: StoredNode) => boolean): Promise<LevelSummary & { ids: Map<string, string>; frozen: string[] }> {
  const rows = await store.find();
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const out = { ...emptyLevel(), ids: new Map(rows.map((r) => [r.key, r.id])), frozen: [] as string[] };
  for (const item of items) {
    const desired = store.desired(item);
    const existing = byKey.get(item.key);
    if (existing === undefined) {
      const id = await store.create(item);
      out.ids.set(item.key, id);
      audit.push({ action: `${store.entity}.created`, entityType: store.entity, entityId: id, after: { key: item.key, ...desired } });
      out.created.push(item.key);
      continue;
    }
    const changed = Object.keys(desired).filter((field) => canonicalJson(existing[field] ?? null) !== canonicalJson(desired[field] ?? null));
    if (changed.length === 0) {
      out.unchanged.push(item.key);
      continue;
    }
    if (frozen?.(existing)) {
      out.frozen.push(item.key);
      continue;
    }
    await store.update(existing.id, item);
    audit.push({
      action: `${store.entity}.updated`, entityType: store.entity, entityId: existing.id,
      before: Object.fromEntries(changed.map((f) => [f, existing[f] ?? null])), after: Object.fromEntries(changed.map((f) => [f, desired[f] ?? null])),
    });
    out.updated.push(item.key);
  }
  const declared = new Set(items.map((i) => i.key));
  out.notInConfig = rows.map((r) => r.key).filter((k) => !declared.has(k)).sort();
  return out;
}

const isoDate = (d: Date | null): string | null => (d === null ? null : d.toISOString().slice(0, 10));
const dateOf = (value: string): Date => new Date(`${value}T00:00:00Z`);
const required = (ids: Map<string, string>, key: string, what: string): string => {
  const id = ids.get(key);
  // Config checked every parent; a missing one here is a bug, not a user's mistake.
  if (id === undefined) throw new Error(`config apply: ${what} '${key}' has no row`);
  return id;
};

export async function applyGovernance(tx: Db, organizationId: string, g: GovernanceConfig, people: Map<string, string>, audit: AuditEntry[]): Promise<GovernanceApplySummary> {
  const scope = { organizationId };
  const units = await applyLevel({
    entity: 'business_unit',
    find: () => tx.businessUnit.findMany({ where: scope, select: { id: true, key: true, name: true } }),
    desired: (u) => ({ name: u.name }),
    create: async (u) => (await tx.businessUnit.create({ data: { ...scope, key: u.key, name: u.name } })).id,
    update: async (id, u) => { await tx.businessUnit.update({ where: { id }, data: { name: u.name } }); },
  }, g.businessUnits, audit);
  const portfolios = await applyLevel({
    entity: 'portfolio',
    find: () => tx.portfolio.findMany({ where: scope, select: { id: true, key: true, name: true, goal: true } }),
    desired: (p) => ({ name: p.name, goal: p.goal }),
    create: async (p) => (await tx.portfolio.create({ data: { ...scope, key: p.key, name: p.name, goal: p.goal } })).id,
    update: async (id, p) => { await tx.portfolio.update({ where: { id }, data: { name: p.name, goal: p.goal } }); },
  }, g.portfolios, audit);
  const programs = await applyLevel({
    entity: 'program',
    find: async () => (await tx.program.findMany({ where: scope, select: { id: true, key: true, name: true, goal: true, portfolio: { select: { key: true } } } })).map(({ portfolio, ...r }) => ({ ...r, portfolio: portfolio.key })),
    desired: (p) => ({ name: p.name, goal: p.goal, portfolio: p.portfolio }),
    create: async (p) => (await tx.program.create({ data: { ...scope, key: p.key, name: p.name, goal: p.goal, portfolioId: required(portfolios.ids, p.portfolio, 'portfolio') } })).id,
    update: async (id, p) => { await tx.program.update({ where: { id }, data: { name: p.name, goal: p.goal, portfolioId: required(portfolios.ids, p.portfolio, 'portfolio') } }); },
  }, g.programs, audit);
  const projects = await applyLevel({
    entity: 'project',
    find: async () => (await tx.project.findMany({ where: scope, select: { id: true, key: true, name: true, program: { select: { key: true } } } })).map(({ program, ...r }) => ({ ...r, program: program.key })),
    desired: (p) => ({ name: p.name, program: p.program }),
    create: async (p) => (await tx.project.create({ data: { ...scope, key: p.key, name: p.name, programId: required(programs.ids, p.program, 'program') } })).id,
    update: async (id, p) => { await tx.project.update({ where: { id }, data: { name: p.name, programId: required(programs.ids, p.program, 'program') } }); },
  }, g.projects, audit);
  const packages = await applyLevel({
    entity: 'measure_package',
    find: async () => (await tx.measurePackage.findMany({ where: scope, select: { id: true, key: true, name: true, project: { select: { key: true } } } })).map(({ project, ...r }) => ({ ...r, project: project.key })),
    desired: (p) => ({ name: p.name, project: p.project }),
    create: async (p) => (await tx.measurePackage.create({ data: { ...scope, key: p.key, name: p.name, projectId: required(projects.ids, p.project, 'project') } })).id,
    update: async (id, p) => { await tx.measurePackage.update({ where: { id }, data: { name: p.name, projectId: required(projects.ids, p.project, 'project') } }); },
  }, g.packages, audit);

  const person = (email: string) => required(people, email, 'person');
  const declared = new Map(g.measures.map((m) => [m.key, { titles: new Set(m.milestones.map((x) => x.title)), plans: new Set(m.ebitdaPlan.map((p) => p.from)) }]));
  const columns = (m: MeasureConfig) => ({
    title: m.title, description: m.description, packageId: required(packages.ids, m.package, 'measure package'), businessUnitId: required(units.ids, m.businessUnit, 'business unit'),
    ownerId: person(m.owner), sponsorId: person(m.sponsor), controllerId: person(m.controller), steeringCommittee: m.steeringCommittee,
    plannedEbitda: m.plannedEbitda?.amount ?? null, currency: m.plannedEbitda?.currency ?? 'EUR',
    ebitdaPeriodStart: m.plannedEbitda ? dateOf(m.plannedEbitda.from) : null, ebitdaPeriodEnd: m.plannedEbitda ? dateOf(m.plannedEbitda.to) : null,
  });
  const measures = await applyLevel<MeasureConfig>({
    entity: 'measure',
    // Only what config declares of each measure is compared: a milestone or plan it no longer names is kept as it is.
    find: async () => (await tx.measure.findMany({
      where: scope,
      include: {
        package: { select: { key: true } }, businessUnit: { select: { key: true } }, owner: { select: { email: true } }, sponsor: { select: { email: true } }, controller: { select: { email: true } },
        milestones: { select: { title: true, dueDate: true }, orderBy: { title: 'asc' } }, ebitdaEntries: { where: { kind: 'plan' }, select: { periodStart: true, periodEnd: true, amount: true }, orderBy: { periodStart: 'asc' } },
      },
    })).map((m) => ({
      id: m.id, key: m.key, stage: m.stage, title: m.title, description: m.description, package: m.package.key, businessUnit: m.businessUnit?.key ?? null, owner: m.owner.email,
      sponsor: m.sponsor.email, controller: m.controller.email, steeringCommittee: m.steeringCommittee,
      plannedEbitda: m.plannedEbitda === null ? null : { amount: m.plannedEbitda.toNumber(), currency: m.currency, from: isoDate(m.ebitdaPeriodStart), to: isoDate(m.ebitdaPeriodEnd) },
      milestones: m.milestones.filter((x) => declared.get(m.key)?.titles.has(x.title)).map((x) => ({ title: x.title, due: isoDate(x.dueDate) })),
      ebitdaPlan: m.ebitdaEntries.map((e) => ({ from: isoDate(e.periodStart), to: isoDate(e.periodEnd), amount: e.amount.toNumber() }))
        .filter((e) => e.from !== null && declared.get(m.key)?.plans.has(e.from)),
    })),
    desired: (m) => ({
      title: m.title, description: m.description, package: m.package, businessUnit: m.businessUnit, owner: m.owner, sponsor: m.sponsor, controller: m.controller,
      steeringCommittee: m.steeringCommittee, plannedEbitda: m.plannedEbitda,
      // Compared as the store lists them (milestones by title, plans by period), so that order in the file does not count as a change.
      milestones: [...m.milestones].sort((a, b) => a.title.localeCompare(b.title)), ebitdaPlan: [...m.ebitdaPlan].sort((a, b) => a.from.localeCompare(b.from)),
    }),
    create: async (m) => {
      const row = await tx.measure.create({ data: { ...scope, key: m.key, stage: 'defined', ...columns(m) } });
      await writePlanned(tx, row.id, m);
      return row.id;
    },
    update: async (id, m) => {
      await tx.measure.update({ where: { id }, data: columns(m) });
      await writePlanned(tx, id, m);
    },
  }, g.measures, audit, (row) => row['stage'] === 'closed');
  const summary = ({ ids: _ids, frozen: _frozen, ...level }: LevelSummary & { ids: unknown; frozen: string[] }): LevelSummary => level;
  return {
    businessUnits: summary(units), portfolios: summary(portfolios), programs: summary(programs), projects: summary(projects), packages: summary(packages),
    measures: { ...summary(measures), frozen: measures.frozen },
  };
}

/** Milestones by title (a done one keeps its state) and plan entries by period start. */
async function writePlanned(tx: Db, measureId: string, m: MeasureConfig): Promise<void> {
  for (const milestone of m.milestones) {
    const existing = await tx.milestone.findFirst({ where: { measureId, title: milestone.title }, select: { id: true } });
    if (existing) await tx.milestone.update({ where: { id: existing.id }, data: { dueDate: dateOf(milestone.due) } });
    else await tx.milestone.create({ data: { measureId, title: milestone.title, dueDate: dateOf(milestone.due) } });
  }
  const currency = m.plannedEbitda?.currency ?? 'EUR';
  for (const plan of m.ebitdaPlan) {
    await tx.ebitdaEntry.upsert({
      where: { measureId_kind_periodStart: { measureId, kind: 'plan', periodStart: dateOf(plan.from) } },
      create: { measureId, kind: 'plan', periodStart: dateOf(plan.from), periodEnd: dateOf(plan.to), amount: plan.amount, currency },
      update: { periodEnd: dateOf(plan.to), amount: plan.amount, currency },
    });
  }
}

/** The governance part of `config apply`'s output. */
export function formatGovernanceSummary(s: GovernanceApplySummary): string {
  const lines: string[] = [];
  const labels: [keyof GovernanceApplySummary, string][] = [
    ['businessUnits', 'business units'], ['portfolios', 'portfolios'], ['programs', 'programs'], ['projects', 'projects'], ['packages', 'measure packages'], ['measures', 'measures'],
  ];
  for (const [level, label] of labels) {
    const l = s[level];
    if (l.created.length) lines.push(`  ${label} created: ${l.created.join(', ')}`);
    if (l.updated.length) lines.push(`  ${label} updated: ${l.updated.join(', ')}`);
    if (l.unchanged.length) lines.push(`  ${label} unchanged: ${l.unchanged.length}`);
    if (l.notInConfig.length) lines.push(`  ${label} no longer in config (kept): ${l.notInConfig.join(', ')}`);
  }
  if (s.measures.frozen.length) lines.push(`  closed measures left as they are (config differs): ${s.measures.frozen.join(', ')}`);
  return lines.map((l) => `${l}\n`).join('');
}
