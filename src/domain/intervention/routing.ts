import type { DriverDetectionOverrides } from '../detect/detector-settings.ts';

/**
 * Who answers for a driver: the route whose driver key or family prefix ("billing/") matches it
 * best (longest), else the organization's default; its accountable owner, and a participant for each
 * function it touches — the first person of that function, the owner when the owner has it.
 */
export interface Person {
  id: string;
  email: string;
  name: string;
  functions: readonly string[];
  escalateTo: string | null;
}

export interface Route {
  driverPrefix: string;
  ownerEmail: string;
  functions: readonly string[];
  measures: readonly string[];
  kpis: readonly string[];
  /** Spike gates for the driver, overriding the detector's defaults. */
  detection?: DriverDetectionOverrides;
}

export interface Routed {
  owner: Person | null;
  participants: { function: string; person: Person | null }[];
  measures: readonly string[];
  kpis: readonly string[];
  /** Which route matched ('default' or its prefix), or null when none did. */
  matched: string | null;
}

export function routeFor(driverKey: string | null, routes: readonly Route[], fallback: { ownerEmail: string | null; functions: readonly string[] }, people: readonly Person[]): Routed {
  const best = routeMatch(driverKey, routes);
  const ownerEmail = best?.ownerEmail ?? fallback.ownerEmail;
  const functions = best?.functions ?? fallback.functions;
  const byEmail = new Map(people.map((p) => [p.email.toLowerCase(), p]));
  const owner = ownerEmail === null ? null : (byEmail.get(ownerEmail.toLowerCase()) ?? null);
  const participants = [...new Set(functions)].map((fn) => ({
    function: fn,
    person: owner?.functions.includes(fn) ? owner : (people.find((p) => p.functions.includes(fn)) ?? null),
  }));
  return { owner, participants, measures: best?.measures ?? [], kpis: best?.kpis ?? [], matched: best ? best.driverPrefix : fallback.ownerEmail !== null ? 'default' : null };
}

/** The route for a driver: its own, else its family's with the longest prefix; undefined when none. */
export function routeMatch(driverKey: string | null, routes: readonly Route[]): Route | undefined {
  const matches = (r: Route): boolean => driverKey !== null && (r.driverPrefix === driverKey || (r.driverPrefix.endsWith('/') && driverKey.startsWith(r.driverPrefix)));
  return routes.filter(matches).sort((a, b) => b.driverPrefix.length - a.driverPrefix.length)[0];
}

/** A driver's family: the first segment of its key ("configuration/sso" → "configuration"). */
export const driverFamily = (driverKey: string | null): string => (driverKey === null ? 'unmatched' : (driverKey.split('/')[0] ?? driverKey));
