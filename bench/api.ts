// API benchmark (issue "governance store"): the governance read endpoints on loopback, against a scratch
// database seeded with --measures measures (default 5,000: 3 milestones and 4 quarterly plans each, half with a
// confirmed actual), in a hierarchy of 5 portfolios, 25 programs, 100 projects and 500 packages, and --items open
// intervention items threatening measures. Each endpoint is loaded with autocannon for --seconds at
// --connections, first with every request reading the store, then with organization-wide reads kept 5 s (as
// `frontline serve` runs; src/store/governance-snapshot.ts); latencies are every response's, from autocannon's response events (p50, p95, p99), with
// requests/s. One run, endpoints one after another in the same process. Writes JSON to bench/results/.
// KPIs: --tickets tickets (default 1,000,000) over the year before now, classified into 10 drivers, with 4 KPIs
// (a driver's volume per Berlin day, an SLA breach rate per week, the median resolution time per day, the
// backlog per day) computed in full by the KPI stage (timed), then refreshed after 1,000 ticket changes (timed);
// loaded: the KPI list, 90 days of a series, and the drill-down of one busy day.
//   npm run bench:api -- --measures 5000 --tickets 1000000 --seconds 10 --connections 10
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type pg from 'pg';
import { parseEnv } from '../src/config/env.ts';
import { buildApp } from '../src/http/build-app.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createMetrics } from '../src/observability/metrics.ts';
import { createApiToken } from '../src/store/api-token-repository.ts';
import { databaseUrlFor, openDatabase } from '../src/store/database.ts';
import { refreshKpiSeries } from '../src/store/kpi-series-repository.ts';
import { migrate } from '../src/store/migrate.ts';
import { adminUrl, withClient } from './lib/pg-client.ts';

const { values } = parseArgs({
  options: {
    measures: { type: 'string', default: '5000' },
    tickets: { type: 'string', default: '1000000' },
    items: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    out: { type: 'string', default: fileURLToPath(new URL('./results/', import.meta.url)) },
  },
});
const MEASURES = Number(values.measures);
const TICKETS = Number(values.tickets);
const ITEMS = Number(values.items);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const log = (line: string): boolean => process.stderr.write(`${line}\n`);

const base = parseEnv();
const name = `frontline_bench_api_${randomBytes(4).toString('hex')}`;
await withClient(adminUrl(base.DATABASE_URL), (c) => c.query(`CREATE DATABASE "${name}"`));
const url = databaseUrlFor(base.DATABASE_URL, name);
try {
  await migrate(url);
  const db = openDatabase(url, { applicationName: 'frontline-bench-api' });
  const { pool, prisma } = db;
  const seedStart = performance.now();
  const org = await seed(pool);
  log(`seeded ${MEASURES} measures and ${ITEMS} open items in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
  const kpi = await seedKpis(pool, org);
  log(`seeded ${TICKETS} tickets in ${kpi.ticketsSeconds.toFixed(1)} s; KPI stage: full computation ${kpi.fullSeconds.toFixed(1)} s (${kpi.perKpi.map((k) => `${k.key} ${k.seconds.toFixed(1)} s`).join(', ')}), refresh after 1,000 changes ${kpi.refreshSeconds.toFixed(2)} s`);
  const token = (await createApiToken(prisma, { name: 'bench', role: 'executive', organizationIds: [org] })).token;
  const endpoints = [
    { name: 'measure list (first page of 50)', path: '/api/v1/measures?limit=50' },
    { name: 'measure list filtered by status gap', path: '/api/v1/measures?status=gap&limit=50' },
    { name: 'one measure', path: '/api/v1/measures/m-02500' },
    { name: 'executive summary', path: '/api/v1/executive-summary' },
    { name: 'hierarchy with roll-ups', path: '/api/v1/hierarchy' },
    { name: 'KPI list (4 KPIs with standing)', path: '/api/v1/kpis' },
    { name: 'KPI series, 90 days', path: `/api/v1/kpis/sso-per-day/series?from=${new Date(Date.now() - 90 * 86_400_000).toISOString()}` },
    { name: 'KPI series, backlog 90 days', path: `/api/v1/kpis/backlog-per-day/series?from=${new Date(Date.now() - 90 * 86_400_000).toISOString()}` },
    { name: 'KPI drill-down, one day (first 50)', path: `/api/v1/kpis/sso-per-day/points/${kpi.busyDay}/tickets?limit=50` },
  ];
  const results = [];
  // Twice: reading the store on every request (snapshot TTL 0), then as served (organization-wide reads kept 5 s).
  for (const snapshots of ['every request reads the store', 'kept 5 s (as served)'] as const) {
  const app = buildApp({
    prisma, pool, logger: createLogger({ level: 'warn' }), metrics: createMetrics({ defaultMetrics: false }),
    governanceSnapshotTtlMs: snapshots === 'kept 5 s (as served)' ? 5_000 : 0,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  log(`governance snapshots: ${snapshots}`);
  for (const e of endpoints) {
    const latencies: number[] = [];
    const instance = autocannon({ url: `${address}${e.path}`, connections: CONNECTIONS, duration: SECONDS, headers: { authorization: `Bearer ${token}` } });
    (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
    const r = await instance;
    latencies.sort((a, b) => a - b);
    const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
    const row = { ...e, snapshots, requests: latencies.length, non2xx: r.non2xx, errors: r.errors, requestsPerSecond: r.requests.average, p50Ms: q(0.5), p95Ms: q(0.95), p99Ms: q(0.99) };
    results.push(row);
    log(`  ${e.name.padEnd(40)} p50 ${row.p50Ms.toFixed(1)} ms  p95 ${row.p95Ms.toFixed(1)} ms  p99 ${row.p99Ms.toFixed(1)} ms  ${row.requestsPerSecond.toFixed(0)} req/s  (${row.requests} responses, ${row.non2xx} non-2xx)`);
  }
  await app.close();
  }
  await db.close();
  const report = {
    kind: 'api', at: new Date().toISOString(), machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    settings: { measures: MEASURES, openItems: ITEMS, tickets: TICKETS, seconds: SECONDS, connections: CONNECTIONS, target: 'p95 ≤ 50 ms' },
    kpiStage: { fullSeconds: kpi.fullSeconds, perKpi: kpi.perKpi, refreshAfter1000ChangesSeconds: kpi.refreshSeconds, ticketsSeedSeconds: kpi.ticketsSeconds },
    results,
  };
  await mkdir(values.out, { recursive: true });
  const file = `${values.out}api-${report.at.replace(/[:.]/g, '-')}.json`;
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`results: ${file}`);
} finally {
  await withClient(adminUrl(base.DATABASE_URL), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** The portfolio, in SQL: deterministic (no random numbers), so every run measures the same data. */
async function seed(pool: pg.Pool): Promise<string> {
  const q = (sql: string, params: unknown[] = []) => pool.query(sql, params);
  const org = (await q("INSERT INTO organizations (id, key, name, time_zone, updated_at) VALUES (gen_random_uuid(), 'acme', 'Acme', 'Europe/Berlin', now()) RETURNING id")).rows[0].id as string;
  await q(`INSERT INTO people (id, organization_id, email, name) SELECT gen_random_uuid(), $1, 'p' || g || '@acme.example', 'Person ' || g FROM generate_series(1, 150) g`, [org]);
  await q("INSERT INTO business_units (id, organization_id, key, name) VALUES (gen_random_uuid(), $1, 'service', 'Customer Service')", [org]);
  await q(`INSERT INTO portfolios (id, organization_id, key, name, goal) SELECT gen_random_uuid(), $1, 'pf-' || g, 'Portfolio ' || g, 'Goal ' || g FROM generate_series(1, 5) g`, [org]);
  await q(`INSERT INTO programs (id, organization_id, portfolio_id, key, name, goal) SELECT gen_random_uuid(), $1, (SELECT id FROM portfolios WHERE key = 'pf-' || (1 + g % 5)), 'pg-' || g, 'Program ' || g, 'Goal' FROM generate_series(1, 25) g`, [org]);
  await q(`INSERT INTO projects (id, organization_id, program_id, key, name) SELECT gen_random_uuid(), $1, (SELECT id FROM programs WHERE key = 'pg-' || (1 + g % 25)), 'pj-' || g, 'Project ' || g FROM generate_series(1, 100) g`, [org]);
  await q(`INSERT INTO measure_packages (id, organization_id, project_id, key, name) SELECT gen_random_uuid(), $1, (SELECT id FROM projects WHERE key = 'pj-' || (1 + g % 100)), 'pk-' || g, 'Package ' || g FROM generate_series(1, 500) g`, [org]);
  await q(
    `INSERT INTO measures (id, organization_id, package_id, key, title, business_unit_id, owner_id, sponsor_id, controller_id, steering_committee, stage, planned_ebitda, currency, ebitda_period_start, ebitda_period_end, updated_at)
     SELECT gen_random_uuid(), $1, k.id, 'm-' || lpad(g::text, 5, '0'), 'Measure ' || g, (SELECT id FROM business_units LIMIT 1),
            (SELECT id FROM people WHERE email = 'p' || (1 + g % 50) || '@acme.example'), (SELECT id FROM people WHERE email = 'p' || (51 + g % 50) || '@acme.example'),
            (SELECT id FROM people WHERE email = 'p' || (101 + g % 50) || '@acme.example'), 'SteerCo',
            (ARRAY['defined','identified','detailed','decided','implemented']::"MeasureStage"[])[1 + g % 5], 400000, 'EUR', '2026-01-01', '2026-12-31', now()
       FROM generate_series(1, $2::int) g JOIN measure_packages k ON k.key = 'pk-' || (1 + g % 500)`,
    [org, MEASURES],
  );
  await q(`INSERT INTO milestones (id, measure_id, title, due_date, status)
           SELECT gen_random_uuid(), m.id, 'Milestone ' || n, DATE '2026-03-31' + (n * 90), CASE WHEN n = 1 THEN 'done'::"MilestoneStatus" ELSE 'planned'::"MilestoneStatus" END
             FROM measures m CROSS JOIN generate_series(1, 3) n`);
  await q(`INSERT INTO ebitda_entries (id, measure_id, kind, period_start, period_end, amount, currency)
           SELECT gen_random_uuid(), m.id, 'plan', (DATE '2026-01-01' + ((n - 1) * INTERVAL '3 months'))::date, (DATE '2026-01-01' + (n * INTERVAL '3 months') - INTERVAL '1 day')::date, 100000, 'EUR'
             FROM measures m CROSS JOIN generate_series(1, 4) n`);
  await q(`INSERT INTO ebitda_entries (id, measure_id, kind, period_start, period_end, amount, currency, confirmed_by, confirmed_at)
           SELECT gen_random_uuid(), m.id, 'actual', DATE '2026-01-01', DATE '2026-03-31', CASE WHEN right(m.key, 1) IN ('0', '2', '4') THEN 100000 ELSE 60000 END, 'EUR', m.controller_id, now()
             FROM measures m WHERE right(m.key, 1) IN ('0', '2', '4', '6', '8')`);
  await q(
    `INSERT INTO intervention_items (id, organization_id, fingerprint, title, narrative, severity, due_at, status, evidence, updated_at)
     SELECT gen_random_uuid(), $1, 'bench/' || g, 'Driver ' || g || ' tickets +40 %', 'Tickets rose', 'high', now() + interval '2 days', 'open',
            jsonb_build_object('signals', jsonb_build_array(jsonb_build_object('affectedCustomers', 10 + g)), 'threatens', jsonb_build_object('measures', jsonb_build_array('m-' || lpad((1 + g * 17 % $3::int)::text, 5, '0')), 'kpis', '[]'::jsonb)), now()
       FROM generate_series(1, $2::int) g`,
    [org, ITEMS, MEASURES],
  );
  await q('ANALYZE');
  return org;
}

/**
 * Tickets and KPIs, in SQL (deterministic): TICKETS tickets spread evenly over the 365 days before now, each
 * classified into one of 10 drivers, a quarter with an SLA state, 80 % resolved within 0–95 h. Then the KPI
 * stage computes 4 KPIs in full, and once more after 1,000 tickets change (resolved now).
 */
async function seedKpis(pool: pg.Pool, org: string): Promise<{ ticketsSeconds: number; fullSeconds: number; perKpi: { key: string; seconds: number }[]; refreshSeconds: number; busyDay: string }> {
  const q = (sql: string, params: unknown[] = []) => pool.query(sql, params);
  const t0 = performance.now();
  const connector = (await q(`INSERT INTO connectors (id, organization_id, key, system, name, base_url, updated_at) VALUES (gen_random_uuid(), $1, 'zendesk-main', 'zendesk', 'Zendesk', 'https://acme.zendesk.com', now()) RETURNING id`, [org])).rows[0].id as string;
  const taxonomy = (await q(`INSERT INTO driver_taxonomies (id, organization_id, version, content_hash, active) VALUES (gen_random_uuid(), $1, 1, 'bench', true) RETURNING id`, [org])).rows[0].id as string;
  await q(
    `INSERT INTO tickets (organization_id, connector_id, native_id, status, priority, subject, source_created_at, source_updated_at, resolved_at, sla_breached, content_hash, normaliser_version)
     SELECT $1, $2, g::text, CASE WHEN g % 5 = 0 THEN 'open' ELSE 'resolved' END::"TicketStatus", 'normal', 'Ticket ' || g,
            now() - interval '365 days' + (g * (365 * 86400.0 / $3::int)) * interval '1 second', now(),
            CASE WHEN g % 5 = 0 THEN NULL ELSE now() - interval '365 days' + (g * (365 * 86400.0 / $3::int)) * interval '1 second' + (g % 96) * interval '1 hour' END,
            CASE WHEN g % 4 = 0 THEN g % 7 = 0 END, md5(g::text), 3
       FROM generate_series(1, $3::int) g`,
    [org, connector, TICKETS],
  );
  const drivers = ['configuration/sso', 'configuration/integrations', 'access/login', 'billing/invoice', 'billing/refund', 'product/bug', 'product/how-to', 'account/cancellation', 'account/plan', 'other/general'];
  await q(
    `INSERT INTO ticket_classifications (ticket_id, taxonomy_id, driver_key, rule_key, ticket_hash)
     SELECT t.id, $2, ($3::text[])[1 + (t.native_id::int % 10)], 'r', t.content_hash FROM tickets t WHERE t.connector_id = $1`,
    [connector, taxonomy, drivers],
  );
  await q(`INSERT INTO derive_states (connector_id, taxonomy_id, last_seq, updated_at) SELECT $1, $2, max(change_seq), now() FROM tickets WHERE connector_id = $1`, [connector, taxonomy]);
  await q('ANALYZE');
  const ticketsSeconds = (performance.now() - t0) / 1000;
  const kpis = [
    { key: 'sso-per-day', metric: 'volume', bucket: 'day', drivers: ['configuration/sso'] },
    { key: 'sla-per-week', metric: 'sla_breach_rate', bucket: 'week', drivers: [] },
    { key: 'resolution-per-day', metric: 'resolution_time', bucket: 'day', drivers: ['configuration/'] },
    { key: 'backlog-per-day', metric: 'backlog', bucket: 'day', drivers: [] },
  ];
  const perKpi: { key: string; seconds: number }[] = [];
  const full = performance.now();
  for (const k of kpis) {
    await q(
      `INSERT INTO kpis (id, organization_id, key, name, node_level, node_id, metric, filters, bucket, time_zone, direction, target)
       VALUES (gen_random_uuid(), $1, $2, $2, 'organization', $1, $3::"KpiMetric", $4::jsonb, $5::"Bucket", 'Europe/Berlin', 'down_is_good', 100)`,
      [org, k.key, k.metric, JSON.stringify({ drivers: k.drivers, connectors: [], priorities: [], products: [], segments: [] }), k.bucket],
    );
    const one = performance.now();
    await refreshKpiSeries(pool, { id: connector, organizationId: org, key: 'zendesk-main' }, new Date());
    perKpi.push({ key: k.key, seconds: (performance.now() - one) / 1000 });
  }
  const fullSeconds = (performance.now() - full) / 1000;
  // 1,000 tickets of the last 30 days resolved now (a change_seq each): the incremental refresh.
  await q(
    `UPDATE tickets SET resolved_at = now(), status = 'resolved', change_seq = nextval('tickets_change_seq_seq')
      WHERE id IN (SELECT id FROM tickets WHERE connector_id = $1 AND resolved_at IS NULL AND source_created_at > now() - interval '30 days' ORDER BY id LIMIT 1000)`,
    [connector],
  );
  const refresh = performance.now();
  await refreshKpiSeries(pool, { id: connector, organizationId: org, key: 'zendesk-main' }, new Date());
  const refreshSeconds = (performance.now() - refresh) / 1000;
  const busy = await q(`SELECT bucket_start FROM series_points p JOIN series s ON s.id = p.series_id WHERE s.key = 'kpi/sso-per-day/v1' ORDER BY value DESC, bucket_start LIMIT 1`);
  return { ticketsSeconds, fullSeconds, perKpi, refreshSeconds, busyDay: (busy.rows[0].bucket_start as Date).toISOString() };
}
