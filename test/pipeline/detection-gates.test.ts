import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectFixture, type DetectFixture } from '../support/detect-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/** A driver's own spike gates (config `routing.drivers[].detection`) replace the defaults for its series. */
const HOURS = 7 * 168;
const SHIFT_FROM = 6 * 168 + 9;

describe('per-driver detection gates', () => {
  let db: TestDatabase;
  let f: DetectFixture;

  beforeAll(async () => {
    db = await createTestDatabase();
    const shift = [{ from: SHIFT_FROM, to: HOURS, lift: 0.8 }];
    f = await createDetectFixture(db, [{ key: 'configuration/sso', episodes: shift }, { key: 'billing/refund', episodes: shift }], { hours: HOURS });
    await db.pool.query("INSERT INTO people (id, organization_id, email, name, functions) VALUES (gen_random_uuid(), $1, 'fin@acme.example', 'Fin', '{finance}')", [f.organizationId]);
    // Refund tickets swing with every billing run: only a tripling is worth an item.
    await db.pool.query(
      `INSERT INTO driver_routes (organization_id, driver_prefix, owner_email, functions, detection) VALUES ($1, 'billing/', 'fin@acme.example', '{finance}', '{"minPct": 2}')`,
      [f.organizationId],
    );
  });
  afterAll(async () => {
    await db.drop();
  });

  it('raises the +80 % shift of the driver on default gates, not of the driver whose gate asks for +200 %', async () => {
    await f.write(0, 6 * 168);
    await f.runAt(6 * 168 - 1);
    for (let h = 6 * 168; h < HOURS; h++) {
      await f.write(h, h + 1);
      await f.runAt(h);
    }
    const spikes = await db.pool.query<{ driver_key: string }>('SELECT x.driver_key FROM spikes s JOIN series x ON x.id = s.series_id');
    expect(spikes.rows.map((r) => r.driver_key)).toEqual(['configuration/sso']);
    const hashes = await db.pool.query<{ n: number }>('SELECT count(DISTINCT settings_hash)::int AS n FROM detector_states');
    expect(hashes.rows[0]?.n).toBe(2);
  }, 120_000);
});
