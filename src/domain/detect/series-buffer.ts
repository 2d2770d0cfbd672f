/**
 * One series' buckets as the detector sees them, with prefix sums so any window sum is O(1):
 * - `raw`: the counts as stored;
 * - `expected`: each bucket's one-step expectation, computed when it was observed (NaN during warm-up);
 * - `cleaned`: what baselines learn from — raw, except buckets inside an episode, which hold their
 *   expectation instead (a past outbreak must not raise the baseline, or the next one goes unseen;
 *   Farrington's down-weighting of past outbreaks does the same);
 * - `evidence`: what horizons sum as observed — raw, except buckets of episodes already resolved
 *   (their excess has been reported, it must not open the episode again while a 7-day window still
 *   holds it).
 */
export class SeriesBuffer {
  private capacity: number;
  length = 0;
  raw: Float64Array;
  expected: Float64Array;
  cleaned: Float64Array;
  evidence: Float64Array;
  /** prefix[i] = sum of the first i buckets. */
  private cleanedPrefix: Float64Array;
  private evidencePrefix: Float64Array;
  private expectedPrefix: Float64Array;

  constructor(capacity = 1024) {
    this.capacity = Math.max(16, capacity);
    const arrays = this.allocate(this.capacity);
    this.raw = arrays[0];
    this.expected = arrays[1];
    this.cleaned = arrays[2];
    this.evidence = arrays[3];
    this.cleanedPrefix = arrays[4];
    this.evidencePrefix = arrays[5];
    this.expectedPrefix = arrays[6];
  }

  /** Seven arrays in one allocation (a detect cycle builds a buffer per series: allocation was a third of its time). */
  private allocate(capacity: number): [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array] {
    const stride = capacity + 1;
    const memory = new ArrayBuffer(7 * stride * Float64Array.BYTES_PER_ELEMENT);
    const view = (k: number, length: number): Float64Array => new Float64Array(memory, k * stride * Float64Array.BYTES_PER_ELEMENT, length);
    return [view(0, capacity), view(1, capacity), view(2, capacity), view(3, capacity), view(4, stride), view(5, stride), view(6, stride)];
  }

  /** Empties the buffer for another series (a detect cycle reuses one per series slot), holding at least `capacity` buckets. */
  reset(capacity: number): this {
    this.length = 0;
    while (this.capacity < capacity) this.grow();
    return this;
  }

  /**
   * Appends values[from, to) as buckets without an expectation, outside any episode (a rebuild's
   * history that no later decision reads an expectation of): raw, cleaned and evidence alike.
   */
  pushPlain(values: ArrayLike<number>, from: number, to: number): void {
    while (this.capacity < this.length + (to - from)) this.grow();
    let i = this.length;
    let cleaned = this.cleanedPrefix[i] ?? 0;
    let evidence = this.evidencePrefix[i] ?? 0;
    let expected = this.expectedPrefix[i] ?? 0;
    for (let j = from; j < to; j++, i++) {
      const value = values[j] ?? 0;
      this.raw[i] = value;
      this.expected[i] = Number.NaN;
      this.cleaned[i] = value;
      this.evidence[i] = value;
      this.cleanedPrefix[i + 1] = cleaned += value;
      this.evidencePrefix[i + 1] = evidence += value;
      this.expectedPrefix[i + 1] = expected += value;
    }
    this.length = i;
  }

  /** Appends a bucket; `masked` = inside an open episode (the baseline learns its expectation). */
  push(value: number, expected: number, masked: boolean): void {
    if (this.length === this.capacity) this.grow();
    const i = this.length;
    this.raw[i] = value;
    this.expected[i] = expected;
    const usable = Number.isFinite(expected);
    this.cleaned[i] = masked && usable ? expected : value;
    this.evidence[i] = value;
    this.cleanedPrefix[i + 1] = (this.cleanedPrefix[i] ?? 0) + (this.cleaned[i] ?? 0);
    this.evidencePrefix[i + 1] = (this.evidencePrefix[i] ?? 0) + value;
    this.expectedPrefix[i + 1] = (this.expectedPrefix[i] ?? 0) + (usable ? expected : value);
    this.length = i + 1;
  }

  /**
   * Re-decides buckets [from, to] in order, as if they had been pushed with `masked(j)`: each one's
   * expectation is recomputed from the rewritten buckets before it (`expectedAt` reads only those).
   * Used when an episode turns out to have begun before it was found, so that a detector rebuilt
   * from stored history after a restart (which pushes them masked from the start) sees the same.
   */
  rewrite(from: number, to: number, masked: (j: number) => boolean, expectedAt: (j: number) => number): void {
    const a = Math.max(0, from);
    const b = Math.min(this.length - 1, to);
    for (let j = a; j <= b; j++) {
      const e = expectedAt(j);
      const usable = Number.isFinite(e);
      this.expected[j] = e;
      this.cleaned[j] = masked(j) && usable ? e : (this.raw[j] ?? 0);
      this.cleanedPrefix[j + 1] = (this.cleanedPrefix[j] ?? 0) + (this.cleaned[j] ?? 0);
    }
    this.rebuild(this.cleaned, this.cleanedPrefix, b + 1);
    for (let j = a; j < this.length; j++) {
      const e = this.expected[j] ?? Number.NaN;
      this.expectedPrefix[j + 1] = (this.expectedPrefix[j] ?? 0) + (Number.isFinite(e) ? e : (this.raw[j] ?? 0));
    }
  }

  /** Buckets [from, to] belong to a resolved episode: horizons no longer count their excess. */
  maskEvidence(from: number, to: number): void {
    this.replace(this.evidence, from, to);
    this.rebuild(this.evidence, this.evidencePrefix, from);
  }

  /** Inclusive sums; indices are clamped to the buffer. */
  sumCleaned(from: number, to: number): number {
    return this.sum(this.cleanedPrefix, from, to);
  }
  sumEvidence(from: number, to: number): number {
    return this.sum(this.evidencePrefix, from, to);
  }
  /** Expected counts of buckets [from, to] (raw where no expectation existed yet). */
  sumExpected(from: number, to: number): number {
    return this.sum(this.expectedPrefix, from, to);
  }

  private sum(prefix: Float64Array, from: number, to: number): number {
    const a = Math.max(0, from);
    const b = Math.min(this.length - 1, to);
    return b < a ? 0 : (prefix[b + 1] ?? 0) - (prefix[a] ?? 0);
  }

  private replace(target: Float64Array, from: number, to: number): void {
    for (let j = Math.max(0, from); j <= Math.min(this.length - 1, to); j++) {
      const e = this.expected[j] ?? Number.NaN;
      if (Number.isFinite(e)) target[j] = e;
    }
  }

  private rebuild(values: Float64Array, prefix: Float64Array, from: number): void {
    for (let j = Math.max(0, from); j < this.length; j++) prefix[j + 1] = (prefix[j] ?? 0) + (values[j] ?? 0);
  }

  private grow(): void {
    this.capacity *= 2;
    const [raw, expected, cleaned, evidence, cleanedPrefix, evidencePrefix, expectedPrefix] = this.allocate(this.capacity);
    raw.set(this.raw);
    expected.set(this.expected);
    cleaned.set(this.cleaned);
    evidence.set(this.evidence);
    cleanedPrefix.set(this.cleanedPrefix);
    evidencePrefix.set(this.evidencePrefix);
    expectedPrefix.set(this.expectedPrefix);
    Object.assign(this, { raw, expected, cleaned, evidence, cleanedPrefix, evidencePrefix, expectedPrefix });
  }
}
