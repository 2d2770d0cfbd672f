import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { manualClock } from '../../../src/connector-kit/clock.ts';
import { createZendeskSimulator, type ZendeskSimulator } from './index.ts';
import { exportAll, exportedTicketSchema, startMs } from './simulator-test-support.ts';

/**
 * Ticket metrics side-loaded by the export (`include=metric_sets`): served only when asked for, one per
 * ticket that is not deleted, for the version served, and in agreement with the simulator's truth.
 */
const exportPath = '/api/v2/incremental/tickets/cursor.json';
const minutesSchema = z.strictObject({ calendar: z.number().int().nonnegative().nullable(), business: z.number().int().nonnegative().nullable() });
const iso = z.iso.datetime();
const metricSetSchema = z.strictObject({
  url: z.url(),
  id: z.number().int().positive(),
  ticket_id: z.number().int().positive(),
  created_at: iso,
  updated_at: iso,
  group_stations: z.number().int().nonnegative(),
  assignee_stations: z.number().int().nonnegative(),
  reopens: z.number().int().nonnegative(),
  replies: z.number().int().nonnegative(),
  assignee_updated_at: iso.nullable(),
  requester_updated_at: iso,
  status_updated_at: iso,
  custom_status_updated_at: iso,
  initially_assigned_at: iso.nullable(),
  assigned_at: iso.nullable(),
  solved_at: iso.nullable(),
  latest_comment_added_at: iso,
  reply_time_in_minutes: minutesSchema,
  first_resolution_time_in_minutes: minutesSchema,
  full_resolution_time_in_minutes: minutesSchema,
  agent_wait_time_in_minutes: minutesSchema,
  requester_wait_time_in_minutes: minutesSchema,
  on_hold_time_in_minutes: minutesSchema,
});
type MetricSet = z.infer<typeof metricSetSchema>;
const pageSchema = z.strictObject({
  tickets: z.array(exportedTicketSchema),
  metric_sets: z.array(metricSetSchema),
  after_cursor: z.string().nullable(),
  after_url: z.url().nullable(),
  before_cursor: z.null(),
  before_url: z.null(),
  end_of_stream: z.boolean(),
});
type Page = z.infer<typeof pageSchema>;

function simulator(overrides: Parameters<typeof createZendeskSimulator>[0] = {}) {
  const clock = manualClock(startMs);
  const sim = createZendeskSimulator({ clock, tickets: 4000, pageSize: 500, rateLimit: false, live: false, deletedShare: 0.03, malformed: 4, ...overrides });
  return { clock, sim };
}

/** The whole export with `include` (default metric_sets), every support type. */
async function exportWithMetrics(sim: ZendeskSimulator, from: { startTime: number } | { cursor: string }, include = 'metric_sets') {
  let url = `${exportPath}?${'startTime' in from ? `start_time=${from.startTime}` : `cursor=${encodeURIComponent(from.cursor)}`}&support_type_scope=all&include=${include}`;
  const pages: Page[] = [];
  for (;;) {
    const response = await sim.app.inject({ url });
    if (response.statusCode !== 200) throw new Error(`GET ${url} → ${response.statusCode}`);
    const page = pageSchema.parse(response.json());
    pages.push(page);
    if (page.end_of_stream || page.after_url === null) break;
    const next = new URL(page.after_url);
    url = `${next.pathname}${next.search}`;
  }
  return { pages, cursor: pages.at(-1)?.after_cursor ?? null };
}

const sec = (at: string): number => Date.parse(at) / 1000;
const minutesBetween = (from: string, to: string): number => Math.floor((sec(to) - sec(from)) / 60);

describe('ticket metrics in the simulated export (include=metric_sets)', () => {
  it('serves metric_sets only when asked for, one per ticket on the page that is not deleted, and keeps include in after_url', async () => {
    const { sim } = simulator();
    const plain = await sim.app.inject({ url: `${exportPath}?start_time=0&per_page=200&support_type_scope=all` });
    expect(Object.keys(plain.json())).not.toContain('metric_sets');
    for (const include of ['metric_sets', 'users,metric_sets', 'metric_sets,%20organizations']) {
      const { pages } = await exportWithMetrics(sim, { startTime: 0 }, include);
      expect(pages.length).toBe(Math.ceil(sim.truth().total / 500));
      for (const page of pages) {
        expect(page.metric_sets.map((m) => m.ticket_id)).toEqual(page.tickets.filter((t) => t.status !== 'deleted').map((t) => t.id));
        if (page.after_url) expect(new URL(page.after_url).searchParams.get('include')).toBe(decodeURIComponent(include));
      }
    }
    const other = await sim.app.inject({ url: `${exportPath}?start_time=0&per_page=200&support_type_scope=all&include=users` });
    expect(Object.keys(other.json())).not.toContain('metric_sets');
    const empty = await sim.app.inject({ url: `${exportPath}?start_time=${Math.floor(startMs / 1000) - 120}&include=metric_sets` });
    expect(empty.json()).toMatchObject({ tickets: [], metric_sets: [], after_cursor: null, end_of_stream: true });
  });

  it('agrees with the truth for every ticket: solved_at, close time and reopens; truth counts resolved and reopened tickets', async () => {
    const { sim } = simulator();
    const { pages } = await exportWithMetrics(sim, { startTime: 0 });
    const tickets = new Map(pages.flatMap((p) => p.tickets).map((t) => [String(t.id), t]));
    const metrics = new Map(pages.flatMap((p) => p.metric_sets).map((m) => [String(m.ticket_id), m]));
    const truth = sim.truth();
    const resolutions = sim.resolutions();
    // Every stored-able ticket (all but the malformed ones), in id order.
    const byNumber = (a: string, b: string) => Number(a) - Number(b);
    expect(resolutions.map((r) => r.id)).toEqual([...tickets.keys()].filter((id) => !truth.malformedIds.includes(id)).sort(byNumber));
    for (const expected of resolutions) {
      const ticket = tickets.get(expected.id);
      const metric = metrics.get(expected.id);
      expect(metric !== undefined, `ticket ${expected.id} has a metric set`).toBe(expected.hasMetricSet);
      expect(ticket?.status === 'deleted').toBe(!expected.hasMetricSet);
      if (!metric || !ticket) continue;
      const resolvedNow = ticket.status === 'solved' || ticket.status === 'closed';
      expect({ id: expected.id, resolvedAt: resolvedNow && metric.solved_at ? new Date(metric.solved_at).toISOString() : null, reopens: metric.reopens }).toEqual({
        id: expected.id,
        resolvedAt: expected.resolvedAt === null ? null : new Date(expected.resolvedAt).toISOString(),
        reopens: expected.reopens,
      });
      expect(ticket.status === 'closed' ? metric.status_updated_at : null).toBe(expected.closedAt);
    }
    const live = resolutions.filter((r) => r.hasMetricSet);
    expect(live).toHaveLength(truth.live);
    expect(live.filter((r) => r.resolvedAt !== null)).toHaveLength(truth.resolved);
    expect(live.filter((r) => r.reopens > 0)).toHaveLength(truth.reopened);
    // Seeded shares: most tickets older than a few days are solved or closed; ~6 % of those were reopened once.
    expect(truth.resolved / truth.live).toBeGreaterThan(0.5);
    expect(truth.reopened / truth.resolved).toBeGreaterThan(0.04);
    expect(truth.reopened / truth.resolved).toBeLessThan(0.08);
    expect(Math.max(...live.map((r) => r.reopens))).toBe(1);
  });

  it('is consistent with the ticket and its own timestamps', async () => {
    const { sim } = simulator();
    const { pages } = await exportWithMetrics(sim, { startTime: 0 });
    const byId = new Map(pages.flatMap((p) => p.tickets).map((t) => [t.id, t]));
    const seen = { solved: 0, reopened: 0, pending: 0, unsolved: 0, untouched: 0 };
    for (const m of pages.flatMap((p) => p.metric_sets)) {
      const ticket = byId.get(m.ticket_id);
      if (!ticket) throw new Error(`metric set for ticket ${m.ticket_id} not on the page`);
      if (ticket.status === 'archived') continue; // malformed on purpose: its real status is not shown
      const status = ticket.status;
      expect(m.updated_at).toBe(ticket.updated_at);
      expect(m.url).toMatch(new RegExp(`/api/v2/ticket_metrics/${m.id}\\.json$`));
      if (status === 'new') {
        // Not answered yet.
        expect(m).toMatchObject({ replies: 0, reopens: 0, solved_at: null, assigned_at: null, status_updated_at: m.created_at, reply_time_in_minutes: { calendar: null } });
        expect(ticket['assignee_id']).toBeNull();
        seen.untouched++;
        continue;
      }
      const created = m.created_at;
      expect(m.status_updated_at).toBe(ticket.updated_at);
      expect(sec(m.initially_assigned_at ?? '')).toBeGreaterThanOrEqual(sec(created));
      expect(m.replies).toBeGreaterThanOrEqual(1);
      expect(m.reply_time_in_minutes.calendar).toBe(m.reply_time_in_minutes.business);
      expect(sec(m.latest_comment_added_at)).toBeGreaterThan(sec(created));
      if (status === 'solved' || status === 'closed') {
        seen.solved++;
        const solvedAt = m.solved_at ?? '';
        expect(m.full_resolution_time_in_minutes.calendar).toBe(minutesBetween(created, solvedAt));
        if (status === 'solved') expect(solvedAt).toBe(ticket.updated_at);
        else expect(sec(ticket.updated_at) - sec(solvedAt)).toBeLessThanOrEqual(4 * 86_400);
        const first = m.first_resolution_time_in_minutes.calendar ?? Infinity;
        const full = m.full_resolution_time_in_minutes.calendar ?? -1;
        expect(m.reply_time_in_minutes.calendar ?? Infinity).toBeLessThanOrEqual(first);
        expect(first).toBeLessThanOrEqual(full);
        if (m.reopens > 0) {
          seen.reopened++;
          expect(m.replies).toBeGreaterThanOrEqual(2);
          expect(first).toBeLessThan(full);
        } else expect(first).toBe(full);
        const waits = (m.agent_wait_time_in_minutes.calendar ?? NaN) + (m.requester_wait_time_in_minutes.calendar ?? NaN);
        expect(waits).toBeLessThanOrEqual(full);
        // Wait times split the time to the last solve, less the solved spell of a reopened ticket.
        expect(waits).toBeGreaterThanOrEqual((m.reopens > 0 ? first : full) - 2);
        if ((m.agent_wait_time_in_minutes.calendar ?? 0) > 0) seen.pending++;
        expect(m.on_hold_time_in_minutes.calendar).toBe(0);
      } else {
        seen.unsolved++;
        expect(m.solved_at).toBeNull();
        expect(m.reopens).toBe(0);
        expect(m.full_resolution_time_in_minutes.calendar).toBeNull();
        expect(m.requester_wait_time_in_minutes.calendar).toBeNull();
        expect(sec(created) + (m.reply_time_in_minutes.calendar ?? Infinity) * 60).toBeLessThanOrEqual(sec(ticket.updated_at));
      }
    }
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(20);
  });

  it('follows later versions: a changed ticket keeps its metrics, a new one gets a metric set once updated; records() carry the same metric sets', async () => {
    const { sim, clock } = simulator({ live: { ticketsPerHour: 40 } });
    const first = await exportWithMetrics(sim, { startTime: 0 });
    const before = new Map(first.pages.flatMap((p) => p.metric_sets).map((m) => [m.ticket_id, m]));
    clock.advance(6 * 3_600_000);
    sim.touch([5, 6, 7]);
    clock.advance(120_000);
    const later = await exportWithMetrics(sim, { cursor: first.cursor ?? '' });
    const after = new Map(later.pages.flatMap((p) => p.metric_sets).map((m) => [m.ticket_id, m]));
    let compared = 0;
    for (const id of [5, 6, 7]) {
      const was = before.get(id);
      const now = after.get(id);
      if (!was || !now) continue; // deleted: no metric set
      compared++;
      // Touched after its last status change: same metrics, a newer record.
      expect({ ...now, updated_at: '', assignee_updated_at: '' }).toEqual({ ...was, updated_at: '', assignee_updated_at: '' });
      expect(sec(now.updated_at)).toBeGreaterThan(sec(was.updated_at));
    }
    expect(compared).toBeGreaterThanOrEqual(2);
    expect(later.pages.flatMap((p) => p.tickets).length).toBeGreaterThan(100);
    // records(): the same metric set as the export, joined under metric_set; none for deleted tickets.
    const exported = new Map([...before, ...after]);
    const records = sim.records(undefined, 'http://localhost:80');
    expect(records).toHaveLength(sim.truth().total);
    for (const record of records) {
      const metric = record['metric_set'];
      if (record['status'] === 'deleted') expect(metric).toBeUndefined();
      else expect(metric).toEqual(exported.get(Number(record['id'])));
    }
  });

  it('leaves the export without include exactly as before (existing page shape and counts)', async () => {
    const { sim } = simulator();
    const { tickets } = await exportAll(sim, { startTime: 0 });
    expect(tickets).toHaveLength(sim.truth().total);
    expect(tickets.some((t) => 'metric_set' in t || 'metric_sets' in t)).toBe(false);
  });
});
