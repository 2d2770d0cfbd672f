import type { Paginator } from './declaration.ts';
import { ConnectorError } from './failure.ts';

/**
 * The kit's reading of a stream's `paginator` declaration (declaration.ts): given one page — its
 * records, body and headers — what the next request is, or that the stream has ended, with the
 * guards each kind needs (README "Adding a connector"). Pure: the session fetches, this decides.
 *
 * - cursor: next = the body's cursor; ends on `donePath` true / `morePath` false (or, without either,
 *   on a missing cursor); a page that is not the end but has no cursor, or a cursor returned twice,
 *   is a contract error. The checkpoint is the newest cursor seen.
 * - link: next = the body's URL or the `Link` header's rel="next"; ends without one; a URL twice is a loop.
 * - keyset: next = the last record's key values; ends only on an empty page; a bookmark that does not
 *   move is a loop.
 * - token: next = the body's token; ends on a missing token or an empty page; a token twice is a
 *   loop; records already seen (by id) are dropped.
 */
export type NextPage =
  | { kind: 'params'; params: Record<string, string> }
  | { kind: 'url'; url: string }
  | { kind: 'bookmark'; values: string[] };

export interface PageStep {
  /** The page's records, without those an earlier page already had (token paging). */
  records: unknown[];
  /** null: the stream ended with this page. */
  next: NextPage | null;
  /** What to persist with the page to resume after it (cursor, URL, bookmark as JSON, token), null if nothing new. */
  checkpoint: string | null;
}

export interface PageInput {
  records: readonly unknown[];
  body: unknown;
  /** Lower-case header names. */
  headers?: Readonly<Record<string, string | undefined>>;
}

export class Pager {
  private readonly paginator: Paginator;
  private readonly connectorKey: string;
  private readonly seen = new Set<string>();
  private readonly ids = new Set<string>();
  private last: string | null;

  /** `resumeFrom`: the checkpoint the walk starts after (a stored cursor), if any. */
  constructor(paginator: Paginator, connectorKey: string, resumeFrom: string | null = null) {
    this.paginator = paginator;
    this.connectorKey = connectorKey;
    this.last = resumeFrom;
  }

  step(page: PageInput): PageStep {
    const p = this.paginator;
    switch (p.type) {
      case 'cursor': {
        const cursor = stringAt(page.body, p.cursorPath);
        const ended = p.donePath !== undefined ? valueAt(page.body, p.donePath) === true
          : p.morePath !== undefined ? valueAt(page.body, p.morePath) !== true
            : cursor === null;
        if (cursor === null && !ended) throw this.contract('CURSOR_MISSING', `the page has no ${p.cursorPath} but is not the last`);
        if (cursor !== null) this.last = cursor;
        if (ended || cursor === null) return { records: [...page.records], next: null, checkpoint: this.last };
        this.once(cursor, `the source returned the cursor ${p.cursorPath} it had already returned (loop)`);
        return { records: [...page.records], next: { kind: 'params', params: { [p.cursorParam]: cursor } }, checkpoint: cursor };
      }
      case 'link': {
        const url = (p.nextUrlPath === undefined ? null : stringAt(page.body, p.nextUrlPath)) ?? nextLink(page.headers?.['link']);
        if (url === null) return { records: [...page.records], next: null, checkpoint: null };
        this.once(url, 'the source returned a next-page link it had already returned (loop)');
        return { records: [...page.records], next: { kind: 'url', url }, checkpoint: url };
      }
      case 'keyset': {
        const lastRecord = page.records[page.records.length - 1];
        if (lastRecord === undefined) return { records: [], next: null, checkpoint: null };
        const values = p.keys.map((k) => {
          const v = valueAt(lastRecord, k);
          if (typeof v !== 'string' && typeof v !== 'number') throw this.contract('KEYSET_KEY_MISSING', `a record has no ${k} to continue after`);
          return String(v);
        });
        const bookmark = JSON.stringify(values);
        if (bookmark === this.last) throw this.contract('PAGE_LOOP', `the page after ${bookmark} ended where it began (loop)`);
        this.last = bookmark;
        return { records: [...page.records], next: { kind: 'bookmark', values }, checkpoint: bookmark };
      }
      case 'token': {
        const fresh = page.records.filter((r) => {
          const id = valueAt(r, p.idPath);
          if (typeof id !== 'string' && typeof id !== 'number') return true;
          if (this.ids.has(String(id))) return false;
          this.ids.add(String(id));
          return true;
        });
        const token = stringAt(page.body, p.tokenPath);
        if (token === null || page.records.length === 0) return { records: fresh, next: null, checkpoint: null };
        this.once(token, `the source returned the page token ${p.tokenPath} it had already returned (loop)`);
        return { records: fresh, next: { kind: 'params', params: { [p.tokenParam]: token } }, checkpoint: token };
      }
    }
  }

  private once(value: string, message: string): void {
    if (this.seen.has(value)) throw this.contract('PAGE_LOOP', message);
    this.seen.add(value);
  }

  private contract(code: string, what: string): ConnectorError {
    return new ConnectorError(`Connector "${this.connectorKey}": ${what}`, { failure: 'system', code, connector: this.connectorKey });
  }
}

/** The value at a dotted path of a JSON value, undefined when any step is missing. */
export function valueAt(value: unknown, path: string): unknown {
  let at: unknown = value;
  for (const step of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[step];
  }
  return at;
}

const stringAt = (value: unknown, path: string): string | null => {
  const v = valueAt(value, path);
  return typeof v === 'string' && v !== '' ? v : null;
};

/** The rel="next" target of an RFC 8288 `Link` header. */
export function nextLink(header: string | undefined): string | null {
  if (header === undefined) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2] ?? '')) return match[1] ?? null;
  }
  return null;
}
