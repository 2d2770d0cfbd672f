import { describe, expect, it } from 'vitest';
import { manualClock } from '../../../src/connector-kit/clock.ts';
import { createZendeskSimulator } from './index.ts';
import { exportAll, fetchPage, startMs } from './simulator-test-support.ts';

/**
 * What real Zendesk exports do that a connector must survive (connectors/zendesk/NOTES.md): deletions
 * that move only generated_timestamp, scrubbed tombstones, AI-agent tickets outside the default scope,
 * an empty first page without a cursor, poison records and large descriptions.
 */
const daySec = 86_400;
const exportPath = '/api/v2/incremental/tickets/cursor.json';

function simulator(overrides: Parameters<typeof createZendeskSimulator>[0] = {}) {
  const clock = manualClock(startMs);
  const sim = createZendeskSimulator({ clock, tickets: 3000, historyDays: 28, rateLimit: false, live: false, deletedShare: 0.05, ...overrides });
  return { clock, sim };
}

describe('the simulated export, as real Zendesk exports behave', () => {
  it('serves AI-agent tickets only with support_type_scope=all (or ai_agent), each marked with support_type', async () => {
    const { sim } = simulator({ aiAgentShare: 0.1 });
    const agentOnly = (await exportAll(sim, { startTime: 0 }, '')).tickets;
    const all = (await exportAll(sim, { startTime: 0 })).tickets;
    const aiOnly = (await exportAll(sim, { startTime: 0 }, '&support_type_scope=ai_agent')).tickets;
    expect(agentOnly.every((t) => t['support_type'] === 'agent')).toBe(true);
    expect(aiOnly.every((t) => t['support_type'] === 'ai_agent')).toBe(true);
    expect(aiOnly.length).toBeGreaterThan(200);
    expect(agentOnly.length + aiOnly.length).toBe(all.length);
    expect(all.length).toBe(sim.truth().total);
  });

  it('deletes by moving generated_timestamp only, then re-exports the tombstone scrubbed', async () => {
    const { sim, clock } = simulator({ scrubAfterDays: 5 });
    const first = await exportAll(sim, { startTime: 0 });
    const deleted = first.tickets.filter((t) => t.status === 'deleted' && t.subject !== 'SCRUBBED');
    expect(deleted.length).toBeGreaterThan(5);
    for (const t of deleted) expect(Date.parse(t.updated_at)).toBeLessThan(t.generated_timestamp * 1000);
    // Tickets deleted more than 5 days before the cutoff were scrubbed already: served once, scrubbed.
    const scrubbed = first.tickets.filter((t) => t.subject === 'SCRUBBED');
    expect(scrubbed.length).toBeGreaterThan(10);
    for (const t of scrubbed) {
      expect(t).toMatchObject({ status: 'deleted', description: 'X', tags: [] });
      expect(t.custom_fields.every((f) => f.value === null)).toBe(true);
      expect(Date.parse(t.updated_at)).toBeLessThan(t.generated_timestamp * 1000);
    }
    // Six days on, the tombstones of the first export come back scrubbed, 5 days after their deletion.
    clock.advance(6 * daySec * 1000);
    const later = await exportAll(sim, { cursor: first.cursor });
    const rescrubbed = new Map(later.tickets.filter((t) => t.subject === 'SCRUBBED').map((t) => [t.id, t]));
    for (const t of deleted) {
      const again = rescrubbed.get(t.id);
      expect(again?.generated_timestamp).toBe(t.generated_timestamp + 5 * daySec);
      expect(again?.updated_at).toBe(t.updated_at);
    }
  });

  it('answers a first request that finds nothing without a cursor', async () => {
    const { sim } = simulator();
    const page = await fetchPage(sim, `${exportPath}?start_time=${Math.floor(startMs / 1000) - 120}&support_type_scope=all`);
    expect(page).toEqual({ tickets: [], after_cursor: null, after_url: null, before_cursor: null, before_url: null, end_of_stream: true });
  });

  it('serves poison records: NUL, a literal \\u0000 escape, a lone surrogate and year 0 — and counts year 0 as unstorable', async () => {
    const { sim } = simulator({ poison: 8 });
    const raw = await sim.app.inject({ url: `${exportPath}?start_time=0&per_page=1000&support_type_scope=all` });
    const tickets: { id: number; subject: string; description: string; created_at: string }[] = [];
    let body = raw.json() as { tickets: typeof tickets; after_url: string | null; end_of_stream: boolean };
    tickets.push(...body.tickets);
    while (!body.end_of_stream && body.after_url) {
      const next = new URL(body.after_url);
      body = (await sim.app.inject({ url: `${next.pathname}${next.search}` })).json();
      tickets.push(...body.tickets);
    }
    expect(tickets.filter((t) => t.subject.includes('\u0000'))).toHaveLength(2);
    expect(tickets.filter((t) => t.description.includes('\\u0000'))).toHaveLength(2);
    expect(tickets.filter((t) => /[\ud800-\udbff](?![\udc00-\udfff])/.test(t.subject))).toHaveLength(2);
    const yearZero = tickets.filter((t) => t.created_at.startsWith('0000-'));
    expect(yearZero).toHaveLength(2);
    expect(sim.truth().malformedIds).toEqual(yearZero.map((t) => String(t.id)).sort((a, b) => Number(a) - Number(b)));
  });

  it('renders descriptions of the configured sizes', async () => {
    const { sim } = simulator({ tickets: 400, description: { bytes: 20_000, largeShare: 0.05, largeBytes: 1_000_000 } });
    const tickets = (await exportAll(sim, { startTime: 0 })).tickets.map((t) => String(t['description']).length);
    expect(tickets.filter((n) => n === 20_000).length + tickets.filter((n) => n === 1_000_000).length).toBe(tickets.length - tickets.filter((n) => n === 1).length);
    expect(tickets.filter((n) => n === 1_000_000).length).toBeGreaterThan(5);
  });
});
