/**
 * What each KPI metric counts, which ticket time puts a ticket in a bucket, and how a bucket's value
 * follows from what was counted (README "KPIs"). Pure: the store counts (src/store/kpi-ticket-sql.ts),
 * this decides.
 *
 * - volume: tickets created in the bucket.
 * - contact_rate_per_1k_customers: the same tickets per 1,000 customers of the KPI's customer base.
 * - sla_breach_rate: of the tickets created in the bucket whose SLA state the source reports, the
 *   share that breached it.
 * - resolution_time: median hours from creation to resolution of the tickets resolved in the bucket.
 * - reopen_rate: of the tickets resolved in the bucket, the share reopened at least once.
 * - csat: of the tickets resolved in the bucket and rated, the share rated good.
 * - backlog: tickets open at the end of the bucket (created before it, not resolved by then).
 *
 * Deleted tickets count nowhere. A ticket's resolution is when the source says it was solved
 * (`resolvedAt`), else when it was closed, else — for a ticket in a solved or closed state without
 * either time — its last update.
 */
export const kpiMetrics = ['volume', 'backlog', 'sla_breach_rate', 'resolution_time', 'reopen_rate', 'csat', 'contact_rate_per_1k_customers'] as const;
export type KpiMetric = (typeof kpiMetrics)[number];

/** The ticket time a metric buckets by; `open_at_end` counts, at each bucket's end, what is still open. */
export type KpiTimeBasis = 'created' | 'resolved' | 'open_at_end';

export const timeBasisOf = (metric: KpiMetric): KpiTimeBasis =>
  metric === 'backlog' ? 'open_at_end' : metric === 'resolution_time' || metric === 'reopen_rate' || metric === 'csat' ? 'resolved' : 'created';

/**
 * Which of a bucket's tickets a metric counts (its denominator: the tickets a drill-down lists), and
 * which of them are a "hit" (the numerator of a rate).
 */
export type KpiTicketRule = 'all' | 'sla_known' | 'rated';
export const ticketRuleOf = (metric: KpiMetric): KpiTicketRule => (metric === 'sla_breach_rate' ? 'sla_known' : metric === 'csat' ? 'rated' : 'all');
export type KpiHitRule = 'none' | 'sla_breached' | 'reopened' | 'rated_good';
export const hitRuleOf = (metric: KpiMetric): KpiHitRule =>
  metric === 'sla_breach_rate' ? 'sla_breached' : metric === 'reopen_rate' ? 'reopened' : metric === 'csat' ? 'rated_good' : 'none';

/** What the store counted in one bucket. */
export interface KpiBucketCount {
  /** Tickets counted (the denominator of a rate). */
  tickets: number;
  /** Of them, the hits (rates only). */
  hits: number;
  /** Median creation-to-resolution hours (resolution_time only; null without tickets). */
  medianHours: number | null;
}

/**
 * A bucket's value, or null when it has none (a rate or median over no tickets: "no data", never 0).
 * Rates are fractions (0.042 = 4.2 %); resolution time is in hours.
 */
export function kpiValue(metric: KpiMetric, count: KpiBucketCount, customers: number | null): number | null {
  switch (metric) {
    case 'volume':
    case 'backlog':
      return count.tickets;
    case 'contact_rate_per_1k_customers':
      return customers === null || customers <= 0 ? null : (count.tickets * 1000) / customers;
    case 'resolution_time':
      return count.tickets === 0 ? null : count.medianHours;
    case 'sla_breach_rate':
    case 'reopen_rate':
    case 'csat':
      return count.tickets === 0 ? null : count.hits / count.tickets;
  }
}

/** The unit a metric's values are in, for people reading them. */
export const unitOf = (metric: KpiMetric): 'tickets' | 'tickets per 1k customers' | 'share' | 'hours' =>
  metric === 'volume' || metric === 'backlog' ? 'tickets'
    : metric === 'contact_rate_per_1k_customers' ? 'tickets per 1k customers'
      : metric === 'resolution_time' ? 'hours' : 'share';

/** A bucket with no tickets: volume-like metrics are 0 there, rates and medians have no value. */
export const emptyBucketValue = (metric: KpiMetric, customers: number | null): number | null => kpiValue(metric, { tickets: 0, hits: 0, medianHours: null }, customers);
