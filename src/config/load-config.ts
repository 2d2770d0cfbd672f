import { type CompiledTaxonomy, TaxonomyError, type TaxonomyDefinition, compileTaxonomy, formatPath } from '../domain/driver/index.ts';
import { assembleConfig, type ParsedFile } from './assemble-config.ts';
import { type ConfigIssue, sortConfigIssues } from './config-issue.ts';
import { type ConnectorConfig, type OrganizationConfig, configFileSchema } from './config-schema.ts';
import type { ConnectorSpecs } from './connector-specs.ts';
import type { GovernanceConfig } from './governance-schema.ts';
import type { KpiConfig } from './kpi-schema.ts';
import type { PersonConfig, ReleaseConfig, RoutingConfig } from './routing-schema.ts';
import { missingSecretWarnings } from './secrets.ts';
import { type ReadText, readYamlSource } from './yaml-source.ts';
import { toConfigIssues } from './zod-issues.ts';

/** The whole configuration, merged from its files, validated, ready to apply. */
export interface FrontlineConfig {
  organization: OrganizationConfig;
  connectors: ConnectorConfig[];
  /** Drivers and rules of all files, rules in file order (first match wins). */
  taxonomy: TaxonomyDefinition;
  /** Everyone who owns, takes part in or is escalated items (e-mails lower-case). */
  people: PersonConfig[];
  /** Routes by driver or family, escalation timing, and the fallback route (defaults when not configured). */
  routing: RoutingConfig;
  releases: ReleaseConfig[];
  /** The governance hierarchy and its measures (empty when no file declares one). */
  governance: GovernanceConfig;
  /** KPI definitions (their nodes, drivers and time zones checked). */
  kpis: KpiConfig[];
  /** The files it was read from, in order. */
  sources: string[];
}

export type LoadResult =
  | { ok: true; config: FrontlineConfig; taxonomy: CompiledTaxonomy; warnings: ConfigIssue[] }
  | { ok: false; issues: ConfigIssue[] };

export interface LoadConfigOptions {
  /** Settings schemas (and secret names) per system; without it settings are not checked. */
  connectors?: ConnectorSpecs;
  read?: ReadText;
}

/**
 * Reads, parses and validates one or more YAML files (connectors, drivers and rules may be split
 * across them). Fails with every issue found, each naming file:line:column, path and fix. `env` is
 * only used for warnings about secret variables that are not set: they are needed at apply and run
 * time (`resolveSecrets`), not to validate the files.
 */
export async function loadConfig(paths: readonly string[], env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): Promise<LoadResult> {
  const result = await load(paths, env, options);
  return result.ok ? { ...result, warnings: sortConfigIssues(result.warnings, paths) } : { ok: false, issues: sortConfigIssues(result.issues, paths) };
}

async function load(paths: readonly string[], env: NodeJS.ProcessEnv, options: LoadConfigOptions): Promise<LoadResult> {
  if (paths.length === 0) {
    return { ok: false, issues: [{ file: '(none)', path: '', message: 'no configuration file given', fix: 'pass a file, e.g. `frontline config validate frontline.yaml`' }] };
  }
  const issues: ConfigIssue[] = [];
  const files: ParsedFile[] = [];
  for (const file of paths) {
    const read = await readYamlSource(file, options.read);
    if (!read.ok) {
      issues.push(...read.issues);
      continue;
    }
    const parsed = configFileSchema.safeParse(read.source.value);
    if (parsed.success) files.push({ source: read.source, data: parsed.data });
    else issues.push(...toConfigIssues(parsed.error.issues, read.source, configFileSchema));
  }
  // Cross-file checks on a partial set would mislead ("unknown driver" when its file failed).
  if (issues.length > 0) return { ok: false, issues };
  const assembled = assembleConfig(files, options.connectors);
  if (assembled.issues.length > 0 || assembled.organization === null) return { ok: false, issues: assembled.issues };
  const taxonomy = compileChecked(assembled.taxonomy, files);
  if (!taxonomy.ok) return { ok: false, issues: taxonomy.issues };
  const config: FrontlineConfig = {
    organization: assembled.organization,
    connectors: assembled.connectors,
    taxonomy: assembled.taxonomy,
    people: assembled.people,
    routing: assembled.routing,
    releases: assembled.releases,
    governance: assembled.governance,
    kpis: assembled.kpis,
    sources: [...paths],
  };
  return { ok: true, config, taxonomy: taxonomy.compiled, warnings: [...assembled.warnings, ...missingSecretWarnings(config.connectors, env)] };
}

/** Everything compileTaxonomy checks was checked per file already; this guards the invariant. */
function compileChecked(definition: TaxonomyDefinition, files: readonly ParsedFile[]): { ok: true; compiled: CompiledTaxonomy } | { ok: false; issues: ConfigIssue[] } {
  try {
    return { ok: true, compiled: compileTaxonomy(definition) };
  } catch (error) {
    if (!(error instanceof TaxonomyError)) throw error;
    const file = files[0]?.source.file ?? '';
    return { ok: false, issues: error.issues.map((i) => ({ file, path: formatPath(i.path), message: i.message, fix: i.fix })) };
  }
}
