import type { Command } from 'commander';
import { storedSecretSources } from '../config/apply-plan.ts';
import { deriveHealth } from '../http/connector-health.ts';
import type { Services } from '../main/services.ts';
import { deriveConnector } from '../pipeline/derive/derive-connector.ts';
import { refreshOrganizationKpis } from '../pipeline/kpi/refresh-organization-kpis.ts';
import { runSync } from '../pipeline/pull/run-sync.ts';
import { findConnectorsByKey, listConnectors, type ConnectorRecord } from '../store/connector-repository.ts';
import { listConnectorStatus } from '../store/status-repository.ts';
import { StreamBusyError } from '../store/sync-run-repository.ts';
import { CliError } from './cli-error.ts';
import { withServices } from './run-with-services.ts';
import { createSyncProgress } from '../main/sync-progress.ts';

/** `frontline connectors list|test|sync` — thin over the same services the workers use. */
export function registerConnectorsCommand(program: Command): void {
  const connectors = program.command('connectors').description('inspect, test and sync service-desk connectors');
  connectors
    .command('list')
    .description('connectors with health, last run, lag and ticket counts')
    .option('--json', 'machine-readable output')
    .action((options: { json?: boolean }) => withServices((services) => list(services, options.json === true)));
  connectors
    .command('test')
    .description('make one authenticated call to the service desk')
    .argument('<key>', 'connector key (see `connectors list`)')
    .option('--org <key>', 'organization, when several have this connector key')
    .action((key: string, options: { org?: string }) =>
      withServices(async (services) => {
        const connector = await resolveConnector(services, key, options.org);
        const module = services.pull.modules[connector.system];
        if (!module) throw new CliError(`connector "${key}": system ${connector.system} is not supported by this version`);
        const secrets = await services.pull.secrets.load(connector.id);
        const session = module.open({
          key: connector.key, baseUrl: connector.baseUrl, allowInsecureBaseUrl: connector.allowInsecureBaseUrl,
          settings: module.settingsSchema.parse(connector.settings), secrets, clock: services.clock,
          secretSources: storedSecretSources(connector.settings),
          onSecretsRotated: (rotated) => services.pull.secrets.save(connector.id, { ...secrets, ...rotated }),
          // A test that refreshes an expired OAuth token must not race a running sync for the rotation.
          ...(services.pull.secrets.withRefreshLock
            ? { withRefreshLock: <T>(fn: (read: () => Promise<Record<string, string>>) => Promise<T>) => services.pull.secrets.withRefreshLock!(connector.id, fn) }
            : {}),
        });
        const result = await session.check();
        process.stdout.write(`${connector.key}: ok — ${result.detail}\n`);
      }),
    );
  connectors
    .command('sync')
    .description('sync a connector now, in this process, with a progress bar')
    .argument('<key>', 'connector key (see `connectors list`)')
    .option('--org <key>', 'organization, when several have this connector key')
    .option('--backfill', 're-read history from --since (resumes if interrupted); incremental otherwise')
    .option('--since <date>', 'back-fill start, e.g. 2026-01-01 (default: the connector’s backfillSince, else 90 days)')
    .option('--no-derive', 'only store tickets; leave classification and series to the workers')
    .option('--enqueue', 'hand the sync to the workers instead of running it here')
    .action((key: string, options: SyncOptions) => withServices((services) => sync(services, key, options)));
}

interface SyncOptions {
  org?: string;
  backfill?: boolean;
  since?: string;
  derive: boolean;
  enqueue?: boolean;
}

export async function resolveConnector(services: Services, key: string, org?: string): Promise<ConnectorRecord> {
  const found = await findConnectorsByKey(services.db.prisma, key, org);
  if (found.length === 1 && found[0]) return found[0];
  const known = (await listConnectors(services.db.prisma)).map((c) => `${c.organizationKey}/${c.key}`);
  if (found.length === 0) {
    throw new CliError(
      `unknown connector "${key}"${org ? ` in organization "${org}"` : ''}. ` +
        (known.length ? `Known connectors: ${known.join(', ')}.` : 'No connectors are configured yet: run `frontline config apply <file>` first.'),
      2,
    );
  }
  throw new CliError(`connector key "${key}" exists in several organizations (${found.map((c) => c.organizationKey).join(', ')}): add --org <key>`, 2);
}

async function sync(services: Services, key: string, options: SyncOptions): Promise<void> {
  const connector = await resolveConnector(services, key, options.org);
  const sinceMs = options.since === undefined ? undefined : parseSince(options.since);
  const mode = options.backfill ? 'backfill' : 'incremental';
  if (options.enqueue) {
    const id = await services.queues().enqueue('sync', { v: 1, connectorId: connector.id, mode, reason: 'manual', ...(sinceMs === undefined ? {} : { since: new Date(sinceMs).toISOString() }) });
    process.stdout.write(`queued ${mode} sync of ${connector.key} (job ${id ?? 'already queued'}); follow it with \`frontline connectors list\`\n`);
    return;
  }
  const progress = createSyncProgress(`${connector.key} ${mode}`);
  const abort = new AbortController();
  const onInterrupt = (): void => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onInterrupt);
  try {
    const result = await runSync(services.pull, {
      connector, mode, ...(sinceMs === undefined ? {} : { sinceMs }), jobId: null, signal: abort.signal, onPage: (p) => progress.update(p),
    });
    progress.stop();
    const t = result.totals;
    process.stdout.write(
      `${connector.key}: run ${result.runId} ${mode} done — ${t.pages} page(s), ${t.fetched} fetched, ${t.inserted} new, ${t.updated} changed, ` +
        `${t.unchanged} unchanged, ${t.quarantined} quarantined\n`,
    );
    if (options.derive) {
      const derived = await deriveConnector(services.derive, connector);
      process.stdout.write(`${connector.key}: ${derived.processed} ticket(s) classified (taxonomy v${derived.taxonomyVersion ?? '—'}), ${derived.pointsWritten} series point(s) written\n`);
      const kpis = await refreshOrganizationKpis(services.kpi, connector.organizationId);
      if (kpis.kpis > 0) process.stdout.write(`${connector.key}: ${kpis.kpis} KPI(s) brought up to date, ${kpis.pointsWritten} KPI point(s) written\n`);
    }
  } catch (error) {
    progress.stop();
    if (error instanceof StreamBusyError) throw new CliError(`${connector.key}: ${error.message}. Wait for it, or stop the workers running it.`, 1);
    if (abort.signal.aborted) throw new CliError(`${connector.key}: interrupted — the cursor is saved; run the same command to resume.`, 130);
    throw error;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

function parseSince(text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new CliError(`--since "${text}" is not a date: use an ISO date like 2026-01-01 or 2026-01-01T00:00:00Z`, 2);
  return ms;
}

async function list(services: Services, json: boolean): Promise<void> {
  const orgs = await services.db.prisma.organization.findMany({ select: { id: true } });
  const rows = await listConnectorStatus(services.db.prisma, orgs.map((o) => o.id), { runsLimit: 5, stream: 'tickets' });
  const now = services.clock.now();
  const view = rows.map((c) => {
    const health = deriveHealth({ runs: c.runs, lastSuccessAt: c.syncState?.lastSuccessAt ?? null, syncEverySeconds: c.syncEverySeconds, enabled: c.enabled, nowMs: now });
    const last = c.runs[0];
    const high = c.syncState?.sourceHighWater ?? c.syncState?.lastSuccessAt ?? null;
    return {
      connector: `${c.organization.key}/${c.key}`, system: c.system, enabled: c.enabled, health: health.health,
      lastRun: last ? `${last.status} ${last.finishedAt?.toISOString() ?? last.startedAt.toISOString()}` : '—',
      lagSeconds: high ? Math.max(0, Math.round((now - high.getTime()) / 1000)) : null,
      tickets: c.tickets.live, deleted: c.tickets.deleted, quarantined: c.quarantinedUnresolved,
      problem: health.reason ?? last?.errorMessage ?? '',
    };
  });
  if (json) {
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return;
  }
  if (view.length === 0) {
    process.stdout.write('no connectors configured: run `frontline config apply <file>`\n');
    return;
  }
  console.table(view);
}
