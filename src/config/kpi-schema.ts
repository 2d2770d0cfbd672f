import { z } from 'zod';
import { kpiMetrics, type KpiMetric } from '../domain/kpi/kpi-metric.ts';
import { ticketPriorities } from '../domain/ticket/canonical-ticket.ts';
import { governanceKeyPattern } from './routing-schema.ts';

/**
 * KPI definitions as code (README "Governance"): a KPI hangs on a node of the hierarchy (the
 * organization, a portfolio, program, project, package or measure), measures one thing from the
 * service data, filtered, in buckets of a time zone, with a direction, a target and bands. A changed
 * definition becomes a new version: the old one and its history are kept (config-kpis.ts).
 */
export { kpiMetrics, type KpiMetric } from '../domain/kpi/kpi-metric.ts';
export const kpiLevels = ['portfolio', 'program', 'project', 'package', 'measure'] as const;
export type KpiLevel = (typeof kpiLevels)[number];

const keyText = z.string().superRefine((value, ctx) => {
  if (governanceKeyPattern.test(value)) return;
  ctx.addIssue({ code: 'custom', message: `is not a KPI key (got '${value}')`, params: { fix: 'use lower-case letters, digits, ".", "_" or "-", e.g. sso-tickets' } });
});
const list = z.array(z.string().min(1)).default([]);

export const kpiSchema = z.strictObject({
  key: keyText.meta({ description: 'Unique per organization: what routing.drivers[].kpis names.' }),
  name: z.string().min(1),
  on: z.union([
    z.literal('organization'),
    z.strictObject(Object.fromEntries(kpiLevels.map((l) => [l, z.string().min(1).optional()])) as Record<KpiLevel, z.ZodOptional<z.ZodString>>),
  ]).meta({ description: '"organization", or the one node it belongs to, e.g. { measure: m-sso-self-service }' }),
  metric: z.enum(kpiMetrics),
  filters: z.strictObject({
    drivers: list.meta({ description: 'Driver keys, or families ending in "/"' }),
    connectors: list,
    priorities: z.array(z.enum(ticketPriorities)).default([]),
    products: list,
    segments: list.meta({ description: 'Customer segments, matched against ticket tags (Zendesk copies an organization\'s tags onto its tickets)' }),
  }).default({ drivers: [], connectors: [], priorities: [], products: [], segments: [] }),
  bucket: z.enum(['hour', 'day', 'week']).default('day'),
  timeZone: z.string().min(1).optional().meta({ description: "IANA zone of the buckets (default: the organization's)" }),
  direction: z.enum(['up_is_good', 'down_is_good']),
  target: z.number().finite().optional(),
  customers: z.number().int().positive().optional()
    .meta({ description: 'The customer base a contact rate is per 1,000 of (required for contact_rate_per_1k_customers, and only for it)' }),
  bands: z.strictObject({ green: z.number().finite(), amber: z.number().finite() }).optional()
    .meta({ description: "Thresholds in the KPI's own unit: green up to (down_is_good) or from (up_is_good) green, amber to amber, red beyond" }),
});

export type KpiFile = z.output<typeof kpiSchema>;

/** A KPI as loaded: its node resolved to a level and key, time zone filled in. */
export interface KpiConfig {
  key: string;
  name: string;
  node: { level: 'organization' | KpiLevel; key: string | null };
  metric: KpiMetric;
  filters: { drivers: string[]; connectors: string[]; priorities: string[]; products: string[]; segments: string[] };
  /** The customer base of a contact rate (null for the other metrics). */
  customers: number | null;
  bucket: 'hour' | 'day' | 'week';
  timeZone: string;
  direction: 'up_is_good' | 'down_is_good';
  target: number | null;
  bands: { green: number; amber: number } | null;
}
