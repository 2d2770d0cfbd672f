import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/connector-kit/clock.ts';
import { dailyVolumes, driverVolumes } from '../../src/store/volume-summary-repository.ts';
import { createPipelineFixture, expectSeriesEqualRecount, expectStoreMatchesRecords, storedView, type PipelineFixture } from '../support/pipeline-fixture.ts';

const cli = fileURLToPath(new URL('../../src/cli/frontline.js', import.meta.url));

/**
 * A worker process killed (SIGKILL, no chance to clean up) in the middle of a sync: the job's lock
 * expires, another worker process picks the job up, resumes from the last committed cursor, and the
 * store ends with exactly the simulator's tickets — none lost, none doubled.
 */
describe('a worker killed mid-sync', () => {
  let f: PipelineFixture;
  const children: ChildProcess[] = [];

  const startWorker = (): ChildProcess => {
    const child = spawn(process.execPath, [cli, 'serve', '--role', 'worker', '--lock-ms', '2000'], { env: f.childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code, signal) => {
      if (code && code !== 0 && signal === null) console.error(`worker exited ${code}: ${stderr}`);
    });
    children.push(child);
    return child;
  };
  const query = async <T extends object>(sql: string): Promise<T | undefined> => (await f.db.pool.query<T>(sql, [f.connector.id])).rows[0];
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  beforeAll(async () => {
    // Real time on both sides (the workers are separate processes); slow pages so the kill lands mid-way.
    f = await createPipelineFixture({
      clock: systemClock,
      simulator: { seed: 23, tickets: 16_000, historyDays: 14, pageSize: 200, live: false, rateLimit: false, malformed: 2, faults: { slowRate: 1, slowMs: 120 } },
    });
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await f?.close();
  });

  it('resumes from the committed cursor in another worker and ends with the same rows', async () => {
    const first = startWorker();
    await f.services.queues().enqueue('sync', { v: 1, connectorId: f.connector.id, mode: 'incremental', reason: 'manual', since: new Date(Date.now() - 30 * 86_400_000).toISOString() });
    await until('some pages stored', async () => ((await query<{ pages: number }>('SELECT coalesce(max(pages), 0) AS pages FROM sync_runs WHERE connector_id = $1'))?.pages ?? 0) >= 12);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const atKill = await query<{ n: number }>('SELECT count(*)::int AS n FROM tickets WHERE connector_id = $1');
    const truth = f.simulator.truth();
    expect(atKill?.n).toBeGreaterThan(0);
    expect(atKill?.n).toBeLessThan(truth.total - truth.malformedIds.length);

    startWorker();
    await until('the resumed run to succeed', async () => (await query<{ n: number }>("SELECT count(*)::int AS n FROM sync_runs WHERE connector_id = $1 AND status = 'succeeded'"))?.n === 1);
    await until('derive to catch up', async () => {
      const row = await query<{ behind: boolean }>(
        `SELECT (SELECT max(change_seq) FROM tickets WHERE connector_id = $1) > coalesce((SELECT max(last_seq) FROM derive_states WHERE connector_id = $1), 0) AS behind`,
      );
      const counts = await f.services.queues().queue('derive').getJobCounts('waiting', 'active', 'delayed');
      return row?.behind === false && counts['waiting'] === 0 && counts['active'] === 0 && counts['delayed'] === 0;
    });

    const runs = await f.db.pool.query<{ status: string; error_code: string | null }>('SELECT status, error_code FROM sync_runs WHERE connector_id = $1 ORDER BY id', [f.connector.id]);
    expect(runs.rows).toEqual([{ status: 'cancelled', error_code: 'RUN_ABANDONED' }, { status: 'succeeded', error_code: null }]);
    // Row by row, as of the newest change the resumed run stored (the export was complete up to there).
    const highWater = await query<{ at: Date }>("SELECT source_high_water AS at FROM sync_states WHERE connector_id = $1 AND stream = 'tickets'");
    await expectStoreMatchesRecords(f, highWater?.at.getTime() ?? 0);
    await expectSeriesEqualRecount(f);
    const stored = await storedView(f);
    expect(stored.total).toBe(truth.total - truth.malformedIds.length);
    expect(stored.live).toBe(truth.live);
    expect(stored.deletedIds).toEqual(truth.deletedIds);
    expect(stored.quarantinedIds).toEqual(truth.malformedIds);
    // Nothing was written twice: every version row is a real change (a ticket the simulator moved on
    // in real time), never a page replayed by the resumed run.
    const versions = await query<{ n: number }>('SELECT count(*)::int AS n FROM ticket_versions v JOIN tickets t ON t.id = v.ticket_id WHERE t.connector_id = $1');
    const updated = await query<{ n: number }>('SELECT coalesce(sum(updated), 0)::int AS n FROM sync_runs WHERE connector_id = $1');
    expect(versions?.n).toBe(updated?.n);
    expect(updated?.n).toBeLessThanOrEqual(5);
    const perDriver = Object.fromEntries((await driverVolumes(f.db.pool, f.connector.id, Date.now())).map((v) => [v.driverKey ?? 'unmatched', v.total]));
    expect(perDriver).toEqual(Object.fromEntries(Object.entries(truth.perDriver).filter(([, n]) => n > 0)));
    expect(await dailyVolumes(f.db.pool, f.connector.id)).toEqual(truth.perDay);
  });
});
