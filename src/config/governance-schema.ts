import { z } from 'zod';
import { governanceKeyPattern } from './routing-schema.ts';

/**
 * The governance hierarchy as code (README "Governance"): Organization > Portfolio > Program >
 * Project > Measure Package > Measure, in flat lists whose entries name their parent by key (so they
 * split across files), plus business units. A measure carries its people (declared under people:),
 * its steering committee, planned EBITDA, milestones and EBITDA plan per period. Its stage is not
 * config: the stage gates move it (API), and apply never changes a closed measure. Cross-file checks
 * (parents, people, business units, duties) are in assemble-governance.ts.
 */

const keySchema = (what: string, example: string) => z.string().superRefine((value, ctx) => {
  if (governanceKeyPattern.test(value)) return;
  ctx.addIssue({ code: 'custom', message: `is not a ${what} key (got '${value}')`, params: { fix: `use lower-case letters, digits, ".", "_" or "-", e.g. ${example}` } });
}).meta({ pattern: governanceKeyPattern.source, description: `The ${what}'s key, unique per organization.` });

const isoDatePattern = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date `yyyy-mm-dd` that exists (2026-02-30 does not). */
export const calendarDate = (description: string) => z.string().superRefine((value, ctx) => {
  if (isCalendarDate(value)) return;
  ctx.addIssue({ code: 'custom', message: `is not a calendar date (got '${value}')`, params: { fix: 'write yyyy-mm-dd, quoted or not, e.g. 2027-03-31' } });
}).meta({ description, pattern: isoDatePattern.source });

export function isCalendarDate(value: string): boolean {
  if (!isoDatePattern.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const currencySchema = z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as EUR' }).default('EUR');
const amountSchema = z.number().finite().min(-1e15).max(1e15);

const periodRefine = <T extends { from: string; to: string }>(value: T, ctx: z.core.$RefinementCtx<T>) => {
  if (value.to >= value.from) return;
  ctx.addIssue({ code: 'custom', path: ['to'], message: `ends before it starts (${value.from} to ${value.to})`, params: { fix: 'make `to` the last day of the period, on or after `from`' } });
};

const nodeSchema = (what: string, example: string) => ({ key: keySchema(what, example), name: z.string().min(1) });

export const governanceSchema = z
  .strictObject({
    businessUnits: z.array(z.strictObject(nodeSchema('business unit', 'service'))).default([]).meta({ description: 'Where measures book their EBITDA.' }),
    portfolios: z.array(z.strictObject({ ...nodeSchema('portfolio', 'customer-experience'), goal: z.string().min(1).optional() })).default([]),
    programs: z.array(z.strictObject({ ...nodeSchema('program', 'cost-to-serve'), portfolio: keySchema('portfolio', 'customer-experience'), goal: z.string().min(1).optional() })).default([]),
    projects: z.array(z.strictObject({ ...nodeSchema('project', 'self-service'), program: keySchema('program', 'cost-to-serve') })).default([]),
    packages: z.array(z.strictObject({ ...nodeSchema('measure package', 'sso-self-service'), project: keySchema('project', 'self-service') })).default([]),
    measures: z.array(z.strictObject({
      key: keySchema('measure', 'm-sso-self-service'),
      title: z.string().min(1),
      description: z.string().min(1).optional(),
      package: keySchema('measure package', 'sso-self-service'),
      owner: z.string().min(1).meta({ description: 'E-mail of a declared person: accountable for delivering it.' }),
      sponsor: z.string().min(1).meta({ description: 'E-mail of a declared person: the executive who backs it.' }),
      controller: z.string().min(1).meta({ description: 'E-mail of a declared person, neither owner nor sponsor: confirms the realised EBITDA.' }),
      businessUnit: keySchema('business unit', 'service'),
      steeringCommittee: z.string().min(1).meta({ description: 'Who decides its gates, e.g. "Service SteerCo".' }),
      plannedEbitda: z.strictObject({ amount: amountSchema.positive(), currency: currencySchema, from: calendarDate('First day of the EBITDA period.'), to: calendarDate('Last day of the EBITDA period.') })
        .superRefine(periodRefine).optional(),
      milestones: z.array(z.strictObject({ title: z.string().min(1), due: calendarDate('Due date.') })).default([])
        .meta({ description: 'Planned milestones (matched by title); whether one is done is recorded through the API.' }),
      ebitdaPlan: z.array(z.strictObject({ from: calendarDate('First day of the period.'), to: calendarDate('Last day of the period.'), amount: amountSchema }).superRefine(periodRefine)).default([])
        .meta({ description: 'The EBITDA plan per period (matched by its first day); forecasts and actuals are recorded through the API.' }),
    })).default([]),
  })
  .meta({ description: 'The governance hierarchy: business units, portfolios, programs, projects, measure packages and measures (config as code).' });

export type GovernanceFile = z.output<typeof governanceSchema>;

/** The hierarchy as loaded: e-mails lower-case, every parent and person checked. */
export interface GovernanceConfig {
  businessUnits: { key: string; name: string }[];
  portfolios: { key: string; name: string; goal: string | null }[];
  programs: { key: string; name: string; portfolio: string; goal: string | null }[];
  projects: { key: string; name: string; program: string }[];
  packages: { key: string; name: string; project: string }[];
  measures: MeasureConfig[];
}

export interface MeasureConfig {
  key: string;
  title: string;
  description: string | null;
  package: string;
  owner: string;
  sponsor: string;
  controller: string;
  businessUnit: string;
  steeringCommittee: string;
  plannedEbitda: { amount: number; currency: string; from: string; to: string } | null;
  milestones: { title: string; due: string }[];
  ebitdaPlan: { from: string; to: string; amount: number }[];
}

export const emptyGovernance = (): GovernanceConfig => ({ businessUnits: [], portfolios: [], programs: [], projects: [], packages: [], measures: [] });
