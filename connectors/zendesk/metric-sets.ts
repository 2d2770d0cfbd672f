import { metricSetKeySchema } from './raw-schemas.ts';

/**
 * Ticket metrics arrive beside the tickets of an export page (`include=metric_sets`: a top-level
 * `metric_sets` array, one Ticket Metric object per ticket that has one — none for deleted tickets).
 * We join them to their ticket by `ticket_id`, within the page, and keep each one on its ticket as
 * `metric_set`: the ticket record is then the whole raw payload normalise() reads and the store keeps
 * (README "Personal data": raw is kept so tickets can be re-normalised). A ticket without a metric set
 * is left as it is. Records are the freshly parsed page body, so they are extended in place.
 * https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_metrics/
 * https://developer.zendesk.com/documentation/ticketing/using-the-zendesk-api/side_loading/
 */
export const METRIC_SET_KEY = 'metric_set';

export interface MetricJoin {
  joined: number;
  /** Metric sets without a usable `ticket_id`, or for a ticket not on the page. */
  unmatched: number;
}

export function attachMetricSets(tickets: readonly unknown[], metricSets: readonly unknown[] | undefined): MetricJoin {
  if (metricSets === undefined || metricSets.length === 0) return { joined: 0, unmatched: 0 };
  const byTicket = new Map<number, Record<string, unknown>>();
  let unusable = 0;
  for (const metricSet of metricSets) {
    const key = metricSetKeySchema.safeParse(metricSet);
    if (!key.success) {
      unusable++;
      continue;
    }
    const known = byTicket.get(key.data.ticket_id);
    // Two metric sets for one ticket: the newer one (by updated_at) wins.
    if (known === undefined || String(known['updated_at'] ?? '') <= (key.data.updated_at ?? '')) byTicket.set(key.data.ticket_id, metricSet as Record<string, unknown>);
  }
  let joined = 0;
  const used = new Set<number>();
  for (const ticket of tickets) {
    if (typeof ticket !== 'object' || ticket === null || Array.isArray(ticket)) continue;
    const record = ticket as Record<string, unknown>;
    const id = record['id'];
    const metricSet = typeof id === 'number' ? byTicket.get(id) : undefined;
    if (metricSet === undefined) continue;
    record[METRIC_SET_KEY] = metricSet;
    used.add(id as number);
    joined++;
  }
  return { joined, unmatched: unusable + byTicket.size - used.size };
}
