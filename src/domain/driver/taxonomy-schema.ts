import { z } from 'zod';
import { conditionSchema } from './condition-schema.ts';

/**
 * Mirrors the Prisma enum `FunctionArea` (prisma/schema.prisma). The domain does not import Prisma;
 * src/store/config-repository.ts holds a compile-time check that both lists stay equal.
 */
export const functionAreas = ['engineering', 'product', 'operations', 'finance', 'legal', 'support', 'sales', 'security', 'customer_success'] as const;
export type FunctionArea = (typeof functionAreas)[number];

/** `configuration/sso`: lower-case segments joined by `/`; parents are implied by the path. */
export const driverKeyPattern = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
/** Rule keys end up in classification rows and job ids: no `:` (BullMQ), no spaces. */
export const ruleKeyPattern = /^[a-z0-9][a-z0-9_.-]*$/;

export const driverSchema = z.strictObject({
  key: z.string().regex(driverKeyPattern, {
    error: 'must be lower-case path segments joined by "/", e.g. configuration/sso',
  }),
  name: z.string().min(1),
  owningFunction: z.enum(functionAreas),
  owners: z.array(z.string().min(1)).default([]),
  description: z.string().min(1).optional(),
});

export const ruleSchema = z.strictObject({
  key: z.string().regex(ruleKeyPattern, { error: 'must be lower-case letters, digits, ".", "_" or "-", e.g. sso-dropdown' }),
  driver: z.string().min(1).meta({ description: 'Key of the driver this rule assigns.' }),
  when: conditionSchema,
});

export const taxonomyInputSchema = z.strictObject({
  drivers: z.array(driverSchema).default([]),
  /** Ordered: the first matching rule wins. */
  rules: z.array(ruleSchema).default([]),
});

export type DriverInput = z.input<typeof driverSchema>;
export type RuleInput = z.input<typeof ruleSchema>;
export type TaxonomyInput = z.input<typeof taxonomyInputSchema>;
export type DriverDefinition = z.output<typeof driverSchema>;
export type RuleDefinition = z.output<typeof ruleSchema>;
export type TaxonomyDefinition = z.output<typeof taxonomyInputSchema>;
