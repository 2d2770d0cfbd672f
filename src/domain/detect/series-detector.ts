import { type Baseline, baselineOf, expectedAt, type Periods } from './baseline.ts';
import { type BucketSettings, type DetectorSettings, inBuckets } from './detector-settings.ts';
import { type Decision, type DetectorState, type Evidence, initialDetectorState, type OpenEpisode } from './detector-state.ts';
import { cusumIncrement, estimationFactor, evidenceOf, horizonEvidence, scoreOf, stronger, type Window } from './evidence.ts';
import { SeriesBuffer } from './series-buffer.ts';

/**
 * The spike detector for one series: pure, deterministic, streaming — each bucket is decided from the
 * buckets before and including it, never from later ones.
 *
 * Per bucket: a seasonal count baseline (baseline.ts); evidence over every horizon (1 h, 1 day, 7 days)
 * as an exact count tail with the series' dispersion; a CUSUM accumulator for sustained shifts no
 * single horizon shows. A bucket whose strongest evidence is significant and practically large opens an
 * episode — once. The episode then updates, its buckets stop teaching the baseline, and it resolves
 * after `resolveAfter` normal buckets on the resolve horizon; its excess is then masked out of the
 * horizons so it cannot open again while a long window still holds it. An episode that lasts
 * `MAX_EPISODE_WEEKS` is taken as the series' new level.
 *
 * Two-phase for fleet-wide control: `assess` reads the bucket and proposes; `commit` applies it, with
 * the caller's verdict on whether a proposed opening is admitted (fleet-control.ts).
 */
export interface Assessment {
  index: number;
  bucketMs: number;
  value: number;
  expected: number;
  /** The bucket's own baseline (its expectation's kind and samples). */
  oneStep: Baseline | null;
  warming: boolean;
  horizons: (Evidence | null)[];
  cusum: DetectorState['cusum'];
  /** What would open an episode (or update the open one): the strongest significant, practical evidence. */
  candidate: Evidence | null;
  strongest: Evidence | null;
}

const PRIOR_DISPERSION = 1.5;
const PRIOR_WINDOWS = 24;
const MAX_EPISODE_WEEKS = 2;
const RESOLVE_SHIFT_SHARE = 0.75;
const PRIOR_INFLATION_WINDOWS = 14;
/** E[min(z², 4)] over the positive half of a normal z, z² below: the Huber cap's consistency factor. */
const HUBER_CONSISTENCY = 0.96;
const MAX_INFLATION = 20;

export class SeriesDetector {
  readonly settings: DetectorSettings;
  state: DetectorState;
  private readonly b: BucketSettings;
  private readonly periods: Periods;
  private readonly buffer: SeriesBuffer;
  private readonly originMs: number;

  /**
   * `originMs`: the start of the first bucket that will be primed or observed. The detector takes
   * `state` over and changes it as it decides (the detect stage hands it one parsed from the store),
   * and `buffer`, emptied (a detect cycle reuses one per series slot: allocating them was a tenth of its time).
   */
  constructor(settings: DetectorSettings, originMs: number, state?: DetectorState, buffer: SeriesBuffer = new SeriesBuffer()) {
    this.settings = settings;
    this.b = inBuckets(settings);
    this.periods = { week: this.b.week, day: this.b.day, seasonWeeks: settings.seasonWeeks, warmup: this.b.warmup };
    this.originMs = originMs;
    this.state = state ?? initialDetectorState(this.b.horizons.length);
    this.buffer = buffer.reset(0);
  }

  get length(): number {
    return this.buffer.length;
  }

  msOf(index: number): number {
    return this.originMs + index * this.settings.bucketMs;
  }

  private indexOf(ms: number): number {
    return Math.round((ms - this.originMs) / this.settings.bucketMs);
  }

  /**
   * Appends buckets values[length, end) that were decided on before (rebuilding after a restart): no
   * decision, no state change. A bucket's own expectation is computed only where a later decision
   * reads it from the buffer: inside the open episode and the running accumulator (they stand in for
   * the buckets, or are summed), and in resolved episodes (their excess is masked). Elsewhere nothing
   * depends on it but where a new episode began (`sinceOf`, which computes it then): the rest of the
   * history is appended plain — computing it for every stored hour was most of a cycle (bench/detection.ts).
   */
  prime(values: ArrayLike<number>, end: number): void {
    const since = [this.state.episode?.sinceMs, this.state.cusum.startMs].filter((ms): ms is number => ms !== undefined && ms !== null);
    const neededFrom = since.length === 0 ? Number.POSITIVE_INFINITY : this.indexOf(Math.min(...since));
    const openFrom = this.state.episode === null ? Number.POSITIVE_INFINITY : this.indexOf(this.state.episode.sinceMs);
    const closed = this.state.resolved.map((r) => ({ from: this.indexOf(r.sinceMs), to: this.indexOf(r.endMs), resolved: r.kind === 'resolved' }));
    while (this.buffer.length < end) {
      const i = this.buffer.length;
      const inClosed = closed.find((c) => i >= c.from && i <= c.to);
      if (inClosed === undefined && i < neededFrom) {
        const nextClosed = closed.reduce((min, c) => (c.from > i ? Math.min(min, c.from) : min), Number.POSITIVE_INFINITY);
        this.buffer.pushPlain(values, i, Math.min(end, neededFrom, nextClosed));
        continue;
      }
      this.buffer.push(values[i] ?? 0, this.oneStep(i), i >= openFrom || inClosed?.resolved === true);
      if (inClosed) this.buffer.maskEvidence(i, i);
    }
  }

  observe(value: number): Decision {
    return this.commit(this.assess(value), true);
  }

  assess(value: number): Assessment {
    const i = this.buffer.length;
    const bucketMs = this.msOf(i);
    const oneStep = this.oneStepBaseline(i);
    const expected = oneStep?.expected ?? Number.NaN;
    const open = this.state.episode !== null;
    this.buffer.push(value, expected, open);
    const base = { index: i, bucketMs, value, expected, oneStep };
    if (i < this.b.warmup || !Number.isFinite(expected)) {
      return { ...base, warming: true, horizons: [], cusum: this.state.cusum, candidate: null, strongest: null };
    }
    const horizons = this.b.horizons.map((h, k) => {
      const from = i - h + 1;
      if (from < this.b.warmup) return null;
      const window: Window = { from, to: i, startMs: this.msOf(from), endMs: this.msOf(i + 1) };
      return horizonEvidence(this.buffer, window, this.periods, this.dispersionOf(k), this.settings.horizonsMs[k] ?? h * this.settings.bucketMs, this.settings);
    });
    const cusum = open ? { value: 0, startMs: null } : this.nextCusum(value, expected, bucketMs);
    const all = horizons.filter((e): e is Evidence => e !== null);
    const run = this.cusumEvidence(cusum, i);
    if (run) all.push(run);
    const pick = (list: Evidence[]): Evidence | null => list.reduce<Evidence | null>((best, e) => (best === null || stronger(e, best) ? e : best), null);
    return { ...base, warming: false, horizons, cusum, candidate: pick(all.filter((e) => e.significant && e.practical)), strongest: pick(all) };
  }

  commit(a: Assessment, admitted: boolean): Decision {
    const state = this.state;
    state.lastBucketMs = a.bucketMs;
    state.cusum = a.cusum;
    const decision = (action: Decision['action'], episode: OpenEpisode | null, score = 0): Decision => ({
      bucketMs: a.bucketMs, value: a.value, expected: a.expected, action, score, evidence: a.strongest, episode,
    });
    if (a.warming) return decision('warming', null);
    const episode = state.episode;
    if (episode === null) {
      this.learnDispersion(a);
      const practical = a.candidate ?? (a.strongest?.practical ? a.strongest : null);
      const score = practical ? scoreOf(practical.pValue) : 0;
      if (a.candidate === null || !admitted) return decision('quiet', null, score);
      const opened: OpenEpisode = { sinceMs: this.sinceOf(a.candidate, a.index), openedMs: a.bucketMs, opening: a.candidate, peak: a.candidate, normalEvidence: 0, normalSinceMs: null };
      state.episode = opened;
      state.cusum = { value: 0, startMs: null };
      this.buffer.rewrite(this.indexOf(opened.sinceMs), a.index, () => true, (j) => this.oneStep(j));
      return decision('open', opened, score);
    }
    if (a.candidate && stronger(a.candidate, episode.peak)) episode.peak = a.candidate;
    this.weighNormal(episode, a);
    const leaning = episode.normalSinceMs === null ? 0 : (a.bucketMs - episode.normalSinceMs) / this.settings.bucketMs + 1;
    const tooLong = a.bucketMs - episode.sinceMs >= MAX_EPISODE_WEEKS * 7 * 86_400_000;
    if ((episode.normalEvidence < this.settings.resolveEvidence || leaning < this.b.resolveAfter) && !tooLong) {
      return decision(a.candidate ? 'update' : 'ongoing', episode);
    }
    this.close(episode, a.index, tooLong);
    return decision('resolve', episode);
  }

  private close(episode: OpenEpisode, index: number, newLevel: boolean): void {
    const from = this.indexOf(episode.sinceMs);
    const end = Math.max(from, episode.normalSinceMs === null ? index : this.indexOf(episode.normalSinceMs) - 1);
    // A shift that lasted weeks is the new normal: the baseline learns it from here on. Otherwise the
    // buckets after its last abnormal one were normal: they teach the baseline again.
    if (newLevel) this.buffer.rewrite(from, index, () => false, (j) => this.oneStep(j));
    else if (end < index) this.buffer.rewrite(end + 1, index, () => false, (j) => this.oneStep(j));
    this.buffer.maskEvidence(from, end);
    const keepAfter = this.msOf(index) - (this.settings.seasonWeeks + 1) * 7 * 86_400_000;
    this.state.resolved = [...this.state.resolved.filter((r) => r.endMs >= keepAfter), { sinceMs: episode.sinceMs, endMs: this.msOf(end), kind: newLevel ? 'new_level' : 'resolved' }];
    this.state.episode = null;
    this.state.cusum = { value: 0, startMs: null };
  }

  /**
   * Back to normal, sequentially: a CUSUM of the log-likelihood ratio of the bucket under its
   * expectation against under three quarters of the episode's shift (ρ = 1 + ¾ of the opening's change,
   * that at least the practical minimum; at most +300 %), scaled by the dispersion. (A half resolves a
   * +40 % shift three days after it ended at 6 tickets an hour; the full shift resolves it mid-way.) It grows while buckets look normal and
   * falls back to 0 while the shift is still there, so a noisy series whose one-day sum dips for a
   * few hours does not resolve an episode that is not over.
   */
  private weighNormal(episode: OpenEpisode, a: Assessment): void {
    const rho = 1 + Math.min(3, Math.max(this.settings.minPct, episode.opening.pctChange) * RESOLVE_SHIFT_SHARE);
    const llr = (a.expected * (rho - 1) - a.value * Math.log(rho)) / this.dispersionOf(0);
    const next = Math.max(0, episode.normalEvidence + llr);
    episode.normalSinceMs = next === 0 ? null : episode.normalSinceMs ?? a.bucketMs;
    episode.normalEvidence = next;
  }

  private oneStep(i: number): number {
    return expectedAt(this.buffer, i, this.periods);
  }

  private oneStepBaseline(i: number): Baseline | null {
    return baselineOf(this.buffer, i, i, this.periods);
  }

  private nextCusum(value: number, expected: number, bucketMs: number): DetectorState['cusum'] {
    const before = this.state.cusum;
    const next = Math.max(0, before.value + cusumIncrement(value, expected, this.dispersionOf(0), this.settings.cusumShift));
    if (next === 0) return { value: 0, startMs: null };
    return { value: next, startMs: before.value > 0 && before.startMs !== null ? before.startMs : bucketMs };
  }

  private cusumEvidence(cusum: DetectorState['cusum'], i: number): Evidence | null {
    if (cusum.startMs === null || cusum.value < this.settings.cusumThreshold) return null;
    const from = this.indexOf(cusum.startMs);
    const window: Window = { from, to: i, startMs: cusum.startMs, endMs: this.msOf(i + 1) };
    const length = i - from + 1;
    const k = this.b.horizons.reduce((best, h, j) => (Math.abs(h - length) < Math.abs((this.b.horizons[best] ?? h) - length) ? j : best), 0);
    const baseline = this.oneStepBaseline(i);
    if (baseline === null) return null;
    const expected = this.buffer.sumExpected(from, i);
    // The alarm picks the window; the window's count must still be significant on its own tail, with
    // the dispersion of the horizon nearest its length (which carries the series' autocorrelation).
    return evidenceOf(this.buffer, window, this.buffer.sumEvidence(from, i), { ...baseline, expected }, this.dispersionOf(k), 'cusum', this.settings);
  }

  /** Where the excess began: the bucket after the lowest point of the window's cumulative residual. */
  private sinceOf(evidence: Evidence, index: number): number {
    const from = Math.max(0, this.indexOf(evidence.windowStartMs));
    let cum = 0;
    let low = 0;
    let lowAt = from - 1;
    for (let j = from; j <= index; j++) {
      // A rebuilt detector has no expectation for most of its history (`prime`): the same number, computed now.
      const stored = this.buffer.expected[j] ?? Number.NaN;
      const e = Number.isFinite(stored) || j < this.b.warmup ? stored : this.oneStep(j);
      cum += Number.isFinite(e) ? (this.buffer.evidence[j] ?? 0) - e : 0;
      if (cum < low) {
        low = cum;
        lowAt = j;
      }
    }
    return this.msOf(Math.min(index, lowAt + 1));
  }

  /**
   * The series' own dispersion on horizon k: its buckets' (with a prior while young) times the
   * horizon's inflation (autocorrelation). Beyond a day the inflation of the longest horizon up to a
   * day is used: a week has too few non-overlapping windows to learn from before it is needed.
   */
  private dispersionOf(k: number): number {
    const noise = this.state.noise;
    const phi = noise.mean > 0 ? noise.square / noise.mean : PRIOR_DISPERSION;
    const perBucket = (noise.buckets * phi + PRIOR_WINDOWS * PRIOR_DISPERSION) / (noise.buckets + PRIOR_WINDOWS);
    let j = k;
    while (j > 0 && (this.b.horizons[j] ?? 0) > this.b.day) j -= 1;
    const n = j >= 0 ? (noise.windows[j] ?? 0) : 0;
    const inflation = j >= 0 ? (n * (noise.inflation[j] ?? 1) + PRIOR_INFLATION_WINDOWS) / (n + PRIOR_INFLATION_WINDOWS) : 1;
    return Math.max(1, perBucket * Math.min(MAX_INFLATION, Math.max(1, inflation)));
  }

  /**
   * Learns the noise from what is not significant. Per bucket, every value: a pooled ratio of mean
   * squared residual to mean expected count, stable on quiet series whose squared residuals are mostly
   * 0 and rarely large, over about four weeks. Per horizon up to a day, only non-overlapping windows
   * (one per horizon length), over four weeks of them: a shift that is there but not yet significant
   * is learned as noise once, not by every overlapping window it spans, so a horizon cannot go blind
   * to it.
   */
  private learnDispersion(a: Assessment): void {
    const noise = this.state.noise;
    const bucket = a.oneStep;
    const single = this.b.horizons[0] === 1 ? a.horizons[0] : null;
    if (bucket !== null && !single?.significant) {
      if (noise.kind !== bucket.kind) Object.assign(noise, { square: 0, mean: 0, buckets: 0, kind: bucket.kind });
      const rate = 1 / Math.min(noise.buckets + 1, 4 * this.b.week);
      noise.square += ((a.value - a.expected) ** 2 / estimationFactor(bucket, 1) - noise.square) * rate;
      noise.mean += (a.expected - noise.mean) * rate;
      noise.buckets += 1;
    }
    const perBucket = this.dispersionOf(-1);
    a.horizons.forEach((e, k) => {
      const length = this.b.horizons[k] ?? 1;
      if (e === null || e.significant || length === 1 || length > this.b.day || a.index % length !== 0) return;
      const current = noise.inflation[k] ?? 1;
      // While the accumulator suspects a shift (half-way to its alarm), windows are not learned as
      // noise: a sustained shift not yet proven would teach the detector to ignore it.
      if (a.cusum.value >= this.settings.cusumThreshold / 2) return;
      // Huber-capped at (2σ)²: one window of a shift moves the estimate by a bounded step.
      const ratio = Math.min(4 * Math.max(1, current), (e.observed - e.expected) ** 2 / estimationFactor(e.baseline, length) / Math.max(0.05, e.expected) / perBucket);
      const n = noise.windows[k] ?? 0;
      noise.inflation[k] = current + (ratio / HUBER_CONSISTENCY - current) / Math.min(n + 1, 4 * Math.ceil(this.b.week / length));
      noise.windows[k] = n + 1;
    });
  }
}
