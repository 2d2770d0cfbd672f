import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { connectorModules } from '../../connectors/registry.ts';
import { fieldLabelsFrom } from '../../connectors/zendesk/field-labels.ts';
import { normaliseZendeskTicket } from '../../connectors/zendesk/normalise.ts';
import { ticketFieldSchema } from '../../connectors/zendesk/raw-schemas.ts';
import { createZendeskSimulator, type ZendeskSimulator, type ZendeskSimulatorOptions } from '../../connectors/zendesk/simulator/index.ts';
import type { Clock } from '../../src/connector-kit/clock.ts';
import { parseEnv } from '../../src/config/env.ts';
import { loadConfig, resolveAllSecrets } from '../../src/config/index.ts';
import { demoConfigPath } from '../../src/main/demo/demo-config-path.ts';
import { openServices, type Services } from '../../src/main/services.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { applyConfig } from '../../src/store/config-repository.ts';
import { findConnectorsByKey, type ConnectorRecord } from '../../src/store/connector-repository.ts';
import { createSecretBox } from '../../src/store/secret-box.ts';
import { ticketFromRow } from '../../src/store/derive-repository.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';
import { createTestDatabase, testRedisPrefix, type TestDatabase } from './test-database.ts';
import { testRedisUrl } from './test-env.ts';

/**
 * A real pipeline for one test file: its own database (cloned from the migrated template), its own
 * Redis prefix, the demo config applied, and a Zendesk simulator listening on loopback. Nothing of
 * Frontline is mocked; the simulator stands in for Zendesk only.
 */
export interface PipelineFixture {
  db: TestDatabase;
  services: Services;
  simulator: ZendeskSimulator;
  simulatorUrl: string;
  connector: ConnectorRecord;
  token: string;
  secretKeys: string;
  redisPrefix: string;
  /** The environment a child `frontline` process needs to join this fixture. */
  childEnv: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

export interface FixtureOptions {
  clock: Clock;
  simulator: Omit<ZendeskSimulatorOptions, 'clock' | 'auth'>;
  /** The token the config references; defaults to the one the simulator accepts. */
  configToken?: string;
  /** Authenticate with OAuth (refresh-token rotation) instead of an API token. */
  oauth?: { accessTokenTtlMs: number };
}

const oauthClient = { clientId: 'frontline', clientSecret: 'client-secret-1', accessToken: 'access-0', refreshToken: 'refresh-0' };

export async function createPipelineFixture(options: FixtureOptions): Promise<PipelineFixture> {
  const db = await createTestDatabase();
  const token = randomBytes(9).toString('base64url');
  const auth = options.oauth
    ? { oauth: { ...oauthClient, accessTokenTtlMs: options.oauth.accessTokenTtlMs } }
    : { apiToken: { email: 'demo@acme.example', token } };
  const simulator = createZendeskSimulator({ ...options.simulator, clock: options.clock, auth });
  const simulatorUrl = await simulator.listen(0);
  const secretKeys = `t1:${randomBytes(32).toString('base64')}`;
  const redisPrefix = testRedisPrefix();
  const childEnv = {
    ...process.env, DATABASE_URL: db.url, REDIS_URL: testRedisUrl, FRONTLINE_REDIS_PREFIX: redisPrefix, FRONTLINE_SECRET_KEYS: secretKeys, LOG_LEVEL: 'warn',
  };
  const env = parseEnv(childEnv);
  const services = openServices(env, { clock: options.clock, secretBox: createSecretBox(secretKeys), logger: createLogger({ level: 'silent' }), poolSize: 4 });
  const configEnv = {
    FRONTLINE_DEMO_ZENDESK_TOKEN: options.configToken ?? token,
    ZD_CLIENT_SECRET: oauthClient.clientSecret, ZD_ACCESS_TOKEN: oauthClient.accessToken, ZD_REFRESH_TOKEN: oauthClient.refreshToken,
  };
  const loaded = await loadConfig([demoConfigPath], configEnv, { connectors: connectorModules });
  if (!loaded.ok) throw new Error(`demo config invalid: ${JSON.stringify(loaded.issues)}`);
  const oauthConnector = {
    settings: { auth: { type: 'oauth', clientId: oauthClient.clientId } },
    secrets: { clientSecret: { env: 'ZD_CLIENT_SECRET' }, accessToken: { env: 'ZD_ACCESS_TOKEN' }, refreshToken: { env: 'ZD_REFRESH_TOKEN' } },
  };
  const config = { ...loaded.config, connectors: loaded.config.connectors.map((c) => ({ ...c, baseUrl: simulatorUrl, ...(options.oauth ? oauthConnector : {}) })) };
  const secrets = resolveAllSecrets(config.connectors, configEnv);
  if (!secrets.ok) throw new Error('demo secrets unresolved');
  const applied = await applyConfig(services.db.prisma, config, { secrets: secrets.secrets, secretBox: services.secretBox, actor: 'test', source: ['demo'] });
  if (!applied.ok) throw new Error(`apply failed: ${JSON.stringify(applied.issues)}`);
  const [connector] = await findConnectorsByKey(services.db.prisma, 'zendesk-demo');
  if (!connector) throw new Error('connector missing');
  return {
    db, services, simulator, simulatorUrl, connector, token, secretKeys, redisPrefix, childEnv,
    async close() {
      await services.close();
      await simulator.close();
      await db.drop();
    },
  };
}

/** What Frontline stored, in the simulator truth's terms. */
export async function storedView(fixture: PipelineFixture): Promise<{ live: number; deletedIds: string[]; quarantinedIds: string[]; total: number }> {
  const q = <T extends object>(sql: string): Promise<T[]> => fixture.db.pool.query<T>(sql, [fixture.connector.id]).then((r) => r.rows);
  const [counts] = await q<{ live: number; total: number }>(
    'SELECT count(*) FILTER (WHERE deleted_at IS NULL)::int AS live, count(*)::int AS total FROM tickets WHERE connector_id = $1',
  );
  const deleted = await q<{ native_id: string }>("SELECT native_id FROM tickets WHERE connector_id = $1 AND status = 'deleted' ORDER BY native_id::bigint");
  const quarantined = await q<{ native_id: string }>('SELECT DISTINCT native_id FROM quarantined_records WHERE connector_id = $1 ORDER BY native_id');
  return {
    live: counts?.live ?? 0,
    total: counts?.total ?? 0,
    deletedIds: deleted.map((r) => r.native_id),
    quarantinedIds: quarantined.map((r) => r.native_id).sort((a, b) => Number(a) - Number(b)),
  };
}

/** Everything a re-sync must leave untouched: if any of these moves, something was written. */
export async function writeFingerprint(fixture: PipelineFixture): Promise<Record<string, string>> {
  const row = await fixture.db.pool.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM tickets)::text AS tickets, (SELECT coalesce(max(change_seq), 0) FROM tickets)::text AS max_seq,
       (SELECT max(changed_at) FROM tickets)::text AS ticket_changed, (SELECT count(*) FROM ticket_versions)::text AS versions,
       (SELECT count(*) FROM ticket_classifications)::text AS classifications, (SELECT max(classified_at) FROM ticket_classifications)::text AS classified,
       (SELECT count(*) FROM series_points)::text AS points, (SELECT max(updated_at) FROM series_points)::text AS points_updated,
       (SELECT count(*) FROM quarantined_records)::text AS quarantined`,
  );
  return row.rows[0] ?? {};
}

/**
 * Every stored ticket against the simulator's own records as of `asOfMs` (its truth, record by record):
 * native id, change time, content hash and status of each row — a lost update, a doubled ticket or a
 * stale version fails here even when every total matches. Records a sync cannot store (malformed, or
 * refused by PostgreSQL) must be the quarantined ones.
 */
export async function expectStoreMatchesRecords(fixture: PipelineFixture, asOfMs: number): Promise<void> {
  const baseUrl = fixture.simulatorUrl.replace(/\/+$/, '');
  const labels = fieldLabelsFrom(fixture.simulator.ticketFields(baseUrl).map((field) => ticketFieldSchema.parse(field)));
  const expected: { native_id: string; changed: string | null; hash: string; status: string }[] = [];
  const unstorable: string[] = [];
  for (const raw of fixture.simulator.records(asOfMs, baseUrl)) {
    const result = normaliseZendeskTicket(raw, labels, baseUrl);
    // PostgreSQL has no year 0: such a record is refused by the database and quarantined.
    if (!result.ok || result.ticket.createdAt.startsWith('0000-')) {
      unstorable.push(String(raw['id']));
      continue;
    }
    expected.push({ native_id: result.ticket.nativeId, changed: result.changedAt, hash: ticketContentHash(result.ticket), status: result.ticket.status });
  }
  const rows = await fixture.db.pool.query<{ native_id: string; changed: Date | null; hash: string; status: string }>(
    'SELECT native_id, source_changed_at AS changed, content_hash AS hash, status::text AS status FROM tickets WHERE connector_id = $1 ORDER BY native_id::bigint',
    [fixture.connector.id],
  );
  expect(rows.rows.map((r) => ({ ...r, changed: r.changed?.toISOString() ?? null }))).toEqual(expected);
  const quarantined = await fixture.db.pool.query<{ native_id: string }>(
    'SELECT native_id FROM (SELECT DISTINCT native_id FROM quarantined_records WHERE connector_id = $1) q ORDER BY native_id::bigint',
    [fixture.connector.id],
  );
  expect(quarantined.rows.map((r) => r.native_id)).toEqual(unstorable);
}

/**
 * Every hourly series point against a recount from scratch: the stored tickets, classified again by
 * the active taxonomy, counted per driver and UTC hour of creation (deleted tickets not at all).
 */
export async function expectSeriesEqualRecount(fixture: PipelineFixture): Promise<void> {
  const taxonomy = await fixture.services.derive.activeTaxonomy(fixture.connector.organizationId);
  if (!taxonomy) throw new Error('no active taxonomy');
  const tickets = await fixture.db.pool.query<Record<string, unknown>>(
    `SELECT native_id, key, url, subject, status::text AS status, priority::text AS priority, channel, type, customer_account, requester_ref,
       group_ref, product, component, service, category, subcategory, tags, form_id, custom_fields, csat, sla_breached, reopen_count,
       source_created_at, source_updated_at, resolved_at, closed_at, support_type
     FROM tickets WHERE connector_id = $1 AND deleted_at IS NULL`,
    [fixture.connector.id],
  );
  const recount: Record<string, number> = {};
  for (const row of tickets.rows) {
    const ticket = ticketFromRow(row);
    const hour = new Date(Math.floor(Date.parse(ticket.createdAt) / 3_600_000) * 3_600_000).toISOString();
    const key = `${taxonomy.classify(ticket)?.driverKey ?? 'unmatched'}@${hour}`;
    recount[key] = (recount[key] ?? 0) + 1;
  }
  const points = await fixture.db.pool.query<{ driver: string | null; hour: Date; value: number }>(
    `SELECT s.driver_key AS driver, p.bucket_start AS hour, p.value FROM series_points p JOIN series s ON s.id = p.series_id
      WHERE s.connector_id = $1 AND s.kind IN ('driver_volume', 'unmatched_volume') AND p.value <> 0`,
    [fixture.connector.id],
  );
  const stored = Object.fromEntries(points.rows.map((p) => [`${p.driver ?? 'unmatched'}@${p.hour.toISOString()}`, p.value]));
  expect(stored).toEqual(recount);
}
