import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/connector-kit/clock.ts';
import { demoConfigPath } from '../../src/main/demo/demo-config-path.ts';
import { runSync } from '../../src/pipeline/pull/run-sync.ts';
import { reconcileDerives } from '../../src/queue/scheduler.ts';
import { startWorkers, type RunningWorkers } from '../../src/queue/workers.ts';
import { driverVolumes } from '../../src/store/volume-summary-repository.ts';
import { createPipelineFixture, type PipelineFixture } from '../support/pipeline-fixture.ts';
import { testRedisUrl } from '../support/test-env.ts';

const cli = fileURLToPath(new URL('../../src/cli/frontline.js', import.meta.url));

/**
 * A new taxonomy is applied to history without any ticket changing: `config apply` requests the
 * re-derive, and the scheduler reconciles derive state with the active taxonomy when nobody did.
 */
describe('a changed driver taxonomy', () => {
  const clock = manualClock(Date.parse('2026-11-20T12:00:00Z'));
  let f: PipelineFixture;
  let workers: RunningWorkers;
  let dir: string;

  const series = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await driverVolumes(f.db.pool, f.connector.id, clock.now())).filter((v) => v.total > 0).map((v) => [v.driverKey ?? 'unmatched', v.total]));
  const caughtUp = async (): Promise<void> => {
    for (let i = 0; i < 300; i++) {
      const row = await f.db.pool.query<{ done: boolean }>(
        `SELECT coalesce(d.taxonomy_id = t.id AND d.last_seq >= (SELECT max(change_seq) FROM tickets WHERE connector_id = $1), false) AS done
           FROM driver_taxonomies t LEFT JOIN derive_states d ON d.connector_id = $1
          WHERE t.active AND t.organization_id = (SELECT organization_id FROM connectors WHERE id = $1)`,
        [f.connector.id],
      );
      if (row.rows[0]?.done) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('derive did not catch up with the active taxonomy');
  };
  /** The demo config pointed at this fixture's simulator, without the SSO rules (or with them). */
  const configFile = async (name: string, withSso: boolean): Promise<string> => {
    const text = (await readFile(demoConfigPath, 'utf8'))
      .replace('baseUrl: http://127.0.0.1:4010', `baseUrl: ${f.simulatorUrl}`)
      .split('\n')
      .filter((line) => withSso || !/driver: configuration\/sso,/.test(line))
      .join('\n');
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };

  beforeAll(async () => {
    f = await createPipelineFixture({ clock, simulator: { seed: 17, tickets: 3_000, historyDays: 10, live: false } });
    dir = await mkdtemp(join(tmpdir(), 'frontline-taxonomy-'));
    workers = startWorkers({ prisma: f.services.db.prisma, pull: f.services.pull, derive: f.services.derive, kpi: f.services.kpi, detect: f.services.detect, queues: f.services.queues(), logger: f.services.logger, redisUrl: testRedisUrl });
    await runSync(f.services.pull, { connector: f.connector, mode: 'incremental', sinceMs: clock.now() - 20 * 86_400_000, jobId: null });
  });
  afterAll(async () => {
    await workers?.close(1000);
    await f?.close();
  });

  it('re-classifies history after `frontline config apply`, with no ticket changing', async () => {
    const truth = f.simulator.truth();
    expect(await series()).toEqual(Object.fromEntries(Object.entries(truth.perDriver).filter(([, n]) => n > 0)));
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'config', 'apply', await configFile('no-sso.yaml', false)], {
      env: { ...f.childEnv, FRONTLINE_DEMO_ZENDESK_TOKEN: f.token },
    });
    expect(stdout).toMatch(/re-classification requested for 1 connector/);
    await caughtUp();
    // Without SSO rules, SSO tickets are unmatched (no other rule names their signals).
    const expected = { ...truth.perDriver, unmatched: (truth.perDriver['unmatched'] ?? 0) + (truth.perDriver['configuration/sso'] ?? 0), 'configuration/sso': 0 };
    expect(await series()).toEqual(Object.fromEntries(Object.entries(expected).filter(([, n]) => n > 0)));
  });

  it('is re-derived by the scheduler when nothing requested it (e.g. Redis was unreachable during the apply)', async () => {
    // Apply in the store only: no derive job is enqueued.
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'config', 'apply', await configFile('with-sso.yaml', true)], {
      env: { ...f.childEnv, FRONTLINE_DEMO_ZENDESK_TOKEN: f.token, REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expect(stdout).toMatch(/re-classification not requested now .*the scheduler requests it on its next reconcile/);
    expect(await reconcileDerives(f.services.db.pool, f.services.queues())).toEqual([f.connector.id]);
    await caughtUp();
    const truth = f.simulator.truth();
    expect(await series()).toEqual(Object.fromEntries(Object.entries(truth.perDriver).filter(([, n]) => n > 0)));
    // Caught up: the next reconcile requests nothing.
    expect(await reconcileDerives(f.services.db.pool, f.services.queues())).toEqual([]);
  });
});
