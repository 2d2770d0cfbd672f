import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../src/cli/frontline.js', import.meta.url));
const NAB = fileURLToPath(new URL('../../bench/data/nab', import.meta.url));
const WINDOWS = join(NAB, 'labels/count_subset_windows.json');
const run = promisify(execFile);
const STACK = /\n\s+at /;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

const frontline = async (args: string[]): Promise<Outcome> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, LOG_LEVEL: 'silent' }, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
const iso = (i: number): string => new Date(T0 + i * HOUR).toISOString().replace('.000Z', 'Z');

/** Two weeks of hourly counts around 20 (seeded), with one burst of 90. */
function steadySeries(seed: number, burstAt: number | null): { ts: string; value: number }[] {
  let state = seed;
  const rand = (): number => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  return Array.from({ length: 14 * 24 }, (_, i) => ({ ts: iso(i), value: i === burstAt ? 90 : 20 + Math.round((rand() - 0.5) * 8) }));
}
const csvOf = (rows: readonly { ts: string; value: number | string }[]): string => `timestamp,value\n${rows.map((r) => `${r.ts},${r.value}`).join('\n')}\n`;

function parseOutput(text: string): { header: string; rows: { ts: string; value: number; score: number; alert: string }[] } {
  const [header = '', ...lines] = text.trimEnd().split('\n');
  return {
    header,
    rows: lines.map((line) => {
      const [ts = '', value = '', score = '', alert = ''] = line.split(',');
      return { ts, value: Number(value), score: Number(score), alert };
    }),
  };
}

const BURST = 9 * 24 + 5;

describe('frontline detect (offline evaluation)', () => {
  let dir: string;
  const write = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
    return path;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'frontline-detect-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('scores a series row by row: exact header, same rows and timestamps, scores in [0, 1], one alert at the burst', async () => {
    const series = steadySeries(42, BURST);
    const input = await write('single/steady.csv', csvOf(series));
    const out = join(dir, 'single-out');
    // The issue's spelling; the subcommand spelling is the same run.
    const outcome = await frontline(['detect', '--csv', input, '--out', out]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).toBe('');
    expect(outcome.stdout).toMatch(/steady\.csv\s+336\s+1h\s+1h\s+1\s/);
    const written = parseOutput(await readFile(join(out, 'steady.csv'), 'utf8'));
    expect(written.header).toBe('timestamp,value,anomaly_score,alert');
    expect(written.rows.map((r) => r.ts)).toEqual(series.map((r) => r.ts));
    expect(written.rows.map((r) => r.value)).toEqual(series.map((r) => r.value));
    for (const row of written.rows) {
      expect(row.score).toBeGreaterThanOrEqual(0);
      expect(row.score).toBeLessThanOrEqual(1);
      expect(['0', '1']).toContain(row.alert);
    }
    expect(written.rows.flatMap((r, i) => (r.alert === '1' ? [i] : []))).toEqual([BURST]);
    expect(written.rows[BURST]).toMatchObject({ ts: iso(BURST), value: 90, alert: '1' });
    expect(written.rows[BURST]?.score).toBeGreaterThan(0.5);

    const again = await frontline(['detect', 'csv', input, '--out', join(dir, 'single-out-2'), '--json']);
    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as { files: { rows: number; alerts: number; alertTimestamps: string[]; bucketMs: number }[] };
    expect(summary.files).toEqual([expect.objectContaining({ rows: 336, alerts: 1, alertTimestamps: [iso(BURST)], bucketMs: HOUR })]);
    expect(await readFile(join(dir, 'single-out-2/steady.csv'), 'utf8')).toBe(await readFile(join(out, 'steady.csv'), 'utf8'));
  });

  it('scores every *.csv under a folder, keeping relative paths under --out', async () => {
    await write('tree/a/one.csv', csvOf(steadySeries(1, null)));
    await write('tree/b/c/two.csv', csvOf(steadySeries(2, BURST)));
    await write('tree/b/notes.txt', 'not a series');
    const out = join(dir, 'tree-out');
    const outcome = await frontline(['detect', 'csv', join(dir, 'tree'), '--out', out]);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toContain('a/one.csv');
    expect(outcome.stdout).toContain('b/c/two.csv');
    expect((await readdir(out, { recursive: true })).sort()).toEqual(['a', 'a/one.csv', 'b', 'b/c', 'b/c/two.csv']);
    const two = parseOutput(await readFile(join(out, 'b/c/two.csv'), 'utf8'));
    expect(two.rows).toHaveLength(336);
    expect(two.rows[BURST]?.alert).toBe('1');
  });

  describe('bad input', () => {
    const series = steadySeries(7, null);

    it('refuses rows out of order, naming file, line and --repair sort; --repair sort then succeeds', async () => {
      const rows = [...series];
      [rows[10], rows[11]] = [rows[11] as (typeof rows)[number], rows[10] as (typeof rows)[number]];
      const input = await write('bad/unsorted.csv', csvOf(rows));
      const out = join(dir, 'bad-out-unsorted');
      const outcome = await frontline(['detect', '--csv', input, '--out', out]);
      expect(outcome.code).not.toBe(0);
      // Row 11 (0-based) is on line 13 of the file (header is line 1).
      expect(outcome.stderr).toContain(`${input}:13: timestamps are not in order`);
      expect(outcome.stderr).toContain('--repair sort');
      expect(outcome.stderr).not.toMatch(STACK);
      await expect(readdir(out)).rejects.toThrow();

      const repaired = await frontline(['detect', 'csv', input, '--out', out, '--repair', 'sort']);
      expect(repaired.code, repaired.stderr).toBe(0);
      expect(repaired.stdout).toContain('sorted 1 row(s)');
      expect(parseOutput(await readFile(join(out, 'unsorted.csv'), 'utf8')).rows.map((r) => r.ts)).toEqual(series.map((r) => r.ts));
    });

    it('refuses duplicate timestamps, naming file, line and --repair duplicates=…', async () => {
      const rows = [...series.slice(0, 50), { ts: series[49]?.ts ?? '', value: 3 }, ...series.slice(50)];
      const input = await write('bad/duplicates.csv', csvOf(rows));
      const outcome = await frontline(['detect', 'csv', input, '--out', join(dir, 'bad-out-dup')]);
      expect(outcome.code).not.toBe(0);
      expect(outcome.stderr).toContain(`${input}:52: duplicate timestamp "${series[49]?.ts}"`);
      expect(outcome.stderr).toContain('--repair duplicates=sum');
      expect(outcome.stderr).not.toMatch(STACK);
      const summed = await frontline(['detect', 'csv', input, '--out', join(dir, 'bad-out-dup'), '--repair', 'duplicates=sum', '--json']);
      expect(summed.code, summed.stderr).toBe(0);
      expect(JSON.parse(summed.stdout)).toMatchObject({ files: [{ rows: 336, repairs: { duplicateRowsMerged: 1 } }] });
      const written = parseOutput(await readFile(join(dir, 'bad-out-dup/duplicates.csv'), 'utf8'));
      expect(written.rows[49]?.value).toBe((series[49]?.value ?? 0) + 3);
    });

    it('refuses a value that is not a number, naming file and line', async () => {
      const rows = series.map((r, i) => (i === 20 ? { ts: r.ts, value: 'twelve' } : r));
      const input = await write('bad/text.csv', csvOf(rows));
      const outcome = await frontline(['detect', 'csv', input, '--out', join(dir, 'bad-out-text')]);
      expect(outcome.code).not.toBe(0);
      expect(outcome.stderr).toContain(`${input}:22: value "twelve" is not a number`);
      expect(outcome.stderr).not.toMatch(STACK);
    });

    it('warns about gaps and still writes every row as read; --repair fill-gaps writes 0-valued rows and says so', async () => {
      const rows = [...series.slice(0, 100), ...series.slice(103)];
      const input = await write('gaps/gappy.csv', csvOf(rows));
      const out = join(dir, 'gaps-out');
      const outcome = await frontline(['detect', 'csv', input, '--out', out]);
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(outcome.stderr).toMatch(new RegExp(`^warning: ${input}: 1 gap\\(s\\) in its 1h steps, 3 bucket\\(s\\) missing: after line 101 \\(${series[99]?.ts}, 3 missing\\)`));
      expect(outcome.stderr).toContain('--repair fill-gaps');
      expect(outcome.stdout).toContain('1 (3 bucket(s) missing)');
      const written = parseOutput(await readFile(join(out, 'gappy.csv'), 'utf8'));
      expect(written.rows.map((r) => r.ts)).toEqual(rows.map((r) => r.ts));

      const filled = await frontline(['detect', 'csv', input, '--out', out, '--repair', 'fill-gaps']);
      expect(filled.code, filled.stderr).toBe(0);
      expect(filled.stderr).toMatch(/^note: .*gappy\.csv: 1 gap\(s\).*filled with 3 row\(s\) of value 0, which are written to the output too/);
      expect(filled.stdout).toContain('filled 3 row(s) with 0');
      const refilled = parseOutput(await readFile(join(out, 'gappy.csv'), 'utf8'));
      // Read rows keep their text; the reader writes filled ones in the file's style, UTC (ISO: toISOString()).
      expect(refilled.rows.map((r) => Date.parse(r.ts))).toEqual(series.map((r) => Date.parse(r.ts)));
      expect(refilled.rows.filter((_, i) => i < 100 || i >= 103).map((r) => r.ts)).toEqual(rows.map((r) => r.ts));
      expect(refilled.rows.slice(100, 103)).toEqual([100, 101, 102].map((i) => ({ ts: new Date(T0 + i * HOUR).toISOString(), value: 0, score: expect.any(Number) as number, alert: '0' })));
    });

    it('writes nothing when one file of a folder is bad, and refuses an unknown repair', async () => {
      await write('mixed/good.csv', csvOf(series));
      await write('mixed/worse.csv', 'timestamp,count\n2026-01-01T00:00Z,1\n');
      const out = join(dir, 'mixed-out');
      const outcome = await frontline(['detect', 'csv', join(dir, 'mixed'), '--out', out]);
      expect(outcome.code).not.toBe(0);
      expect(outcome.stderr).toContain('worse.csv:1: unexpected header "timestamp,count"');
      await expect(readdir(out)).rejects.toThrow();
      const repair = await frontline(['detect', 'csv', join(dir, 'mixed'), '--out', out, '--repair', 'sort,dedupe']);
      expect(repair.code).toBe(2);
      expect(repair.stderr).toContain('--repair "dedupe" is not a repair');
    });
  });

  describe('score', () => {
    interface ScoreJson {
      files: { name: string; rows: number }[];
      windowCount: { labelled: number; scored: number };
      profiles: { profile: string; threshold: number; raw: number; normalised: number }[];
    }

    it("reproduces NAB's numenta scores from its published rows (71.01 / 64.18 / 74.84)", async () => {
      const outcome = await frontline(['detect', '--score', '--windows', WINDOWS, join(NAB, 'golden/results/numenta'), '--json']);
      expect(outcome.code, outcome.stderr).toBe(0);
      // The score sheets beside the rows are not scored series: passed over, and said so.
      expect(outcome.stderr).toContain('skipped 3 file(s) that are not scored series');
      const result = JSON.parse(outcome.stdout) as ScoreJson;
      expect(result.files).toHaveLength(12);
      expect(result.files.map((f) => f.name)).toContain('realTweets/Twitter_volume_AAPL.csv');
      expect(result.windowCount).toEqual({ labelled: 40, scored: 40 });
      const byProfile = Object.fromEntries(result.profiles.map((p) => [p.profile, p]));
      expect(byProfile['standard']?.threshold).toBe(0.581621033511);
      expect(byProfile['standard']?.normalised).toBeCloseTo(71.01, 2);
      expect(byProfile['reward_low_FP_rate']?.normalised).toBeCloseTo(64.18, 2);
      expect(byProfile['reward_low_FN_rate']?.normalised).toBeCloseTo(74.84, 2);
    });

    it('prints threshold, raw and normalised per profile', async () => {
      const outcome = await frontline(['detect', 'score', join(NAB, 'golden/results/numenta'), '--windows', WINDOWS, '--profile', 'standard']);
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(outcome.stdout).toMatch(/^profile\s+threshold\s+raw score\s+normalised$/m);
      expect(outcome.stdout).toMatch(/^standard\s+0\.581621033511\s+16\.8105\s+71\.01$/m);
      expect(outcome.stdout).not.toContain('reward_low');
    });

    it('names files the windows JSON does not label, and scores the others with --ignore-unlabelled', async () => {
      const folder = join(dir, 'results');
      await mkdir(join(folder, 'realTweets'), { recursive: true });
      await copyFile(join(NAB, 'golden/results/numenta/realTweets/numenta_Twitter_volume_AAPL.rows.csv.gz'), join(folder, 'realTweets/numenta_Twitter_volume_AAPL.rows.csv.gz'));
      await writeFile(join(folder, 'realTweets/Twitter_volume_XYZ.csv'), 'timestamp,value,anomaly_score,alert\n2015-01-01 00:00:00,1,0,0\n');
      const outcome = await frontline(['detect', 'score', folder, '--windows', WINDOWS]);
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain(`1 file(s) have no entry in ${WINDOWS}: ${join(folder, 'realTweets/Twitter_volume_XYZ.csv')}`);
      expect(outcome.stderr).toContain('--ignore-unlabelled');
      expect(outcome.stderr).not.toMatch(STACK);
      const ignored = await frontline(['detect', 'score', folder, '--windows', WINDOWS, '--ignore-unlabelled', '--json']);
      expect(ignored.code, ignored.stderr).toBe(0);
      expect(ignored.stderr).toContain('Twitter_volume_XYZ.csv');
      expect((JSON.parse(ignored.stdout) as ScoreJson).files).toEqual([{ name: 'realTweets/Twitter_volume_AAPL.csv', path: join(folder, 'realTweets/numenta_Twitter_volume_AAPL.rows.csv.gz'), rows: 15902 }]);
    });

    it("scores the product detector's own output, on anomaly_score or on its alerts", async () => {
      const out = join(dir, 'nab-out');
      const detected = await frontline(['detect', 'csv', join(NAB, 'data/realTweets/Twitter_volume_AAPL.csv'), '--out', join(out, 'realTweets')]);
      expect(detected.code, detected.stderr).toBe(0);
      for (const flags of [[], ['--alerts']]) {
        const outcome = await frontline(['detect', 'score', out, '--windows', WINDOWS, '--json', ...flags]);
        expect(outcome.code, outcome.stderr).toBe(0);
        expect(outcome.stderr).toContain('scoring 1 of the 12 file(s)');
        const result = JSON.parse(outcome.stdout) as ScoreJson;
        expect(result.files.map((f) => f.name)).toEqual(['realTweets/Twitter_volume_AAPL.csv']);
        expect(result.profiles).toHaveLength(3);
        for (const p of result.profiles) expect(Number.isFinite(p.normalised)).toBe(true);
      }
      const golden = await frontline(['detect', 'score', join(NAB, 'golden/results/numenta'), '--windows', WINDOWS, '--alerts']);
      expect(golden.code).toBe(2);
      expect(golden.stderr).toMatch(/numenta_elb_request_count_8c0756\.rows\.csv\.gz:1: there is no alert column/);
    });
  });
});
