import type { Evidence } from './detector-state.ts';
import { describeBaseline } from './baseline.ts';

/**
 * A detector decision in plain words, for the people who must act on it:
 * "SSO configuration, 7 days to Tue 14:00: 1,653 vs expected 1,080 (+53 %), since Wed 09:00 —
 * baseline: same hours of the week over the last 4 weeks, p ≈ 2e-9". Times in the organization's
 * time zone; the release clause is added by the caller when a release explains the start.
 */
export interface ExplainInput {
  /** What the series counts: a driver's name, or "Unmatched tickets". */
  subject: string;
  evidence: Evidence;
  sinceMs: number;
  timeZone: string;
  /** e.g. "2 days after release 4.2". */
  context?: string;
}

const HOUR_MS = 3_600_000;

export function explainEvidence(input: ExplainInput): string {
  const { evidence: e } = input;
  const at = (ms: number): string =>
    new Intl.DateTimeFormat('en-GB', { timeZone: input.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
  const count = (n: number): string => Math.round(n).toLocaleString('en-US');
  const pct = Number.isFinite(e.pctChange) ? `${e.pctChange >= 0 ? '+' : ''}${Math.round(e.pctChange * 100)} %` : 'none expected';
  const window = e.source === 'cusum' ? `${Math.round((e.windowEndMs - e.windowStartMs) / HOUR_MS)} hours` : horizonWords(e.source);
  const p = e.pValue < 1e-300 ? '< 1e-300' : `≈ ${e.pValue.toExponential(0)}`;
  const head = `${input.subject}, ${window} to ${at(e.windowEndMs)}: ${count(e.observed)} vs expected ${count(e.expected)} (${pct}), since ${at(input.sinceMs)}`;
  return `${head}${input.context ? `, ${input.context}` : ''} — baseline: ${describeBaseline(e.baseline)}, p ${p}`;
}

/** '1 hour', '24 hours', '7 days' … from a horizon in ms. */
export function horizonWords(ms: number): string {
  const hours = Math.round(ms / HOUR_MS);
  if (hours % 24 === 0 && hours >= 48) return `${hours / 24} days`;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

/** The short label stored on a spike: '1h', '24h', '7d', 'cusum'. */
export const horizonLabel = (source: Evidence['source']): string => {
  if (source === 'cusum') return 'cusum';
  const hours = Math.round(source / HOUR_MS);
  return hours % 24 === 0 && hours >= 48 ? `${hours / 24}d` : `${hours}h`;
};
