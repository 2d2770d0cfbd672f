import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/connector-kit/clock.ts';
import type { ConnectorSession } from '../../src/connector-kit/connector-module.ts';
import { mulberry32 } from '../../src/connector-kit/random.ts';
import { collect, failure } from './connector-test-support.ts';
import { zendeskConnector } from './index.ts';
import { createZendeskSimulator, type ZendeskSimulatorOptions } from './simulator/index.ts';

beforeAll(() => nock.disableNetConnect());
afterAll(() => nock.enableNetConnect());

/** The connector against the real simulator over HTTP, both on one manual clock. */
describe('zendesk connector against the simulator', () => {
  const startMs = Date.UTC(2026, 2, 10, 12, 0, 15);
  const token = 'sim-token-7c1d';

  async function against(options: ZendeskSimulatorOptions, run: (ctx: { session: ConnectorSession; clock: ReturnType<typeof manualClock>; sim: ReturnType<typeof createZendeskSimulator> }) => Promise<void>) {
    const clock = manualClock(startMs);
    const sim = createZendeskSimulator({ clock, seed: 7, live: false, auth: { apiToken: { email: 'ops@acme.test', token } }, ...options });
    const baseUrl = await sim.listen(0);
    nock.enableNetConnect('127.0.0.1');
    try {
      const session = zendeskConnector.open({
        key: 'zendesk-sim',
        baseUrl,
        allowInsecureBaseUrl: true,
        settings: { auth: { type: 'api_token', email: 'ops@acme.test' }, pageSize: 20 },
        secrets: { token },
        clock,
        random: mulberry32(5),
      });
      await run({ session, clock, sim });
    } finally {
      nock.disableNetConnect();
      await sim.close();
    }
  }

  it('pages ticket_fields by meta.has_more although links.next is set on the last page', async () => {
    await against({ tickets: 50, rateLimit: false }, async ({ session, sim }) => {
      await session.prepare();
      expect(sim.stats().requests).toBe(1); // one page of 6 fields; links.next was not followed
      const [page] = await collect(session.ticketPages({ cursor: null, sinceMs: 0 }));
      const labelled = (page?.records ?? []).map((raw) => session.normalise(raw)).flatMap((r) => (r.ok ? [r.ticket] : []));
      expect(labelled.some((t) => t.customFields['360000001001:value'] !== undefined && t.customFields['360000001001'] !== t.customFields['360000001001:value'])).toBe(true);
    });
  });

  it('side-loads ticket metrics: every normalised ticket has the resolution, close time and reopens of the simulator’s truth', async () => {
    await against({ tickets: 600, rateLimit: false, deletedShare: 0.03, malformed: 2 }, async ({ session, sim }) => {
      const pages = await collect(session.ticketPages({ cursor: null, sinceMs: 0 }));
      const results = pages.flatMap((p) => p.records).map((raw) => session.normalise(raw));
      const tickets = results.flatMap((r) => (r.ok ? [r.ticket] : [])).sort((a, b) => Number(a.nativeId) - Number(b.nativeId));
      const truth = sim.resolutions();
      expect(tickets.map((t) => ({ id: t.nativeId, resolvedAt: t.resolvedAt, closedAt: t.closedAt, reopens: t.reopenCount }))).toEqual(
        truth.map((r) => ({ id: r.id, resolvedAt: r.resolvedAt && new Date(r.resolvedAt).toISOString(), closedAt: r.closedAt && new Date(r.closedAt).toISOString(), reopens: r.reopens })),
      );
      expect(tickets.filter((t) => t.resolvedAt !== null)).toHaveLength(sim.truth().resolved);
      expect(tickets.filter((t) => t.status === 'deleted').every((t) => t.resolvedAt === null && t.reopenCount === 0)).toBe(true);
      expect(tickets.every((t) => t.slaBreached === null)).toBe(true);
    });
  });

  it('maps the 403 for a non-admin user to a config error naming the fix', async () => {
    await against({ tickets: 10, auth: { role: 'agent', apiToken: { email: 'ops@acme.test', token } } }, async ({ session }) => {
      await expect(session.check()).resolves.toMatchObject({ detail: expect.stringContaining('role agent') });
      const error = await failure(session.prepare());
      expect(error).toMatchObject({ failure: 'config', code: 'FORBIDDEN', status: 403 });
      expect(error.message).toContain('admin role');
      const exportError = await failure(collect(session.ticketPages({ cursor: null, sinceMs: 0 })));
      expect(exportError).toMatchObject({ failure: 'config', code: 'FORBIDDEN' });
    });
  });

  it('High Volume (30 export requests a minute): paces by the export header, completes a multi-page export with no 429', async () => {
    await against({ tickets: 1500, pageSize: 20, rateLimit: { highVolume: true } }, async ({ session, clock, sim }) => {
      await session.prepare();
      const started = clock.now();
      const pages = await collect(session.ticketPages({ cursor: null, sinceMs: 0 }));
      const elapsedMin = (clock.now() - started) / 60_000;
      expect(pages.at(-1)?.done).toBe(true);
      expect(pages.length).toBeGreaterThan(60);
      const ids = new Set(pages.flatMap((p) => p.records.map((r) => (r as { id: number }).id)));
      expect(ids.size).toBe(sim.truth().total);
      expect(sim.stats().throttled).toBe(0);
      expect(session.stats().throttled).toBe(0);
      // ≥ 90 % of 30 a minute; at 10 a minute this export would take three times as long.
      expect(pages.length / Math.ceil(elapsedMin)).toBeGreaterThanOrEqual(27);
      expect(elapsedMin).toBeLessThan(pages.length / 10 / 2);
      expect(session.budget()).toMatchObject({ limit: 30 });
    });
  });

  it('waits out an account-level text/html 429 (Retry-After 120) in the middle of an export', async () => {
    await against({ tickets: 200, pageSize: 20, faults: { accountLimitRequests: [4], accountLimitRetryAfterSec: 120 } }, async ({ session, clock, sim }) => {
      const pages = await collect(session.ticketPages({ cursor: null, sinceMs: 0 }));
      expect(pages.at(-1)?.done).toBe(true);
      expect(sim.stats().byStatus['429']).toBe(1);
      expect(session.stats()).toMatchObject({ throttled: 1 });
      expect(session.stats().waitedMs).toBeGreaterThanOrEqual(120_000);
      expect(clock.now() - startMs).toBeGreaterThanOrEqual(120_000);
    });
  });
});
