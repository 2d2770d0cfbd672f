import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanonicalTicket } from '../../src/domain/ticket/canonical-ticket.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';
import { eventRuleOf, kpiEventSeriesKey } from '../../src/domain/kpi/kpi-events.ts';
import type { KpiMetric } from '../../src/domain/kpi/kpi-metric.ts';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { activeKpis, type KpiDefinition, kpiVersions } from '../../src/store/kpi-definitions.ts';
import { organizationsBehindKpis, kpiPointTickets, kpiSeriesPoints, refreshKpiSeries } from '../../src/store/kpi-series-repository.ts';
import { beginRun } from '../../src/store/sync-run-repository.ts';
import { writeTicketPage } from '../../src/store/ticket-page-writer.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { adminDatabaseUrl } from '../support/test-env.ts';

/**
 * KPI series from stored tickets on real PostgreSQL, every bucket against a recount of the seeded
 * tickets in TypeScript (local dates by Intl, not by the code under test): each metric; day and week
 * buckets in zones whose midnight is not on a UTC hour, across DST; an incremental refresh after
 * edits, resolutions, reopenings, driver moves and deletions equal to a computation from scratch; a
 * changed definition computed in full as a new version while the old version's series stay; and
 * drill-downs that return exactly the tickets a point counted.
 */
const FROM = Date.parse('2026-03-01T00:00:00Z');
const TO = Date.parse('2026-04-20T00:00:00Z');
const NOW = new Date('2026-04-25T00:00:00Z');
const HOUR = 3_600_000;
const DRIVERS = ['configuration/sso', 'configuration/integrations', 'billing/invoice'] as const;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

interface Seed {
  id: number;
  createdMs: number;
  driver: (typeof DRIVERS)[number];
  priority: (typeof PRIORITIES)[number];
  enterprise: boolean;
  resolvedMs: number | null;
  reopens: number;
  sla: boolean | null;
  csat: 'good' | 'bad' | null;
  deleted: boolean;
}

let state = 11;
const random = (): number => {
  state = (state * 16807) % 2147483647;
  return state / 2147483647;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;

function seedTicket(id: number): Seed {
  // A third within half an hour of a UTC hour's :00/:15/:30/:45, so local midnights of +05:30/+05:45 zones are crossed.
  const createdMs = id % 3 === 0
    ? FROM + Math.floor(random() * 48) * 86_400_000 + Math.floor(random() * 24) * HOUR + pick([0, 15, 30, 45]) * 60_000 + Math.floor((random() - 0.5) * 120_000)
    : FROM + Math.floor(random() * (TO - FROM - 86_400_000));
  const resolved = random() < 0.7;
  const resolvedMs = resolved ? createdMs + Math.floor(random() * 96 * HOUR) : null;
  return {
    id, createdMs, driver: pick(DRIVERS), priority: pick(PRIORITIES), enterprise: random() < 0.3, resolvedMs,
    reopens: resolved && random() < 0.1 ? 1 : 0, sla: random() < 0.2 ? null : random() < 0.15, csat: resolved ? pick(['good', 'good', 'bad', null] as const) : null, deleted: false,
  };
}

function canonical(s: Seed, version: number): CanonicalTicket {
  const created = new Date(s.createdMs).toISOString();
  // Each write is a newer source version than the last (the store never lets an older one win).
  const updated = new Date(NOW.getTime() + version * 1000).toISOString();
  return {
    nativeId: String(s.id), key: `T-${s.id}`, url: null, subject: `ticket ${s.id}`, status: s.deleted ? 'deleted' : s.resolvedMs !== null ? 'resolved' : 'open',
    priority: s.priority, channel: null, type: null, customerAccount: null, requesterRef: null, group: null, product: null, component: null, service: null,
    category: null, subcategory: null, tags: s.enterprise ? ['enterprise'] : [], formId: null, customFields: {}, csat: s.csat, slaBreached: s.sla,
    reopenCount: s.reopens, createdAt: created, updatedAt: updated, resolvedAt: s.resolvedMs === null ? null : new Date(s.resolvedMs).toISOString(), closedAt: null,
    supportType: null,
  };
}

// ─── The truth, in TypeScript ────────────────────────────────────────────────────────────────

const formats = new Map<string, Intl.DateTimeFormat>();
function localDate(ms: number, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) formats.set(timeZone, (format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  return format.format(new Date(ms));
}
function mondayOf(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}
const hourFormats = new Map<string, Intl.DateTimeFormat>();
function localHour(ms: number, timeZone: string): string {
  let format = hourFormats.get(timeZone);
  if (!format) hourFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', hourCycle: 'h23' })));
  return `${localDate(ms, timeZone)}T${format.format(new Date(ms)).padStart(2, '0')}:00`;
}
const labelOf = (ms: number, bucket: 'hour' | 'day' | 'week', timeZone: string): string =>
  bucket === 'hour' ? localHour(ms, timeZone) : bucket === 'day' ? localDate(ms, timeZone) : mondayOf(localDate(ms, timeZone));

interface Spec {
  key: string;
  metric: KpiMetric;
  bucket: 'hour' | 'day' | 'week';
  timeZone: string;
  drivers?: string[];
  priorities?: string[];
  segments?: string[];
  customers?: number;
}

function matches(s: Seed, spec: Spec): boolean {
  if (s.deleted) return false;
  if (spec.drivers?.length && !spec.drivers.some((d) => (d.endsWith('/') ? s.driver.startsWith(d) : s.driver === d))) return false;
  if (spec.priorities?.length && !spec.priorities.includes(s.priority)) return false;
  if (spec.segments?.length && !(s.enterprise && spec.segments.includes('enterprise'))) return false;
  return true;
}

/** label → value, over buckets whose label is in `labels` (labels of the API's points). */
function truthOf(seeds: readonly Seed[], spec: Spec, points: readonly { start: Date; local: string }[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const mine = seeds.filter((s) => matches(s, spec));
  const labels = new Map<number, string>();
  const label = (ms: number): string => {
    let l = labels.get(ms);
    if (l === undefined) labels.set(ms, (l = labelOf(ms, spec.bucket, spec.timeZone)));
    return l;
  };
  const nextStart = new Map(points.map((p, i) => [p.local, points[i + 1]?.start.getTime() ?? null]));
  for (const p of points) {
    const inBucket = (ms: number | null): boolean => ms !== null && label(ms) === p.local;
    const rate = (counted: Seed[], hit: (s: Seed) => boolean): number | null => (counted.length === 0 ? null : counted.filter(hit).length / counted.length);
    switch (spec.metric) {
      case 'volume': out[p.local] = mine.filter((s) => inBucket(s.createdMs)).length; break;
      case 'contact_rate_per_1k_customers': out[p.local] = (mine.filter((s) => inBucket(s.createdMs)).length * 1000) / (spec.customers ?? 1); break;
      case 'sla_breach_rate': out[p.local] = rate(mine.filter((s) => inBucket(s.createdMs) && s.sla !== null), (s) => s.sla === true); break;
      case 'reopen_rate': out[p.local] = rate(mine.filter((s) => inBucket(s.resolvedMs)), (s) => s.reopens > 0); break;
      case 'csat': out[p.local] = rate(mine.filter((s) => inBucket(s.resolvedMs) && s.csat !== null), (s) => s.csat === 'good'); break;
      case 'resolution_time': {
        const hours = mine.filter((s) => inBucket(s.resolvedMs)).map((s) => ((s.resolvedMs ?? 0) - s.createdMs) / HOUR).sort((a, b) => a - b);
        const mid = hours.length / 2;
        out[p.local] = hours.length === 0 ? null : hours.length % 2 === 1 ? (hours[Math.floor(mid)] ?? 0) : ((hours[mid - 1] ?? 0) + (hours[mid] ?? 0)) / 2;
        break;
      }
      case 'backlog': {
        const end = nextStart.get(p.local);
        if (end === null || end === undefined) break; // the last bucket's end is beyond the grid: not compared
        if (mine.every((s) => s.createdMs >= end)) break; // before the first ticket: no backlog computed (null)
        out[p.local] = mine.filter((s) => s.createdMs < end && (s.resolvedMs === null || s.resolvedMs >= end)).length;
        break;
      }
    }
  }
  return out;
}

const SPECS: Spec[] = [
  { key: 'sso-volume', metric: 'volume', bucket: 'day', timeZone: 'Europe/Berlin', drivers: ['configuration/sso'] },
  { key: 'config-volume-kathmandu', metric: 'volume', bucket: 'day', timeZone: 'Asia/Kathmandu', drivers: ['configuration/'] },
  { key: 'volume-st-johns-week', metric: 'volume', bucket: 'week', timeZone: 'America/St_Johns' },
  { key: 'volume-adelaide', metric: 'volume', bucket: 'day', timeZone: 'Australia/Adelaide', priorities: ['high', 'urgent'] },
  { key: 'contact-rate', metric: 'contact_rate_per_1k_customers', bucket: 'week', timeZone: 'Europe/Berlin', customers: 52_000 },
  { key: 'sla-enterprise', metric: 'sla_breach_rate', bucket: 'week', timeZone: 'America/New_York', segments: ['enterprise'] },
  { key: 'resolution-time', metric: 'resolution_time', bucket: 'day', timeZone: 'Asia/Kolkata' },
  { key: 'reopen-rate', metric: 'reopen_rate', bucket: 'week', timeZone: 'UTC', drivers: ['billing/invoice'] },
  { key: 'csat', metric: 'csat', bucket: 'week', timeZone: 'Europe/Berlin' },
  { key: 'backlog', metric: 'backlog', bucket: 'day', timeZone: 'America/New_York', drivers: ['configuration/'] },
  // Local hours of a +05:30 zone start half past the UTC hour.
  { key: 'sso-hourly-kolkata', metric: 'volume', bucket: 'hour', timeZone: 'Asia/Kolkata', drivers: ['configuration/sso'] },
  { key: 'sla-hourly', metric: 'sla_breach_rate', bucket: 'hour', timeZone: 'UTC' },
];

describe('KPI series from tickets', () => {
  let testDb: TestDatabase;
  let db: Database;
  let organizationId: string;
  const connector = { id: '', organizationId: '', key: 'zd' };
  let taxonomyId: string;
  let run: { runId: bigint; fencingToken: bigint };
  const seeds: Seed[] = [];
  let version = 0;

  async function write(batch: readonly Seed[]): Promise<void> {
    version += 1;
    for (let start = 0; start < batch.length; start += 500) {
      const tickets = batch.slice(start, start + 500).map((s) => {
        const t = canonical(s, version);
        return { ticket: t, contentHash: ticketContentHash(t), changedAt: null, erasedBySource: false, raw: null, classification: { driverKey: s.driver, ruleKey: 'r' } };
      });
      await writeTicketPage(db.pool, {
        organizationId, connectorId: connector.id, stream: 'tickets', runId: run.runId, fencingToken: run.fencingToken, normaliserVersion: 2,
        taxonomyId, driverKeys: [...DRIVERS], connectorKey: 'zd',
      }, { tickets, quarantined: [], cursor: `c${version}-${start}`, sourceHighWaterMs: null, progressAtMs: null, fetched: tickets.length, requests: 1, throttled: 0, waitedMs: 0 });
    }
  }

  async function createKpi(spec: Spec, kpiVersion = 1): Promise<void> {
    await db.prisma.kpi.create({
      data: {
        organizationId, key: spec.key, version: kpiVersion, name: spec.key, nodeLevel: 'organization', nodeId: organizationId, metric: spec.metric,
        filters: { drivers: spec.drivers ?? [], connectors: [], priorities: spec.priorities ?? [], products: [], segments: spec.segments ?? [] },
        bucket: spec.bucket, timeZone: spec.timeZone, direction: 'down_is_good', customerBase: spec.customers ?? null,
      },
    });
  }

  async function kpi(key: string, kpiVersion?: number): Promise<KpiDefinition> {
    const versions = await kpiVersions(db.pool, organizationId, key);
    const found = kpiVersion === undefined ? versions.find((v) => v.active) : versions.find((v) => v.version === kpiVersion);
    if (!found) throw new Error(`no KPI ${key} v${kpiVersion}`);
    return found;
  }

  /** The KPI's event series (hour → count) against a recount of the seeded tickets' events per UTC hour. */
  async function expectEventTruth(spec: Spec, kpiVersion: number): Promise<void> {
    const rule = eventRuleOf(spec.metric, 'down_is_good');
    const stored = await db.pool.query<{ b: Date; value: number }>(
      "SELECT p.bucket_start AS b, p.value FROM series_points p JOIN series s ON s.id = p.series_id WHERE s.organization_id = $1 AND s.key = $2 AND s.kind = 'kpi_events' ORDER BY 1",
      [organizationId, kpiEventSeriesKey(spec.key, kpiVersion)],
    );
    const got = Object.fromEntries(stored.rows.map((r) => [r.b.toISOString(), r.value]));
    if (rule === null) {
      expect(got, spec.key).toEqual({});
      return;
    }
    const truth: Record<string, number> = {};
    for (const s of seeds.filter((x) => matches(x, spec))) {
      const at = spec.metric === 'reopen_rate' || spec.metric === 'csat' ? s.resolvedMs : s.createdMs;
      const counts = rule === 'tickets' ? true : spec.metric === 'sla_breach_rate' ? s.sla === true : spec.metric === 'reopen_rate' ? s.reopens > 0 : s.csat === 'bad';
      if (at === null || !counts) continue;
      const hour = new Date(Math.floor(at / HOUR) * HOUR).toISOString();
      truth[hour] = (truth[hour] ?? 0) + 1;
    }
    expect(got, spec.key).toEqual(truth);
    expect(Object.keys(truth).length, spec.key).toBeGreaterThan(20);
  }

  async function expectTruth(spec: Spec, kpiVersion?: number): Promise<void> {
    const points = await kpiSeriesPoints(db.pool, await kpi(spec.key, kpiVersion), new Date(FROM - 7 * 86_400_000), NOW);
    const truth = truthOf(seeds, spec, points);
    const got = Object.fromEntries(points.filter((p) => p.local in truth).map((p) => [p.local, p.value]));
    // Medians and rates to float precision; counts exactly.
    for (const [label, value] of Object.entries(truth)) {
      if (value === null) expect(got[label], `${spec.key} ${label}`).toBeNull();
      else expect(got[label], `${spec.key} ${label}`).toBeCloseTo(value, 9);
    }
    expect(Object.keys(got).sort()).toEqual(Object.keys(truth).sort());
    // The series covered the seeded range: something was counted.
    expect(Object.values(truth).filter((v) => v !== null && v > 0).length).toBeGreaterThan(3);
    await expectEventTruth(spec, kpiVersion ?? (await kpi(spec.key)).version);
  }

  beforeAll(async () => {
    testDb = await createTestDatabase();
    // The database's own session zone is not UTC: nothing may depend on it.
    const admin = new pg.Client({ connectionString: adminDatabaseUrl });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${testDb.name}" SET timezone TO 'Pacific/Chatham'`);
    await admin.end();
    db = openDatabase(testDb.url, { max: 3 });
    const org = await db.prisma.organization.create({ data: { key: 'acme', name: 'Acme' } });
    organizationId = org.id;
    const row = await db.prisma.connector.create({ data: { organizationId, key: 'zd', system: 'zendesk', name: 'Zendesk', baseUrl: 'https://x.zendesk.com' } });
    Object.assign(connector, { id: row.id, organizationId });
    taxonomyId = (await db.prisma.driverTaxonomy.create({ data: { organizationId, version: 1, contentHash: 'h', active: true } })).id;
    run = await beginRun(db.pool, { organizationId, connectorId: connector.id, stream: 'tickets', mode: 'incremental', jobId: null, sinceAt: null, restartIfComplete: false });
    for (let id = 1; id <= 3000; id++) seeds.push(seedTicket(id));
    await write(seeds);
    for (const spec of SPECS) await createKpi(spec);
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('computes every metric, bucket by bucket, equal to a recount in the KPI zone', async () => {
    expect(await organizationsBehindKpis(db.pool)).toEqual([organizationId]);
    const first = await refreshKpiSeries(db.pool, connector, NOW);
    expect(first).toMatchObject({ kpis: SPECS.length, full: SPECS.length });
    expect(await organizationsBehindKpis(db.pool)).toEqual([]);
    for (const spec of SPECS) await expectTruth(spec);
    // The detect stage hears of the event series' hours, never of a KPI's own points.
    const facts = await db.pool.query<{ kind: string; series: number }>(
      'SELECT s.kind::text, count(DISTINCT s.id)::int AS series FROM series_changes c JOIN series s ON s.id = c.series_id GROUP BY s.kind ORDER BY 1',
    );
    expect(facts.rows).toEqual([{ kind: 'driver_volume', series: DRIVERS.length }, { kind: 'kpi_events', series: SPECS.filter((x) => eventRuleOf(x.metric, 'down_is_good') !== null).length }]);
    // Caught up: a second refresh reads positions only and writes nothing.
    expect(await refreshKpiSeries(db.pool, connector, NOW)).toEqual({ kpis: SPECS.length, full: 0, pointsWritten: 0, eventsMoved: 0 });
  });

  it('after edits, resolutions, reopenings, driver moves and deletions, an incremental refresh equals the truth', async () => {
    const changed: Seed[] = [];
    for (const s of seeds) {
      const u = random();
      if (u < 0.03) s.deleted = true;
      else if (u < 0.08 && s.resolvedMs === null) s.resolvedMs = Math.min(s.createdMs + Math.floor(random() * 200 * HOUR), NOW.getTime() - HOUR);
      else if (u < 0.11 && s.resolvedMs !== null) { s.resolvedMs = null; s.reopens += 1; } // reopened: open again
      else if (u < 0.14) s.driver = pick(DRIVERS);
      else if (u < 0.16) s.sla = s.sla === null ? true : !s.sla;
      else continue;
      changed.push(s);
    }
    expect(changed.length).toBeGreaterThan(300);
    await write(changed);
    expect(await organizationsBehindKpis(db.pool)).toEqual([organizationId]);
    const refreshed = await refreshKpiSeries(db.pool, connector, NOW);
    expect(refreshed.full).toBe(0);
    expect(refreshed.pointsWritten).toBeGreaterThan(0);
    for (const spec of SPECS) await expectTruth(spec);
  });

  it('a changed definition is a new version computed in full; the old version keeps its series', async () => {
    const spec = SPECS[0] as Spec;
    const old = await kpi(spec.key);
    const before = await kpiSeriesPoints(db.pool, old, new Date(FROM), NOW);
    await db.prisma.kpi.update({ where: { id: old.id }, data: { active: false } });
    const changed: Spec = { ...spec, priorities: ['urgent'] };
    await createKpi(changed, 2);
    const refreshed = await refreshKpiSeries(db.pool, connector, NOW);
    expect(refreshed.full).toBe(1);
    await expectTruth(changed, 2);
    expect(await kpiSeriesPoints(db.pool, old, new Date(FROM), NOW)).toEqual(before);
    expect((await kpiVersions(db.pool, organizationId, spec.key)).map((v) => [v.version, v.active])).toEqual([[2, true], [1, false]]);
    // A ticket change after the version change moves the new version only.
    const moved = seeds.find((s) => !s.deleted && s.driver === 'configuration/sso' && s.priority === 'urgent') as Seed;
    moved.deleted = true;
    await write([moved]);
    await refreshKpiSeries(db.pool, connector, NOW);
    await expectTruth(changed, 2);
    expect(await kpiSeriesPoints(db.pool, old, new Date(FROM), NOW)).toEqual(before);
  });

  it('a drill-down returns exactly the tickets a point counted', async () => {
    for (const spec of SPECS.filter((s) => s.key !== 'sso-volume')) {
      const definition = await kpi(spec.key);
      const points = await kpiSeriesPoints(db.pool, definition, new Date(FROM), new Date(TO));
      const busiest = points.filter((p) => p.value !== null && p.value > 0).slice(2, 5);
      expect(busiest.length, spec.key).toBeGreaterThan(0);
      for (const point of busiest) {
        const ids: string[] = [];
        let hits = 0;
        let after: bigint | null = null;
        for (;;) {
          const page = await kpiPointTickets(db.pool, definition, point.start, { after, limit: 37 });
          ids.push(...page.tickets.map((t) => t.nativeId));
          hits += page.tickets.filter((t) => t.hit).length;
          if (page.tickets.length < 37) break;
          after = BigInt(page.tickets[page.tickets.length - 1]?.id ?? '0');
        }
        const next = points[points.indexOf(point) + 1]?.start.getTime() ?? Infinity;
        const label = (ms: number | null): boolean => ms !== null && labelOf(ms, spec.bucket, spec.timeZone) === point.local;
        const expected = seeds.filter((s) => matches(s, spec)).filter((s) => {
          switch (spec.metric) {
            case 'volume': case 'contact_rate_per_1k_customers': return label(s.createdMs);
            case 'sla_breach_rate': return label(s.createdMs) && s.sla !== null;
            case 'csat': return label(s.resolvedMs) && s.csat !== null;
            case 'reopen_rate': case 'resolution_time': return label(s.resolvedMs);
            case 'backlog': return s.createdMs < next && (s.resolvedMs === null || s.resolvedMs >= next);
          }
          return false;
        }).map((s) => String(s.id));
        expect(ids.sort(), `${spec.key} ${point.local}`).toEqual(expected.sort());
        const value = point.value ?? 0;
        if (spec.metric === 'volume' || spec.metric === 'backlog') expect(ids.length).toBe(value);
        if (spec.metric === 'contact_rate_per_1k_customers') expect((ids.length * 1000) / (spec.customers ?? 1)).toBeCloseTo(value, 9);
        if (spec.metric === 'sla_breach_rate' || spec.metric === 'reopen_rate' || spec.metric === 'csat') expect(hits / ids.length).toBeCloseTo(value, 9);
      }
    }
  });

  it('lists the active KPIs with their definitions', async () => {
    const active = await activeKpis(db.pool, organizationId);
    expect(active.map((k) => k.key)).toEqual(SPECS.map((s) => s.key).sort());
    expect(active.find((k) => k.key === 'contact-rate')).toMatchObject({ metric: 'contact_rate_per_1k_customers', customerBase: 52_000, bucket: 'week', timeZone: 'Europe/Berlin' });
  });
});
