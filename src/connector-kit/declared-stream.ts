import type { SourcePage } from './connector-module.ts';
import type { StreamDefinition } from './declaration.ts';
import { ConnectorError } from './failure.ts';
import { type NextPage, Pager, valueAt } from './pagination.ts';

/**
 * A stream's pages as its declaration says (README "Adding a connector"): where a run starts — a
 * stored checkpoint (cursor, link, keyset bookmark) or a time (`incremental.toRequest`, never younger
 * than `minAgeMs`, `lookbackMs` before a time checkpoint) — how each next request follows from a page
 * (pagination.ts, with its guards), where the records are, the high-water mark, and what checkpoint
 * goes with each page: the cursor or link; a keyset walk's bookmark, and when it has finished, its
 * newest change time less lookback; a token walk's newest change time less lookback. The session only fetches (its transport, auth and pacing) and may adjust a page
 * before it is read (Zendesk joins its side-loaded metric sets).
 */
export type StreamRequest = { params: Record<string, string> } | { url: string };

export interface StreamHooks {
  /** One page: the stream's path with these query parameters (the declaration's `params` included), or a URL the source gave. */
  fetch(request: StreamRequest): Promise<{ body: unknown; headers?: Readonly<Record<string, string | undefined>> }>;
  /** Checks and adjusts a page body before its records are read; throws a ConnectorError for a malformed one. */
  page?(body: unknown): unknown;
}

export async function* declaredPages(
  stream: Pick<StreamDefinition<unknown, unknown>, 'recordsPath' | 'params' | 'paginator' | 'incremental' | 'bookmarkRequest'>,
  run: { connectorKey: string; nowMs: number; from: { cursor: string | null; sinceMs: number } },
  hooks: StreamHooks,
): AsyncGenerator<SourcePage> {
  const { paginator, incremental } = stream;
  const fixed = stream.params ?? {};
  const stored = run.from.cursor === '' ? null : run.from.cursor;
  const startMs = stored === null ? run.from.sinceMs : incremental.timeOf(stored);
  const fromTime = (sinceMs: number): Record<string, string> => incremental.toRequest(Math.min(sinceMs, run.nowMs - incremental.minAgeMs), run.nowMs);
  let request: StreamRequest;
  let pager: Pager;
  if (startMs !== null) {
    request = { params: { ...fixed, ...fromTime(stored === null ? startMs : startMs - incremental.lookbackMs) } };
    pager = new Pager(paginator, run.connectorKey);
  } else {
    request = resumeRequest(stream, stored ?? '', run);
    pager = new Pager(paginator, run.connectorKey, stored);
  }
  // Until the source gives something to resume from, a page's checkpoint is the time it was read from.
  const startCheckpoint = incremental.timeCheckpoint(Math.min(startMs ?? run.from.sinceMs, run.nowMs - incremental.minAgeMs));
  let highWater: number | null = null;
  for (;;) {
    const fetched = await hooks.fetch(request);
    const body = hooks.page ? hooks.page(fetched.body) : fetched.body;
    const records = valueAt(body, stream.recordsPath);
    if (!Array.isArray(records)) throw contract(run.connectorKey, 'RECORDS_MISSING', `the page has no ${stream.recordsPath} list`);
    const step = pager.step({ records, body, ...(fetched.headers ? { headers: fetched.headers } : {}) });
    const pageHigh = highWaterOf(step.records, incremental.changedAtMs);
    if (pageHigh !== null && (highWater === null || pageHigh > highWater)) highWater = pageHigh;
    // A token does not outlive its search, and a finished keyset walk must see rows written late into
    // the second it ended on: the next run starts from the newest change time, less lookback. A keyset
    // walk cut short resumes from its bookmark.
    const fromTime = paginator.type === 'token' || (paginator.type === 'keyset' && step.next === null);
    const checkpoint = fromTime
      ? (highWater === null ? startCheckpoint : incremental.timeCheckpoint(highWater - incremental.lookbackMs))
      : (step.checkpoint ?? startCheckpoint);
    yield { records: step.records, nextCursor: checkpoint, done: step.next === null, sourceHighWaterMs: pageHigh };
    if (step.next === null) return;
    request = nextRequest(stream, step.next, request, run);
  }
}

function resumeRequest(stream: Parameters<typeof declaredPages>[0], stored: string, run: { connectorKey: string; nowMs: number }): StreamRequest {
  const p = stream.paginator;
  const fixed = stream.params ?? {};
  switch (p.type) {
    case 'cursor':
      return { params: { ...fixed, [p.cursorParam]: stored } };
    case 'link':
      return { url: stored };
    case 'keyset': {
      const values: unknown = JSON.parse(stored);
      if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) throw contract(run.connectorKey, 'CHECKPOINT_UNREADABLE', `the stored checkpoint ${stored} is no keyset bookmark`);
      return { params: { ...fixed, ...bookmark(stream, values, run) } };
    }
    case 'token':
      throw contract(run.connectorKey, 'CHECKPOINT_UNREADABLE', `the stored checkpoint ${stored} is no time checkpoint (a page token does not outlive its search)`);
  }
}

function nextRequest(stream: Parameters<typeof declaredPages>[0], next: NextPage, previous: StreamRequest, run: { connectorKey: string; nowMs: number }): StreamRequest {
  const fixed = stream.params ?? {};
  switch (next.kind) {
    case 'url':
      return { url: next.url };
    case 'bookmark':
      return { params: { ...fixed, ...bookmark(stream, next.values, run) } };
    case 'params':
      // A cursor replaces the first request's parameters (Zendesk drops start_time); a page token is
      // added to the same search.
      return stream.paginator.type === 'token' && 'params' in previous ? { params: { ...previous.params, ...next.params } } : { params: { ...fixed, ...next.params } };
  }
}

function bookmark(stream: Parameters<typeof declaredPages>[0], values: readonly string[], run: { connectorKey: string; nowMs: number }): Record<string, string> {
  if (!stream.bookmarkRequest) throw contract(run.connectorKey, 'DECLARATION_INCOMPLETE', 'the stream pages by keyset but declares no bookmarkRequest');
  return stream.bookmarkRequest(values, run.nowMs);
}

function highWaterOf(records: readonly unknown[], changedAtMs: (record: unknown) => number | null): number | null {
  let max: number | null = null;
  for (const record of records) {
    const at = changedAtMs(record);
    if (at !== null && (max === null || at > max)) max = at;
  }
  return max;
}

const contract = (connectorKey: string, code: string, what: string): ConnectorError =>
  new ConnectorError(`Connector "${connectorKey}": ${what}`, { failure: 'system', code, connector: connectorKey });
