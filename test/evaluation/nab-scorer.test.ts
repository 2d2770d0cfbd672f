import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  costMatrix, loadWindows, NAB_PROFILES, PROFILE_NAMES, type ProfileName, scoreAtThreshold, scoreCorpus, sweepFile,
} from '../../src/evaluation/nab-scorer/index.ts';
import { parseTimestamp } from '../../src/evaluation/series-csv/index.ts';
import { dataFileNames, NAB_DETECTORS, NAB_DIR, type NabDetector, readGoldenRows, readScoreSheet } from './nab-fixtures.ts';

const windows = await loadWindows(join(NAB_DIR, 'labels/count_subset_windows.json'));
const golden = Object.fromEntries(NAB_DETECTORS.map((d) => [d, dataFileNames().map((name) => readGoldenRows(d, name))])) as Record<NabDetector, ReturnType<typeof readGoldenRows>[]>;

/** NAB v1.1 on the 40-window count subset, threshold optimised on the subset (from NAB's per-row results). */
const SUBSET_ORACLE: Record<NabDetector, { threshold: number; scores: Record<ProfileName, [raw: number, normalised: number]> }> = {
  numenta: {
    threshold: 0.581621033511,
    scores: { standard: [16.8105, 71.01], reward_low_FP_rate: [11.3437, 64.18], reward_low_FN_rate: [9.8105, 74.84] },
  },
  twitterADVec: {
    threshold: 1.0,
    scores: { standard: [2.8426, 53.55], reward_low_FP_rate: [-13.0809, 33.65], reward_low_FN_rate: [-6.1574, 61.54] },
  },
};

describe('NAB scorer port against NAB v1.1 results on the count subset', () => {
  it('ships the 12 files with NAB output for both detectors and 40 windows', () => {
    expect(dataFileNames()).toHaveLength(12);
    expect([...windows.values()].reduce((sum, list) => sum + list.length, 0)).toBe(40);
    for (const detector of NAB_DETECTORS) expect(golden[detector].reduce((sum, f) => sum + f.scores.length, 0)).toBe(172_983);
  });

  it('uses the cost matrices of NAB\'s profiles.json', () => {
    const profiles = JSON.parse(readFileSync(join(NAB_DIR, 'golden/profiles.json'), 'utf8')) as Record<string, { CostMatrix: Record<string, number> }>;
    expect(Object.keys(profiles).sort()).toEqual([...PROFILE_NAMES].sort());
    for (const name of PROFILE_NAMES) {
      const { tpWeight, fnWeight, fpWeight } = profiles[name]?.CostMatrix ?? {};
      expect(NAB_PROFILES[name]).toEqual({ tpWeight, fnWeight, fpWeight });
    }
  });

  it('puts exactly the rows NAB labels 1 inside windows', () => {
    for (const file of golden.numenta) {
      const swept = sweepFile(file, windows, costMatrix('standard'));
      expect(Array.from(swept.windowOf, (w) => (w >= 0 ? 1 : 0)), file.name).toEqual(file.labels);
    }
  });

  for (const detector of NAB_DETECTORS) {
    for (const profile of PROFILE_NAMES) {
      const [raw, normalised] = SUBSET_ORACLE[detector].scores[profile];
      it(`${detector} ${profile}: optimised threshold ${SUBSET_ORACLE[detector].threshold}, raw ${raw}, normalised ${normalised}`, () => {
        const result = scoreCorpus(golden[detector], windows, profile);
        expect(result.threshold).toBe(SUBSET_ORACLE[detector].threshold);
        expect(result.raw).toBeCloseTo(raw, 4);
        expect(result.normalised).toBeCloseTo(normalised, 2);
        expect(result.windows).toEqual({ labelled: 40, scored: 40 });
      });
    }
  }

  for (const detector of NAB_DETECTORS) {
    for (const profile of PROFILE_NAMES) {
      it(`${detector} ${profile}: each file's Score, TP, TN, FP, FN, Total at the sheet's threshold`, () => {
        const sheet = readScoreSheet(detector, profile).filter((row) => windows.has(row.file));
        expect(sheet).toHaveLength(12);
        const threshold = sheet[0]?.threshold ?? Number.NaN;
        const { perFile } = scoreAtThreshold(golden[detector], windows, profile, threshold);
        for (const row of sheet) {
          expect(row.threshold).toBe(threshold);
          const mine = perFile.find((f) => f.name === row.file);
          // The sheets print 12 significant digits.
          expect(mine?.score, row.file).toBeCloseTo(row.score, 10);
          expect({ tp: mine?.tp, tn: mine?.tn, fp: mine?.fp, fn: mine?.fn, total: mine?.total }, row.file)
            .toEqual({ tp: row.tp, tn: row.tn, fp: row.fp, fn: row.fn, total: row.total });
        }
      });
    }
  }

  it('scores epoch-millisecond timestamps the same as NAB\'s text', () => {
    const asMs = golden.numenta.map((f) => ({ ...f, timestamps: f.timestamps.map((t) => parseTimestamp(t) ?? Number.NaN) }));
    expect(scoreCorpus(asMs, windows, 'standard')).toEqual(scoreCorpus(golden.numenta, windows, 'standard'));
  });
});
