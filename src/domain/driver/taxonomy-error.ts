import type { z } from 'zod';

export type IssuePath = ReadonlyArray<string | number>;

/** One problem in a taxonomy: where (`rules[3].when.subject.matches`), what, and how to fix it. */
export interface TaxonomyIssue {
  path: IssuePath;
  message: string;
  fix: string;
}

/** A taxonomy that cannot be compiled. A `config` failure: a human fixes the rules. */
export class TaxonomyError extends Error {
  override readonly name = 'TaxonomyError';
  readonly failure = 'config' as const;
  readonly code = 'taxonomy_invalid';
  readonly issues: readonly TaxonomyIssue[];

  constructor(issues: readonly TaxonomyIssue[]) {
    super(`Invalid driver taxonomy:\n${issues.map((i) => `  ${formatPath(i.path)}: ${i.message} — fix: ${i.fix}`).join('\n')}`);
    this.issues = issues;
  }
}

/** `['connectors', 0, 'secrets', 'token']` → `connectors[0].secrets.token`. */
export function formatPath(path: IssuePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** Reads the `fix` our schemas attach to custom issues (`params: { fix }`). */
export function fixOf(issue: z.core.$ZodIssue): string | null {
  if (issue.code !== 'custom' || issue.params === undefined) return null;
  const fix: unknown = issue.params['fix'];
  return typeof fix === 'string' ? fix : null;
}
