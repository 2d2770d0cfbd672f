/**
 * Missing buckets in a regular series: the step is the file's most common spacing (ties go to the
 * smaller), and a gap is any spacing longer than that step. Reported always, filled only on request,
 * because a filled bucket changes what a detector and NAB's scorer see (NAB scores rows, not times).
 */

export interface SeriesGap {
  /** 1-based line of the last row before the gap. */
  readonly afterLine: number;
  /** That row's timestamp, as written. */
  readonly afterTimestamp: string;
  /** Buckets of the modal step that fit strictly between the two rows. */
  readonly missing: number;
}

/** The most common positive spacing between consecutive timestamps; undefined for fewer than two rows. */
export function modalStep(timestampsMs: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (let i = 1; i < timestampsMs.length; i++) {
    const step = (timestampsMs[i] ?? 0) - (timestampsMs[i - 1] ?? 0);
    if (step > 0) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best: number | undefined;
  let bestCount = 0;
  for (const [step, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && step < best)) [best, bestCount] = [step, count];
  }
  return best;
}

/** Number of whole steps that fit strictly between two timestamps (0 when they are a step apart or less). */
export function missingBuckets(fromMs: number, toMs: number, stepMs: number): number {
  return toMs - fromMs > stepMs ? Math.ceil((toMs - fromMs) / stepMs) - 1 : 0;
}

/** Gaps between consecutive rows (sorted, without duplicates), given each row's line and raw timestamp. */
export function findGaps(timestampsMs: readonly number[], lines: readonly number[], raw: readonly string[], stepMs: number): SeriesGap[] {
  const gaps: SeriesGap[] = [];
  for (let i = 1; i < timestampsMs.length; i++) {
    const missing = missingBuckets(timestampsMs[i - 1] ?? 0, timestampsMs[i] ?? 0, stepMs);
    if (missing > 0) gaps.push({ afterLine: lines[i - 1] ?? 0, afterTimestamp: raw[i - 1] ?? '', missing });
  }
  return gaps;
}
