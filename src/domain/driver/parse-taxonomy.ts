import type { z } from 'zod';
import { closestMatch } from './closest-match.ts';
import { type IssuePath, TaxonomyError, type TaxonomyIssue, fixOf } from './taxonomy-error.ts';
import { type TaxonomyDefinition, type TaxonomyInput, taxonomyInputSchema } from './taxonomy-schema.ts';

/** Shape and cross-reference validation only; returns the normalised definition. */
export function parseTaxonomy(input: TaxonomyInput): TaxonomyDefinition {
  const parsed = taxonomyInputSchema.safeParse(input);
  if (!parsed.success) throw new TaxonomyError(parsed.error.issues.map(fromZodIssue));
  const issues = crossReferenceIssues(parsed.data);
  if (issues.length > 0) throw new TaxonomyError(issues);
  return parsed.data;
}

/** Duplicate keys and rules naming undeclared drivers (exported for the config loader). */
export function crossReferenceIssues(definition: TaxonomyDefinition): TaxonomyIssue[] {
  const issues: TaxonomyIssue[] = [];
  const driverKeys = new Map<string, number>();
  definition.drivers.forEach((d, i) => {
    const first = driverKeys.get(d.key);
    if (first === undefined) driverKeys.set(d.key, i);
    else issues.push({ path: ['drivers', i, 'key'], message: `duplicate driver key '${d.key}' (first at drivers[${first}])`, fix: 'give each driver a unique key, or remove the duplicate' });
  });
  const ruleKeys = new Map<string, number>();
  definition.rules.forEach((r, i) => {
    const first = ruleKeys.get(r.key);
    if (first === undefined) ruleKeys.set(r.key, i);
    else issues.push({ path: ['rules', i, 'key'], message: `duplicate rule key '${r.key}' (first at rules[${first}])`, fix: 'give each rule a unique key' });
    if (!driverKeys.has(r.driver)) {
      const near = closestMatch(r.driver, driverKeys.keys());
      issues.push({
        path: ['rules', i, 'driver'],
        message: `refers to unknown driver '${r.driver}'`,
        fix: near !== null ? `did you mean '${near}'?` : 'declare the driver under `drivers:` or correct the key',
      });
    }
  });
  return issues;
}

function fromZodIssue(issue: z.core.$ZodIssue): TaxonomyIssue {
  const path: IssuePath = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const fix = fixOf(issue) ?? (issue.code === 'unrecognized_keys' ? `remove ${issue.keys.join(', ')}` : 'see src/config/frontline.schema.json for the rule format');
  return { path, message: issue.message, fix };
}
