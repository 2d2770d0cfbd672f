import { randomBytes } from 'node:crypto';
import { createZendeskSimulator, type ZendeskSimulator } from '../../../connectors/zendesk/simulator/index.ts';
import { connectorModules } from '../../../connectors/registry.ts';
import { scaledClock } from '../../connector-kit/clock.ts';
import { parseEnv } from '../../config/env.ts';
import { formatConfigIssues, loadConfig, resolveAllSecrets } from '../../config/index.ts';
import { createLogger } from '../../observability/logger.ts';
import { deriveConnector } from '../../pipeline/derive/derive-connector.ts';
import { detectOrganization } from '../../pipeline/detect/detect-organization.ts';
import { refreshOrganizationKpis } from '../../pipeline/kpi/refresh-organization-kpis.ts';
import { runSync } from '../../pipeline/pull/run-sync.ts';
import { createApiToken } from '../../store/api-token-repository.ts';
import { applyConfig } from '../../store/config-repository.ts';
import { addRelease } from '../../store/release-repository.ts';
import { findConnectorsByKey, type ConnectorRecord } from '../../store/connector-repository.ts';
import { classificationSummary } from '../../store/volume-summary-repository.ts';
import { devSecretBox } from '../../store/secret-box.ts';
import { createSyncProgress } from '../sync-progress.ts';
import { serve, stopOnSignals } from '../serve.ts';
import { openServices, type Services } from '../services.ts';
import { demoConfigPath } from './demo-config-path.ts';
import { printGovernance, seedGovernanceProgress } from './demo-governance.ts';
import { printInterventions } from './demo-spikes.ts';
import { resetDemoDatabase, resetDemoRedis } from './demo-environment.ts';
import { printDriverTable, printUrls, simulatedTime, storedState, truthAsStored } from './demo-report.ts';

/**
 * `frontline demo`: the service on the built-in Zendesk simulator, nothing to configure. Weeks of
 * history (with a release-driven spike in SSO configuration tickets) are back-filled with a progress
 * bar, classified into contact drivers and counted into hourly series; then the API, workers and
 * scheduler run live against the simulator while its clock runs 60× faster than real time.
 */
export interface DemoOptions {
  once: boolean;
  tickets: number;
  days: number;
  speed: number;
  port: number;
  simulatorPort: number;
  seed: number;
  /** The service's log at info and above (default: warnings and errors only; LOG_LEVEL sets any level). */
  verbose: boolean;
}

const DEMO_DATABASE = 'frontline_demo';
const DEMO_PREFIX = '{frontline-demo}';

export async function runDemo(options: DemoOptions): Promise<void> {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const base = parseEnv();
  const databaseUrl = await resetDemoDatabase(base.DATABASE_URL, DEMO_DATABASE);
  out(`demo database ${DEMO_DATABASE} created and migrated (it is reset on every demo run)`);
  await resetDemoRedis(base.REDIS_URL, DEMO_PREFIX);
  const env = Object.freeze({ ...base, DATABASE_URL: databaseUrl, FRONTLINE_REDIS_PREFIX: DEMO_PREFIX, PORT: options.port });
  const clock = scaledClock({ epochMs: Date.now(), scale: options.speed });
  const token = randomBytes(12).toString('base64url');
  // The simulator's history ends two minutes before it is created and spans `days` (connectors/zendesk/
  // simulator/build-world.ts). The back-fill starts a little before that, not at "now − days" when it
  // begins: set-up takes simulated minutes, and the first tickets would be missing from the store.
  const historyFromMs = clock.now() - options.days * 86_400_000 - 5 * 60_000;
  const simulator = createZendeskSimulator({
    clock, seed: options.seed, tickets: options.tickets, historyDays: options.days, scenario: 'release-spike', malformed: 3,
    auth: { apiToken: { email: 'demo@acme.example', token } },
  });
  const simulatorUrl = await simulator.listen(options.simulatorPort);
  out(`Zendesk simulator on ${simulatorUrl}: ${options.tickets} tickets over ${options.days} days, +40 % SSO tickets in the last 7 days (a release), clock ×${options.speed}`);
  // One readable line per log entry on stderr, never JSON lines, on a terminal or not: the demo's output is
  // a report for people. Warnings and errors only unless asked (--verbose, or LOG_LEVEL; README "Configuration").
  const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? (options.verbose ? 'info' : 'warn'), pretty: true });
  const services = openServices(env, { logger, clock, secretBox: devSecretBox(), applicationName: 'frontline-demo' });
  try {
    const connector = await applyDemoConfig(services, simulatorUrl, token);
    // The simulator's SSO spike begins 7 days before now: release 4.2 went out two days before it.
    await addRelease(services.db.prisma, {
      organizationId: connector.organizationId, key: '4.2', name: 'Acme Cloud 4.2', releasedAtMs: clock.now() - 9 * 86_400_000, products: ['identity'],
      source: 'api', actor: 'demo', nowMs: clock.now(),
    });
    await seedGovernanceProgress(services.db.pool, connector.organizationId, clock.now());
    await backfill(services, connector, options.days, historyFromMs, out);
    await printDriverTable(services.db.pool, connector, simulator, clock.now(), out);
    await detectOrganization(services.detect, connector.organizationId);
    await printInterventions(services.db.pool, connector.organizationId, 'Europe/Berlin', out);
    await printGovernance(services.db.pool, connector.organizationId, clock.now(), out);
    if (options.once) {
      await closeAll(services, simulator);
      return;
    }
    const serving = await serve(services, { role: 'all', host: env.HOST, port: options.port });
    const apiToken = await createApiToken(services.db.prisma, { name: 'demo', role: 'admin', organizationIds: [connector.organizationId] });
    printUrls(out, { apiUrl: serving.apiUrl ?? '', simulatorUrl, token: apiToken.token });
    const ticker = setInterval(() => void liveLine(services, simulator, connector, out), 15_000);
    const say = { info: (_fields: object, message: string): void => void out(message) };
    stopOnSignals({ apiUrl: serving.apiUrl, stop: async () => { clearInterval(ticker); await serving.stop(); await simulator.close(); } }, say);
  } catch (error) {
    await closeAll(services, simulator).catch(() => undefined);
    throw error;
  }
}

async function applyDemoConfig(services: Services, simulatorUrl: string, token: string): Promise<ConnectorRecord> {
  const env = { ...process.env, FRONTLINE_DEMO_ZENDESK_TOKEN: token };
  const loaded = await loadConfig([demoConfigPath], env, { connectors: connectorModules });
  if (!loaded.ok) throw new Error(`the demo config is invalid:\n${formatConfigIssues(loaded.issues)}`);
  const config = { ...loaded.config, connectors: loaded.config.connectors.map((c) => ({ ...c, baseUrl: simulatorUrl })) };
  const secrets = resolveAllSecrets(config.connectors, env);
  if (!secrets.ok) throw new Error(formatConfigIssues(secrets.issues));
  const applied = await applyConfig(services.db.prisma, config, { secrets: secrets.secrets, secretBox: services.secretBox, actor: 'demo', source: [demoConfigPath] });
  if (!applied.ok) throw new Error(formatConfigIssues(applied.issues));
  const [connector] = await findConnectorsByKey(services.db.prisma, 'zendesk-demo', config.organization.key);
  if (!connector) throw new Error('the demo connector was not created');
  return connector;
}

async function backfill(services: Services, connector: ConnectorRecord, days: number, sinceMs: number, out: (line: string) => void): Promise<void> {
  out(`back-filling ${days} days of Zendesk history (cursor export, pages sized by bytes, paced by the export limit the headers announce)…`);
  const progress = createSyncProgress('zendesk-demo back-fill');
  const started = Date.now();
  const result = await runSync(services.pull, {
    connector, mode: 'incremental', sinceMs, jobId: null, onPage: (p) => progress.update(p),
  });
  progress.stop();
  const t = result.totals;
  out(`stored ${t.inserted} tickets (${t.quarantined} malformed ones quarantined with their reason) from ${t.pages} pages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await deriveConnector(services.derive, connector); // converges anything the pages could not count
  await refreshOrganizationKpis(services.kpi, connector.organizationId);
  const c = await classificationSummary(services.db.pool, connector.id);
  out(`classified ${c.classified} tickets into contact drivers as they were stored (${c.matched} matched a rule, ${c.classified - c.matched} unmatched); ${c.points} hourly series points`);
}

async function liveLine(services: Services, simulator: ZendeskSimulator, connector: ConnectorRecord, out: (line: string) => void): Promise<void> {
  try {
    // Compared as of the newest change stored, like the driver table: tickets created after it are for the
    // next sync. In the middle of a run the store is not the source as of one instant: wait for the run.
    let stored = await storedState(services.db.pool, connector.id);
    for (let tries = 0; !stored.complete && tries < 25; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      stored = await storedState(services.db.pool, connector.id);
    }
    const now = simulatedTime(services.clock.now());
    const at = `live ${now.slice(0, 16)} (simulated): ${stored.live} live tickets stored`;
    if (!stored.complete || stored.highWaterMs === null) {
      out(`${at}; a sync is storing pages (a sync runs every 15 s)`);
      return;
    }
    const truth = truthAsStored(simulator, stored);
    const newest = simulatedTime(stored.highWaterMs);
    out(
      `${at} ${truth.live === stored.live ? '✓' : '✗'} — the simulator had ${truth.live} as of the newest change stored ` +
        `(${newest.slice(0, 10) === now.slice(0, 10) ? newest.slice(11) : newest}) and has ${simulator.truth().live} now; a sync runs every 15 s`,
    );
  } catch {
    // The ticker is informative only; shutdown may close the pool under it.
  }
}

async function closeAll(services: Services, simulator: ZendeskSimulator): Promise<void> {
  await services.close();
  await simulator.close();
}
