import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parseTimestamp } from '../series-csv/parse-timestamp.ts';

/** One labelled anomaly window, inclusive at both ends, as NAB's labels/combined_windows.json gives it. */
export interface NabWindow {
  readonly start: string;
  readonly end: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Windows per data file, keyed by the file's path relative to NAB's data/ (e.g. `realTweets/Twitter_volume_FB.csv`). */
export type NabWindows = ReadonlyMap<string, readonly NabWindow[]>;

/** A window as row indices of one file. */
export interface WindowIndices {
  readonly startIndex: number;
  readonly endIndex: number;
}

const timestamp = z.string().refine((text) => parseTimestamp(text) !== undefined, {
  message: 'expected a timestamp as NAB writes them, "YYYY-MM-DD HH:MM:SS.ffffff"',
});
const labelsSchema = z.record(z.string().min(1), z.array(z.tuple([timestamp, timestamp])));

/**
 * Parses NAB's windows JSON (`{ "<relative path>": [[start, end], ...] }`). Beyond the shape, each
 * window must end no earlier than it starts and follow the previous one without overlap: NAB's sweeper
 * walks windows in list order and would silently mis-score anything else.
 */
export function parseWindows(json: unknown, source = 'windows JSON'): NabWindows {
  const parsed = labelsSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`${source}: not NAB windows JSON ({ "<relative path>": [["start", "end"], ...] }):\n  ${issues.join('\n  ')}`);
  }
  const windows = new Map<string, NabWindow[]>();
  for (const [file, pairs] of Object.entries(parsed.data)) {
    const list = pairs.map(([start, end]) => ({ start, end, startMs: parseTimestamp(start) ?? 0, endMs: parseTimestamp(end) ?? 0 }));
    list.forEach((window, k) => {
      if (window.endMs < window.startMs) throw new Error(`${source}: ${file} window ${k} ends (${window.end}) before it starts (${window.start}); swap them`);
      const prev = list[k - 1];
      if (prev !== undefined && window.startMs <= prev.endMs) {
        throw new Error(`${source}: ${file} window ${k} (${window.start}) does not start after window ${k - 1} ends (${prev.end}); sort the windows and merge overlapping ones`);
      }
    });
    windows.set(file, list);
  }
  return windows;
}

export async function loadWindows(path: string): Promise<NabWindows> {
  return parseWindows(JSON.parse(await readFile(path, 'utf8')) as unknown, path);
}

/**
 * Row indices of each window's boundaries. NAB requires both to be row timestamps (its sweeper enters a
 * window on the row equal to its start and finds the end with `timestamps.index`); a boundary that is
 * not a row is an error here rather than a window NAB would never enter.
 */
export function locateWindows(timestampsMs: readonly number[], windows: readonly NabWindow[], file: string): WindowIndices[] {
  const rowOf = new Map<number, number>();
  timestampsMs.forEach((ms, i) => rowOf.set(ms, i));
  return windows.map((window, k) => {
    const startIndex = rowOf.get(window.startMs);
    const endIndex = rowOf.get(window.endMs);
    if (startIndex === undefined || endIndex === undefined) {
      const [which, text] = startIndex === undefined ? ['starts', window.start] : ['ends', window.end];
      throw new Error(`${file}: window ${k} ${which} at ${text}, which is no row's timestamp; NAB windows begin and end on rows of their file`);
    }
    return { startIndex, endIndex };
  });
}
