import { readFile } from 'node:fs/promises';
import { type Document, LineCounter, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';
import type { IssuePath } from '../domain/driver/index.ts';
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
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        file,
        path: '',
        ...lineCol(lineCounter, e.pos[0]),
        message: `YAML syntax error: ${e.message.split('\n')[0] ?? e.code}`,
        fix: e.code === 'DUPLICATE_KEY' ? 'remove or rename the repeated key' : 'correct the YAML at this position (indentation, quotes, brackets)',
      })),
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
