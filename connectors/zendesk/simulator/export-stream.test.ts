import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../src/connector-kit/clock.ts';
import { createZendeskSimulator } from './index.ts';
import { countsFromExport, type ExportedTicket, exportAll, fetchPage, nonZero, startMs } from './simulator-test-support.ts';

const exportPath = '/api/v2/incremental/tickets/cursor.json';

function simulator(overrides: Parameters<typeof createZendeskSimulator>[0] = {}) {
  const clock = manualClock(startMs);
  const sim = createZendeskSimulator({ clock, tickets: 4000, pageSize: 500, rateLimit: false, malformed: 6, deletedShare: 0.02, ...overrides });
  return { clock, sim };
}

/** What an upserting sync keeps: the latest version of every ticket id. */
function upsert(store: Map<number, ExportedTicket>, tickets: ExportedTicket[]): void {
  for (const ticket of tickets) {
    const known = store.get(ticket.id);
    if (!known || known.generated_timestamp <= ticket.generated_timestamp) store.set(ticket.id, ticket);
  }
}

describe('incremental ticket export (cursor)', () => {
  it('pages through the whole history once, in stream order, ending with end_of_stream', async () => {
    const { sim } = simulator();
    const { tickets, pages } = await exportAll(sim, { startTime: 0 });
    const truth = sim.truth();
    expect(pages.length).toBe(Math.ceil(truth.total / 500));
    expect(pages.slice(0, -1).every((page) => !page.end_of_stream && page.tickets.length === 500)).toBe(true);
    expect(new Set(tickets.map((t) => t.id)).size).toBe(tickets.length);
    expect(tickets.length).toBe(truth.total);
    const cutoffSec = Math.floor((startMs - 60_000) / 1000);
    tickets.forEach((ticket, i) => {
      expect(ticket.generated_timestamp).toBeLessThanOrEqual(cutoffSec);
      // updated_at follows content changes; a deletion moves only generated_timestamp.
      if (ticket.status === 'deleted') expect(Date.parse(ticket.updated_at)).toBeLessThan(ticket.generated_timestamp * 1000);
      else expect(Date.parse(ticket.updated_at)).toBe(ticket.generated_timestamp * 1000);
      const previous = tickets[i - 1];
      if (previous) {
        const ordered = previous.generated_timestamp < ticket.generated_timestamp ||
          (previous.generated_timestamp === ticket.generated_timestamp && previous.id < ticket.id);
        expect(ordered).toBe(true);
      }
    });
    expect(pages[0]?.after_url).toMatch(/^http:\/\/localhost:80\/api\/v2\/incremental\/tickets\/cursor\.json\?cursor=/);
  });

  it('matches truth(): per day, per driver as the demo rules classify, deleted and malformed ids', async () => {
    const { sim } = simulator();
    const exported = countsFromExport((await exportAll(sim, { startTime: 0 })).tickets);
    const truth = sim.truth();
    expect(exported.total).toBe(truth.total);
    expect(exported.perDay).toEqual(truth.perDay);
    expect(exported.perDriver).toEqual(nonZero(truth.perDriver));
    expect(exported.deletedIds).toEqual(truth.deletedIds);
    expect(exported.malformedIds).toEqual(truth.malformedIds);
    expect(truth.malformedIds).toHaveLength(6);
    expect(truth.deletedIds.length).toBeGreaterThan(20);
    expect(truth.live).toBe(truth.total - truth.deletedIds.length - truth.malformedIds.length);
  });

  it('keeps an incremental sync equal to truth while live tickets arrive, change and are deleted', async () => {
    const { sim, clock } = simulator();
    const stored = new Map<number, ExportedTicket>();
    let { tickets, cursor } = await exportAll(sim, { startTime: 0 });
    upsert(stored, tickets);
    for (let hour = 0; hour < 6; hour++) {
      clock.advance(3_600_000);
      sim.touch([hour * 100 + 1, hour * 100 + 2]);
      sim.remove([hour * 100 + 3]);
      ({ tickets, cursor } = await exportAll(sim, { cursor }));
      upsert(stored, tickets);
    }
    const truth = sim.truth();
    expect(truth.total).toBeGreaterThan(4000 + 20); // live arrivals kept coming (~7 an hour)
    const counts = countsFromExport([...stored.values()]);
    expect(counts.total).toBe(truth.total);
    expect(counts.perDay).toEqual(truth.perDay);
    expect(counts.perDriver).toEqual(nonZero(truth.perDriver));
    expect(counts.deletedIds).toEqual(truth.deletedIds);
    for (const id of [3, 103, 203, 303, 403]) expect(stored.get(id)?.status).toBe('deleted');
    expect(stored.get(503)?.status).not.toBe('deleted'); // removed this minute: held back by the 60 s rule
  });

  it('enforces the 60 s rule: too recent start_time is rejected, recent changes are held back', async () => {
    const { sim, clock } = simulator({ live: false });
    const nowSec = Math.floor(startMs / 1000);
    const tooRecent = await sim.app.inject({ url: `${exportPath}?start_time=${nowSec - 59}` });
    expect(tooRecent.statusCode).toBe(422);
    expect(tooRecent.json()).toEqual({ error: 'InvalidValue', description: 'Too recent start_time. Use a start_time older than 1 minute' });
    const { cursor } = await exportAll(sim, { startTime: nowSec - 60 * 86400 });
    sim.touch([42]);
    const held = await exportAll(sim, { cursor });
    expect(held.tickets.map((t) => t.id)).not.toContain(42);
    expect(held.pages.at(-1)?.end_of_stream).toBe(true);
    clock.advance(59_000);
    expect((await exportAll(sim, { cursor })).tickets.map((t) => t.id)).not.toContain(42);
    clock.advance(2_000);
    const released = await exportAll(sim, { cursor });
    const touched = released.tickets.find((t) => t.id === 42);
    expect(touched?.generated_timestamp).toBe(nowSec);
  });

  it('makes touched and removed tickets reappear after the cursor, deleted ones keeping their fields', async () => {
    const { sim, clock } = simulator({ live: false });
    const first = await exportAll(sim, { startTime: 0 });
    const before = first.tickets.find((t) => t.id === 77);
    sim.touch([10, 11]);
    sim.remove([77]);
    clock.advance(61_000);
    const next = await exportAll(sim, { cursor: first.cursor });
    expect(next.tickets.map((t) => t.id).sort((a, b) => a - b)).toEqual([10, 11, 77]);
    const removed = next.tickets.find((t) => t.id === 77);
    expect(removed?.status).toBe('deleted');
    expect(removed?.subject).toBe(before?.subject);
    expect(removed?.created_at).toBe(before?.created_at);
    const withoutDeleted = await exportAll(sim, { cursor: first.cursor }, '&exclude_deleted=true');
    expect(withoutDeleted.tickets.map((t) => t.id).sort((a, b) => a - b)).toEqual([10, 11]);
  });

  it('is deterministic: same seed, same pages; another seed, other pages', async () => {
    const bodies = async (seed: number) => {
      const { sim } = simulator({ seed });
      const first = await sim.app.inject({ url: `${exportPath}?start_time=0&per_page=300` });
      const second = await sim.app.inject({ url: new URL(first.json().after_url).search.replace(/^/, exportPath) });
      return [first.body, second.body];
    };
    expect(await bodies(11)).toEqual(await bodies(11));
    expect((await bodies(12))[0]).not.toEqual((await bodies(11))[0]);
  });

  it('rejects invalid cursors and missing parameters', async () => {
    const { sim } = simulator();
    const invalid = await sim.app.inject({ url: `${exportPath}?cursor=not-a-cursor` });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ error: 'InvalidPaginationParameter' });
    const missing = await sim.app.inject({ url: exportPath });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'InvalidValue' });
    const page = await fetchPage(sim, `${exportPath}?start_time=0&per_page=7`);
    expect(page.tickets).toHaveLength(7);
    expect(new URL(page.after_url ?? '').searchParams.get('per_page')).toBe('7');
  });
});
