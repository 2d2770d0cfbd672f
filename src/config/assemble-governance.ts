import { closestMatch, type IssuePath } from '../domain/driver/index.ts';
import type { ParsedFile } from './assemble-config.ts';
import { type DeclaredPeople, listOf } from './assemble-routing.ts';
import type { ConfigIssue } from './config-issue.ts';
import { emptyGovernance, type GovernanceConfig, type GovernanceFile, type MeasureConfig } from './governance-schema.ts';
import { at, where } from './issue-location.ts';
import type { YamlSource } from './yaml-source.ts';

/**
 * The governance sections of all files merged (in file order), with the checks that span them: one
 * entry per key and level; every parent, business unit and person declared; duties apart (the
 * controller is neither owner nor sponsor); one milestone per title and one plan per period start in
 * a measure. Where config declares measures, a driver route naming one it does not declare gets a warning.
 */
type Level = 'businessUnits' | 'portfolios' | 'programs' | 'projects' | 'packages' | 'measures';

const LABEL: Record<Level, string> = {
  businessUnits: 'business unit', portfolios: 'portfolio', programs: 'program', projects: 'project', packages: 'measure package', measures: 'measure',
};

interface Origin {
  source: YamlSource;
  path: IssuePath;
}

export function mergeGovernance(files: readonly ParsedFile[], people: DeclaredPeople, issues: ConfigIssue[], warnings: ConfigIssue[]): GovernanceConfig {
  const out = emptyGovernance();
  const origins = new Map<string, Origin>();
  const keep = <L extends Level>(level: L, source: YamlSource, index: number, key: string): boolean => {
    const path: IssuePath = ['governance', level, index];
    const id = `${level}:${key}`;
    const first = origins.get(id);
    if (first !== undefined) {
      issues.push({ ...at(source, [...path, 'key']), message: `duplicate ${LABEL[level]} '${key}' (first in ${where(first.source, first.path)})`, fix: `declare each ${LABEL[level]} once` });
      return false;
    }
    origins.set(id, { source, path });
    return true;
  };
  const entries = <L extends Level>(level: L) =>
    files.flatMap(({ source, data }) => ((data.governance?.[level] ?? []) as GovernanceFile[L]).map((entry, index) => ({ source, index, entry: entry as GovernanceFile[L][number] })));

  for (const { source, index, entry } of entries('businessUnits')) if (keep('businessUnits', source, index, entry.key)) out.businessUnits.push({ key: entry.key, name: entry.name });
  for (const { source, index, entry } of entries('portfolios')) if (keep('portfolios', source, index, entry.key)) out.portfolios.push({ key: entry.key, name: entry.name, goal: entry.goal ?? null });
  const programs = entries('programs').filter(({ source, index, entry }) => keep('programs', source, index, entry.key));
  const projects = entries('projects').filter(({ source, index, entry }) => keep('projects', source, index, entry.key));
  const packages = entries('packages').filter(({ source, index, entry }) => keep('packages', source, index, entry.key));
  const measures = entries('measures').filter(({ source, index, entry }) => keep('measures', source, index, entry.key));

  const declared = (level: Level) => new Set([...origins.keys()].filter((id) => id.startsWith(`${level}:`)).map((id) => id.slice(level.length + 1)));
  const parent = (level: Level, key: string, source: YamlSource, path: IssuePath): boolean => {
    const known = declared(level);
    if (known.has(key)) return true;
    const near = closestMatch(key, known);
    const add = known.size === 0 ? `declare it under governance.${level} (none declared yet)` : `declare it under governance.${level} (declared: ${listOf([...known].sort())})`;
    issues.push({ ...at(source, path), message: `names ${LABEL[level]} '${key}', which is not declared`, fix: near !== null ? `did you mean '${near}'? Otherwise ${add}` : add });
    return false;
  };

  for (const { source, index, entry } of programs) {
    if (parent('portfolios', entry.portfolio, source, ['governance', 'programs', index, 'portfolio'])) out.programs.push({ key: entry.key, name: entry.name, portfolio: entry.portfolio, goal: entry.goal ?? null });
  }
  for (const { source, index, entry } of projects) {
    if (parent('programs', entry.program, source, ['governance', 'projects', index, 'program'])) out.projects.push({ key: entry.key, name: entry.name, program: entry.program });
  }
  for (const { source, index, entry } of packages) {
    if (parent('projects', entry.project, source, ['governance', 'packages', index, 'project'])) out.packages.push({ key: entry.key, name: entry.name, project: entry.project });
  }
  for (const { source, index, entry } of measures) {
    const path: IssuePath = ['governance', 'measures', index];
    const measure = checkMeasure(entry, source, path, people, issues);
    const parentsOk = parent('packages', entry.package, source, [...path, 'package']) && parent('businessUnits', entry.businessUnit, source, [...path, 'businessUnit']);
    if (measure !== null && parentsOk) out.measures.push(measure);
  }

  // Only where config models the hierarchy: without a governance section it may be kept elsewhere.
  const measureKeys = declared('measures');
  for (const { source, data } of measureKeys.size === 0 ? [] : files) {
    (data.routing?.drivers ?? []).forEach((route, index) => route.measures?.forEach((key, k) => {
      if (measureKeys.has(key)) return;
      const near = closestMatch(key, measureKeys);
      warnings.push({
        ...at(source, ['routing', 'drivers', index, 'measures', k]),
        message: `names measure '${key}', which is not declared under governance.measures (its items will not show against a measure)`,
        fix: near !== null ? `did you mean '${near}'? Otherwise declare the measure` : 'declare the measure under governance.measures, or remove it from the route',
      });
    }));
  }
  return out;
}

type MeasureFile = GovernanceFile['measures'][number];

function checkMeasure(m: MeasureFile, source: YamlSource, path: IssuePath, people: DeclaredPeople, issues: ConfigIssue[]): MeasureConfig | null {
  const before = issues.length;
  const email = (role: 'owner' | 'sponsor' | 'controller'): string => {
    const value = m[role].trim().toLowerCase();
    if (!people.has(value)) issues.push({ ...at(source, [...path, role]), ...people.issue(value) });
    return value;
  };
  const owner = email('owner');
  const sponsor = email('sponsor');
  const controller = email('controller');
  for (const other of [['owner', owner], ['sponsor', sponsor]] as const) {
    if (controller !== other[1]) continue;
    issues.push({
      ...at(source, [...path, 'controller']), message: `the controller ${controller} is also the ${other[0]} (segregation of duties)`,
      fix: 'name a controller who neither owns nor sponsors the measure: they confirm its realised EBITDA',
    });
  }
  const titles = new Map<string, number>();
  m.milestones.forEach((milestone, k) => {
    const first = titles.get(milestone.title);
    if (first !== undefined) issues.push({ ...at(source, [...path, 'milestones', k, 'title']), message: `duplicate milestone '${milestone.title}' (first at milestones[${first}])`, fix: 'give each milestone of a measure its own title' });
    else titles.set(milestone.title, k);
  });
  const starts = new Map<string, number>();
  m.ebitdaPlan.forEach((p, k) => {
    const first = starts.get(p.from);
    if (first !== undefined) issues.push({ ...at(source, [...path, 'ebitdaPlan', k, 'from']), message: `a second plan for the period starting ${p.from} (first at ebitdaPlan[${first}])`, fix: 'one plan entry per period' });
    else starts.set(p.from, k);
  });
  if (issues.length > before) return null;
  return {
    key: m.key, title: m.title, description: m.description ?? null, package: m.package, owner, sponsor, controller, businessUnit: m.businessUnit, steeringCommittee: m.steeringCommittee,
    plannedEbitda: m.plannedEbitda ? { amount: m.plannedEbitda.amount, currency: m.plannedEbitda.currency, from: m.plannedEbitda.from, to: m.plannedEbitda.to } : null,
    milestones: m.milestones.map((x) => ({ title: x.title, due: x.due })),
    ebitdaPlan: m.ebitdaPlan.map((x) => ({ from: x.from, to: x.to, amount: x.amount })),
  };
}
