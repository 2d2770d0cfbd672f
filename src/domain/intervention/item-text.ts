import type { Routed } from './routing.ts';

/**
 * What an item says to the people it is routed to: a title a person can scan, the explanation of
 * each signal, and a clear ask — who, what, by when — with a severity from the size of the change.
 */
export interface SignalSummary {
  subject: string;
  /** What rose, in words ("configuration/sso tickets", "SLA breaches (KPI …)"); default: the subject's tickets. */
  counted?: string;
  explanation: string;
  pctChange: number;
  extra: number;
  sinceLocal: string;
}

export function itemTitle(signals: readonly SignalSummary[], releaseClause: string | null): string {
  const first = signals[0];
  if (!first) return 'Intervention';
  const pct = Number.isFinite(first.pctChange) ? `${first.pctChange >= 0 ? '+' : ''}${Math.round(first.pctChange * 100)} %` : 'new';
  const more = signals.length > 1 ? ` and ${signals.length - 1} related driver${signals.length === 2 ? '' : 's'}` : '';
  return `${countedOf(first)} ${pct} since ${first.sinceLocal}${more}${releaseClause ? `, ${releaseClause}` : ''}`;
}

export function itemAsk(signals: readonly SignalSummary[], routed: Routed, releaseClause: string | null, dueWords: string): string {
  const functions = routed.participants.map((p) => p.function.replace('_', ' '));
  const who = functions.length > 0 ? `${capitalise(joinWords(functions))}` : 'Owner';
  const subjects = joinWords([...new Set(signals.map(countedOf))]);
  return `${who}: find why ${subjects} rose${releaseClause ? ` (${releaseClause})` : ''}, agree the fix and who delivers it, ${dueWords}.`;
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export function severityOf(signals: readonly SignalSummary[]): Severity {
  const pct = Math.max(...signals.map((s) => (Number.isFinite(s.pctChange) ? s.pctChange : 10)));
  const extra = signals.reduce((sum, s) => sum + s.extra, 0);
  if (pct >= 1 && extra >= 100) return 'critical';
  if (pct >= 0.5 && extra >= 50) return 'high';
  if (pct >= 0.2) return 'medium';
  return 'low';
}

const countedOf = (s: SignalSummary): string => s.counted ?? `${s.subject} tickets`;
const joinWords = (words: readonly string[]): string =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
