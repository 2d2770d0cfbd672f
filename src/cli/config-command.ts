import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { connectorModules } from '../../connectors/registry.ts';
import { configJsonSchemaText, formatConfigIssues, loadConfig, resolveAllSecrets, type FrontlineConfig } from '../config/index.ts';
import { applyConfig, type ApplySummary, formatGovernanceSummary, formatKpiSummary, formatRoutingSummary } from '../store/config-repository.ts';
import { requestRederive, type RederiveOutcome } from '../queue/rederive.ts';
import { CliError } from './cli-error.ts';
import { withServices } from './run-with-services.ts';

/** `frontline config validate|apply|schema` — config as code (README "Configuration"). */
export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('validate and apply configuration files (YAML)');
  config
    .command('validate')
    .description('check config files: every problem with file:line, path and the fix')
    .argument('<files...>', 'YAML files (connectors, drivers and rules may be split across files)')
    .action(async (files: string[]) => {
      const loaded = await loadChecked(files);
      for (const warning of loaded.warnings) process.stderr.write(`warning: ${formatConfigIssues([warning])}\n`);
      const c = loaded.config;
      process.stdout.write(
        `${files.join(', ')}: valid — organization ${c.organization.key}, ${c.connectors.length} connector(s), ` +
          `${c.taxonomy.drivers.length} driver(s), ${c.taxonomy.rules.length} rule(s)\n`,
      );
    });
  config
    .command('apply')
    .description('apply config files to the governance store (one transaction; idempotent)')
    .argument('<files...>', 'YAML files')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--actor <name>', 'who applies (recorded in the audit log)', process.env['USER'] ?? 'cli')
    .action(async (files: string[], options: { dryRun?: boolean; actor: string }) => {
      const loaded = await loadChecked(files);
      const { summary, rederive } = await applyLoaded(loaded.config, files, options);
      process.stdout.write(formatApplySummary(summary));
      if (rederive !== null) process.stdout.write(`${formatRederive(rederive, summary.taxonomy.changed ? 're-classification' : 'KPI series computation')}\n`);
    });
  config
    .command('schema')
    .description('print the JSON Schema of config files (for editors)')
    .option('--out <file>', 'write it to a file instead')
    .action(async (options: { out?: string }) => {
      const text = configJsonSchemaText();
      if (options.out) await writeFile(options.out, text);
      else process.stdout.write(text);
    });
}

export async function loadChecked(files: string[]): Promise<Extract<Awaited<ReturnType<typeof loadConfig>>, { ok: true }>> {
  const loaded = await loadConfig(files, process.env, { connectors: connectorModules });
  if (!loaded.ok) {
    throw new CliError(`${formatConfigIssues(loaded.issues)}\n${loaded.issues.length} problem(s) found; nothing was applied.`, 2);
  }
  return loaded;
}

export async function applyLoaded(
  config: FrontlineConfig,
  files: string[],
  options: { dryRun?: boolean; actor: string },
): Promise<{ summary: ApplySummary; rederive: RederiveOutcome | null }> {
  const secrets = resolveAllSecrets(config.connectors, process.env);
  if (!secrets.ok) throw new CliError(`${formatConfigIssues(secrets.issues)}\nnothing was applied.`, 2);
  return withServices(async (services) => {
    const result = await applyConfig(services.db.prisma, config, {
      secrets: secrets.secrets, secretBox: services.secretBox, actor: options.actor, source: files, dryRun: options.dryRun === true,
    });
    if (!result.ok) throw new CliError(`${formatConfigIssues(result.issues)}\nnothing was applied.`, 2);
    // A new taxonomy re-classifies history; a new or changed KPI is computed from it: both are derive work.
    const kpisChanged = result.summary.kpis.created.length + result.summary.kpis.versioned.length > 0;
    const changed = (result.summary.taxonomy.changed || kpisChanged) && !result.summary.dryRun;
    const rederive = changed ? await requestRederive(services.db.pool, services.queues, result.summary.organizationId) : null;
    return { summary: result.summary, rederive };
  });
}

function formatRederive(outcome: RederiveOutcome, work: string): string {
  if ('requested' in outcome) return `  ${work} requested for ${outcome.requested} connector(s): the derive workers rebuild their series`;
  return `  ${work} not requested now (${outcome.deferred}): the scheduler requests it on its next reconcile`;
}

export function formatApplySummary(s: ApplySummary): string {
  const list = (label: string, keys: string[]): string => (keys.length ? `  ${label}: ${keys.join(', ')}\n` : '');
  return (
    `${s.dryRun ? 'dry run (nothing changed): ' : ''}organization ${s.organization}\n` +
    list('connectors created', s.connectors.created) +
    list('connectors updated', s.connectors.updated) +
    list('connectors disabled', s.connectors.disabled) +
    list('connectors unchanged', s.connectors.unchanged) +
    list('secrets written', s.secrets.written) +
    formatRoutingSummary(s) +
    formatGovernanceSummary(s.governance) +
    formatKpiSummary(s.kpis) +
    `  driver taxonomy v${s.taxonomy.version} ${s.taxonomy.changed ? '(new version: history will be re-classified)' : '(unchanged)'}\n` +
    `  ${s.auditEntries} audit entr${s.auditEntries === 1 ? 'y' : 'ies'}\n`
  );
}
