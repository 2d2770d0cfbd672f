import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectFixture, type DetectFixture } from '../support/detect-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/**
 * A driver's gates changed while its episode is open: the series is re-decided under the new gates
 * from its stored history, and its spike follows — the same spike and intervention while the episode
 * is still open under them, resolved when the new gates no longer call it one — never a second row.
 */
const HOURS = 7 * 168;
const SHIFT_FROM = 6 * 168 + 9;

describe('detection gates changed mid-episode', () => {
  let db: TestDatabase;
  let f: DetectFixture;

  const spikes = async () =>
    (await db.pool.query<{ id: string; driver_key: string; status: string; started_at: Date }>(
      'SELECT s.id::text, x.driver_key, s.status::text, s.started_at FROM spikes s JOIN series x ON x.id = s.series_id ORDER BY x.driver_key, s.detected_at',
    )).rows;
  const interventions = async () => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM intervention_items')).rows[0]?.n;
  const gate = (prefix: string, detection: object) =>
    db.pool.query(
      `INSERT INTO driver_routes (organization_id, driver_prefix, owner_email, functions, detection) VALUES ($1, $2, 'ops@acme.example', '{operations}', $3::jsonb)
       ON CONFLICT (organization_id, driver_prefix) DO UPDATE SET detection = EXCLUDED.detection`,
      [f.organizationId, prefix, JSON.stringify(detection)],
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    const shift = [{ from: SHIFT_FROM, to: HOURS, lift: 0.8 }];
    f = await createDetectFixture(db, [{ key: 'billing/refund', episodes: shift }, { key: 'configuration/sso', episodes: shift }], { hours: HOURS });
    await db.pool.query("INSERT INTO people (id, organization_id, email, name, functions) VALUES (gen_random_uuid(), $1, 'ops@acme.example', 'Ops', '{operations}')", [f.organizationId]);
    await f.write(0, 6 * 168);
    await f.runAt(6 * 168 - 1);
    for (let h = 6 * 168; h < 6 * 168 + 60; h++) {
      await f.write(h, h + 1);
      await f.runAt(h);
    }
  }, 120_000);
  afterAll(async () => {
    await db.drop();
  });

  it('keeps the one open spike and intervention of a series whose gates changed but still call it an episode; resolves the one they no longer do', async () => {
    const before = await spikes();
    expect(before.map((s) => [s.driver_key, s.status])).toEqual([['billing/refund', 'open'], ['configuration/sso', 'open']]);
    expect(await interventions()).toBe(2);
    // Billing's gates tighten (the episode stays one, found from a later window, so it now begins two
    // hours later); configuration's now ask for a tripling.
    await gate('billing/', { alpha: 1e-12 });
    await gate('configuration/', { minPct: 2 });
    for (let h = 6 * 168 + 60; h < 6 * 168 + 64; h++) {
      await f.write(h, h + 1);
      await f.runAt(h);
    }
    const after = await spikes();
    expect(after.map((s) => [s.id, s.driver_key, s.status])).toEqual([
      [before[0]?.id, 'billing/refund', 'open'],
      [before[1]?.id, 'configuration/sso', 'resolved'],
    ]);
    expect(await interventions()).toBe(2);
    // The open spike begins where the detector's episode now does, so its updates and its resolution find it.
    const billing = await db.pool.query<{ started_at: Date; since: string }>(
      `SELECT s.started_at, d.state->'episode'->>'sinceMs' AS since FROM spikes s JOIN detector_states d ON d.series_id = s.series_id WHERE s.id = $1`, [before[0]?.id],
    );
    expect(billing.rows[0]?.started_at.getTime()).toBe(Number(billing.rows[0]?.since));
    expect(billing.rows[0]?.started_at.getTime()).not.toBe(before[0]?.started_at.getTime());
  }, 120_000);
});
