import { ticketContentHash } from '../domain/ticket/content-hash.ts';
import type { Classifier } from '../domain/driver/compile-taxonomy.ts';
import type { NormalisedPage, NormalisedTicket } from '../domain/ticket/ticket-page.ts';
import type { ConnectorSession, HttpStats, SourcePage } from './connector-module.ts';

/**
 * Runs one stream of a connector session page by page: normalise every record (malformed ones are
 * set aside with their reason, the page goes on), hand the page and its cursor to the sink — which
 * stores both in one transaction — and fetch the next page while the sink writes this one.
 */
/** The driver a ticket matched under the active taxonomy (null: unmatched). */

export type { NormalisedPage, NormalisedTicket };

export interface PageSinkOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
  quarantined: number;
}

export interface StreamTotals extends PageSinkOutcome {
  pages: number;
  fetched: number;
  cursor: string | null;
}

export interface RunStreamOptions<O extends PageSinkOutcome> {
  session: ConnectorSession;
  from: { cursor: string | null; sinceMs: number };
  sink: (page: NormalisedPage) => Promise<O>;
  onPage?: (page: NormalisedPage, outcome: O, totals: StreamTotals) => void | Promise<void>;
  /** Keep the raw payload with each ticket (re-normalisation later); on by default. */
  keepRaw?: boolean;
  /** Classify each ticket while the previous page is being written (pure, ~µs per ticket). */
  classify?: Classifier;
  signal?: AbortSignal;
}

export async function runStream<O extends PageSinkOutcome>(options: RunStreamOptions<O>): Promise<StreamTotals> {
  const { session, sink, signal } = options;
  const totals: StreamTotals = { pages: 0, fetched: 0, inserted: 0, updated: 0, unchanged: 0, quarantined: 0, cursor: options.from.cursor };
  // Normalising is part of the prefetched step: while the sink writes page N (PostgreSQL's CPU),
  // page N+1 is fetched, parsed and normalised (this process's CPU).
  for await (const { page, normalised } of prefetch(normaliseStream(session, options.from, { keepRaw: options.keepRaw ?? true, classify: options.classify }))) {
    signal?.throwIfAborted();
    const outcome = await sink(normalised);
    totals.pages += 1;
    totals.fetched += normalised.fetched;
    totals.inserted += outcome.inserted;
    totals.updated += outcome.updated;
    totals.unchanged += outcome.unchanged;
    totals.quarantined += outcome.quarantined;
    totals.cursor = page.nextCursor;
    await options.onPage?.(normalised, outcome, totals);
    if (page.done) break;
  }
  return totals;
}

interface NormaliseOptions {
  keepRaw: boolean;
  classify: Classifier | undefined;
}

async function* normaliseStream(session: ConnectorSession, from: RunStreamOptions<PageSinkOutcome>['from'], options: NormaliseOptions): AsyncGenerator<{ page: SourcePage; normalised: NormalisedPage }> {
  let before = session.stats();
  for await (const page of session.ticketPages(from)) {
    const after = session.stats();
    yield { page, normalised: normalisePage(session, page, options, delta(before, after)) };
    before = after;
    if (page.done) return;
  }
}

function normalisePage(session: ConnectorSession, page: SourcePage, options: NormaliseOptions, http: HttpStats): NormalisedPage {
  const tickets: NormalisedPage['tickets'] = [];
  const quarantined: NormalisedPage['quarantined'] = [];
  let progressAtMs: number | null = null;
  for (const raw of page.records) {
    const result = session.normalise(raw);
    if (!result.ok) {
      quarantined.push({ nativeId: result.nativeId, reason: result.reason, payload: raw });
      continue;
    }
    const updatedMs = Date.parse(result.ticket.updatedAt);
    if (progressAtMs === null || updatedMs > progressAtMs) progressAtMs = updatedMs;
    const staged: NormalisedTicket = {
      ticket: result.ticket,
      contentHash: ticketContentHash(result.ticket),
      changedAt: result.changedAt,
      erasedBySource: result.erasedBySource,
      raw: options.keepRaw ? raw : undefined,
    };
    if (options.classify) staged.classification = options.classify(result.ticket);
    tickets.push(staged);
  }
  return {
    tickets,
    quarantined,
    cursor: page.nextCursor,
    sourceHighWaterMs: page.sourceHighWaterMs,
    progressAtMs: page.sourceHighWaterMs ?? progressAtMs,
    fetched: page.records.length,
    requests: http.requests,
    throttled: http.throttled,
    waitedMs: http.waitedMs,
  };
}

function delta(before: HttpStats, after: HttpStats): HttpStats {
  return {
    requests: after.requests - before.requests,
    throttled: after.throttled - before.throttled,
    retried: after.retried - before.retried,
    waitedMs: after.waitedMs - before.waitedMs,
  };
}

/**
 * Pulls one item ahead of the consumer, so the next HTTP request is in flight while the current
 * page is being written. At most one page is buffered: memory stays flat on million-ticket back-fills.
 */
export async function* prefetch<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    while (true) {
      const current = await pending;
      if (current.done) return;
      pending = iterator.next();
      // A failed prefetch must not become an unhandled rejection while the page is being written.
      pending.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await iterator.return?.();
  }
}
