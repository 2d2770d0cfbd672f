import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/connector-kit/clock.ts';
import type { ConnectorContext } from '../../src/connector-kit/connector-module.ts';
import { mulberry32 } from '../../src/connector-kit/random.ts';
import { collect, failure } from './connector-test-support.ts';
import { zendeskConnector } from './index.ts';

/**
 * Contract tests: the connector against recorded-shape Zendesk responses (fixtures/), through
 * node-zendesk's transport and the kit's HTTP layer, on a manual clock.
 */
const BASE = 'https://acme.zendesk.com';
const EXPORT = '/api/v2/incremental/tickets/cursor.json';
const NOW = Date.parse('2024-08-15T00:00:00Z');
const SINCE = NOW - 24 * 3600 * 1000;
const TOKEN = 'zd-api-token-4f2a9c1e77';
const CURSOR_1 = 'MTU3NjYxMzUzOS4wfHw0NTF8';
const CURSOR_2 = 'MTU3NjYxMzUzOS4wfHw0Njd8';
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const json = { 'Content-Type': 'application/json' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

function open(over: Partial<ConnectorContext> = {}) {
  const clock = manualClock(NOW);
  const session = zendeskConnector.open({
    key: 'zendesk-main',
    baseUrl: BASE,
    settings: { auth: { type: 'api_token', email: 'ops@acme.test' } },
    secrets: { token: TOKEN },
    clock,
    random: mulberry32(3),
    secretSources: { token: 'FRONTLINE_ZENDESK_MAIN_TOKEN' },
    ...over,
  });
  return { session, clock };
}

/** Records every export query string so tests can assert what was asked. */
function exportScope(queries: Record<string, string>[], ...replies: [number, unknown, Record<string, string>?][]) {
  let scope = nock(BASE);
  for (const [status, body, headers] of replies) {
    scope = scope
      .get(EXPORT)
      .query((q) => {
        queries.push(Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])));
        return true;
      })
      .reply(status, typeof body === 'string' ? body : JSON.stringify(body), { ...json, ...headers });
  }
  return scope;
}

describe('zendesk connector: cursor export', () => {
  it('starts with start_time only, then follows the cursor, and stops at end_of_stream', async () => {
    const queries: Record<string, string>[] = [];
    const scope = exportScope(queries, [200, fixture('export-page-1.json')], [200, fixture('export-page-2.json')]);
    const { session } = open();
    const pages = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    // Every request asks for all support types (the default leaves out AI-agent tickets) and side-loads ticket metrics.
    expect(queries).toEqual([
      { start_time: String(Math.floor(SINCE / 1000)), support_type_scope: 'all', include: 'metric_sets', per_page: '1000' },
      { cursor: CURSOR_1, support_type_scope: 'all', include: 'metric_sets', per_page: '1000' },
    ]);
    expect(pages.map((p) => [p.records.length, p.nextCursor, p.done, p.sourceHighWaterMs])).toEqual([
      [3, CURSOR_1, false, 1723660950_000],
      [2, CURSOR_2, true, 1723661130_000],
    ]);
    expect(scope.isDone()).toBe(true);
    expect(session.stats()).toEqual({ requests: 2, throttled: 0, retried: 0, waitedMs: 0 });
  });

  it('stops with a contract error when the export hands back a cursor it already gave, or no cursor before the end', async () => {
    const page = (cursor: string | null, end: boolean) => ({ ...fixture('export-page-1.json'), after_cursor: cursor, end_of_stream: end });
    exportScope([], [200, page('c-1', false)], [200, page('c-2', false)], [200, page('c-1', false)]);
    const looping = open().session;
    const seen: string[] = [];
    const loop = await failure((async () => {
      for await (const p of looping.ticketPages({ cursor: null, sinceMs: SINCE })) seen.push(p.nextCursor);
    })());
    expect([loop.code, loop.failure, seen]).toEqual(['PAGE_LOOP', 'system', ['c-1', 'c-2']]);
    exportScope([], [200, page(null, false)]);
    const missing = await failure(collect(open().session.ticketPages({ cursor: null, sinceMs: SINCE })));
    expect([missing.code, missing.message]).toEqual(['CURSOR_MISSING', 'Connector "zendesk-main": the page has no after_cursor but is not the last']);
  });

  it('never asks for a start_time younger than 61 s, and resumes from a stored cursor', async () => {
    const queries: Record<string, string>[] = [];
    exportScope(queries, [200, fixture('export-page-2.json')], [200, fixture('export-page-2.json')]);
    const { session } = open({ settings: { auth: { type: 'api_token', email: 'ops@acme.test' }, pageSize: 500 } });
    await collect(session.ticketPages({ cursor: null, sinceMs: NOW + 3_600_000 }));
    await collect(session.ticketPages({ cursor: 'c-stored', sinceMs: SINCE }));
    expect(queries).toEqual([
      { start_time: String(Math.floor((NOW - 61_000) / 1000)), support_type_scope: 'all', include: 'metric_sets', per_page: '500' },
      { cursor: 'c-stored', support_type_scope: 'all', include: 'metric_sets', per_page: '500' },
    ]);
  });

  it('keeps the start time as the checkpoint when the first page has no cursor (a new or quiet account)', async () => {
    const queries: Record<string, string>[] = [];
    const empty = { tickets: [], after_cursor: null, after_url: null, before_cursor: null, before_url: null, end_of_stream: true };
    exportScope(queries, [200, empty], [200, empty]);
    const { session } = open();
    const [page] = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    expect(page).toMatchObject({ records: [], nextCursor: `start_time:${Math.floor(SINCE / 1000)}`, done: true });
    // The next run resumes from that start time, not from where history starts.
    await collect(session.ticketPages({ cursor: page?.nextCursor ?? null, sinceMs: SINCE - 90 * 86_400_000 }));
    expect(queries.map((q) => q['start_time'])).toEqual([String(Math.floor(SINCE / 1000)), String(Math.floor(SINCE / 1000))]);
  });

  it('sizes pages by bytes: large tickets mean fewer a page, and a response over the cap is asked again with fewer', async () => {
    const queries: Record<string, string>[] = [];
    const big = (id: number) => ({ ...Object(JSON.parse(JSON.stringify(fixture('export-page-1.json'))).tickets[0]), id, description: 'x'.repeat(100_000) });
    const pageOf = (ids: number[], last: boolean) => ({ tickets: ids.map(big), after_cursor: `c${ids[0]}`, after_url: null, before_cursor: null, before_url: null, end_of_stream: last });
    // pageBytes 1 MiB: a 40-ticket page (4 MB) is over the 3 MiB cap, refused before it is read.
    exportScope(queries, [200, pageOf(Array.from({ length: 40 }, (_, i) => i + 1), false)], [200, pageOf([41, 42, 43, 44, 45, 46, 47, 48, 49, 50], false)], [200, pageOf([51], true)]);
    const { session } = open({ settings: { auth: { type: 'api_token', email: 'ops@acme.test' }, pageSize: 40, pageBytes: 1024 * 1024 } });
    const pages = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    expect(queries.map((q) => q['per_page'])).toEqual(['40', '10', '10']);
    expect(pages.map((p) => p.records.length)).toEqual([10, 1]);
  });

  it('waits out 429s with Retry-After on the injected clock without spending attempts', async () => {
    const queries: Record<string, string>[] = [];
    const limited: [number, unknown, Record<string, string>][] = Array.from({ length: 6 }, () => [
      429,
      { error: 'APIRateLimitExceeded', description: 'Number of allowed incremental export API requests per minute exceeded' },
      { 'Retry-After': '45' },
    ]);
    exportScope(queries, ...limited, [200, fixture('export-page-2.json')]);
    const { session, clock } = open();
    const pages = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    expect(pages).toHaveLength(1);
    expect(session.stats()).toEqual({ requests: 7, throttled: 6, retried: 6, waitedMs: 270_000 });
    expect(clock.now()).toBe(NOW + 270_000);
    // start_time was computed once, before the waits.
    expect(new Set(queries.map((q) => q['start_time'])).size).toBe(1);
  });

  it('retries a 500 and a truncated body, then succeeds', async () => {
    exportScope([], [500, { error: 'InternalError' }], [200, '{"tickets":[{"id":35436,"created_at":"2009-07'], [200, fixture('export-page-2.json')]);
    const { session } = open();
    const pages = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    expect(pages[0]?.records).toHaveLength(2);
    expect(session.stats()).toMatchObject({ requests: 3, retried: 2, throttled: 0 });
  });

  it('reads the rate-limit headers into the budget snapshot', async () => {
    exportScope([], [200, fixture('export-page-2.json'), { 'X-Rate-Limit': '700', 'X-Rate-Limit-Remaining': '642', 'Zendesk-RateLimit-Incremental-Exports': 'total=10; remaining=9; resets=55' }]);
    const { session } = open();
    await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    expect(session.budget()).toEqual({ limit: 10, remaining: 9, resetAtMs: NOW + 55_000, observedAtMs: NOW });
  });
});

describe('zendesk connector: credentials', () => {
  it('401 → config error naming the connector and where the token comes from, with no token anywhere', async () => {
    nock(BASE).get('/api/v2/users/me.json').reply(401, { error: "Couldn't authenticate you" }, json);
    const { session } = open();
    const error = await failure(session.check());
    expect(error).toMatchObject({ failure: 'config', code: 'AUTH_REJECTED', status: 401, connector: 'zendesk-main' });
    expect(error.message).toContain('Zendesk rejected the credentials for connector "zendesk-main" (401)');
    expect(error.message).toContain('auth.email');
    expect(error.message).toContain('FRONTLINE_ZENDESK_MAIN_TOKEN');
    const everything = `${error.message} ${JSON.stringify(error)} ${inspect(error, { depth: 10 })}`;
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(Buffer.from(`ops@acme.test/token:${TOKEN}`).toString('base64'));
  });

  it('a 401 on the export is the same config error (no retries)', async () => {
    exportScope([], [401, { error: "Couldn't authenticate you" }]);
    const { session } = open();
    const error = await failure(collect(session.ticketPages({ cursor: null, sinceMs: SINCE })));
    expect(error).toMatchObject({ failure: 'config', code: 'AUTH_REJECTED' });
    expect(session.stats().requests).toBe(1);
  });

  it('check() names the authenticated user; an anonymous answer is a config error', async () => {
    nock(BASE).get('/api/v2/users/me.json').reply(200, { user: { id: 7, role: 'admin', name: 'Ops Bot' } }, json);
    const { session } = open();
    await expect(session.check()).resolves.toEqual({ ok: true, detail: 'authenticated as Zendesk user 7 (role admin)' });
    nock(BASE).get('/api/v2/users/me.json').reply(200, { user: { id: null, name: 'Anonymous user' } }, json);
    await expect(session.check()).rejects.toMatchObject({ failure: 'config', code: 'AUTH_REJECTED' });
  });

  it('OAuth: 401 → refresh → rotated tokens handed to onSecretsRotated → retry succeeds', async () => {
    const persisted: Record<string, string>[] = [];
    nock(BASE, { reqheaders: { authorization: 'Bearer at-old' } }).get(EXPORT).query(true).reply(401, { error: 'invalid_token' }, json);
    nock(BASE)
      .post('/oauth/tokens', { grant_type: 'refresh_token', refresh_token: 'rt-old', client_id: 'frontline-app', client_secret: 'cs-123' })
      .reply(200, { access_token: 'at-new', refresh_token: 'rt-new', token_type: 'bearer', expires_in: 7200 }, json);
    nock(BASE, { reqheaders: { authorization: 'Bearer at-new' } }).get(EXPORT).query(true).reply(200, fixture('export-page-2.json'), json);
    const { session } = open({
      settings: { auth: { type: 'oauth', clientId: 'frontline-app' } },
      secrets: { clientSecret: 'cs-123', accessToken: 'at-old', refreshToken: 'rt-old' },
      onSecretsRotated: async (secrets) => {
        persisted.push(secrets);
      },
    });
    const pages = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    expect(pages).toHaveLength(1);
    expect(persisted).toEqual([{ clientSecret: 'cs-123', accessToken: 'at-new', refreshToken: 'rt-new' }]);
  });

  it('secretNames follow the auth type', () => {
    expect(zendeskConnector.secretNames({ auth: { type: 'api_token', email: 'ops@acme.test' } })).toEqual(['token']);
    expect(zendeskConnector.secretNames({ auth: { type: 'oauth', clientId: 'x' } })).toEqual(['clientSecret', 'accessToken', 'refreshToken']);
  });

  it('refuses an http base URL unless explicitly allowed (simulators)', async () => {
    expect(() => open({ baseUrl: 'http://127.0.0.1:4010' })).toThrow(expect.objectContaining({ failure: 'config', code: 'BASE_URL_INSECURE' }));
    nock('http://127.0.0.1:4010').get('/api/v2/users/me.json').reply(200, { user: { id: 1, role: 'admin' } }, json);
    const { session } = open({ baseUrl: 'http://127.0.0.1:4010', allowInsecureBaseUrl: true });
    await expect(session.check()).resolves.toMatchObject({ ok: true });
  });

  it('a 404 says to check baseUrl', async () => {
    nock(BASE).get('/api/v2/users/me.json').reply(404, '<html>Not found</html>');
    const { session } = open();
    const error = await failure(session.check());
    expect(error).toMatchObject({ failure: 'config', code: 'NOT_FOUND', status: 404 });
    expect(error.message).toContain('check baseUrl');
  });
});

describe('zendesk connector: normalise after prepare', () => {
  it('loads every ticket_fields page (has_more, not links.next) and resolves dropdown labels', async () => {
    const queries: Record<string, string>[] = [];
    const capture = (q: Record<string, unknown>): boolean => {
      queries.push(Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])));
      return true;
    };
    nock(BASE)
      .get('/api/v2/ticket_fields.json').query(capture).reply(200, fixture('ticket-fields-page-1.json'), json)
      .get('/api/v2/ticket_fields.json').query(capture).reply(200, fixture('ticket-fields-page-2.json'), json);
    exportScope([], [200, fixture('export-page-1.json')], [200, fixture('export-page-2.json')]);
    const { session } = open();
    await session.prepare();
    expect(queries).toEqual([{ 'page[size]': '100' }, { 'page[size]': '100', 'page[after]': 'eyJvIjoicG9zaXRpb24iLCJ2IjoiaVFBQUFBQUFBQUE9In0=' }]);
    const [first, second] = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    const results = [...(first?.records ?? []), ...(second?.records ?? [])].map((raw) => session.normalise(raw));
    const tickets = results.flatMap((r) => (r.ok ? [r.ticket] : []));
    expect(tickets.map((t) => [t.nativeId, t.status, t.customFields['360000001001'] ?? null])).toEqual([
      ['35436', 'open', 'SSO configuration'],
      ['35437', 'deleted', 'Refunds'],
      ['35438', 'on_hold', null],
      ['35439', 'resolved', 'Product defects'],
    ]);
    expect(tickets[0]?.url).toBe('https://acme.zendesk.com/agent/tickets/35436');
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, nativeId: '35440', reason: 'created_at: Invalid ISO datetime' }]);
  });

  it('joins the side-loaded metric sets onto their tickets by ticket_id: resolution and reopens, none for the deleted ticket', async () => {
    exportScope([], [200, fixture('export-page-1.json')], [200, fixture('export-page-2.json')]);
    const { session } = open();
    const records = (await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }))).flatMap((p) => p.records) as Record<string, unknown>[];
    // The joined metric set is part of the raw record (what the store keeps for re-normalisation).
    expect(records.map((r) => [r['id'], (r['metric_set'] as { id?: number } | undefined)?.id ?? null])).toEqual([
      [35436, 33],
      [35437, null],
      [35438, 35],
      [35439, 36],
      [35440, 37],
    ]);
    const tickets = records.map((raw) => session.normalise(raw)).flatMap((r) => (r.ok ? [r.ticket] : []));
    expect(tickets.map((t) => [t.nativeId, t.status, t.resolvedAt, t.closedAt, t.reopenCount, t.slaBreached])).toEqual([
      // Reopened after a solve and open again: not resolved, one reopen.
      ['35436', 'open', null, null, 1, null],
      ['35437', 'deleted', null, null, 0, null],
      ['35438', 'on_hold', null, null, 0, null],
      ['35439', 'resolved', '2024-08-14T19:05:23.000Z', null, 1, null],
    ]);
  });

  it('ignores metric sets of tickets not on the page (with a warning), and pages without metric_sets', async () => {
    const page = fixture('export-page-2.json');
    const strays = [{ id: 90, ticket_id: 99999, solved_at: null, reopens: 3 }, { id: 91, solved_at: null }];
    exportScope([], [200, { ...page, metric_sets: [...(page['metric_sets'] as unknown[]), ...strays] }], [200, { ...page, metric_sets: undefined }]);
    const warnings: object[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (o: object) => void warnings.push(o) };
    const { session } = open({ logger });
    const [joined] = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    expect(joined?.records.map((r) => (r as { metric_set?: { id: number } }).metric_set?.id)).toEqual([36, 37]);
    expect(warnings).toEqual([{ connector: 'zendesk-main', unmatched: 2 }]);
    const [bare] = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    expect(bare?.records.map((r) => 'metric_set' in (r as object))).toEqual([false, false]);
    const solved = bare?.records[0] ? session.normalise(bare.records[0]) : null;
    expect(solved).toMatchObject({ ok: true, ticket: { status: 'resolved', resolvedAt: null, reopenCount: 0 } });
  });
});

/** Zendesk's 403 body for a user without admin rights, byte for byte (see simulator/request-guard.ts). */
const FORBIDDEN_BODY =
  '{"error":{"title":"Forbidden","message":"You do not have access to this page. Please contact the account owner of this help desk for further help."}}';

describe('zendesk connector: a user without admin rights (403)', () => {
  it('on the export: a config error that says what to fix, without retries', async () => {
    exportScope([], [403, FORBIDDEN_BODY]);
    const { session } = open();
    const error = await failure(collect(session.ticketPages({ cursor: null, sinceMs: SINCE })));
    expect(error).toMatchObject({ failure: 'config', code: 'FORBIDDEN', status: 403, connector: 'zendesk-main' });
    expect(error.message).toContain('connector "zendesk-main" (403)');
    expect(error.message).toContain('admin role');
    expect(error.message).toContain('GET /api/v2/incremental/tickets/cursor.json');
    expect(session.stats()).toMatchObject({ requests: 1, retried: 0 });
  });

  it('on ticket_fields in prepare(): the same config error', async () => {
    nock(BASE).get('/api/v2/ticket_fields.json').query(true).reply(403, FORBIDDEN_BODY, json);
    const { session } = open();
    const error = await failure(session.prepare());
    expect(error).toMatchObject({ failure: 'config', code: 'FORBIDDEN', status: 403 });
    expect(error.message).toContain('admin role');
    expect(error.message).toContain('GET /api/v2/ticket_fields.json');
  });

  it('an OAuth token without the read scope is told to re-authorise with it', async () => {
    exportScope([], [403, { error: 'Forbidden', description: 'You are missing the following required scopes: read' }]);
    const { session } = open();
    const error = await failure(collect(session.ticketPages({ cursor: null, sinceMs: SINCE })));
    expect(error).toMatchObject({ failure: 'config', code: 'OAUTH_SCOPE_MISSING', status: 403 });
    expect(error.message).toContain('read scope');
  });
});

describe('zendesk connector: rate-limit header variants on the export', () => {
  const variants: [string, Record<string, string>][] = [
    ['x-rate-limit + export header', { 'X-Rate-Limit': '700', 'X-Rate-Limit-Remaining': '600', 'Zendesk-RateLimit-incremental-exports': 'total=30; remaining=0; resets=20' }],
    ['ratelimit-*', { 'ratelimit-limit': '30', 'ratelimit-remaining': '0', 'ratelimit-reset': '20' }],
    ['older rate-limit-*', { 'Rate-Limit-Limit': '30', 'Rate-Limit-Remaining': '0', 'Rate-Limit-Reset': '20' }],
    ['x-ratelimit-* with an epoch reset', { 'X-RateLimit-Limit': '30', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(Math.floor(NOW / 1000) + 20) }],
  ];
  for (const [name, headers] of variants) {
    it(`${name}: waits for the reset before the next page, with no 429`, async () => {
      exportScope([], [200, fixture('export-page-1.json'), headers], [200, fixture('export-page-2.json')]);
      const { session, clock } = open();
      const pages = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
      expect(pages).toHaveLength(2);
      expect(clock.now()).toBe(NOW + 21_000);
      expect(session.stats()).toMatchObject({ requests: 2, throttled: 0, waitedMs: 21_000 });
    });
  }

  it('an account-level text/html 429 with Retry-After: 120 is waited out (2 minutes), not a failure', async () => {
    exportScope(
      [],
      [429, '<html><body><h1>429 Too Many Requests</h1></body></html>', { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '120' }],
      [200, fixture('export-page-2.json')],
    );
    const { session, clock } = open();
    const pages = await collect(session.ticketPages({ cursor: null, sinceMs: SINCE }));
    expect(pages).toHaveLength(1);
    expect(clock.now()).toBe(NOW + 120_000);
    expect(session.stats()).toEqual({ requests: 2, throttled: 1, retried: 1, waitedMs: 120_000 });
  });
});
