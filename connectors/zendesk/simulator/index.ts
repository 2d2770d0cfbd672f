import Fastify, { type FastifyInstance } from 'fastify';
import { type Clock, systemClock } from '../../../src/connector-kit/clock.ts';
import { createAuthGate } from './auth.ts';
import { buildWorld } from './build-world.ts';
import { registerExportRoute } from './export-route.ts';
import { createFaultPlan } from './faults.ts';
import { type ZendeskSimulatorOptions, zendeskSimulatorOptionsSchema } from './options.ts';
import { createMinuteWindow } from './rate-limiter.ts';
import { installRequestGuard, type SimulatorStats } from './request-guard.ts';
import { registerSupportRoutes } from './support-routes.ts';
import { renderMetricSet } from './ticket-metrics.ts';
import { renderTicket } from './ticket-render.ts';
import { ticketFields } from './ticket-fields.ts';
import { computeResolutionTruth, computeTruth, type SimulatorTruth, type TicketResolutionTruth, type TrueDriver, trueDriverOfTicket } from './truth.ts';
import type { SimulatedWorld } from './world.ts';

export { driverCatalog, type DriverDefinition, type DriverKey } from './driver-catalog.ts';
export { zendeskSimulatorOptionsSchema, type ZendeskSimulatorOptions } from './options.ts';
export type { SimulatorStats } from './request-guard.ts';
export type { SimulatorTruth, TicketResolutionTruth, TrueDriver } from './truth.ts';

export interface ZendeskSimulator {
  /** Not listening; tests may use app.inject. */
  app: FastifyInstance;
  /** Listens on 127.0.0.1 and returns the base URL `http://127.0.0.1:PORT`. */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
  /**
   * Ground truth as of `asOfMs` (default and latest: clock.now() minus 60 s, the export's cutoff). A
   * complete sync stores exactly the truth as of its last page's cutoff, and as of the newest change
   * it stored (nothing changed in between).
   */
  truth(asOfMs?: number): SimulatorTruth;
  /**
   * Every ticket as the export serves it as of `asOfMs` (same default and cap as `truth`): its latest
   * version, all support types, rendered for `baseUrl`, with its metric set (`include=metric_sets`)
   * joined under `metric_set` as the connector joins it (connectors/zendesk/metric-sets.ts; none for
   * deleted tickets). What a complete sync must have stored, record by record, for tests that compare
   * every row rather than totals.
   */
  records(asOfMs?: number, baseUrl?: string): Record<string, unknown>[];
  /**
   * Every ticket a complete sync stores as of `asOfMs` (same default and cap), malformed ones left out:
   * when it was resolved and closed, how often it was reopened — from the lifecycle, not the rendered
   * metric sets.
   */
  resolutions(asOfMs?: number): TicketResolutionTruth[];
  /** The ticket fields the simulator serves (to normalise `records()` as the connector does). */
  ticketFields(baseUrl?: string): Record<string, unknown>[];
  stats(): SimulatorStats;
  /** Changes these tickets now (new updated_at): they reappear later in the export stream. */
  touch(ids: number[]): void;
  /** Deletes these tickets now: they reappear with status "deleted". */
  remove(ids: number[]): void;
}

const worlds = new WeakMap<ZendeskSimulator, { world: SimulatedWorld; clock: Clock }>();

/**
 * A Zendesk Support account for the demo, the integration tests and the benchmarks: the cursor-based
 * incremental ticket export, ticket fields, API-token and OAuth auth with refresh-token rotation,
 * Zendesk's rate limits on the injected clock, seeded faults, and its own ground truth.
 */
export function createZendeskSimulator(options: ZendeskSimulatorOptions = {}): ZendeskSimulator {
  const clock = options.clock ?? systemClock;
  const resolved = zendeskSimulatorOptionsSchema.parse(options);
  const world = buildWorld(resolved, clock.now());
  const stats: SimulatorStats = { requests: 0, exportRequests: 0, throttled: 0, byStatus: {} };
  const limits = resolved.rateLimit;
  const app = Fastify({ logger: resolved.logger });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'InvalidEndpoint', description: 'Not found' }));
  const auth = createAuthGate(resolved.auth, resolved.seed, clock.now());
  installRequestGuard(app, {
    clock,
    auth,
    account: limits === false ? null : createMinuteWindow(limits.accountPerMinute),
    exports: limits === false ? null : createMinuteWindow(limits.exportPerMinute),
    faults: createFaultPlan(resolved.faults),
    stats,
    headerFamilies: limits === false ? [] : limits.headers,
  });
  registerExportRoute(app, { world, clock, pageSize: resolved.pageSize, render: { description: resolved.description } });
  registerSupportRoutes(app, { world, clock, adminEmail: resolved.auth?.apiToken?.email ?? 'admin@acme.example' });
  // https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
  app.post('/oauth/tokens', async (request, reply) => {
    const result = auth.refresh(request.body, clock.now());
    return reply.code(result.status).send(result.body);
  });

  const truth = (asOfMs?: number): SimulatorTruth => {
    const nowMs = clock.now();
    world.materialise(Math.floor(nowMs / 1000));
    const cutoffMs = nowMs - 60_000;
    return computeTruth(world, asOfMs === undefined ? cutoffMs : Math.min(asOfMs, cutoffMs));
  };
  const records = (asOfMs?: number, baseUrl = 'http://127.0.0.1'): Record<string, unknown>[] => {
    const nowMs = clock.now();
    world.materialise(Math.floor(nowMs / 1000));
    const cutoffSec = Math.floor((asOfMs === undefined ? nowMs - 60_000 : Math.min(asOfMs, nowMs - 60_000)) / 1000);
    const out: Record<string, unknown>[] = [];
    for (let id = 1; id <= world.store.count && world.exists(id, cutoffSec); id++) {
      const version = world.versionAt(id, world.latestChange(id, cutoffSec));
      const ticket = renderTicket(world.seed, version, baseUrl, { description: resolved.description });
      const metricSet = renderMetricSet(world, version, baseUrl);
      out.push(metricSet === null ? ticket : { ...ticket, metric_set: metricSet });
    }
    return out;
  };
  const resolutions = (asOfMs?: number): TicketResolutionTruth[] => {
    const nowMs = clock.now();
    world.materialise(Math.floor(nowMs / 1000));
    return computeResolutionTruth(world, asOfMs === undefined ? nowMs - 60_000 : Math.min(asOfMs, nowMs - 60_000));
  };
  const snapshot = (): SimulatorStats => ({ ...stats, byStatus: { ...stats.byStatus } });
  // `?asOf=<epoch ms>`: the truth as of that instant (not later than the export's cutoff).
  app.get<{ Querystring: { asOf?: string } }>('/__simulator/truth', async (request, reply) => {
    const asOf = request.query.asOf;
    if (asOf === undefined) return truth();
    if (!/^\d{1,15}$/.test(asOf)) return reply.code(400).send({ error: 'InvalidValue', description: 'asOf must be epoch milliseconds' });
    return truth(Number(asOf));
  });
  app.get('/__simulator/stats', async () => snapshot());

  const nowSec = (): number => {
    const sec = Math.floor(clock.now() / 1000);
    world.materialise(sec);
    return sec;
  };
  const simulator: ZendeskSimulator = {
    app,
    async listen(port = 0) {
      await app.listen({ port, host: '127.0.0.1' });
      const address = app.server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      return `http://127.0.0.1:${bound}`;
    },
    close: async () => app.close(),
    truth,
    records,
    resolutions,
    ticketFields: (baseUrl = 'http://127.0.0.1') => ticketFields(baseUrl),
    stats: snapshot,
    touch: (ids) => world.touch(ids, nowSec()),
    remove: (ids) => world.remove(ids, nowSec()),
  };
  worlds.set(simulator, { world, clock });
  return simulator;
}

/** The true driver of a ticket (and what the demo rules should classify it as), for tests. */
export function trueDriverOf(simulator: ZendeskSimulator, ticketId: number): TrueDriver | null {
  const entry = worlds.get(simulator);
  if (!entry) return null;
  entry.world.materialise(Math.floor(entry.clock.now() / 1000));
  return trueDriverOfTicket(entry.world, ticketId);
}
