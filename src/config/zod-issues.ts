import { z } from 'zod';
import { closestMatch, formatPath, type IssuePath } from '../domain/driver/index.ts';
import type { ConfigIssue } from './config-issue.ts';
import { type YamlSource, locate } from './yaml-source.ts';

/**
 * Turns zod issues into ConfigIssues with a location and a fix. Input values are never echoed
 * (they may be secrets): messages name the expected shape, and suggestions come from the schema.
 * `prefix` places a sub-schema's issues (a connector's settings) inside the file.
 */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[], source: YamlSource, root: z.ZodType, prefix: IssuePath = []): ConfigIssue[] {
  return issues.flatMap((issue) => {
    const path: IssuePath = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const at = (p: IssuePath, where: 'key' | 'value' = 'value') => ({ file: source.file, path: formatPath(p), ...locate(source, p, where) });
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(root, issue.path);
      return issue.keys.map((key) => {
        const near = closestMatch(key, known);
        const fix = near !== null ? `did you mean '${near}'?`
          : secretLike.test(key) ? 'remove it: secrets go under the connector\'s `secrets:` as { env: NAME }'
          : known.length > 0 ? `remove it (known keys: ${known.join(', ')})` : 'remove it';
        return { ...at([...path, key], 'key'), message: `unknown key '${key}'`, fix };
      });
    }
    return [{ ...at(path), ...describe(issue, path, valueAt(source.value, path)) }];
  });
}

const secretLike = /token|secret|password|passwd|api[-_]?key/i;

function describe(issue: z.core.$ZodIssue, path: IssuePath, value: unknown): { message: string; fix: string } {
  const last = path[path.length - 1];
  if (issue.code === 'custom') return { message: issue.message, fix: customFix(issue) };
  const inline = value !== undefined && (value === null || typeof value !== 'object');
  if (issue.code === 'invalid_type' && path[path.length - 2] === 'secrets' && inline) {
    return {
      message: `secrets.${String(last)} must reference an environment variable: { env: NAME }`,
      fix: `write \`${String(last)}: { env: SOME_VARIABLE }\` and set SOME_VARIABLE where Frontline runs; never put the value in the file`,
    };
  }
  if (issue.code === 'invalid_type' && last === 'secrets' && inline) {
    return { message: 'must map secret names to environment variables', fix: 'write `secrets: { token: { env: SOME_VARIABLE } }`' };
  }
  if (issue.code === 'invalid_type' && value === undefined) return { message: 'is required', fix: `add \`${String(last)}: …\`` };
  if (issue.code === 'invalid_type' && issue.expected === 'string' && typeof value === 'number') {
    return { message: 'must be a string (YAML reads unquoted digits such as 4.2 as a number)', fix: `quote it, e.g. \`${String(last)}: "4.2"\`` };
  }
  if (issue.code === 'invalid_type') return { message: `must be ${article(issue.expected)}`, fix: `write ${article(issue.expected)} value` };
  if (issue.code === 'invalid_value') {
    const options = issue.values.map(String);
    const near = typeof value === 'string' ? closestMatch(value, options) : null;
    return { message: `must be one of: ${options.join(', ')}`, fix: near !== null ? `did you mean '${near}'?` : `use one of: ${options.join(', ')}` };
  }
  if (issue.code === 'too_small' && Number(issue.minimum) === 1 && (issue.origin === 'string' || issue.origin === 'array')) {
    return { message: 'must not be empty', fix: issue.origin === 'array' ? 'add at least one entry, or remove the key' : 'write a value, or remove the key' };
  }
  if (issue.code === 'invalid_format') return { message: issue.message, fix: formatFix(path) };
  if (issue.code === 'invalid_key') return { message: 'has an invalid name', fix: 'secret names are letters, digits and "_", e.g. token or clientSecret' };
  if (issue.code === 'invalid_union') return { message: 'has the wrong type', fix: 'see src/config/frontline.schema.json for the accepted forms' };
  return { message: issue.message, fix: 'see src/config/frontline.schema.json' };
}

function customFix(issue: z.core.$ZodIssue): string {
  const fix: unknown = issue.code === 'custom' ? issue.params?.['fix'] : undefined;
  return typeof fix === 'string' ? fix : 'see src/config/frontline.schema.json';
}

function formatFix(path: IssuePath): string {
  const section = path[0];
  const last = path[path.length - 1];
  if (last === 'env') return 'use an upper-case variable name, e.g. ZENDESK_API_TOKEN';
  if (section === 'drivers') return 'use lower-case path segments joined by "/", e.g. configuration/sso';
  if (section === 'rules') return 'use lower-case letters, digits, ".", "_" or "-", e.g. sso-dropdown';
  if (section === 'releases') return 'write it without spaces, e.g. key: "4.2" or key: v4.2.1';
  if (section === 'connectors') return 'use lower-case letters, digits and "-", e.g. zendesk-main (a connector key never changes once applied)';
  return 'use lower-case letters, digits and "-", e.g. acme';
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** The raw value at `path` in the parsed YAML (to tell "missing" from "wrong type"). */
export function valueAt(root: unknown, path: IssuePath): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? (typeof segment === 'number' ? node[segment] : undefined) : Object.entries(node).find(([k]) => k === String(segment))?.[1];
  }
  return node;
}

/** Keys the schema accepts at `path` (for "did you mean"), walking objects, arrays and wrappers. */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const segment of [...path, null]) {
    node = unwrap(node);
    if (segment === null) break;
    if (node instanceof z.ZodObject) node = node.shape[String(segment)];
    else if (node instanceof z.ZodArray) node = node.element;
    else if (node instanceof z.ZodRecord) node = node.valueType;
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(node: unknown): unknown {
  let current = node;
  for (let i = 0; i < 10; i++) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) current = current.unwrap();
    else if (current instanceof z.ZodPipe) current = current.in;
    else return current;
  }
  return current;
}
