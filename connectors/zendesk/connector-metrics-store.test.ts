import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/connector-kit/clock.ts';
import { runSync } from '../../src/pipeline/pull/run-sync.ts';
import { createPipelineFixture, expectStoreMatchesRecords, type PipelineFixture } from '../../test/support/pipeline-fixture.ts';
import { zendeskConnector } from './index.ts';

const DAY = 86_400_000;

/**
 * Ticket metrics end to end: simulator (include=metric_sets) → connector (join, normalise) → page
 * transaction → PostgreSQL. Every stored row's resolved_at, closed_at and reopen_count against the
 * simulator's lifecycle truth — row by row, not totals — after a back-fill and after tickets moved on.
 */
describe('Zendesk ticket metrics in the store', () => {
  const clock = manualClock(Date.parse('2026-11-20T12:00:00Z'));
  let f: PipelineFixture;

  const sync = () => runSync(f.services.pull, { connector: f.connector, mode: 'incremental', sinceMs: clock.now() - 30 * DAY, jobId: null });
  const storedRows = async () =>
    (
      await f.db.pool.query<{ native_id: string; resolved_at: Date | null; closed_at: Date | null; reopen_count: number; normaliser_version: number }>(
        'SELECT native_id, resolved_at, closed_at, reopen_count, normaliser_version FROM tickets WHERE connector_id = $1 ORDER BY native_id::bigint',
        [f.connector.id],
      )
    ).rows;
  const expectRowsEqualTruth = async () => {
    const rows = await storedRows();
    const iso = (at: string | null) => (at === null ? null : new Date(at).toISOString());
    expect(rows.map((r) => ({ id: r.native_id, resolvedAt: r.resolved_at?.toISOString() ?? null, closedAt: r.closed_at?.toISOString() ?? null, reopens: r.reopen_count }))).toEqual(
      f.simulator.resolutions().map((t) => ({ id: t.id, resolvedAt: iso(t.resolvedAt), closedAt: iso(t.closedAt), reopens: t.reopens })),
    );
    return rows;
  };

  beforeAll(async () => {
    f = await createPipelineFixture({ clock, simulator: { seed: 11, tickets: 3000, historyDays: 21, malformed: 2, deletedShare: 0.03, live: { ticketsPerHour: 30 } } });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('stores resolved_at, closed_at and reopen_count equal to the simulator’s truth for every ticket', async () => {
    const result = await sync();
    expect(result.totals.quarantined).toBe(2);
    const rows = await expectRowsEqualTruth();
    const truth = f.simulator.truth();
    expect(rows.filter((r) => r.resolved_at !== null)).toHaveLength(truth.resolved);
    expect(rows.filter((r) => r.reopen_count > 0)).toHaveLength(truth.reopened);
    expect(truth.reopened).toBeGreaterThan(50);
    expect(rows.filter((r) => r.closed_at !== null).length).toBeGreaterThan(100);
    expect(new Set(rows.map((r) => r.normaliser_version))).toEqual(new Set([zendeskConnector.normaliserVersion]));
    // The store's own record-by-record check (content hashes over the tickets with their metric sets).
    await expectStoreMatchesRecords(f, clock.now() - 60_000);
  });

  it('keeps them equal as tickets are solved, closed and reopened later, new tickets arrive and others change', async () => {
    clock.advance(5 * DAY);
    f.simulator.touch([10, 20, 30, 40]);
    clock.advance(2 * 60_000);
    const result = await sync();
    // Tickets that were new got their update (solved, closed, …) and new ones arrived.
    expect(result.totals.updated).toBeGreaterThan(100);
    expect(result.totals.inserted).toBeGreaterThan(1000);
    await expectRowsEqualTruth();
    await expectStoreMatchesRecords(f, clock.now() - 60_000);
  });

  it('writes nothing when nothing changed: the metric sets are as deterministic as the tickets', async () => {
    const result = await sync();
    expect(result.totals).toMatchObject({ inserted: 0, updated: 0 });
  });
});
