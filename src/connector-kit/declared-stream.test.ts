import { describe, expect, it } from 'vitest';
import type { SourcePage } from './connector-module.ts';
import { declaredPages, type StreamRequest } from './declared-stream.ts';
import type { IncrementalSpec, Paginator } from './declaration.ts';

const NOW = Date.parse('2026-01-10T12:00:00Z');
const at = (iso: string): number => Date.parse(iso);

/** A time spec in the shape of a real one: `updated >= <ms>`, checkpoints `since:<ms>`. */
const incremental = (lookbackMs = 0): IncrementalSpec => ({
  changedAtMs: (r) => (typeof (r as { updated?: unknown }).updated === 'string' ? Date.parse((r as { updated: string }).updated) : null),
  toRequest: (sinceMs) => ({ since: String(sinceMs) }),
  minAgeMs: 60_000,
  lookbackMs,
  timeCheckpoint: (ms) => `since:${ms}`,
  timeOf: (c) => (c.startsWith('since:') ? Number(c.slice(6)) : null),
});

async function walk(paginator: Paginator, bodies: unknown[], from: { cursor: string | null; sinceMs: number }, extra: { lookbackMs?: number; bookmark?: boolean } = {}) {
  const requests: StreamRequest[] = [];
  const pages: SourcePage[] = [];
  const stream = {
    recordsPath: 'items', params: { fields: 'all' }, paginator, incremental: incremental(extra.lookbackMs),
    ...(extra.bookmark ? { bookmarkRequest: (values: readonly string[]) => ({ after: values.join('|') }) } : {}),
  };
  let i = 0;
  for await (const page of declaredPages(stream, { connectorKey: 'c', nowMs: NOW, from }, { fetch: async (r) => { requests.push(r); return { body: bodies[i++] }; } })) pages.push(page);
  return { requests, pages };
}

describe('a stream walked from its declaration', () => {
  const cursor: Paginator = { type: 'cursor', cursorPath: 'next', cursorParam: 'cursor', donePath: 'end', pageSize: 100 };

  it('starts from a time, never younger than minAge, with the fixed params; checkpoints the time until a cursor comes', async () => {
    const { requests, pages } = await walk(cursor, [{ items: [], end: true }], { cursor: null, sinceMs: NOW });
    expect(requests).toEqual([{ params: { fields: 'all', since: String(NOW - 60_000) } }]);
    expect(pages).toEqual([{ records: [], nextCursor: `since:${NOW - 60_000}`, done: true, sourceHighWaterMs: null }]);
  });

  it('resumes from a stored cursor with only the cursor, and from a time checkpoint less the lookback', async () => {
    const resumed = await walk(cursor, [{ items: [{ updated: '2026-01-09T00:00:00Z' }], next: 'k2', end: false }, { items: [], end: true }], { cursor: 'k1', sinceMs: 0 });
    expect(resumed.requests).toEqual([{ params: { fields: 'all', cursor: 'k1' } }, { params: { fields: 'all', cursor: 'k2' } }]);
    expect(resumed.pages.map((p) => [p.nextCursor, p.done, p.sourceHighWaterMs])).toEqual([['k2', false, at('2026-01-09T00:00:00Z')], ['k2', true, null]]);
    const fromTime = await walk(cursor, [{ items: [], end: true }], { cursor: `since:${at('2026-01-05T00:00:00Z')}`, sinceMs: 0 }, { lookbackMs: 3_600_000 });
    expect(fromTime.requests).toEqual([{ params: { fields: 'all', since: String(at('2026-01-04T23:00:00Z')) } }]);
    expect(fromTime.pages[0]?.nextCursor).toBe(`since:${at('2026-01-05T00:00:00Z')}`);
  });

  it('keyset: asks for the page after the bookmark as the declaration builds it, goes on past a short page, stops on an empty one, resumes from a stored bookmark', async () => {
    const keyset: Paginator = { type: 'keyset', keys: ['updated', 'id'], pageSize: 2 };
    const row = (updated: string, id: string) => ({ updated, id });
    const { requests, pages } = await walk(keyset, [
      { items: [row('2026-01-01T00:00:00Z', 'a'), row('2026-01-01T00:00:00Z', 'b')] },
      { items: [row('2026-01-01T00:00:00Z', 'c')] },
      { items: [] },
    ], { cursor: null, sinceMs: at('2026-01-01T00:00:00Z') }, { bookmark: true, lookbackMs: 120_000 });
    expect(requests).toEqual([
      { params: { fields: 'all', since: String(at('2026-01-01T00:00:00Z')) } },
      { params: { fields: 'all', after: '2026-01-01T00:00:00Z|b' } },
      { params: { fields: 'all', after: '2026-01-01T00:00:00Z|c' } },
    ]);
    expect(pages.map((p) => [p.records.length, p.nextCursor, p.done])).toEqual([
      // Finished: the next run starts from the newest change time less the lookback (late writes into that second).
      [2, '["2026-01-01T00:00:00Z","b"]', false], [1, '["2026-01-01T00:00:00Z","c"]', false], [0, `since:${at('2025-12-31T23:58:00Z')}`, true],
    ]);
    const resumed = await walk(keyset, [{ items: [] }], { cursor: '["2026-01-01T00:00:00Z","c"]', sinceMs: 0 }, { bookmark: true });
    expect(resumed.requests).toEqual([{ params: { fields: 'all', after: '2026-01-01T00:00:00Z|c' } }]);
  });

  it('token: keeps the search and adds the token, drops records seen before, and checkpoints its newest change time less lookback', async () => {
    const token: Paginator = { type: 'token', tokenPath: 'nextPageToken', tokenParam: 'nextPageToken', idPath: 'id', pageSize: 100 };
    const { requests, pages } = await walk(token, [
      { items: [{ id: '1', updated: '2026-01-09T10:00:00Z' }, { id: '2', updated: '2026-01-09T11:00:00Z' }], nextPageToken: 't1' },
      { items: [{ id: '2', updated: '2026-01-09T11:00:00Z' }, { id: '3', updated: '2026-01-09T10:30:00Z' }] },
    ], { cursor: null, sinceMs: at('2026-01-09T00:00:00Z') }, { lookbackMs: 60_000 });
    expect(requests).toEqual([
      { params: { fields: 'all', since: String(at('2026-01-09T00:00:00Z')) } },
      { params: { fields: 'all', since: String(at('2026-01-09T00:00:00Z')), nextPageToken: 't1' } },
    ]);
    expect(pages.map((p) => [p.records.map((r) => (r as { id: string }).id), p.nextCursor, p.done])).toEqual([
      [['1', '2'], `since:${at('2026-01-09T10:59:00Z')}`, false],
      [['3'], `since:${at('2026-01-09T10:59:00Z')}`, true],
    ]);
  });

  it('refuses a page without its records list, and a keyset stream that declares no bookmark request', async () => {
    await expect(walk(cursor, [{ end: true }], { cursor: null, sinceMs: 0 })).rejects.toMatchObject({ code: 'RECORDS_MISSING' });
    await expect(walk({ type: 'keyset', keys: ['id'], pageSize: 1 }, [{ items: [{ id: 'a' }] }], { cursor: null, sinceMs: 0 })).rejects.toMatchObject({ code: 'DECLARATION_INCOMPLETE' });
  });
});
