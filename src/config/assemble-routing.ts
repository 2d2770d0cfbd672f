import { canonicalJson, closestMatch, type FunctionArea, type IssuePath, type TaxonomyDefinition } from '../domain/driver/index.ts';
import type { ParsedFile } from './assemble-config.ts';
import type { ConfigIssue } from './config-issue.ts';
import { parseDurationSeconds } from './duration.ts';
import { at, where } from './issue-location.ts';
import {
  defaultSeconds,
  type DriverRouteConfig,
  type PersonConfig,
  parseReleaseInstant,
  type ReleaseConfig,
  type RoutingConfig,
  type RoutingDuration,
  type RoutingFile,
} from './routing-schema.ts';
import type { YamlSource } from './yaml-source.ts';

interface Origin {
  source: YamlSource;
  path: IssuePath;
}

/**
 * People, routing and releases merged across files (in file order), with the checks that span them:
 * one entry per person (e-mail, case-insensitive), per route and per release key; every owner and
 * escalation contact a declared person; every route a declared driver or a family of declared drivers.
 */
export function mergeRouting(
  files: readonly ParsedFile[],
  taxonomy: TaxonomyDefinition,
  issues: ConfigIssue[],
  warnings: ConfigIssue[],
): { people: PersonConfig[]; routing: RoutingConfig; releases: ReleaseConfig[] } {
  const people = mergePeople(files, issues);
  const declared = declaredPeople(people.map((p) => p.email));
  for (const p of people) {
    if (p.escalateTo === null) continue;
    const origin = p.origin;
    const path: IssuePath = [...origin.path, 'escalateTo'];
    if (p.escalateTo === p.email) issues.push({ ...at(origin.source, path), message: `${p.email} escalates to themselves`, fix: 'name whom to escalate to (their lead), or remove escalateTo' });
    else if (!declared.has(p.escalateTo)) issues.push({ ...at(origin.source, path), ...declared.issue(p.escalateTo) });
  }
  const routing = mergeRoutingSection(files, taxonomy, declared, issues, warnings);
  const releases = mergeReleases(files, issues);
  return { people: people.map(({ origin: _origin, ...person }) => person), routing, releases };
}

const normalEmail = (email: string) => email.trim().toLowerCase();

/** Order-keeping, duplicate-free: `functions: [engineering, engineering]` means engineering once. */
const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

function mergePeople(files: readonly ParsedFile[], issues: ConfigIssue[]): (PersonConfig & { origin: Origin })[] {
  const seen = new Map<string, Origin>();
  const out: (PersonConfig & { origin: Origin })[] = [];
  for (const { source, data } of files) {
    (data.people ?? []).forEach((p, index) => {
      const path: IssuePath = ['people', index];
      const email = normalEmail(p.email);
      const first = seen.get(email);
      if (first !== undefined) {
        issues.push({ ...at(source, [...path, 'email']), message: `duplicate person '${email}' (first in ${where(first.source, first.path)})`, fix: 'declare each person once (e-mails are compared case-insensitively)' });
        return;
      }
      seen.set(email, { source, path });
      out.push({ email, name: p.name, functions: unique(p.functions), escalateTo: p.escalateTo === undefined ? null : normalEmail(p.escalateTo), origin: { source, path } });
    });
  }
  return out;
}

export interface DeclaredPeople {
  has(email: string): boolean;
  /** The message and fix for an owner or escalation contact who is not declared under people:. */
  issue(email: string): { message: string; fix: string };
}

export function declaredPeople(emails: readonly string[]): DeclaredPeople {
  const known = new Set(emails);
  return {
    has: (email) => known.has(email),
    issue: (email) => {
      const near = closestEmail(email, emails);
      const add = known.size === 0
        ? `add them under people: (none declared yet), e.g. people: [{ email: ${email}, name: …, functions: [operations] }]`
        : `add them under people: (declared: ${listOf(emails)})`;
      return { message: `names ${email}, who is not declared under people:`, fix: near !== null ? `did you mean '${near}'? Otherwise ${add}` : add };
    },
  };
}

/** A likely typo of a declared e-mail: the same name at another domain, or a near name at the same domain. */
function closestEmail(email: string, emails: readonly string[]): string | null {
  const split = (e: string) => {
    const at = e.lastIndexOf('@');
    return { local: e.slice(0, at), domain: e.slice(at + 1) };
  };
  const wanted = split(email);
  const sameName = emails.find((e) => split(e).local === wanted.local);
  if (sameName !== undefined) return sameName;
  // A typo is a letter or two: 'benn' for 'ben', not 'zed' for 'ben'.
  const limit = wanted.local.length < 6 ? 1 : 2;
  let best: { email: string; distance: number } | null = null;
  for (const e of emails) {
    const { local, domain } = split(e);
    if (domain !== wanted.domain) continue;
    const distance = editDistance(wanted.local, local);
    if (distance <= limit && (best === null || distance < best.distance)) best = { email: e, distance };
  }
  return best?.email ?? null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export function listOf(values: readonly string[], max = 10): string {
  return values.length <= max ? values.join(', ') : `${values.slice(0, max).join(', ')}, … (${values.length - max} more)`;
}

const durations: readonly RoutingDuration[] = ['ackWithin', 'repeatEvery', 'releaseWindow'];
type Setting = RoutingDuration | 'default';

function mergeRoutingSection(
  files: readonly ParsedFile[],
  taxonomy: TaxonomyDefinition,
  declared: DeclaredPeople,
  issues: ConfigIssue[],
  warnings: ConfigIssue[],
): RoutingConfig {
  // Settings may be written in any one file (or repeated identically); routes are concatenated.
  const settings = new Map<Setting, { source: YamlSource; value: unknown }>();
  let firstSection: YamlSource | null = null;
  const routes: (DriverRouteConfig & { origin: Origin })[] = [];
  const seen = new Map<string, Origin>();
  const driverKeys = taxonomy.drivers.map((d) => d.key);
  for (const { source, data } of files) {
    const routing: RoutingFile | undefined = data.routing;
    if (routing === undefined) continue;
    firstSection ??= source;
    for (const name of [...durations, 'default'] as const) {
      const value = routing[name];
      if (value === undefined) continue;
      const first = settings.get(name);
      if (first === undefined) settings.set(name, { source, value });
      else if (settingValue(first.value) !== settingValue(value)) {
        issues.push({ ...at(source, ['routing', name], 'key'), message: `differs from routing.${name} in ${where(first.source, ['routing', name])}`, fix: `set routing.${name} in one file only` });
      }
    }
    (routing.drivers ?? []).forEach((r, index) => {
      const path: IssuePath = ['routing', 'drivers', index];
      const first = seen.get(r.driver);
      if (first !== undefined) {
        issues.push({ ...at(source, [...path, 'driver']), message: `duplicate route for '${r.driver}' (first in ${where(first.source, first.path)})`, fix: 'route each driver or family once (merge the entries)' });
        return;
      }
      seen.set(r.driver, { source, path });
      const problem = driverProblem(r.driver, driverKeys);
      if (problem !== null) issues.push({ ...at(source, [...path, 'driver']), ...problem });
      const owner = normalEmail(r.owner);
      if (!declared.has(owner)) issues.push({ ...at(source, [...path, 'owner']), ...declared.issue(owner) });
      routes.push({ driver: r.driver, owner, functions: unique(r.functions), measures: unique(r.measures), kpis: unique(r.kpis), detection: definedOnly(r.detection ?? {}), origin: { source, path } });
    });
  }
  const seconds = (name: RoutingDuration): number => {
    const value = settings.get(name)?.value;
    return (typeof value === 'string' || typeof value === 'number' ? parseDurationSeconds(value) : null) ?? defaultSeconds(name);
  };
  const declaredDefault = settings.get('default');
  const fallback = declaredDefault?.value as RoutingFile['default'];
  if (declaredDefault !== undefined && fallback !== undefined && !declared.has(normalEmail(fallback.owner))) {
    issues.push({ ...at(declaredDefault.source, ['routing', 'default', 'owner']), ...declared.issue(normalEmail(fallback.owner)) });
  }
  const routing: RoutingConfig = {
    ackWithinSeconds: seconds('ackWithin'),
    repeatEverySeconds: seconds('repeatEvery'),
    releaseWindowSeconds: seconds('releaseWindow'),
    default: fallback === undefined ? null : { owner: normalEmail(fallback.owner), functions: unique<FunctionArea>(fallback.functions) },
    drivers: routes.map(({ origin: _origin, ...route }) => route),
  };
  if (firstSection !== null && routing.default === null) {
    const matches = (key: string) => routing.drivers.some((r) => r.driver === key || (r.driver.endsWith('/') && key.startsWith(r.driver)));
    const unrouted = driverKeys.filter((key) => !matches(key));
    if (unrouted.length > 0) {
      warnings.push({
        ...at(firstSection, ['routing'], 'key'),
        message: `no route for ${unrouted.length === 1 ? 'driver' : 'drivers'} ${listOf(unrouted)}, and no routing.default: their items get no owner`,
        fix: 'add a route for them (or for their family, e.g. "billing/"), or a routing.default',
      });
    }
  }
  return routing;
}

/** A setting compared by meaning: `1h` and `60m` are the same duration, e-mails are case-insensitive. */
function settingValue(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(parseDurationSeconds(value) ?? value);
  const fallback = value as NonNullable<RoutingFile['default']>;
  return canonicalJson({ owner: normalEmail(fallback.owner), functions: unique(fallback.functions) });
}

/** Why `driver` routes nothing: not a declared key, or a family no declared driver belongs to. */
function driverProblem(driver: string, driverKeys: readonly string[]): { message: string; fix: string } | null {
  const families = unique(driverKeys.flatMap((key) => key.split('/').slice(0, -1).map((_, i, parts) => `${parts.slice(0, i + 1).join('/')}/`)));
  if (driver.endsWith('/')) {
    if (driverKeys.some((key) => key.startsWith(driver))) return null;
    const near = closestMatch(driver, families);
    return {
      message: `family '${driver}' matches no declared driver`,
      fix: near !== null ? `did you mean '${near}'?` : families.length > 0 ? `use a declared family (${listOf(families)}) or a driver key` : 'declare its drivers under drivers:, or remove the route',
    };
  }
  if (driverKeys.includes(driver)) return null;
  const children = driverKeys.filter((key) => key.startsWith(`${driver}/`));
  if (children.length > 0) {
    return { message: `refers to '${driver}', which is not a declared driver but a family`, fix: `write '${driver}/' to route the family (${listOf(children)})` };
  }
  const near = closestMatch(driver, driverKeys);
  return {
    message: `refers to unknown driver '${driver}'`,
    fix: near !== null ? `did you mean '${near}'?` : driverKeys.length > 0 ? `use a declared driver key (${listOf(driverKeys)}) or a family ending with "/"` : 'declare the driver under drivers:, or remove the route',
  };
}

function mergeReleases(files: readonly ParsedFile[], issues: ConfigIssue[]): ReleaseConfig[] {
  const seen = new Map<string, Origin>();
  const out: ReleaseConfig[] = [];
  for (const { source, data } of files) {
    (data.releases ?? []).forEach((r, index) => {
      const path: IssuePath = ['releases', index];
      const first = seen.get(r.key);
      if (first !== undefined) {
        issues.push({ ...at(source, [...path, 'key']), message: `duplicate release key '${r.key}' (first in ${where(first.source, first.path)})`, fix: 'give each release a unique key' });
        return;
      }
      seen.set(r.key, { source, path });
      const ms = parseReleaseInstant(r.at) ?? 0;
      out.push({ key: r.key, name: r.name, at: new Date(ms).toISOString(), products: unique(r.products) });
    });
  }
  return out;
}

/** The keys given (YAML has no undefined, zod's optional output does). */
function definedOnly<T extends Record<string, number | undefined>>(value: T): { [K in keyof T]?: number } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: number };
}
