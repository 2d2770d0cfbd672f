import { z } from 'zod';
import { kpiMetrics, unitOf } from '../domain/kpi/kpi-metric.ts';
import type { BandedBucket, LocalBucket } from '../domain/kpi/kpi-standing.ts';
import type { KpiWithStanding } from '../store/kpi-standing-query.ts';
import type { OpenIntervention } from '../store/measure-repository.ts';

/**
 * What the governance routes (measures, KPIs, executive summary) show alike: the open intervention
 * items against a measure or KPI, and where a KPI stands against its target.
 */
export const openItemSchema = z.object({ id: z.string(), title: z.string(), status: z.string(), owner: z.string().nullable(), openedAt: z.string(), ageDays: z.number().int() });
export type OpenItemView = z.infer<typeof openItemSchema>;

/** The open items threatening each key (a measure's or a KPI's, as `keysOf` picks), oldest first. */
export function openItemsAgainst(items: readonly OpenIntervention[], nowMs: number, keysOf: (i: OpenIntervention) => readonly string[]): (key: string) => OpenItemView[] {
  return (key) => items.filter((i) => keysOf(i).includes(key)).map((i) => ({
    id: i.id, title: i.title, status: i.status, owner: i.owner, openedAt: i.openedAt.toISOString(), ageDays: Math.floor((nowMs - i.openedAt.getTime()) / 86_400_000),
  }));
}

export const kpiBandSchema = z.enum(['green', 'amber', 'red']).nullable();
export const kpiPointSchema = z.object({
  start: z.string().describe('Bucket start instant (local midnight, Monday or hour in the KPI zone)'),
  local: z.string().describe('The bucket in the KPI zone: YYYY-MM-DD, or YYYY-MM-DDTHH:MM for hours'),
  value: z.number().nullable().describe('null: no value (a rate or median over no tickets)'),
  band: kpiBandSchema,
});
export const kpiStandingShape = {
  lastComplete: kpiPointSchema.nullable().describe('The latest bucket that has ended'),
  current: kpiPointSchema.nullable().describe('The bucket now running (partial)'),
  betterThanTargetBy: z.number().nullable().describe('Of the last complete bucket; positive is better than target'),
};

/** A KPI against its target, as a measure or the executive summary shows it. */
export const kpiGoalSchema = z.object({
  key: z.string(),
  name: z.string(),
  metric: z.enum(kpiMetrics),
  unit: z.string(),
  bucket: z.enum(['hour', 'day', 'week']),
  direction: z.enum(['up_is_good', 'down_is_good']),
  target: z.number().nullable(),
  ...kpiStandingShape,
  openInterventions: z.array(openItemSchema).describe('Open intervention items threatening the KPI'),
}).meta({ id: 'KpiAgainstTarget' });

export const kpiPointView = (b: BandedBucket<LocalBucket>): z.infer<typeof kpiPointSchema> => ({ start: new Date(b.startMs).toISOString(), local: b.local, value: b.value, band: b.band });

export function kpiStandingView(s: KpiWithStanding['standing']) {
  return { lastComplete: s.lastComplete ? kpiPointView(s.lastComplete) : null, current: s.current ? kpiPointView(s.current) : null, betterThanTargetBy: s.betterThanTargetBy };
}

export function kpiGoalView(k: KpiWithStanding, open: OpenItemView[]): z.infer<typeof kpiGoalSchema> {
  return {
    key: k.kpi.key, name: k.kpi.name, metric: k.kpi.metric, unit: unitOf(k.kpi.metric), bucket: k.kpi.bucket, direction: k.kpi.direction, target: k.kpi.target,
    ...kpiStandingView(k.standing), openInterventions: open,
  };
}
