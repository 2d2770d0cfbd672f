import { readFile } from 'node:fs/promises';
import { type Document, LineCounter, type YAMLError, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';
import { type IssuePath, formatPath } from '../domain/driver/index.ts';
import type { ConfigIssue } from './config-issue.ts';

/** A parsed YAML file that remembers node ranges, so issues can name file:line:column. */
export interface YamlSource {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  value: unknown;
}

export type ReadSourceResult = { ok: true; source: YamlSource } | { ok: false; issues: ConfigIssue[] };
export type ReadText = (file: string) => Promise<string>;

const readUtf8: ReadText = (file) => readFile(file, 'utf8');

export async function readYamlSource(file: string, read: ReadText = readUtf8): Promise<ReadSourceResult> {
  let text: string;
  try {
    text = await read(file);
  } catch (error) {
    return { ok: false, issues: [{ file, path: '', message: readFailure(error), fix: 'check the path (relative paths are resolved from the current directory)' }] };
  }
  return parseYamlSource(file, text);
}

export function parseYamlSource(file: string, text: string): ReadSourceResult {
  const lineCounter = new LineCounter();
  // prettyErrors off: the pretty form quotes the offending line, which may hold a secret.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) return { ok: false, issues: syntaxIssues(file, text, doc, lineCounter) };
  // Only whitespace, comments or `---` leave no contents; `~` is an explicit null: neither has a section.
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    return {
      ok: false,
      issues: [{
        file,
        path: '',
        message: 'is empty: a config file needs at least one of `organization:`, `connectors:`, `drivers:`, `rules:`',
        fix: 'start with `organization: { key: acme, name: Acme Corp, timeZone: Europe/Berlin }` (see Configuration in README.md), or leave this file out',
      }],
    };
  }
  try {
    return { ok: true, source: { file, doc, lineCounter, value: doc.toJS({ maxAliasCount: 100 }) ?? {} } };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error);
    return { ok: false, issues: [{ file, path: '', message: `YAML cannot be read: ${message}`, fix: 'simplify anchors and aliases' }] };
  }
}

/**
 * The yaml library keeps parsing after an error (https://eemeli.org/yaml/#errors: every error lands in
 * `doc.errors`). After one that breaks the structure (a tab or a bad indent, a missing bracket or quote) it
 * reads what follows in the wrong place, so the errors after it are mostly consequences: one tab yields
 * "Nested mappings are not allowed in compact mappings" and "Implicit keys need to be on a single line" for
 * every later line of the mapping. So only the first such error is reported. A repeated key (DUPLICATE_KEY,
 * from `uniqueKeys`) does not derail parsing: every repeat before that first error is reported too.
 */
function syntaxIssues(file: string, text: string, doc: Document, lineCounter: LineCounter): ConfigIssue[] {
  const first = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  const kept = first === undefined ? doc.errors : doc.errors.filter((e) => e === first || (e.code === 'DUPLICATE_KEY' && e.pos[0] < first.pos[0]));
  return kept.map((e) => (e.code === 'DUPLICATE_KEY' ? duplicateKeyIssue(file, doc, lineCounter, e) : syntaxIssue(file, text, lineCounter, e)));
}

function syntaxIssue(file: string, text: string, lineCounter: LineCounter, error: YAMLError): ConfigIssue {
  const at = lineCol(lineCounter, error.pos[0]);
  // The library says TAB_AS_INDENT for a tab first in the line, BAD_INDENT for one after spaces: either way
  // the tab is the cause. Tabs after the indentation (`key:\tvalue`, block scalar content) are no error.
  const tab = error.code === 'TAB_AS_INDENT' || error.code === 'BAD_INDENT' ? tabInIndentation(text, lineCounter, at.line) : undefined;
  if (tab !== undefined) return { file, path: '', ...tab, message: 'tabs are not allowed for indentation in YAML', fix: 'indent with spaces' };
  // The message's first line only: later lines of a library message may quote the source.
  return { file, path: '', ...at, message: `YAML syntax error: ${error.message.split('\n')[0] ?? error.code}`, fix: 'correct the YAML at this position (indentation, quotes, brackets)' };
}

/** The line and column of the first tab in the leading whitespace of `line`, if there is one. */
function tabInIndentation(text: string, lineCounter: LineCounter, line: number | undefined): { line: number; column: number } | undefined {
  const start = line === undefined ? undefined : lineCounter.lineStarts[line - 1];
  if (line === undefined || start === undefined) return undefined;
  const indentation = /^[ \t]*/.exec(text.slice(start))?.[0] ?? '';
  const tab = indentation.indexOf('\t');
  return tab === -1 ? undefined : { line, column: tab + 1 };
}

/** The repeated key's path and where it was first written: the error itself only gives the repeat's offset. */
function duplicateKeyIssue(file: string, doc: Document, lineCounter: LineCounter, error: YAMLError): ConfigIssue {
  const at = lineCol(lineCounter, error.pos[0]);
  const found = findRepeatedKey(doc.contents, [], error.pos[0]);
  if (found === null) return { file, path: '', ...at, message: 'YAML syntax error: a key is repeated in this mapping', fix: 'remove or rename the repeated key' };
  const key = String(found.path[found.path.length - 1]);
  const first = found.first === undefined ? '' : ` (first defined at line ${lineCol(lineCounter, found.first).line ?? '?'})`;
  return {
    file,
    path: formatPath(found.path),
    ...at,
    message: `duplicate key '${key}'${first}`,
    fix: `remove the repeated '${key}:' or merge it into the first (a key may appear once per mapping)`,
  };
}

/** The path of the map key starting at `offset`, and the offset of the first equal key in the same map. */
function findRepeatedKey(node: unknown, path: IssuePath, offset: number): { path: IssuePath; first: number | undefined } | null {
  if (isMap(node)) {
    for (const [i, pair] of node.items.entries()) {
      const keyPath = [...path, isScalar(pair.key) ? String(pair.key.value) : String(pair.key)];
      if (isNode(pair.key) && pair.key.range?.[0] === offset) {
        // The equality `uniqueKeys: true` uses (yaml dist/compose/util-map-includes.js): same node, or scalars of equal value.
        const same = (k: unknown) => k === pair.key || (isScalar(k) && isScalar(pair.key) && k.value === pair.key.value);
        const earlier = node.items.slice(0, i).find((p) => same(p.key));
        return { path: keyPath, first: offsetOf(earlier?.key) };
      }
      const inValue = findRepeatedKey(pair.value, keyPath, offset);
      if (inValue !== null) return inValue;
    }
  }
  if (isSeq(node)) {
    for (const [i, item] of node.items.entries()) {
      const inItem = findRepeatedKey(item, [...path, i], offset);
      if (inItem !== null) return inItem;
    }
  }
  return null;
}

/**
 * The line and column of `path` in the file: of the key itself when `at` is 'key' (unknown keys),
 * else of the value; the nearest existing ancestor when the path does not exist (missing keys).
 */
export function locate(source: YamlSource, path: IssuePath, at: 'key' | 'value' = 'value'): { line?: number; column?: number } {
  let node: unknown = source.doc.contents;
  let keyNode: unknown = null;
  let lastFound: unknown = node;
  for (const segment of path) {
    const next = child(node, segment);
    if (next === null) return lineCol(source.lineCounter, offsetOf(lastFound));
    ({ key: keyNode, value: node } = next);
    lastFound = node ?? keyNode;
  }
  const target = at === 'key' && keyNode !== null ? keyNode : (node ?? keyNode);
  return lineCol(source.lineCounter, offsetOf(target));
}

function child(node: unknown, segment: string | number): { key: unknown; value: unknown } | null {
  if (isMap(node)) {
    const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(segment));
    return pair === undefined ? null : { key: pair.key, value: pair.value };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item: unknown = node.items[segment];
    return item === undefined ? null : { key: null, value: item };
  }
  return null;
}

function offsetOf(node: unknown): number | undefined {
  return isNode(node) ? node.range?.[0] : undefined;
}

function lineCol(lineCounter: LineCounter, offset: number | undefined): { line?: number; column?: number } {
  if (offset === undefined) return {};
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function readFailure(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EISDIR') return 'is a directory, not a YAML file';
  if (code === 'EACCES') return 'cannot be read (permission denied)';
  return `cannot be read (${code || 'unknown error'})`;
}
