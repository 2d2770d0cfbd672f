import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/connector-kit/clock.ts';
import { runSync } from '../../src/pipeline/pull/run-sync.ts';
import { loadConnectorSecrets } from '../../src/store/config-repository.ts';
import { createPipelineFixture, storedView, type PipelineFixture } from '../support/pipeline-fixture.ts';

/**
 * Zendesk OAuth with refresh-token rotation: when the access token expires the connector refreshes,
 * Zendesk revokes the old pair, and the new pair must be persisted (encrypted) before the run goes on —
 * otherwise the next run would hold a revoked refresh token and fail.
 */
describe('OAuth refresh-token rotation', () => {
  const clock = manualClock(Date.parse('2026-11-20T12:00:00Z'));
  let f: PipelineFixture;
  const sync = (): ReturnType<typeof runSync> =>
    runSync(f.services.pull, { connector: f.connector, mode: 'incremental', sinceMs: clock.now() - 20 * 86_400_000, jobId: null });

  beforeAll(async () => {
    f = await createPipelineFixture({ clock, oauth: { accessTokenTtlMs: 5 * 60_000 }, simulator: { seed: 3, tickets: 2_000, historyDays: 14, live: false } });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('refreshes an expired token, persists the rotated pair, and the next run uses it', async () => {
    await sync();
    const before = await loadConnectorSecrets(f.services.db.prisma, f.connector.id, f.services.secretBox);
    expect(before['refreshToken']).toBe('refresh-0');

    clock.advance(10 * 60_000); // the access token has expired
    f.simulator.touch([5, 6]);
    clock.advance(2 * 60_000);
    const second = await sync();
    expect(second.totals.updated).toBeGreaterThanOrEqual(2); // the two touched, and any the lifecycle moved on
    const rotated = await loadConnectorSecrets(f.services.db.prisma, f.connector.id, f.services.secretBox);
    expect(rotated['refreshToken']).not.toBe('refresh-0');
    expect(rotated['accessToken']).not.toBe('access-0');
    expect(rotated['clientSecret']).toBe('client-secret-1');
    const stored = await f.db.pool.query<{ ciphertext: Buffer }>("SELECT ciphertext FROM connector_secrets WHERE name = 'refreshToken'");
    expect(stored.rows[0]?.ciphertext.toString('latin1')).not.toContain(rotated['refreshToken']);

    clock.advance(10 * 60_000); // expired again: only the persisted (rotated) refresh token still works
    const third = await sync();
    expect(third.totals.pages).toBeGreaterThanOrEqual(1);
    const again = await loadConnectorSecrets(f.services.db.prisma, f.connector.id, f.services.secretBox);
    expect(again['refreshToken']).not.toBe(rotated['refreshToken']);
    const truth = f.simulator.truth();
    expect((await storedView(f)).live).toBe(truth.live);
  });

  it('lets the back-fill and the incremental stream refresh at once: one rotates, the other adopts the stored pair', async () => {
    clock.advance(10 * 60_000); // expired: both streams meet a 401 and want to refresh
    const before = await loadConnectorSecrets(f.services.db.prisma, f.connector.id, f.services.secretBox);
    const since = clock.now() - 20 * 86_400_000;
    const [incremental, backfill] = await Promise.all([
      runSync(f.services.pull, { connector: f.connector, mode: 'incremental', sinceMs: since, jobId: null }),
      runSync(f.services.pull, { connector: f.connector, mode: 'backfill', sinceMs: since, jobId: null }),
    ]);
    expect(incremental.totals.pages).toBeGreaterThanOrEqual(1);
    expect(backfill.totals.fetched).toBe(f.simulator.truth().total);
    const after = await loadConnectorSecrets(f.services.db.prisma, f.connector.id, f.services.secretBox);
    expect(after['refreshToken']).not.toBe(before['refreshToken']);
    const runs = await f.db.pool.query("SELECT status, error_code FROM sync_runs ORDER BY id DESC LIMIT 2");
    expect(runs.rows).toEqual([{ status: 'succeeded', error_code: null }, { status: 'succeeded', error_code: null }]);
    // Exactly one refresh happened, and the pair it stored still works for the next run.
    clock.advance(10 * 60_000);
    await expect(sync()).resolves.toMatchObject({ stream: 'tickets' });
  });
});
