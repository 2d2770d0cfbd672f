import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per process (never prom-client's global one, so tests and the all-in-one
 * role can build several apps without "metric already registered"). Workers update the handles;
 * `GET /metrics` renders the registry.
 */
export type SyncTicketOutcome = 'inserted' | 'updated' | 'unchanged' | 'quarantined';

export interface FrontlineMetrics {
  registry: Registry;
  /** Tickets written by a sync page, by outcome. */
  syncTickets: Counter<'connector' | 'outcome'>;
  /** Provider HTTP requests by status code (e.g. `200`, `429`, or `error` for network failures). */
  syncRequests: Counter<'connector' | 'status'>;
  /** Provider responses that throttled us (429 / rate-limit headers). */
  syncThrottled: Counter<'connector'>;
  /** Seconds between now and the newest source change seen. */
  syncLag: Gauge<'connector'>;
  /** Requests left in the provider's current rate window. */
  rateBudgetRemaining: Gauge<'connector'>;
  /** Tickets classified and aggregated by the derive stage. */
  deriveTickets: Counter<'connector'>;
  /** Wall time of one queue job. */
  jobDuration: Histogram<'queue' | 'job'>;
}

export interface CreateMetricsOptions {
  /** Node/process default metrics (CPU, memory, event loop); off for tiny tests if wanted. */
  defaultMetrics?: boolean;
  /** Labels on every metric, e.g. `{ role: 'worker' }`. */
  defaultLabels?: Record<string, string>;
}

export function createMetrics(options: CreateMetricsOptions = {}): FrontlineMetrics {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    syncTickets: new Counter({
      name: 'frontline_sync_tickets_total',
      help: 'Tickets processed by sync pages, by outcome (inserted|updated|unchanged|quarantined).',
      labelNames: ['connector', 'outcome'],
      registers,
    }),
    syncRequests: new Counter({
      name: 'frontline_sync_requests_total',
      help: 'HTTP requests sent to service-desk APIs, by response status.',
      labelNames: ['connector', 'status'],
      registers,
    }),
    syncThrottled: new Counter({
      name: 'frontline_sync_throttled_total',
      help: 'Service-desk responses that rate-limited a sync.',
      labelNames: ['connector'],
      registers,
    }),
    syncLag: new Gauge({
      name: 'frontline_sync_lag_seconds',
      help: 'Seconds between now and the newest source change stored for the connector.',
      labelNames: ['connector'],
      registers,
    }),
    rateBudgetRemaining: new Gauge({
      name: 'frontline_rate_budget_remaining',
      help: 'Requests remaining in the service-desk rate-limit window, as last reported by the provider.',
      labelNames: ['connector'],
      registers,
    }),
    deriveTickets: new Counter({
      name: 'frontline_derive_tickets_total',
      help: 'Tickets classified and aggregated into series by the derive stage.',
      labelNames: ['connector'],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'frontline_job_duration_seconds',
      help: 'Duration of queue jobs.',
      labelNames: ['queue', 'job'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
  };
}
