import type pg from 'pg';
import type { ReportingCadence } from '../domain/intervention/due-date.ts';
import { DEFAULT_FOLLOW_UP, type FollowUpPolicy } from '../domain/intervention/follow-up.ts';
import type { ReleaseEvent } from '../domain/intervention/grouping.ts';
import type { Person, Route } from '../domain/intervention/routing.ts';
import type { KpiReach } from '../domain/kpi/kpi-threats.ts';

/** What routing an organization's items needs, as `config apply` stored it (people, routes, cadence, releases). */
export interface RoutingContext {
  organizationId: string;
  timeZone: string;
  people: Person[];
  routes: Route[];
  /** Active KPIs with a driver filter: what a driver's spike threatens through them. */
  kpis: KpiReach[];
  fallback: { ownerEmail: string | null; functions: string[] };
  cadence: ReportingCadence | null;
  releases: ReleaseEvent[];
  releaseWindowMs: number;
  policy: FollowUpPolicy;
}

interface StoredRouting {
  ackWithinSeconds?: number;
  repeatEverySeconds?: number;
  releaseWindowSeconds?: number;
  defaultOwner?: string | null;
  defaultFunctions?: string[];
}

const DEFAULT_RELEASE_WINDOW_MS = 3 * 86_400_000;

export async function loadRoutingContext(client: pg.PoolClient | pg.Pool, organizationId: string): Promise<RoutingContext> {
  const org = await client.query<{ time_zone: string; reporting_cadence: ReportingCadence | null; routing: StoredRouting | null }>(
    'SELECT time_zone, reporting_cadence, routing FROM organizations WHERE id = $1',
    [organizationId],
  );
  const people = await client.query<{ id: string; email: string; name: string; functions: string[] | null; function: string | null; escalate_to: string | null }>(
    'SELECT id, email, name, functions::text[] AS functions, function::text AS function, escalate_to FROM people WHERE organization_id = $1 ORDER BY email',
    [organizationId],
  );
  const routes = await client.query<{ driver_prefix: string; owner_email: string; functions: string[] | null; measures: string[] | null; kpis: string[] | null; detection: Route['detection'] | null }>(
    'SELECT driver_prefix, owner_email, functions::text[] AS functions, measures, kpis, detection FROM driver_routes WHERE organization_id = $1',
    [organizationId],
  );
  const kpis = await client.query<{ key: string; drivers: string[]; measure_key: string | null }>(
    `SELECT k.key, ARRAY(SELECT jsonb_array_elements_text(k.filters->'drivers')) AS drivers, m.key AS measure_key
       FROM kpis k LEFT JOIN measures m ON k.node_level = 'measure' AND m.id = k.node_id
      WHERE k.organization_id = $1 AND k.active AND jsonb_typeof(k.filters->'drivers') = 'array' AND jsonb_array_length(k.filters->'drivers') > 0
      ORDER BY k.key`,
    [organizationId],
  );
  const releases = await client.query<{ id: string; key: string; name: string; released_at: Date; products: string[] | null }>(
    'SELECT id, key, name, released_at, products FROM releases WHERE organization_id = $1 ORDER BY released_at',
    [organizationId],
  );
  const routing = org.rows[0]?.routing ?? {};
  const seconds = (value: number | undefined, fallback: number): number => (value === undefined ? fallback : value * 1000);
  return {
    organizationId,
    timeZone: org.rows[0]?.time_zone ?? 'UTC',
    people: people.rows.map((p) => ({
      id: p.id, email: p.email, name: p.name, escalateTo: p.escalate_to,
      functions: (p.functions ?? []).length > 0 ? (p.functions ?? []) : p.function ? [p.function] : [],
    })),
    routes: routes.rows.map((r) => ({
      driverPrefix: r.driver_prefix, ownerEmail: r.owner_email, functions: r.functions ?? [], measures: r.measures ?? [], kpis: r.kpis ?? [], detection: r.detection ?? {},
    })),
    kpis: kpis.rows.map((k) => ({ key: k.key, drivers: k.drivers, measureKey: k.measure_key })),
    fallback: { ownerEmail: routing.defaultOwner ?? null, functions: routing.defaultFunctions ?? [] },
    cadence: org.rows[0]?.reporting_cadence ?? null,
    releases: releases.rows.map((r) => ({ id: r.id, key: r.key, name: r.name, releasedAtMs: r.released_at.getTime(), products: r.products ?? [] })),
    releaseWindowMs: seconds(routing.releaseWindowSeconds, DEFAULT_RELEASE_WINDOW_MS),
    policy: {
      ...DEFAULT_FOLLOW_UP,
      ackWithinMs: seconds(routing.ackWithinSeconds, DEFAULT_FOLLOW_UP.ackWithinMs),
      repeatEveryMs: seconds(routing.repeatEverySeconds, DEFAULT_FOLLOW_UP.repeatEveryMs),
    },
  };
}
