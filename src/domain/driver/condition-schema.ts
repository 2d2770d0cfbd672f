import { z } from 'zod';
import { ticketPriorities } from '../ticket/canonical-ticket.ts';

/**
 * A rule's `when`: an object with exactly one kind key. Kept as one strict object with optional keys
 * (not a zod union) so a typo gets "unknown key 'tga' — did you mean 'tag'?" instead of a union
 * error, and editors get one completion list from the JSON Schema.
 */
export const conditionKinds = ['tag', 'tags', 'field', 'dropdown', 'subject', 'channel', 'priority', 'category', 'supportType', 'all', 'any'] as const;
export type ConditionKind = (typeof conditionKinds)[number];

/** YAML reads `id: 360000001001` and `equals: 745` as numbers: accept scalars, compare as strings. */
const scalar = z.union([z.string().min(1), z.number(), z.boolean()]).transform((v) => String(v));
const oneOrMany = <T extends string>(item: z.ZodType<T>) =>
  z.union([item, z.array(item).min(1)]).transform((v): T[] => (typeof v === 'string' ? [v] : v));

const fieldMatchSchema = z
  .strictObject({
    id: scalar.meta({ description: 'Source custom field id, e.g. "360000001001".' }),
    equals: scalar.optional().meta({ description: 'Matches the stored option value or its label.' }),
    in: z.array(scalar).min(1).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.equals === undefined) === (v.in === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'needs exactly one of `equals` or `in`',
        params: { fix: 'write `{ id: "…", equals: value }` or `{ id: "…", in: [a, b] }`' },
      });
    }
  });

const subjectMatchSchema = z
  .strictObject({
    contains: z.string().min(1).optional().meta({ description: 'Case-insensitive substring.' }),
    matches: z.string().min(1).optional().meta({ description: 'Regular expression (JavaScript syntax), case-insensitive.' }),
  })
  .superRefine((v, ctx) => {
    if ((v.contains === undefined) === (v.matches === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message: 'needs exactly one of `contains` or `matches`',
        params: { fix: 'write `{ contains: "text" }` or `{ matches: "regex" }`' },
      });
      return;
    }
    const error = v.matches === undefined ? null : regexError(v.matches);
    if (error !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['matches'],
        message: `is not a valid regular expression (${error})`,
        params: { fix: 'fix the pattern (JavaScript RegExp syntax), or use `contains` for plain text' },
      });
    }
  });

export const conditionSchema = z
  .strictObject({
    tag: scalar.optional().meta({ description: 'The ticket carries this tag.' }),
    tags: z.array(scalar).min(1).optional().meta({ description: 'The ticket carries any of these tags.' }),
    field: fieldMatchSchema.optional(),
    dropdown: fieldMatchSchema.optional().meta({ description: 'Alias of `field` for dropdown fields.' }),
    subject: subjectMatchSchema.optional(),
    channel: oneOrMany(z.string().min(1)).optional(),
    priority: oneOrMany(z.enum(ticketPriorities)).optional(),
    category: oneOrMany(z.string().min(1)).optional(),
    supportType: oneOrMany(z.string().min(1))
      .optional()
      .meta({ description: 'Who handled the ticket where the source says so, e.g. Zendesk `agent` or `ai_agent`.' }),
    get all(): z.ZodOptional<z.ZodArray<typeof conditionSchema>> {
      return z.array(conditionSchema).min(1).optional();
    },
    get any(): z.ZodOptional<z.ZodArray<typeof conditionSchema>> {
      return z.array(conditionSchema).min(1).optional();
    },
  })
  .superRefine((v, ctx) => {
    const present = conditionKinds.filter((k) => v[k] !== undefined);
    if (present.length === 1) return;
    ctx.addIssue({
      code: 'custom',
      message:
        present.length === 0
          ? 'is an empty condition'
          : `combines ${present.join(' and ')} in one condition`,
      params: {
        fix:
          present.length === 0
            ? `use exactly one of: ${conditionKinds.join(', ')}`
            : `wrap them: \`all: [{ ${present[0]}: … }, { ${present[1]}: … }]\` (or \`any\`)`,
      },
    });
    // Skipped when a child or an unknown key already failed: `{ tga: sso }` is not also "empty".
  }, { when: (payload) => payload.issues.length === 0 })
  .meta({ id: 'Condition', description: 'Exactly one condition kind.' });

/** What a user writes (YAML scalars may be numbers). */
export type ConditionInput = z.input<typeof conditionSchema>;
/** After parsing: scalars are strings, one-or-many fields are arrays. */
export type Condition = z.output<typeof conditionSchema>;

export function regexError(source: string): string | null {
  try {
    new RegExp(source, 'i');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
