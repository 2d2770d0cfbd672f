import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { NormalisedPage, NormalisedTicket, QuarantineEntry } from '../domain/ticket/ticket-page.ts';
import { seriesKeyOf } from '../domain/series/series-key.ts';
import { ensureSeries, lockConnectorSeries } from './connector-series.ts';
import { copyRow } from './copy-text.ts';
import { pgJsonText, pgSafeText } from './pg-safe.ts';
import { alreadyErased, eraseTicketHistory } from './ticket-erasure.ts';
import { inTransaction } from './transaction.ts';
import { COPY_STAGE, CREATE_STAGE, KEEP_SCRUBBED_DRIVERS, MARK_ERASURES, MERGE, stageValues, SUPERSEDE } from './ticket-page-sql.ts';

/**
 * The page transaction (README "Guarantees"): one page of normalised tickets is COPYed into a
 * session-local staging table and merged into `tickets` (ticket-page-sql.ts), superseded versions are
 * appended to `ticket_versions`, malformed records — and records PostgreSQL refuses — go to
 * quarantine, and the stream's cursor moves — all in ONE transaction, guarded by the run's fencing
 * token. A crash before COMMIT leaves the old cursor and none of the page; a crash after leaves both.
 * Replaying a page writes nothing: the merge only touches rows whose content hash changed and never
 * lets an older source version win.
 */
export type StagedTicket = NormalisedTicket;
export type PageWrite = NormalisedPage;
export type { QuarantineEntry };

export interface PageTarget {
  organizationId: string;
  connectorId: string;
  stream: string;
  runId: bigint;
  fencingToken: bigint;
  normaliserVersion: number;
  /** The active taxonomy the staged classifications belong to, and its driver keys. */
  taxonomyId?: string | null;
  driverKeys?: readonly string[];
  connectorKey?: string;
}

export interface PageOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
  quarantined: number;
  /** Highest tickets.change_seq written by this page (null when nothing changed). */
  maxChangeSeq: bigint | null;
}

export class FencedOutError extends Error {
  override readonly name = 'FencedOutError';
}

export async function writeTicketPage(pool: pg.Pool, target: PageTarget, page: PageWrite): Promise<PageOutcome> {
  const tickets = latestPerTicket(page.tickets);
  return inTransaction(pool, async (client) => {
    await lockConnectorSeries(client, target.connectorId);
    await claimStream(client, target);
    let merged: MergeTotals = { inserted: 0, updated: 0, maxChangeSeq: null, refused: [] };
    if (tickets.length > 0) {
      await client.query(CREATE_STAGE);
      const counting = await seriesFollow(client, target);
      const series = counting ? await seriesOfTaxonomy(client, target) : [];
      // Only a page that classified every ticket can keep the derive position current: one it left
      // unclassified must still reach the derive stage.
      const everyClassified = tickets.every((t) => t.classification !== undefined);
      const deriveCaughtUp = counting && everyClassified && (await deriveIsCaughtUp(client, target));
      const context: ChunkContext = { client, target, taxonomyId: counting ? (target.taxonomyId ?? null) : null, series, stageDirty: false };
      merged = await mergeIsolating(context, tickets);
      // Everything this page changed is classified and counted: if the derive stage had nothing
      // pending before it, it has nothing pending after it either.
      if (deriveCaughtUp && merged.maxChangeSeq !== null) {
        await client.query('UPDATE derive_states SET last_seq = $2::bigint, updated_at = now() WHERE connector_id = $1', [target.connectorId, merged.maxChangeSeq.toString()]);
      }
    }
    const quarantined = await quarantine(client, target, [...page.quarantined, ...merged.refused]);
    const outcome: PageOutcome = {
      inserted: merged.inserted,
      updated: merged.updated,
      maxChangeSeq: merged.maxChangeSeq,
      unchanged: tickets.length - merged.inserted - merged.updated - merged.refused.length,
      quarantined,
    };
    await advanceCursor(client, target, page);
    await recordPage(client, target, page, outcome);
    return outcome;
  });
}

interface MergeTotals {
  inserted: number;
  updated: number;
  maxChangeSeq: bigint | null;
  /** Records PostgreSQL refused, with its reason: quarantined, the rest of the page commits. */
  refused: QuarantineEntry[];
}

interface ChunkContext {
  client: pg.PoolClient;
  target: PageTarget;
  taxonomyId: string | null;
  series: [string | null, string][];
  /** The staging table holds rows of an earlier chunk of this page. */
  stageDirty: boolean;
}

/**
 * Merges the page; when PostgreSQL refuses a value (a data exception), finds the refusing records by
 * halving the page under savepoints and quarantines them with the database's reason, so one record
 * can never stop a stream. A clean page is one chunk: the cost is a savepoint.
 */
async function mergeIsolating(context: ChunkContext, tickets: StagedTicket[]): Promise<MergeTotals> {
  const { client } = context;
  await client.query('SAVEPOINT page_chunk');
  try {
    const totals = await mergeChunk(context, tickets);
    await client.query('RELEASE SAVEPOINT page_chunk');
    return totals;
  } catch (error) {
    if (!isRecordRefusal(error)) throw error;
    await client.query('ROLLBACK TO SAVEPOINT page_chunk');
    await client.query('RELEASE SAVEPOINT page_chunk');
    const [only] = tickets;
    if (tickets.length === 1 && only) {
      return { inserted: 0, updated: 0, maxChangeSeq: null, refused: [{ nativeId: only.ticket.nativeId, reason: refusalReason(error), payload: only.raw ?? only.ticket }] };
    }
    const half = Math.ceil(tickets.length / 2);
    const left = await mergeIsolating(context, tickets.slice(0, half));
    const right = await mergeIsolating(context, tickets.slice(half));
    return {
      inserted: left.inserted + right.inserted,
      updated: left.updated + right.updated,
      maxChangeSeq: maxSeq(left.maxChangeSeq, right.maxChangeSeq),
      refused: [...left.refused, ...right.refused],
    };
  }
}

async function mergeChunk(context: ChunkContext, tickets: StagedTicket[]): Promise<MergeTotals> {
  const { client, target, series } = context;
  if (context.stageDirty) await client.query('DELETE FROM frontline_stage_tickets');
  context.stageDirty = true;
  await copyStage(client, tickets);
  const marked = await client.query<{ native_id: string }>({ name: 'frontline_mark_erasures', text: MARK_ERASURES, values: [target.connectorId] });
  const erasing = marked.rows.map((r) => r.native_id);
  const erasure = { organizationId: target.organizationId, connectorId: target.connectorId, connectorKey: target.connectorKey ?? '' };
  const erasedBefore = await alreadyErased(client, erasure, erasing);
  if (context.taxonomyId !== null && tickets.some((t) => t.erasedBySource)) {
    await client.query(KEEP_SCRUBBED_DRIVERS, [target.organizationId, target.connectorId, context.taxonomyId]);
  }
  await client.query({ name: 'frontline_supersede', text: SUPERSEDE, values: [target.organizationId, target.connectorId, target.runId.toString()] });
  const result = await client.query<{ inserted: number; updated: number; max_change_seq: string | null; erased_written: string[] }>({ name: 'frontline_merge', text: MERGE, values: [
    target.organizationId, target.connectorId, target.normaliserVersion, context.taxonomyId,
    series.map(([driver]) => driver ?? ''), series.map(([, id]) => id), erasing,
  ] });
  const row = result.rows[0];
  const written = new Set(row?.erased_written ?? []);
  if (erasing.length > 0) {
    const bySource = new Set(tickets.filter((t) => t.erasedBySource).map((t) => t.ticket.nativeId));
    const erased = erasing.map((nativeId) => ({ nativeId, reason: bySource.has(nativeId) ? ('source' as const) : ('requester' as const) }));
    const firstTime = new Set([...written].filter((id) => !erasedBefore.has(id)));
    await eraseTicketHistory(client, erasure, erased, firstTime);
  }
  return {
    inserted: row?.inserted ?? 0,
    updated: row?.updated ?? 0,
    maxChangeSeq: row?.max_change_seq ? BigInt(row.max_change_seq) : null,
    refused: [],
  };
}

/** A data exception (SQLSTATE class 22) or a program limit (class 54) is about a value: the record's. */
function isRecordRefusal(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return false;
  return error.code.startsWith('22') || error.code.startsWith('54');
}

function refusalReason(error: Error & { code: string }): string {
  return `PostgreSQL refused the record: ${error.message} (SQLSTATE ${error.code})`;
}

const maxSeq = (a: bigint | null, b: bigint | null): bigint | null => (a === null ? b : b === null ? a : a > b ? a : b);

/**
 * Whether this page may classify and count at ingest: only when the connector's series reflect the
 * page's taxonomy (derive_states holds which one). After a taxonomy change the derive stage first
 * rebuilds the series; until then pages store tickets only and leave classifying to it.
 */
async function seriesFollow(client: pg.PoolClient, target: PageTarget): Promise<boolean> {
  if (!target.taxonomyId) return false;
  const claimed = await client.query<{ taxonomy_id: string }>(
    `INSERT INTO derive_states (connector_id, taxonomy_id, last_seq, updated_at)
     SELECT $1, $2, 0, now() WHERE NOT EXISTS (SELECT 1 FROM derive_states WHERE connector_id = $1)
     ON CONFLICT DO NOTHING`,
    [target.connectorId, target.taxonomyId],
  );
  if ((claimed.rowCount ?? 0) > 0) return true;
  const current = await client.query<{ taxonomy_id: string }>('SELECT taxonomy_id FROM derive_states WHERE connector_id = $1', [target.connectorId]);
  return current.rows.length === 1 && current.rows[0]?.taxonomy_id === target.taxonomyId;
}

async function deriveIsCaughtUp(client: pg.PoolClient, target: PageTarget): Promise<boolean> {
  const result = await client.query<{ caught_up: boolean }>(
    `SELECT coalesce((SELECT last_seq FROM derive_states WHERE connector_id = $1), -1) >=
            coalesce((SELECT max(change_seq) FROM tickets WHERE connector_id = $1), 0) AS caught_up`,
    [target.connectorId],
  );
  return result.rows[0]?.caught_up === true;
}

/** Series ids for every driver of the taxonomy and for unmatched tickets: [driver ('' = unmatched), id]. */
async function seriesOfTaxonomy(client: pg.PoolClient, target: PageTarget): Promise<[string | null, string][]> {
  if (!target.taxonomyId || target.connectorKey === undefined) return [];
  const drivers: (string | null)[] = [null, ...(target.driverKeys ?? [])];
  const connectorKey = target.connectorKey;
  const ids = await ensureSeries(client, { ...target, connectorKey }, drivers.map((d) => seriesKeyOf(connectorKey, d)));
  return drivers.flatMap((d) => {
    const id = ids.get(seriesKeyOf(connectorKey, d));
    return id === undefined ? [] : [[d, id] as [string | null, string]];
  });
}

/**
 * A page may repeat a ticket (it changed while being exported): keep its newest version only, by the
 * same order the merge uses — (updatedAt, changedAt), a missing change time first.
 */
function latestPerTicket(tickets: StagedTicket[]): StagedTicket[] {
  const byId = new Map<string, StagedTicket>();
  for (const staged of tickets) {
    const seen = byId.get(staged.ticket.nativeId);
    if (!seen || compareVersions(seen, staged) <= 0) byId.set(staged.ticket.nativeId, staged);
  }
  return [...byId.values()];
}

function compareVersions(a: StagedTicket, b: StagedTicket): number {
  const updated = Date.parse(a.ticket.updatedAt) - Date.parse(b.ticket.updatedAt);
  if (updated !== 0) return updated;
  const changed = (t: StagedTicket): number => (t.changedAt === null ? Number.NEGATIVE_INFINITY : Date.parse(t.changedAt));
  return Math.sign(changed(a) - changed(b));
}

/** Locks the stream's state row and refuses the page if a newer run has taken the stream. */
async function claimStream(client: pg.PoolClient, target: PageTarget): Promise<void> {
  const result = await client.query<{ fencing_token: string }>(
    'SELECT fencing_token::text FROM sync_states WHERE connector_id = $1 AND stream = $2 FOR UPDATE',
    [target.connectorId, target.stream],
  );
  const current = result.rows[0]?.fencing_token;
  if (current !== target.fencingToken.toString()) {
    throw new FencedOutError(
      `sync run ${target.runId} lost stream ${target.stream} to a newer run (token ${target.fencingToken}, now ${current ?? 'none'})`,
    );
  }
}

async function copyStage(client: pg.PoolClient, tickets: StagedTicket[]): Promise<void> {
  // One chunk per page, not one per row: thousands of tiny CopyData messages cost more than the encoding.
  let text = '';
  for (const staged of tickets) text += copyRow(stageValues(staged));
  await pipeline(Readable.from([text]), client.query(copyStreams.from(COPY_STAGE)));
}

async function quarantine(client: pg.PoolClient, target: PageTarget, entries: QuarantineEntry[]): Promise<number> {
  if (entries.length === 0) return 0;
  const payloads = entries.map((e) => pgJsonText(e.payload));
  const hashes = payloads.map((p) => createHash('sha1').update(p).digest('hex'));
  await client.query(
    `INSERT INTO quarantined_records (connector_id, stream, native_id, reason, payload, payload_hash, sync_run_id)
     SELECT $1::uuid, $2, n, r, p::jsonb, h, $3::bigint FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) AS x(n, r, p, h)
     ON CONFLICT (connector_id, stream, payload_hash) DO UPDATE SET last_seen_at = now(), reason = EXCLUDED.reason`,
    [
      target.connectorId, target.stream, target.runId.toString(), entries.map((e) => (e.nativeId === null ? null : pgSafeText(e.nativeId))),
      entries.map((e) => pgSafeText(e.reason)), payloads, hashes,
    ],
  );
  return entries.length;
}

async function advanceCursor(client: pg.PoolClient, target: PageTarget, page: PageWrite): Promise<void> {
  await client.query(
    `UPDATE sync_states SET cursor = $3, cursor_updated_at = now(),
       source_high_water = GREATEST(source_high_water, to_timestamp($4::double precision / 1000))
     WHERE connector_id = $1 AND stream = $2`,
    [target.connectorId, target.stream, page.cursor, page.sourceHighWaterMs],
  );
}

async function recordPage(client: pg.PoolClient, target: PageTarget, page: PageWrite, outcome: PageOutcome): Promise<void> {
  await client.query(
    `UPDATE sync_runs SET pages = pages + 1, fetched = fetched + $2, inserted = inserted + $3, updated = updated + $4,
       unchanged = unchanged + $5, quarantined = quarantined + $6, requests = requests + $7, throttled = throttled + $8,
       waited_ms = waited_ms + $9, cursor_after = $10, heartbeat_at = now(),
       progress_at = COALESCE(to_timestamp($11::double precision / 1000), progress_at)
     WHERE id = $1`,
    [
      target.runId.toString(), page.fetched, outcome.inserted, outcome.updated, outcome.unchanged, outcome.quarantined,
      page.requests, page.throttled, Math.round(page.waitedMs), page.cursor, page.progressAtMs,
    ],
  );
}
