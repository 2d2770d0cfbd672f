import { z } from 'zod';
import { driverSchema, ruleSchema } from '../domain/driver/index.ts';
import { checkBaseUrl } from './base-url.ts';
import { parseDurationSeconds, syncEveryBounds } from './duration.ts';
import { governanceSchema } from './governance-schema.ts';
import { kpiSchema } from './kpi-schema.ts';
import { type ReportingCadence, personSchema, releaseSchema, reportingCadenceSchema, routingSchema } from './routing-schema.ts';

import { sourceSystems, type SourceSystem } from '../domain/sync/source-system.ts';

/** Connector and organization keys appear in series keys and job ids: no `:` (BullMQ), no braces. */
export const slugPattern = /^[a-z0-9][a-z0-9-]*$/;
export const envNamePattern = /^[A-Z_][A-Z0-9_]*$/;
export const secretNamePattern = /^[A-Za-z][A-Za-z0-9_]*$/;

export const organizationSchema = z.strictObject({
  key: z.string().regex(slugPattern, { error: 'must be lower-case letters, digits and "-"' }),
  name: z.string().min(1),
  timeZone: z
    .string()
    .default('UTC')
    .superRefine((zone, ctx) => {
      if (isTimeZone(zone)) return;
      ctx.addIssue({ code: 'custom', message: `is not an IANA time zone (got '${zone}')`, params: { fix: 'use a name such as Europe/Berlin or UTC' } });
    })
    .meta({ description: 'IANA time zone for day and week series, e.g. Europe/Berlin.' }),
  reportingCadence: reportingCadenceSchema.optional(),
});

/** A secret is always a reference to an environment variable, never an inline value. */
export const secretRefSchema = z
  .strictObject({ env: z.string().regex(envNamePattern, { error: 'must be an environment variable name' }) })
  .meta({ description: 'Reference to an environment variable holding the secret: { env: NAME }.' });

const syncEverySchema = z
  .union([z.string(), z.number()])
  .default('5m')
  .superRefine((value, ctx) => {
    const seconds = parseDurationSeconds(value);
    if (seconds !== null && seconds >= syncEveryBounds.minSeconds && seconds <= syncEveryBounds.maxSeconds) return;
    ctx.addIssue({
      code: 'custom',
      message: seconds === null ? `is not a duration (got '${String(value)}')` : `must be between 1s and 7d (got '${String(value)}')`,
      params: { fix: 'write seconds (300) or a duration such as 30s, 5m, 1h, 1h30m' },
    });
  })
  .meta({ description: 'How often to sync: seconds or a duration (30s, 5m, 1h).' });

const backfillSinceSchema = z
  .string()
  .superRefine((value, ctx) => {
    if (parseInstant(value) !== null) return;
    ctx.addIssue({ code: 'custom', message: `is not a date (got '${value}')`, params: { fix: 'write YYYY-MM-DD (UTC midnight) or an ISO instant such as 2026-01-01T00:00:00Z' } });
  })
  .meta({ description: 'Back-fill start: YYYY-MM-DD (UTC) or an ISO-8601 instant.' });

export const connectorSchema = z
  .strictObject({
    key: z.string().regex(slugPattern, { error: 'must be lower-case letters, digits and "-"' }).meta({ description: 'Immutable once applied.' }),
    system: z.enum(sourceSystems),
    name: z.string().min(1),
    baseUrl: z.string().min(1),
    allowInsecureBaseUrl: z.boolean().default(false).meta({ description: 'Allow http and loopback/private hosts: local simulators only.' }),
    enabled: z.boolean().default(true),
    syncEvery: syncEverySchema,
    backfillSince: backfillSinceSchema.optional(),
    settings: z.record(z.string(), z.unknown()).default({}).meta({ description: "Non-secret settings, validated by the connector's own schema." }),
    secrets: z.record(z.string().regex(secretNamePattern, { error: 'must be letters, digits and "_"' }), secretRefSchema).default({}),
  })
  .superRefine((c, ctx) => {
    const problem = checkBaseUrl(c.baseUrl, c.allowInsecureBaseUrl);
    if (problem) ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: problem.message, params: { fix: problem.fix } });
  });

/** One file: every section optional, because connectors, drivers, rules, people, routes and releases may be split across files. */
export const configFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    organization: organizationSchema.optional(),
    connectors: z.array(connectorSchema).optional(),
    drivers: z.array(driverSchema).optional(),
    rules: z.array(ruleSchema).optional().meta({ description: 'Ordered across files: the first matching rule wins.' }),
    people: z.array(personSchema).optional().meta({ description: 'People who own, take part in and are escalated intervention items; one entry per e-mail across files.' }),
    routing: routingSchema.optional(),
    releases: z.array(releaseSchema).optional().meta({ description: 'Release events: a spike starting within routing.releaseWindow after one names it.' }),
    governance: governanceSchema.optional(),
    kpis: z.array(kpiSchema).optional().meta({ description: 'KPI definitions on nodes of the hierarchy; a changed one becomes a new version.' }),
  })
  .meta({ title: 'Frontline configuration', description: 'Organization, connectors, contact drivers and rules, people, routing, releases and the governance hierarchy (config as code).' });

export type ConfigFile = z.output<typeof configFileSchema>;
export type OrganizationFile = z.output<typeof organizationSchema>;

/** The organization as loaded. */
export interface OrganizationConfig {
  key: string;
  name: string;
  timeZone: string;
  /** The meeting intervention items are due before; null when not configured. */
  reportingCadence: ReportingCadence | null;
}

export function toOrganizationConfig(o: OrganizationFile): OrganizationConfig {
  return { key: o.key, name: o.name, timeZone: o.timeZone, reportingCadence: o.reportingCadence === undefined ? null : { ...o.reportingCadence } };
}
export type SecretRef = z.output<typeof secretRefSchema>;
type ConnectorFile = z.output<typeof connectorSchema>;

/** A connector as loaded: durations in seconds, back-fill start as an ISO instant. */
export interface ConnectorConfig {
  key: string;
  system: SourceSystem;
  name: string;
  baseUrl: string;
  allowInsecureBaseUrl: boolean;
  enabled: boolean;
  syncEverySeconds: number;
  backfillSince: string | null;
  /** Parsed by the connector's settings schema when one was given to loadConfig. */
  settings: unknown;
  secrets: Record<string, SecretRef>;
  /** Where it was declared, for messages about it at apply or run time. */
  origin: { file: string; path: string; line?: number; column?: number };
}

export function toConnectorConfig(c: ConnectorFile, settings: unknown, origin: ConnectorConfig['origin']): ConnectorConfig {
  const since = c.backfillSince === undefined ? null : parseInstant(c.backfillSince);
  return {
    key: c.key,
    system: c.system,
    name: c.name,
    // One spelling per address: `https://acme.zendesk.com/` and `…com` are the same connector URL.
    baseUrl: c.baseUrl.replace(/\/+$/, ''),
    allowInsecureBaseUrl: c.allowInsecureBaseUrl,
    enabled: c.enabled,
    syncEverySeconds: parseDurationSeconds(c.syncEvery) ?? 300,
    backfillSince: since === null ? null : new Date(since).toISOString(),
    settings,
    secrets: c.secrets,
    origin,
  };
}

/** `YYYY-MM-DD` (UTC midnight) or an ISO-8601 instant with offset → epoch ms, else null. */
export function parseInstant(value: string): number | null {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  if (!dateOnly && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const ms = Date.parse(dateOnly ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March: insist the calendar date round-trips.
  if (dateOnly && new Date(ms).toISOString().slice(0, 10) !== value) return null;
  return ms;
}

/** An IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
