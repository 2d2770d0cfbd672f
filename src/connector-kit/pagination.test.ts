import { describe, expect, it } from 'vitest';
import { nextLink, Pager, valueAt } from './pagination.ts';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('the paginator declaration, as the kit reads it', () => {
  it('cursor: follows the cursor until the end flag, keeps the newest cursor as checkpoint, refuses a loop and a missing cursor mid-stream', () => {
    const zendesk = { type: 'cursor', cursorPath: 'after_cursor', cursorParam: 'cursor', donePath: 'end_of_stream', pageSize: 1000 } as const;
    const pager = new Pager(zendesk, 'zd', 'c0');
    expect(pager.step({ records: [1, 2], body: { after_cursor: 'c1', end_of_stream: false } })).toEqual({ records: [1, 2], next: { kind: 'params', params: { cursor: 'c1' } }, checkpoint: 'c1' });
    // The last page may carry no cursor: the checkpoint stays the newest one seen.
    expect(pager.step({ records: [3], body: { after_cursor: null, end_of_stream: true } })).toEqual({ records: [3], next: null, checkpoint: 'c1' });
    expect(new Pager(zendesk, 'zd', 'c0').step({ records: [], body: { end_of_stream: true } }).checkpoint).toBe('c0');
    const looping = new Pager(zendesk, 'zd');
    looping.step({ records: [1], body: { after_cursor: 'c1', end_of_stream: false } });
    looping.step({ records: [2], body: { after_cursor: 'c2', end_of_stream: false } });
    expect(codeOf(() => looping.step({ records: [3], body: { after_cursor: 'c1', end_of_stream: false } }))).toBe('PAGE_LOOP');
    expect(codeOf(() => new Pager(zendesk, 'zd').step({ records: [1], body: { end_of_stream: false } }))).toBe('CURSOR_MISSING');
  });

  it('cursor with a "more" flag at a nested path (Zendesk cursor pagination of lists)', () => {
    const fields = { type: 'cursor', cursorPath: 'meta.after_cursor', cursorParam: 'page[after]', morePath: 'meta.has_more', pageSize: 100 } as const;
    const pager = new Pager(fields, 'zd');
    expect(pager.step({ records: [1], body: { meta: { has_more: true, after_cursor: 'x' } } }).next).toEqual({ kind: 'params', params: { 'page[after]': 'x' } });
    // Zendesk still sets a cursor on the last page: has_more decides.
    expect(pager.step({ records: [2], body: { meta: { has_more: false, after_cursor: 'y' } } }).next).toBeNull();
  });

  it('link: follows the body URL or the Link header rel="next" until there is none, refusing a loop', () => {
    const pager = new Pager({ type: 'link', pageSize: 100 }, 'sn');
    const header = '<https://x.service-now.com/api/now/v2/table/incident?sysparm_offset=100>;rel="next",<https://x/first>;rel="first"';
    expect(pager.step({ records: [1], body: {}, headers: { link: header } }).next).toEqual({ kind: 'url', url: 'https://x.service-now.com/api/now/v2/table/incident?sysparm_offset=100' });
    expect(pager.step({ records: [2], body: {}, headers: { link: '<https://x/first>; rel="first"' } }).next).toBeNull();
    expect(nextLink('<a>; rel="prev", <b>; rel="next last"')).toBe('b');
    const looping = new Pager({ type: 'link', nextUrlPath: 'links.next', pageSize: 100 }, 'x');
    looping.step({ records: [1], body: { links: { next: 'u1' } } });
    expect(codeOf(() => looping.step({ records: [2], body: { links: { next: 'u1' } } }))).toBe('PAGE_LOOP');
  });

  it('keyset: continues after the last record, ends only on an empty page (a short page is not the end), refuses a bookmark that does not move', () => {
    const servicenow = { type: 'keyset', keys: ['sys_updated_on', 'sys_id'], pageSize: 1000 } as const;
    const pager = new Pager(servicenow, 'sn');
    const row = (ts: string, id: string) => ({ sys_updated_on: ts, sys_id: id });
    expect(pager.step({ records: [row('2026-01-01 10:00:00', 'a'), row('2026-01-01 10:00:00', 'b')], body: {} }))
      .toEqual({ records: [row('2026-01-01 10:00:00', 'a'), row('2026-01-01 10:00:00', 'b')], next: { kind: 'bookmark', values: ['2026-01-01 10:00:00', 'b'] }, checkpoint: '["2026-01-01 10:00:00","b"]' });
    // ACLs left one row of a full page: not the end.
    expect(pager.step({ records: [row('2026-01-01 10:00:01', 'c')], body: {} }).next).toEqual({ kind: 'bookmark', values: ['2026-01-01 10:00:01', 'c'] });
    expect(codeOf(() => pager.step({ records: [row('2026-01-01 10:00:01', 'c')], body: {} }))).toBe('PAGE_LOOP');
    expect(new Pager(servicenow, 'sn').step({ records: [], body: {} })).toEqual({ records: [], next: null, checkpoint: null });
    expect(codeOf(() => new Pager(servicenow, 'sn').step({ records: [{ sys_id: 'x' }], body: {} }))).toBe('KEYSET_KEY_MISSING');
  });

  it('token: follows nextPageToken, stops on a missing token or an empty page, refuses a repeated token, drops records seen before', () => {
    const jira = { type: 'token', tokenPath: 'nextPageToken', tokenParam: 'nextPageToken', idPath: 'id', pageSize: 100 } as const;
    const pager = new Pager(jira, 'jira');
    expect(pager.step({ records: [{ id: '1' }, { id: '2' }], body: { nextPageToken: 't1' } }).next).toEqual({ kind: 'params', params: { nextPageToken: 't1' } });
    // Eventual consistency moved issue 2 onto the next page too: it is not read twice.
    expect(pager.step({ records: [{ id: '2' }, { id: '3' }], body: { nextPageToken: 't2' } }).records).toEqual([{ id: '3' }]);
    expect(codeOf(() => pager.step({ records: [{ id: '4' }], body: { nextPageToken: 't1' } }))).toBe('PAGE_LOOP');
    expect(new Pager(jira, 'jira').step({ records: [{ id: '9' }], body: { isLast: true } }).next).toBeNull();
    expect(new Pager(jira, 'jira').step({ records: [], body: { nextPageToken: 't9' } }).next).toBeNull();
  });

  it('reads dotted paths, and nothing through a missing step', () => {
    expect(valueAt({ a: { b: 3 } }, 'a.b')).toBe(3);
    expect(valueAt({ a: null }, 'a.b')).toBeUndefined();
  });
});
