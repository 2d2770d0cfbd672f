import type { KpiBucketCount, KpiMetric } from './kpi-metric.ts';

/**
 * What a KPI feeds the spike detector: per UTC hour, the count of the events whose rise hurts it —
 * the detector models hourly counts, so a KPI is fed its events, not its rates (README "KPIs"):
 * - volume and contact rate (when down is good): the tickets created;
 * - SLA breach rate: the breaches among the tickets created;
 * - reopen rate: the reopened tickets among those resolved;
 * - CSAT: the bad ratings among those resolved.
 * Medians and the backlog are levels, not counts of events: they feed nothing. Pure.
 */
export type KpiEventRule = 'tickets' | 'hits' | 'misses';

export function eventRuleOf(metric: KpiMetric, direction: 'up_is_good' | 'down_is_good'): KpiEventRule | null {
  switch (metric) {
    case 'volume':
    case 'contact_rate_per_1k_customers':
      return direction === 'down_is_good' ? 'tickets' : null;
    case 'sla_breach_rate':
    case 'reopen_rate':
      return 'hits';
    case 'csat':
      return 'misses';
    case 'resolution_time':
    case 'backlog':
      return null;
  }
}

/** An hour's event count from what the store counted in it. */
export function eventCount(rule: KpiEventRule, count: KpiBucketCount): number {
  return rule === 'tickets' ? count.tickets : rule === 'hits' ? count.hits : count.tickets - count.hits;
}

/** What the events are called, for people reading a spike ("SLA breaches of KPI …"). */
export function eventNoun(metric: KpiMetric): string {
  switch (metric) {
    case 'sla_breach_rate':
      return 'SLA breaches';
    case 'reopen_rate':
      return 'reopened tickets';
    case 'csat':
      return 'bad ratings';
    default:
      return 'tickets';
  }
}

export const kpiEventSeriesKey = (key: string, version: number): string => `kpi_events/${key}/v${version}`;
