import { randomBytes } from 'node:crypto';
import { createZendeskSimulator, type ZendeskSimulator } from '../../../connectors/zendesk/simulator/index.ts';
import { connectorModules } from '../../../connectors/registry.ts';
import { scaledClock } from '../../connector-kit/clock.ts';
import { parseEnv } from '../../config/env.ts';
import { formatConfigIssues, loadConfig, resolveAllSecrets } from '../../config/index.ts';
import { createLogger } from '../../observability/logger.ts';
import { deriveConnector } from '../../pipeline/derive/derive-connector.ts';
import { runSync } from '../../pipeline/pull/run-sync.ts';
import { createApiToken } from '../../store/api-token-repository.ts';
import { applyConfig } from '../../store/config-repository.ts';
import { findConnectorsByKey, type ConnectorRecord } from '../../store/connector-repository.ts';
import { classificationSummary } from '../../store/volume-summary-repository.ts';
import { devSecretBox } from '../../store/secret-box.ts';
import { createSyncProgress } from '../../cli/sync-progress.ts';
import { serve, stopOnSignals } from '../serve.ts';
import { openServices, type Services } from '../services.ts';
import { demoConfigPath } from './demo-config-path.ts';
import { resetDemoDatabase, resetDemoRedis } from './demo-environment.ts';
import { printDriverTable, printUrls } from './demo-report.ts';

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
  const simulator = createZendeskSimulator({
    clock, seed: options.seed, tickets: options.tickets, historyDays: options.days, scenario: 'release-spike', malformed: 3,
    auth: { apiToken: { email: 'demo@acme.example', token } },
  });
  const simulatorUrl = await simulator.listen(options.simulatorPort);
  out(`Zendesk simulator on ${simulatorUrl}: ${options.tickets} tickets over ${options.days} days, +40 % SSO tickets in the last 7 days (a release), clock ×${options.speed}`);
  const logger = createLogger({ level: options.once ? 'warn' : 'info', pretty: Boolean(process.stderr.isTTY) });
  const services = openServices(env, { logger, clock, secretBox: devSecretBox(), applicationName: 'frontline-demo' });
  try {
    const connector = await applyDemoConfig(services, simulatorUrl, token);
    await backfill(services, connector, options.days, out);
    await printDriverTable(services.db.pool, connector, simulator.truth(), clock.now(), out);
    if (options.once) {
      await closeAll(services, simulator);
      return;
    }
    const serving = await serve(services, { role: 'all', host: env.HOST, port: options.port });
    const apiToken = await createApiToken(services.db.prisma, { name: 'demo', role: 'admin', organizationIds: [connector.organizationId] });
    printUrls(out, { apiUrl: serving.apiUrl ?? '', simulatorUrl, token: apiToken.token });
    const ticker = setInterval(() => void liveLine(services, simulator, connector, out), 15_000);
    stopOnSignals({ apiUrl: serving.apiUrl, stop: async () => { clearInterval(ticker); await serving.stop(); await simulator.close(); } }, logger);
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

async function backfill(services: Services, connector: ConnectorRecord, days: number, out: (line: string) => void): Promise<void> {
  out(`back-filling ${days} days of Zendesk history (cursor export, 1000 tickets a page, 10 export requests a simulated minute)…`);
  const progress = createSyncProgress('zendesk-demo back-fill');
  const started = Date.now();
  const result = await runSync(services.pull, {
    connector, mode: 'incremental', sinceMs: services.clock.now() - days * 86_400_000, jobId: null, onPage: (p) => progress.update(p),
  });
  progress.stop();
  const t = result.totals;
  out(`stored ${t.inserted} tickets (${t.quarantined} malformed ones quarantined with their reason) from ${t.pages} pages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await deriveConnector(services.derive, connector); // converges anything the pages could not count
  const c = await classificationSummary(services.db.pool, connector.id);
  out(`classified ${c.classified} tickets into contact drivers as they were stored (${c.matched} matched a rule, ${c.classified - c.matched} unmatched); ${c.points} hourly series points`);
}

async function liveLine(services: Services, simulator: ZendeskSimulator, connector: ConnectorRecord, out: (line: string) => void): Promise<void> {
  try {
    const stored = await services.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM tickets WHERE connector_id = $1 AND deleted_at IS NULL', [connector.id]);
    const truth = simulator.truth();
    out(`live ${new Date(services.clock.now()).toISOString().slice(0, 16)} (simulated): ${stored.rows[0]?.n ?? 0} live tickets stored, simulator has ${truth.live} (a sync runs every 15 s)`);
  } catch {
    // The ticker is informative only; shutdown may close the pool under it.
  }
}

async function closeAll(services: Services, simulator: ZendeskSimulator): Promise<void> {
  await services.close();
  await simulator.close();
}
