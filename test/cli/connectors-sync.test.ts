import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/connector-kit/clock.ts';
import { createPipelineFixture, storedView, type PipelineFixture } from '../support/pipeline-fixture.ts';

const cli = fileURLToPath(new URL('../../src/cli/frontline.js', import.meta.url));
const run = promisify(execFile);

/** `frontline connectors sync --backfill` as an operator runs it: a progress report, then the totals. */
describe('frontline connectors sync', () => {
  let f: PipelineFixture;
  const frontline = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: f.childEnv });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  beforeAll(async () => {
    f = await createPipelineFixture({ clock: systemClock, simulator: { seed: 31, tickets: 3_000, historyDays: 10, pageSize: 250, live: false, rateLimit: false } });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('back-fills from --since with progress, then a second back-fill stores nothing new', async () => {
    const since = new Date(Date.now() - 12 * 86_400_000).toISOString().slice(0, 10);
    const first = await frontline(['connectors', 'sync', 'zendesk-demo', '--backfill', '--since', since]);
    expect(first.code, first.stderr).toBe(0);
    const truth = f.simulator.truth();
    expect(first.stderr).toMatch(/zendesk-demo backfill \d+% \([\d.]+ days of history\) \d+ fetched/);
    expect(first.stdout).toMatch(new RegExp(`run \\d+ backfill done — \\d+ page\\(s\\), \\d+ fetched, ${truth.total - truth.malformedIds.length} new, \\d+ changed`));
    expect(first.stdout).toMatch(/zendesk-demo: 0 ticket\(s\) classified/); // classified as stored: nothing left for derive
    expect((await storedView(f)).live).toBe(truth.live);

    const again = await frontline(['connectors', 'sync', 'zendesk-demo', '--backfill', '--since', since]);
    expect(again.code, again.stderr).toBe(0);
    // On the real clock a ticket or two may have moved on in the simulator meanwhile: those are "changed".
    const [, fresh, changed, unchanged] = /(\d+) new, (\d+) changed, (\d+) unchanged/.exec(again.stdout) ?? [];
    expect(Number(fresh)).toBe(0);
    expect(Number(changed)).toBeLessThanOrEqual(5);
    expect(Number(unchanged) + Number(changed)).toBe(truth.total - truth.malformedIds.length);
    expect((await storedView(f)).live).toBe(f.simulator.truth().live);
  });

  it('rejects a --since that is not a date', async () => {
    const outcome = await frontline(['connectors', 'sync', 'zendesk-demo', '--backfill', '--since', 'last tuesday']);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('--since "last tuesday" is not a date');
  });
});
