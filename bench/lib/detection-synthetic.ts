import { mulberry32, type RandomSource } from '../../src/connector-kit/random.ts';
import { DEFAULT_DETECTOR_SETTINGS, HOUR_MS } from '../../src/domain/detect/detector-settings.ts';
import { SeriesBuffer } from '../../src/domain/detect/series-buffer.ts';
import { SeriesDetector } from '../../src/domain/detect/series-detector.ts';
import { type GeneratedSeries, generateSeries, type InjectedEpisode } from '../../src/evaluation/synthetic-counts/ticket-like-series.ts';
import { DISPERSION_RANGE, HOURS_PER_WEEK, median, quantile, seedOf, SYNTHETIC_T0, uniform, VOLUME_CLASSES } from './detection-stats.ts';

/**
 * The product detector (defaults, no tuning) on seeded ticket-like series whose truth is known
 * (src/evaluation/synthetic-counts): per volume class, 10 weeks of hours per series; 60 % get one
 * episode after week 5, 20 % a slow drift and no episode (it must stay quiet), the rest are steady.
 * Each episode's oracle SNR is its expected excess over the standard deviation of the baseline's sum
 * over its span with the generator's own overdispersion: Σ(mean − baseline) / sqrt(φ · Σ baseline).
 */
export const EPISODE_KINDS = ['burst', 'day', 'week', 'ramp'] as const;
export type EpisodeKind = (typeof EPISODE_KINDS)[number];
export const SNR_BANDS = ['< 3', '3–5', '≥ 5'] as const;
export type SnrBand = (typeof SNR_BANDS)[number];
export type Group = 'steady' | 'drift' | 'episode';

/** Hours after an episode's last hour in which an opening still counts as its detection (and no false alert). */
export const DETECTION_GRACE_HOURS = 48;

export const SYNTHETIC_DESIGN = {
  weeks: 10,
  volumeClasses: VOLUME_CLASSES,
  dispersion: DISPERSION_RANGE,
  seasonality: 1,
  shares: { episode: 0.6, drift: 0.2, steady: 0.2 },
  episodeAfterWeek: 5,
  episodes: {
    burst: '1–3 hours, extra = k × baseline, k log-uniform in [0.5, 8]',
    day: '+20…150 % for 24 h',
    week: '+15…60 % for 7 days',
    ramp: '+25…50 %, ramping up over 48 h, lasting 2 weeks',
  },
  drift: '+0.3…0.6 % a day (compounding), no episode',
  detection: `an 'open' decision in the episode's span or up to ${DETECTION_GRACE_HOURS} h after it (ramp: within its span)`,
  delay: 'hours from the start of the episode\'s first hour to the end of the hour whose decision opened it',
  falseAlert: `an 'open' decision outside the series' episode span + ${DETECTION_GRACE_HOURS} h, per series-week of decided (non-warm-up) hours`,
} as const;

export interface EpisodeOutcome {
  volume: number;
  seriesIndex: number;
  kind: EpisodeKind;
  from: number;
  to: number;
  lift: number;
  dispersion: number;
  expectedExcess: number;
  snr: number;
  detected: boolean;
  /** Hours, see SYNTHETIC_DESIGN.delay; null when missed. */
  delayHours: number | null;
  /** Openings inside the detection span (more than one: the episode was reported in pieces). */
  opensInSpan: number;
}

export interface Recall {
  episodes: number;
  detected: number;
  recall: number;
}

export interface FalseAlertRate {
  series: number;
  seriesWeeks: number;
  alerts: number;
  perSeriesWeek: number;
  /** Share of the series that raised at least one false alert. */
  seriesWithAlert: number;
}

export interface SyntheticReport {
  design: typeof SYNTHETIC_DESIGN;
  seed: number;
  seriesPerClass: number;
  recall: {
    overall: Recall;
    byClass: Record<string, Recall>;
    byKind: Record<EpisodeKind, Recall>;
    bySnr: Record<SnrBand, Recall>;
    byClassAndKind: Record<string, Record<EpisodeKind, Recall>>;
    bySnrAndClass: Record<SnrBand, Record<string, Recall>>;
  };
  delayHours: Record<EpisodeKind, { median: number; p90: number; n: number }>;
  falseAlerts: {
    overall: FalseAlertRate;
    byClass: Record<string, FalseAlertRate>;
    byGroup: Record<Group, FalseAlertRate>;
    driftByClass: Record<string, FalseAlertRate>;
  };
  episodes: EpisodeOutcome[];
  seconds: number;
}

interface SeriesOutcome {
  volume: number;
  group: Group;
  decidedHours: number;
  excludedHours: number;
  falseAlerts: number;
}

export function measureSynthetic(options: { seriesPerClass: number; seed: number; log: (line: string) => void }): SyntheticReport {
  const hours = SYNTHETIC_DESIGN.weeks * HOURS_PER_WEEK;
  const started = performance.now();
  const episodes: EpisodeOutcome[] = [];
  const series: SeriesOutcome[] = [];
  VOLUME_CLASSES.forEach((volume, c) => {
    const classStart = performance.now();
    for (let i = 0; i < options.seriesPerClass; i++) {
      const { group, dispersion, injected, generated } = syntheticSeries(options.seed, c, i);
      const detector = new SeriesDetector(DEFAULT_DETECTOR_SETTINGS, SYNTHETIC_T0, undefined, new SeriesBuffer(hours));
      const opens: number[] = [];
      let decidedHours = 0;
      for (const value of generated.values) {
        const decision = detector.observe(value);
        if (decision.action !== 'warming') decidedHours++;
        if (decision.action === 'open') opens.push((decision.bucketMs - SYNTHETIC_T0) / HOUR_MS);
      }
      // No false alert is counted in the episode's span + the grace period.
      const excludeTo = injected ? injected.episode.to + DETECTION_GRACE_HOURS : -1;
      const excluded = (h: number): boolean => injected !== null && h >= injected.episode.from && h <= excludeTo;
      const excludedHours = injected ? Math.min(hours - 1, excludeTo) - injected.episode.from + 1 : 0;
      series.push({ volume, group, decidedHours, excludedHours, falseAlerts: opens.filter((h) => !excluded(h)).length });
      if (injected) {
        const { from, to } = injected.episode;
        const until = injected.kind === 'ramp' ? to : to + DETECTION_GRACE_HOURS;
        const hits = opens.filter((h) => h >= from && h <= until);
        let excess = 0;
        let base = 0;
        for (let h = from; h <= to; h++) {
          excess += (generated.mean[h] ?? 0) - (generated.baseline[h] ?? 0);
          base += generated.baseline[h] ?? 0;
        }
        const first = hits[0];
        episodes.push({
          volume, seriesIndex: i, kind: injected.kind, from, to, lift: injected.episode.lift, dispersion,
          expectedExcess: excess, snr: excess / Math.sqrt(dispersion * base),
          detected: first !== undefined, delayHours: first === undefined ? null : first - from + 1, opensInSpan: hits.length,
        });
      }
    }
    const mine = episodes.filter((e) => e.volume === volume);
    options.log(`  ${volume}/h: ${options.seriesPerClass} series, ${mine.filter((e) => e.detected).length}/${mine.length} episodes found, ` +
      `${series.filter((s) => s.volume === volume).reduce((n, s) => n + s.falseAlerts, 0)} false alerts (${((performance.now() - classStart) / 1000).toFixed(1)} s)`);
  });

  const classKey = (v: number): string => `${v}/h`;
  const byClass = <T>(f: (volume: number) => T): Record<string, T> => Object.fromEntries(VOLUME_CLASSES.map((v) => [classKey(v), f(v)]));
  const byKind = <T>(f: (kind: EpisodeKind) => T): Record<EpisodeKind, T> => Object.fromEntries(EPISODE_KINDS.map((k) => [k, f(k)])) as Record<EpisodeKind, T>;
  const bySnr = <T>(f: (band: SnrBand) => T): Record<SnrBand, T> => Object.fromEntries(SNR_BANDS.map((b) => [b, f(b)])) as Record<SnrBand, T>;
  return {
    design: SYNTHETIC_DESIGN,
    seed: options.seed,
    seriesPerClass: options.seriesPerClass,
    recall: {
      overall: recall(episodes),
      byClass: byClass((v) => recall(episodes.filter((e) => e.volume === v))),
      byKind: byKind((k) => recall(episodes.filter((e) => e.kind === k))),
      bySnr: bySnr((b) => recall(episodes.filter((e) => snrBand(e.snr) === b))),
      byClassAndKind: byClass((v) => byKind((k) => recall(episodes.filter((e) => e.volume === v && e.kind === k)))),
      bySnrAndClass: bySnr((b) => byClass((v) => recall(episodes.filter((e) => e.volume === v && snrBand(e.snr) === b)))),
    },
    delayHours: byKind((k) => {
      const delays = episodes.filter((e) => e.kind === k && e.delayHours !== null).map((e) => e.delayHours ?? 0);
      return { median: median(delays), p90: quantile(delays, 0.9), n: delays.length };
    }),
    falseAlerts: {
      overall: falseAlertRate(series),
      byClass: byClass((v) => falseAlertRate(series.filter((s) => s.volume === v))),
      byGroup: { steady: falseAlertRate(series.filter((s) => s.group === 'steady')), drift: falseAlertRate(series.filter((s) => s.group === 'drift')), episode: falseAlertRate(series.filter((s) => s.group === 'episode')) },
      driftByClass: byClass((v) => falseAlertRate(series.filter((s) => s.volume === v && s.group === 'drift'))),
    },
    episodes,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Series i of volume class c (index into VOLUME_CLASSES) of a run seeded `seed`: its draws and its counts. */
export function syntheticSeries(seed: number, c: number, i: number): {
  volume: number; group: Group; dispersion: number; driftPerDay: number; injected: { kind: EpisodeKind; episode: InjectedEpisode } | null; generated: GeneratedSeries;
} {
  const hours = SYNTHETIC_DESIGN.weeks * HOURS_PER_WEEK;
  const volume = VOLUME_CLASSES[c] ?? 1;
  const random = mulberry32(seedOf(seed, c, i));
  const dispersion = uniform(random, ...DISPERSION_RANGE);
  const draw = random();
  const group: Group = draw < SYNTHETIC_DESIGN.shares.episode ? 'episode' : draw < SYNTHETIC_DESIGN.shares.episode + SYNTHETIC_DESIGN.shares.drift ? 'drift' : 'steady';
  const injected = group === 'episode' ? drawEpisode(random, hours) : null;
  const driftPerDay = group === 'drift' ? uniform(random, 0.003, 0.006) : 0;
  const generated = generateSeries({
    seed: seedOf(seed, c, i, 1), hours, meanPerHour: volume, dispersion, seasonality: SYNTHETIC_DESIGN.seasonality, driftPerDay,
    episodes: injected ? [injected.episode] : [],
  });
  return { volume, group, dispersion, driftPerDay, injected, generated };
}

export function snrBand(snr: number): SnrBand {
  return snr < 3 ? '< 3' : snr < 5 ? '3–5' : '≥ 5';
}

function drawEpisode(random: RandomSource, hours: number): { kind: EpisodeKind; episode: InjectedEpisode } {
  const kind = EPISODE_KINDS[Math.floor(random() * EPISODE_KINDS.length)] ?? 'burst';
  const length = kind === 'burst' ? 1 + Math.floor(random() * 3) : kind === 'day' ? 24 : kind === 'week' ? HOURS_PER_WEEK : 2 * HOURS_PER_WEEK;
  const lift = kind === 'burst' ? Math.exp(uniform(random, Math.log(0.5), Math.log(8))) : kind === 'day' ? uniform(random, 0.2, 1.5) : kind === 'week' ? uniform(random, 0.15, 0.6) : uniform(random, 0.25, 0.5);
  const earliest = SYNTHETIC_DESIGN.episodeAfterWeek * HOURS_PER_WEEK;
  // The whole detection span (episode + grace; a ramp: the episode) lies inside the series.
  const latest = hours - length - (kind === 'ramp' ? 0 : DETECTION_GRACE_HOURS);
  const from = earliest + Math.floor(random() * (latest - earliest + 1));
  return { kind, episode: { from, to: from + length - 1, lift, ...(kind === 'ramp' ? { rampHours: 48 } : {}) } };
}

function recall(list: readonly EpisodeOutcome[]): Recall {
  const detected = list.filter((e) => e.detected).length;
  return { episodes: list.length, detected, recall: list.length === 0 ? Number.NaN : detected / list.length };
}

function falseAlertRate(list: readonly SeriesOutcome[]): FalseAlertRate {
  const seriesWeeks = list.reduce((sum, s) => sum + (s.decidedHours - s.excludedHours) / HOURS_PER_WEEK, 0);
  const alerts = list.reduce((sum, s) => sum + s.falseAlerts, 0);
  return {
    series: list.length, seriesWeeks, alerts, perSeriesWeek: seriesWeeks > 0 ? alerts / seriesWeeks : Number.NaN,
    seriesWithAlert: list.length === 0 ? Number.NaN : list.filter((s) => s.falseAlerts > 0).length / list.length,
  };
}
