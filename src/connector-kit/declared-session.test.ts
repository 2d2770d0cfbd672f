import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { manualClock } from './clock.ts';
import type { SourcePage } from './connector-module.ts';
import { type DeclaredConnector, openDeclaredSession } from './declared-session.ts';
import type { ConnectorDefinition } from './declaration.ts';
import { mulberry32 } from './random.ts';

/**
 * A desk that is only a declaration and a normaliser: the kit parses its settings, authenticates,
 * applies its rules and walks its keyset-paged table (through the real HTTP client, nock standing in
 * for the desk).
 */
const BASE = 'https://desk.example.com';
const NOW = Date.parse('2026-03-01T12:00:00Z');
const rowSchema = z.object({ id: z.string(), updated: z.string(), title: z.string() });
const settingsSchema = z.object({ user: z.string().min(1), tableSize: z.number().int().optional() });

const definition: ConnectorDefinition<typeof settingsSchema, z.infer<typeof rowSchema>, { prefix: string }> = {
  system: 'servicenow',
  name: 'Example desk',
  config: settingsSchema,
  secrets: () => ['password'],
  auth: (settings, secrets) => ({ type: 'basic', username: settings.user, password: secrets['password'] ?? '' }),
  rules: [{ match: { status: [401] }, action: 'fail', failure: 'config', code: 'AUTH_REJECTED', message: 'Example desk rejected connector "{connector}": check {who}' }],
  streams: {
    tickets: {
      path: '/api/rows',
      recordsPath: 'result',
      params: { fields: 'id,updated,title' },
      raw: rowSchema,
      paginator: { type: 'keyset', keys: ['updated', 'id'], pageSize: 2 },
      bookmarkRequest: ([updated, id]) => ({ after: `${updated}|${id}` }),
      incremental: {
        changedAtMs: (r) => Date.parse(String((r as { updated?: unknown }).updated)),
        toRequest: (sinceMs) => ({ since: new Date(sinceMs).toISOString() }),
        minAgeMs: 0,
        lookbackMs: 0,
        timeCheckpoint: (ms) => `since:${ms}`,
        timeOf: (c) => (c.startsWith('since:') ? Number(c.slice(6)) : null),
      },
      normalise: (raw) => {
        const r = rowSchema.safeParse(raw);
        return r.success ? { ok: false, nativeId: r.data.id, reason: `normalised elsewhere: ${r.data.title}` } : { ok: false, nativeId: null, reason: 'not a row' };
      },
    },
  },
};

const desk: DeclaredConnector<typeof settingsSchema, z.infer<typeof rowSchema>, { prefix: string }> = {
  definition,
  noLookups: () => ({ prefix: '' }),
  prepare: async () => ({ prefix: 'x' }),
  check: async () => ({ ok: true, detail: 'fine' }),
  messageVars: (settings) => ({ who: `the password of ${settings.user}` }),
};

const open = (settings: unknown = { user: 'svc' }) =>
  openDeclaredSession(desk, { key: 'desk-1', baseUrl: BASE, settings, secrets: { password: 'pw-0123456789' }, clock: manualClock(NOW), random: mulberry32(1) });

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

describe('a session from a declaration', () => {
  it('walks the declared stream with the declared auth and params: keyset bookmark, short page not the end, empty page the end', async () => {
    const auth = `Basic ${Buffer.from('svc:pw-0123456789').toString('base64')}`;
    const scope = nock(BASE, { reqheaders: { authorization: auth } })
      .get('/api/rows').query({ fields: 'id,updated,title', since: '2026-02-01T00:00:00.000Z' })
      .reply(200, { result: [{ id: 'a', updated: '2026-02-02T00:00:00Z', title: 'A' }, { id: 'b', updated: '2026-02-02T00:00:00Z', title: 'B' }] })
      .get('/api/rows').query({ fields: 'id,updated,title', after: '2026-02-02T00:00:00Z|b' })
      .reply(200, { result: [{ id: 'c', updated: '2026-02-03T00:00:00Z', title: 'C' }] })
      .get('/api/rows').query({ fields: 'id,updated,title', after: '2026-02-03T00:00:00Z|c' })
      .reply(200, { result: [] });
    const session = open();
    const pages: SourcePage[] = [];
    for await (const page of session.ticketPages({ cursor: null, sinceMs: Date.parse('2026-02-01T00:00:00Z') })) pages.push(page);
    expect(pages.map((p) => [p.records.length, p.nextCursor, p.done])).toEqual([
      [2, '["2026-02-02T00:00:00Z","b"]', false], [1, '["2026-02-03T00:00:00Z","c"]', false], [0, `since:${Date.parse('2026-02-03T00:00:00Z')}`, true],
    ]);
    expect(scope.isDone()).toBe(true);
    expect(session.normalise(pages[0]?.records[0])).toEqual({ ok: false, nativeId: 'a', reason: 'normalised elsewhere: A' });
    expect(session.stats().requests).toBe(3);
  });

  it("answers with the declaration's rules, filled from the settings, and refuses invalid settings naming the path", async () => {
    nock(BASE).get('/api/rows').query(true).reply(401, { error: 'nope' });
    const session = open();
    const error = await (async () => {
      for await (const _ of session.ticketPages({ cursor: null, sinceMs: NOW })) return null;
      return null;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_REJECTED', failure: 'config' });
    expect((error as Error).message).toBe('Example desk rejected connector "desk-1": check the password of svc (GET /api/rows → HTTP 401)');
    expect(() => open({ user: '' })).toThrow('Connector "desk-1": invalid Example desk settings at user:');
  });
});
