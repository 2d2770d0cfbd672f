import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/connector-kit/clock.ts';
import { runSync } from '../../src/pipeline/pull/run-sync.ts';
import { createPipelineFixture, writeFingerprint, type PipelineFixture } from '../support/pipeline-fixture.ts';

const cli = fileURLToPath(new URL('../../src/cli/frontline.js', import.meta.url));

/** `frontline privacy erase-requester`, as an operator answering an erasure request runs it. */
describe('frontline privacy erase-requester', () => {
  const clock = manualClock(Date.parse('2026-11-20T12:00:00Z'));
  let f: PipelineFixture;
  let requester: string;
  let ticketIds: number[];

  const frontline = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [cli, ...args], { env: f.childEnv });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const sync = () => runSync(f.services.pull, { connector: f.connector, mode: 'incremental', sinceMs: clock.now() - 20 * 86_400_000, jobId: null });

  beforeAll(async () => {
    f = await createPipelineFixture({ clock, simulator: { seed: 5, tickets: 4_000, historyDays: 10, live: false } });
    await sync();
    const busiest = await f.db.pool.query<{ requester_ref: string }>(
      "SELECT requester_ref FROM tickets WHERE connector_id = $1 AND status <> 'deleted' GROUP BY 1 HAVING count(*) >= 2 ORDER BY count(*) DESC, 1 LIMIT 1",
      [f.connector.id],
    );
    requester = busiest.rows[0]?.requester_ref ?? '';
    const ids = await f.db.pool.query<{ native_id: string }>('SELECT native_id FROM tickets WHERE requester_ref = $1 ORDER BY 1', [requester]);
    ticketIds = ids.rows.map((r) => Number(r.native_id));
  });
  afterAll(async () => {
    await f?.close();
  });

  it("erases the requester's personal data, keeps the counts, audits it, and erases later versions at ingest", async () => {
    const points = () => f.db.pool.query('SELECT series_id, bucket_start, value FROM series_points ORDER BY 1, 2').then((r) => r.rows);
    const before = await points();
    const result = await frontline(['privacy', 'erase-requester', 'zendesk-demo', requester, '--reason', 'GDPR request 2026-117', '--actor', 'dpo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`acme/zendesk-demo: requester ${requester} erased — ${ticketIds.length} ticket(s)`);
    const rows = await f.db.pool.query(
      `SELECT native_id, subject, raw, requester_ref, custom_fields, erased_at IS NOT NULL AS erased FROM tickets WHERE native_id = ANY($1::text[]) ORDER BY native_id`,
      [ticketIds.map(String)],
    );
    expect(rows.rows).toHaveLength(ticketIds.length);
    for (const row of rows.rows) expect(row).toMatchObject({ subject: null, raw: null, requester_ref: null, custom_fields: {}, erased: true });
    expect(await points()).toEqual(before);
    const audit = await f.db.pool.query("SELECT actor, entity_id, reason FROM audit_log WHERE action = 'requester.personal_data_erased'");
    expect(audit.rows).toEqual([{ actor: 'dpo', entity_id: `zendesk-demo/${requester}`, reason: 'GDPR request 2026-117' }]);

    // The ticket changes in Zendesk and comes back with the requester's data: it is erased before it is stored.
    f.simulator.touch([ticketIds[0] ?? 0]);
    clock.advance(2 * 60_000);
    await sync();
    const touched = await f.db.pool.query('SELECT subject, raw, requester_ref FROM tickets WHERE native_id = $1', [String(ticketIds[0])]);
    expect(touched.rows).toEqual([{ subject: null, raw: null, requester_ref: null }]);
    const leaked = await f.db.pool.query("SELECT count(*)::int AS n FROM ticket_versions WHERE snapshot->>'requester_ref' = $1", [requester]);
    expect(leaked.rows[0]?.n).toBe(0);
  });

  it('is idempotent and says so; a second run writes nothing', async () => {
    const before = await writeFingerprint(f);
    const again = await frontline(['privacy', 'erase-requester', 'zendesk-demo', requester]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('(already on the erasure list)');
    expect(await writeFingerprint(f)).toEqual(before);
  });

  it('names what is wrong for an unknown connector or a requester id that is not one', async () => {
    const unknown = await frontline(['privacy', 'erase-requester', 'zendesk-nope', '123']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown connector "zendesk-nope"');
    const bad = await frontline(['privacy', 'erase-requester', 'zendesk-demo', 'alice smith']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('is not a requester id');
  });
});
