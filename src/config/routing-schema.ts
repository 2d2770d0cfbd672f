import { z } from 'zod';
import { type FunctionArea, functionAreas } from '../domain/driver/index.ts';
import { parseDurationSeconds } from './duration.ts';
import type { DriverDetectionOverrides } from '../domain/detect/detector-settings.ts';

/**
 * Intervention routing as code: the reporting cadence items are due before, the people who own and
 * escalate them, who answers for which driver (or family), and release events. Cross-file checks
 * (people named by routes, routes naming declared drivers, duplicates) are in assemble-routing.ts.
 */

export const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof weekdays)[number];

/** `m-sso-self-service`, `sso-tickets`: measure and KPI keys (checked against the governance store later). */
export const governanceKeyPattern = /^[a-z0-9][a-z0-9_.-]*$/;
/** `4.2`, `2026.02`, `v4.2.1-hotfix`: a release key. */
export const releaseKeyPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const timePattern = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Bounds of the routing durations (`ackWithin`, `repeatEvery`, `releaseWindow`), in seconds. */
export const routingBounds = {
  ackWithin: { minSeconds: 60, maxSeconds: 30 * 86_400, label: '1m and 30d', default: '4h' },
  repeatEvery: { minSeconds: 3_600, maxSeconds: 30 * 86_400, label: '1h and 30d', default: '1d' },
  releaseWindow: { minSeconds: 3_600, maxSeconds: 30 * 86_400, label: '1h and 30d', default: '3d' },
} as const;
export type RoutingDuration = keyof typeof routingBounds;

export const reportingCadenceSchema = z
  .strictObject({
    weekday: z.enum(weekdays),
    time: z.string().superRefine((value, ctx) => {
      if (timePattern.test(value)) return;
      ctx.addIssue({ code: 'custom', message: `is not a time of day (got '${value}')`, params: { fix: 'write HH:MM on a 24-hour clock, quoted, e.g. time: "09:00"' } });
    }).meta({ description: 'HH:MM, 24 h, in the organization time zone.', pattern: timePattern.source }),
    name: z.string().min(1).default('Steering meeting'),
  })
  .meta({ description: 'The recurring meeting intervention items are due before (in the organization time zone).' });

const email = (description: string) => z.string().superRefine((value, ctx) => {
  if (z.email().safeParse(value.trim()).success) return;
  ctx.addIssue({ code: 'custom', message: `is not an e-mail address (got '${value}')`, params: { fix: 'write an address such as ana@acme.example' } });
}).meta({ format: 'email', description });

const functionsSchema = z.array(z.enum(functionAreas)).default([]);

const keyList = (what: string) =>
  z.array(z.string().superRefine((value, ctx) => {
    if (governanceKeyPattern.test(value)) return;
    ctx.addIssue({ code: 'custom', message: `is not a ${what} key (got '${value}')`, params: { fix: `use lower-case letters, digits, ".", "_" or "-", e.g. ${what === 'measure' ? 'm-sso-self-service' : 'sso-tickets'}` } });
  }).meta({ pattern: governanceKeyPattern.source })).default([]);

export const personSchema = z.strictObject({
  email: email('Identifies the person (case-insensitive; stored lower-case).'),
  name: z.string().min(1),
  functions: functionsSchema.meta({ description: 'Every function the person speaks for; routing picks participants by function.' }),
  escalateTo: email('E-mail of a declared person: who hears when an item this person owns is not acknowledged in time.').optional(),
});

const durationSchema = (name: RoutingDuration) => {
  const bounds = routingBounds[name];
  return z
    .union([z.string(), z.number()])
    .superRefine((value, ctx) => {
      const seconds = parseDurationSeconds(value);
      if (seconds !== null && seconds >= bounds.minSeconds && seconds <= bounds.maxSeconds) return;
      ctx.addIssue({
        code: 'custom',
        message: seconds === null ? `is not a duration (got '${String(value)}')` : `must be between ${bounds.label} (got '${String(value)}')`,
        params: { fix: `write a duration between ${bounds.label}, such as ${bounds.default}, 30m, 1h30m or 2d` },
      });
    });
};

/** Per-driver spike gates: what counts as a change worth an item for this driver (defaults: +20 %, 5 tickets, p ≤ 1e-5). */
const detectionSchema = z
  .strictObject({
    minPct: z.number().min(0).max(10).optional().meta({ description: 'Minimum relative increase over expected: 0.3 = +30 %.' }),
    minExtra: z.number().min(0).max(1_000_000).optional().meta({ description: 'Minimum extra tickets (observed − expected) in the window.' }),
    alpha: z.number().gt(0).max(0.01).optional().meta({ description: 'Significance: the largest p-value that counts (default 1e-5; at most 0.01).' }),
  })
  .meta({ description: 'Spike gates for this driver (or family), overriding the defaults.' });

export const driverRouteSchema = z.strictObject({
  driver: z.string().min(1).meta({ description: 'A declared driver key, or a family: a key prefix ending with "/" (billing/).' }),
  owner: email('E-mail of a declared person: accountable for the items of this driver.'),
  functions: functionsSchema.meta({ description: 'Functions that take part (a participant each).' }),
  measures: keyList('measure').meta({ description: 'Keys of the strategic measures this driver threatens.' }),
  kpis: keyList('KPI').meta({ description: 'Keys of the KPIs this driver moves.' }),
  detection: detectionSchema.optional(),
});

export const routingSchema = z
  .strictObject({
    ackWithin: durationSchema('ackWithin').optional().meta({ description: 'Escalate when an item is not acknowledged within this (default 4h; 1m..30d).' }),
    repeatEvery: durationSchema('repeatEvery').optional().meta({ description: 'Re-notify an unacknowledged item this often (default 1d; 1h..30d).' }),
    releaseWindow: durationSchema('releaseWindow').optional().meta({ description: 'A spike starting within this after a release names it (default 3d; 1h..30d).' }),
    default: z.strictObject({ owner: email('E-mail of a declared person.'), functions: functionsSchema }).optional().meta({ description: 'Fallback route for drivers no route matches.' }),
    drivers: z.array(driverRouteSchema).optional().meta({ description: 'Routes by driver key or family; the longest matching one wins.' }),
  })
  .meta({ description: 'Who answers for which driver, and when items escalate.' });

export const releaseSchema = z.strictObject({
  key: z.string().regex(releaseKeyPattern, { error: 'must be letters, digits, ".", "_" or "-"' }).meta({ description: 'Unique per organization, e.g. "4.2" (quote it: YAML reads 4.2 as a number).' }),
  name: z.string().min(1),
  at: z.string().superRefine((value, ctx) => {
    if (parseReleaseInstant(value) !== null) return;
    ctx.addIssue({ code: 'custom', message: `is not an ISO-8601 instant (got '${value}')`, params: { fix: 'write a date, time and offset such as 2026-02-24T10:00:00Z or 2026-02-24T11:00:00+01:00' } });
  }).meta({ description: 'When it went live: an ISO-8601 instant with offset.' }),
  products: z.array(z.string().min(1)).default([]),
});

/** An ISO-8601 instant with a time and an offset (a release needs its hour) → epoch ms, else null. */
export function parseReleaseInstant(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March: insist the calendar date is real.
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return ms;
}

export type ReportingCadenceFile = z.output<typeof reportingCadenceSchema>;
export type PersonFile = z.output<typeof personSchema>;
export type RoutingFile = z.output<typeof routingSchema>;
export type DriverRouteFile = z.output<typeof driverRouteSchema>;
export type ReleaseFile = z.output<typeof releaseSchema>;

/** The meeting items are due before: `{ weekday, time, name }` in the organization's time zone. */
export interface ReportingCadence {
  weekday: Weekday;
  /** HH:MM, 24 h. */
  time: string;
  name: string;
}

/** A person as loaded: e-mails lower-case. */
export interface PersonConfig {
  email: string;
  name: string;
  functions: FunctionArea[];
  escalateTo: string | null;
}

/** One route: `driver` is a declared driver key or a family prefix ending with "/". */
export interface DriverRouteConfig {
  driver: string;
  /** Lower-case e-mail of a declared person. */
  owner: string;
  functions: FunctionArea[];
  measures: string[];
  kpis: string[];
  /** Spike gates overriding the defaults ({} = none). */
  detection: DriverDetectionOverrides;
}

/** Routing as loaded: durations in seconds, defaults filled in. */
export interface RoutingConfig {
  ackWithinSeconds: number;
  repeatEverySeconds: number;
  releaseWindowSeconds: number;
  default: { owner: string; functions: FunctionArea[] } | null;
  drivers: DriverRouteConfig[];
}

/** A release as loaded: `at` normalised to an ISO instant in UTC. */
export interface ReleaseConfig {
  key: string;
  name: string;
  at: string;
  products: string[];
}

export function defaultSeconds(name: RoutingDuration): number {
  return parseDurationSeconds(routingBounds[name].default) ?? 0;
}
