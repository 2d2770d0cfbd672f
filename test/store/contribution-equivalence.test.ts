import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/connector-kit/random.ts';
import { contributionOf, countContributions } from '../../src/domain/series/contribution.ts';
import type { NormalisedTicket } from '../../src/domain/ticket/ticket-page.ts';
import { deriveAll } from '../../src/store/derive-repository.ts';
import { takeSeriesChanges } from '../../src/store/series-change-sql.ts';
import { beginRun } from '../../src/store/sync-run-repository.ts';
import { writeTicketPage } from '../../src/store/ticket-page-writer.ts';
import { inTransaction } from '../../src/store/transaction.ts';
import { classifierOf, Dice, driverKeysOf, SourceModel, type TaxonomyName, type Version } from '../support/ingest-model.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * The series arithmetic has one rule (src/domain/series/contribution.ts) and two writers: the page
 * transaction's SQL, for pages classified at ingest, and the derive stage's plan (plan-derive.ts).
 * The same seeded ticket histories go through both — connector `fast` gets classified pages, `plan`
 * unclassified pages and then a derive — and after every page:
 * - every ticket's recorded contribution is the same on both connectors and equals the domain rule
 *   applied to its stored state;
 * - both connectors' series points equal each other and the domain module's recount;
 * - a derive after the fast path finds nothing left to move;
 * - every series point whose value moved is named by a "series changed" fact of its connector.
 */
const SCENARIOS = 10;
const STEPS = 16;
const BASE_SEED = 0xc0_47_1b;

type Points = Record<string, number>;

describe('series arithmetic: the page transaction SQL and the derive plan apply the same contribution rule', () => {
  let db: TestDatabase;
  let organizationId: string;
  const connectors: Record<'fast' | 'plan', string> = { fast: '', plan: '' };

  beforeAll(async () => {
    db = await createTestDatabase();
    const org = await db.prisma.organization.create({ data: { key: 'acme', name: 'Acme' } });
    organizationId = org.id;
    for (const key of ['fast', 'plan'] as const) {
      const row = await db.prisma.connector.create({ data: { organizationId, key, system: 'zendesk', name: key, baseUrl: 'https://acme.zendesk.com' } });
      connectors[key] = row.id;
    }
  });
  afterAll(async () => {
    await db.drop();
  });

  const pointsOf = async (connectorId: string): Promise<Points> => {
    const rows = await db.pool.query<{ driver: string | null; bucket: Date; value: number }>(
      `SELECT s.driver_key AS driver, p.bucket_start AS bucket, p.value FROM series_points p JOIN series s ON s.id = p.series_id
       WHERE s.connector_id = $1 AND p.value <> 0 ORDER BY 1, 2`,
      [connectorId],
    );
    return Object.fromEntries(rows.rows.map((r) => [`${r.driver ?? '∅'}@${r.bucket.toISOString()}`, r.value]));
  };
  const countedOf = async (connectorId: string, taxonomyId: string): Promise<Record<string, string | null>> => {
    const rows = await db.pool.query<{ native_id: string; driver: string | null; bucket: Date | null }>(
      `SELECT t.native_id, c.counted_driver AS driver, c.counted_bucket AS bucket FROM tickets t
       JOIN ticket_classifications c ON c.ticket_id = t.id AND c.taxonomy_id = $2 WHERE t.connector_id = $1`,
      [connectorId, taxonomyId],
    );
    return Object.fromEntries(rows.rows.map((r) => [r.native_id, r.bucket === null ? null : `${r.driver ?? '∅'}@${r.bucket.toISOString()}`]));
  };
  /** Takes the organization's facts: per connector, "driver@bucket" of every bucket named. */
  const takeFacts = async (): Promise<Map<string, Set<string>>> =>
    inTransaction(db.pool, async (client: pg.PoolClient) => {
      const series = await client.query<{ id: string; connector: string; driver: string | null }>(
        'SELECT id::text, connector_id AS connector, driver_key AS driver FROM series WHERE organization_id = $1',
        [organizationId],
      );
      const byId = new Map(series.rows.map((r) => [r.id, r]));
      const named = new Map<string, Set<string>>();
      for (const change of await takeSeriesChanges(client, organizationId)) {
        const s = byId.get(change.seriesId.toString());
        if (!s) throw new Error(`a fact names series ${change.seriesId}, which does not exist`);
        const set = named.get(s.connector) ?? new Set<string>();
        for (const b of change.buckets) set.add(`${s.driver ?? '∅'}@${new Date(b).toISOString()}`);
        named.set(s.connector, set);
      }
      return named;
    });
  const moved = (before: Points, after: Points): string[] =>
    [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => (before[k] ?? 0) !== (after[k] ?? 0)).sort();

  async function scenario(seed: number): Promise<void> {
    const where = `seed ${seed}`;
    const dice = new Dice(mulberry32(seed));
    const source = new SourceModel(dice, { changeTimes: true, reverts: false });
    const taxonomyName: TaxonomyName = dice.pick(['A', 'B', 'C'] as const);
    const classify = classifierOf(taxonomyName);
    await db.pool.query('TRUNCATE tickets, ticket_versions, ticket_classifications, sync_runs, sync_states, series, series_points, series_changes, derive_states CASCADE');
    await db.pool.query('DELETE FROM driver_taxonomies WHERE organization_id = $1', [organizationId]);
    const taxonomy = await db.prisma.driverTaxonomy.create({ data: { organizationId, version: seed, contentHash: `eq-${seed}`, active: true } });
    const runs = {
      fast: await beginRun(db.pool, { organizationId, connectorId: connectors.fast, stream: 'tickets', mode: 'incremental', jobId: null, sinceAt: null, restartIfComplete: false }),
      plan: await beginRun(db.pool, { organizationId, connectorId: connectors.plan, stream: 'tickets', mode: 'incremental', jobId: null, sinceAt: null, restartIfComplete: false }),
    };
    const staged = (v: Version, classified: boolean): NormalisedTicket => ({
      ticket: v.ticket, contentHash: v.hash, changedAt: v.changedAtMs === null ? null : new Date(v.changedAtMs).toISOString(), erasedBySource: false,
      raw: { id: Number(v.nativeId) }, ...(classified ? { classification: classify(v.ticket) } : {}),
    });
    const write = async (key: 'fast' | 'plan', versions: Version[], pageNo: number): Promise<void> => {
      const run = runs[key];
      await writeTicketPage(
        db.pool,
        {
          organizationId, connectorId: connectors[key], stream: 'tickets', runId: run.runId, fencingToken: run.fencingToken, normaliserVersion: 2,
          taxonomyId: key === 'fast' ? taxonomy.id : null, driverKeys: driverKeysOf(taxonomyName), connectorKey: key,
        },
        { tickets: versions.map((v) => staged(v, key === 'fast')), quarantined: [], cursor: `c${pageNo}`, sourceHighWaterMs: null, progressAtMs: null, fetched: versions.length, requests: 1, throttled: 0, waitedMs: 0 },
      );
    };
    const derive = (key: 'fast' | 'plan', batchSize: number) =>
      deriveAll(db.pool, { organizationId, connectorId: connectors[key], connectorKey: key, taxonomyId: taxonomy.id, batchSize }, classify);

    for (let i = dice.int(8, 20); i > 0; i--) source.create();
    const stored = new Map<string, Version>();
    let previousPage: Version[] = [];
    let before = { fast: {} as Points, plan: {} as Points };
    for (let step = 0; step < STEPS; step++) {
      for (const id of dice.subset(source.ids(), 0.3)) source.change(id);
      for (let i = dice.int(0, 3); i > 0; i--) source.create();
      // Newest versions of some tickets, sometimes the previous page again (a replay).
      const page = dice.chance(0.15) && previousPage.length > 0 ? previousPage : dice.subset(source.ids(), 0.6).map((id) => source.latest(id));
      previousPage = page;
      for (const v of page) stored.set(v.nativeId, v);
      await write('fast', page, step);
      await write('plan', page, step);
      expect((await derive('fast', 7)).pointsWritten, `derive after the fast path moves nothing, ${where} step ${step}`).toBe(0);
      await derive('plan', dice.int(1, 9));

      const rule = Object.fromEntries(
        [...stored.values()].map((v) => {
          const c = contributionOf({ deleted: v.ticket.status === 'deleted', driverKey: classify(v.ticket)?.driverKey ?? null, createdAt: v.ticket.createdAt });
          return [v.nativeId, c === null ? null : `${c.driverKey ?? '∅'}@${new Date(c.bucketStartMs).toISOString()}`];
        }),
      );
      expect(await countedOf(connectors.fast, taxonomy.id), `fast path contributions, ${where} step ${step}`).toEqual(rule);
      expect(await countedOf(connectors.plan, taxonomy.id), `derive plan contributions, ${where} step ${step}`).toEqual(rule);
      const recount = Object.fromEntries(
        countContributions([...stored.values()].map((v) => ({ deleted: v.ticket.status === 'deleted', driverKey: classify(v.ticket)?.driverKey ?? null, createdAt: v.ticket.createdAt })))
          .map((d) => [`${d.driverKey ?? '∅'}@${new Date(d.bucketStartMs).toISOString()}`, d.delta] as const)
          .sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      const after = { fast: await pointsOf(connectors.fast), plan: await pointsOf(connectors.plan) };
      expect(after.fast, `fast path series vs the domain recount, ${where} step ${step}`).toEqual(recount);
      expect(after.plan, `derive plan series vs the domain recount, ${where} step ${step}`).toEqual(recount);
      const facts = await takeFacts();
      for (const key of ['fast', 'plan'] as const) {
        const named = facts.get(connectors[key]) ?? new Set<string>();
        const unnamed = moved(before[key], after[key]).filter((k) => !named.has(k));
        expect(unnamed, `${key}: moved points without a "series changed" fact, ${where} step ${step}`).toEqual([]);
      }
      before = after;
    }
  }

  it(`agree on ${SCENARIOS} seeded histories (edits, deletions, restores, created-time moves, replays)`, async () => {
    for (let i = 0; i < SCENARIOS; i++) await scenario(BASE_SEED + i);
  }, 120_000);
});
