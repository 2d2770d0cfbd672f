import { canonicalJson, formatPath, type IssuePath, type TaxonomyDefinition, type TaxonomyIssue, crossReferenceIssues } from '../domain/driver/index.ts';
import { mergeGovernance } from './assemble-governance.ts';
import { mergeKpis } from './assemble-kpis.ts';
import { declaredPeople, mergeRouting } from './assemble-routing.ts';
import type { ConfigIssue } from './config-issue.ts';
import { type ConfigFile, type ConnectorConfig, type OrganizationConfig, type OrganizationFile, toConnectorConfig, toOrganizationConfig } from './config-schema.ts';
import { type ConnectorSpecs, specFor } from './connector-specs.ts';
import type { GovernanceConfig } from './governance-schema.ts';
import type { KpiConfig } from './kpi-schema.ts';
import { at, where } from './issue-location.ts';
import type { PersonConfig, ReleaseConfig, RoutingConfig } from './routing-schema.ts';
import type { YamlSource } from './yaml-source.ts';
import { toConfigIssues } from './zod-issues.ts';

export interface ParsedFile {
  source: YamlSource;
  data: ConfigFile;
}

export interface Assembled {
  organization: OrganizationConfig | null;
  connectors: ConnectorConfig[];
  taxonomy: TaxonomyDefinition;
  people: PersonConfig[];
  routing: RoutingConfig;
  releases: ReleaseConfig[];
  governance: GovernanceConfig;
  kpis: KpiConfig[];
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** Merges the files (in the order given) and runs the checks that span items and files. */
export function assembleConfig(files: readonly ParsedFile[], specs: ConnectorSpecs | undefined): Assembled {
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  const organization = mergeOrganization(files, issues);
  const connectors = mergeConnectors(files, specs, issues, warnings);
  const taxonomy = mergeTaxonomy(files, issues);
  const { people, routing, releases } = mergeRouting(files, taxonomy, issues, warnings);
  const governance = mergeGovernance(files, declaredPeople(people.map((p) => p.email)), issues, warnings);
  const kpis = mergeKpis(files, governance, taxonomy, organization?.timeZone ?? null, issues, warnings);
  return { organization, connectors, taxonomy, people, routing, releases, governance, kpis, issues, warnings };
}

function mergeOrganization(files: readonly ParsedFile[], issues: ConfigIssue[]): OrganizationConfig | null {
  let first: { file: ParsedFile; organization: OrganizationFile } | null = null;
  for (const file of files) {
    const organization = file.data.organization;
    if (organization === undefined) continue;
    if (first === null) first = { file, organization };
    else if (canonicalJson(organization) !== canonicalJson(first.organization)) {
      issues.push({ ...at(file.source, ['organization'], 'key'), message: `differs from the organization in ${where(first.file.source, ['organization'])}`, fix: 'declare the organization in one file only' });
    }
  }
  if (first === null && files[0] !== undefined) {
    issues.push({ file: files[0].source.file, path: 'organization', message: 'is required (in one of the files)', fix: 'add `organization: { key: acme, name: Acme Corp, timeZone: Europe/Berlin }`' });
  }
  return first === null ? null : toOrganizationConfig(first.organization);
}

function mergeConnectors(files: readonly ParsedFile[], specs: ConnectorSpecs | undefined, issues: ConfigIssue[], warnings: ConfigIssue[]): ConnectorConfig[] {
  const seen = new Map<string, { source: YamlSource; index: number }>();
  const out: ConnectorConfig[] = [];
  for (const { source, data } of files) {
    (data.connectors ?? []).forEach((c, index) => {
      const path: IssuePath = ['connectors', index];
      const previous = seen.get(c.key);
      if (previous !== undefined) {
        issues.push({ ...at(source, [...path, 'key']), message: `duplicate connector key '${c.key}' (first in ${where(previous.source, ['connectors', previous.index])})`, fix: 'give each connector a unique key' });
        return;
      }
      seen.set(c.key, { source, index });
      const settings = checkConnector(c, source, path, specs, issues, warnings);
      out.push(toConnectorConfig(c, settings, { ...at(source, path) }));
    });
  }
  return out;
}

type FileConnector = NonNullable<ConfigFile['connectors']>[number];

/** Settings against the connector's schema, and the secrets those settings require. */
function checkConnector(c: FileConnector, source: YamlSource, path: IssuePath, specs: ConnectorSpecs | undefined, issues: ConfigIssue[], warnings: ConfigIssue[]): unknown {
  if (specs === undefined) return c.settings;
  const spec = specFor(specs, c.system);
  if (spec === null) {
    const available = Object.keys(specs).join(', ') || 'none';
    issues.push({ ...at(source, [...path, 'system']), message: `no '${c.system}' connector is available in this build (available: ${available})`, fix: 'use an available system, or remove the connector' });
    return c.settings;
  }
  const parsed = spec.settingsSchema.safeParse(c.settings);
  if (!parsed.success) {
    issues.push(...toConfigIssues(parsed.error.issues, source, spec.settingsSchema, [...path, 'settings']));
    return c.settings;
  }
  const required = spec.secretNames?.(parsed.data) ?? null;
  if (required === null) return parsed.data;
  for (const name of required.filter((n) => !Object.hasOwn(c.secrets, n))) {
    issues.push({ ...at(source, [...path, 'secrets']), message: `is missing secret '${name}', required by these ${c.system} settings`, fix: `add \`${name}: { env: SOME_VARIABLE }\` under secrets` });
  }
  for (const name of Object.keys(c.secrets).filter((n) => !required.includes(n))) {
    warnings.push({ ...at(source, [...path, 'secrets', name], 'key'), message: `secret '${name}' is not used by these ${c.system} settings`, fix: 'remove it, or check the auth settings' });
  }
  return parsed.data;
}

interface Origin {
  source: YamlSource;
  index: number;
}

/** Concatenates drivers and rules in file order; cross-reference issues point at the right file. */
function mergeTaxonomy(files: readonly ParsedFile[], issues: ConfigIssue[]): TaxonomyDefinition {
  const definition: TaxonomyDefinition = { drivers: [], rules: [] };
  const origins: Record<'drivers' | 'rules', Origin[]> = { drivers: [], rules: [] };
  for (const { source, data } of files) {
    (data.drivers ?? []).forEach((d, index) => {
      definition.drivers.push(d);
      origins.drivers.push({ source, index });
    });
    (data.rules ?? []).forEach((r, index) => {
      definition.rules.push(r);
      origins.rules.push({ source, index });
    });
  }
  issues.push(...crossReferenceIssues(definition).map((issue) => relocate(issue, origins, files)));
  return definition;
}

function relocate(issue: TaxonomyIssue, origins: Record<'drivers' | 'rules', Origin[]>, files: readonly ParsedFile[]): ConfigIssue {
  const [section, index, ...rest] = issue.path;
  const origin = (section === 'drivers' || section === 'rules') && typeof index === 'number' ? origins[section][index] : undefined;
  const source = origin?.source ?? files[0]?.source;
  if (source === undefined) return { file: '', path: formatPath(issue.path), message: issue.message, fix: issue.fix };
  const path: IssuePath = origin === undefined ? issue.path : [String(section), origin.index, ...rest];
  // "(first at rules[3])" names the merged index: name the file position instead.
  const message = issue.message.replace(/\(first at (drivers|rules)\[(\d+)\]\)/, (_, s: 'drivers' | 'rules', i: string) => {
    const first = origins[s][Number(i)];
    return first === undefined ? '' : `(first in ${where(first.source, [s, first.index])})`;
  });
  return { ...at(source, path), message, fix: issue.fix };
}
