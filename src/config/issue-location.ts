import { formatPath, type IssuePath } from '../domain/driver/index.ts';
import { type YamlSource, locate } from './yaml-source.ts';

/** file, path, line and column of `path` in `source`: the location half of a ConfigIssue. */
export const at = (source: YamlSource, path: IssuePath, where: 'key' | 'value' = 'value') => ({ file: source.file, path: formatPath(path), ...locate(source, path, where) });

/** `file:line:column` of `path` (for "first in …" messages), or the file when it cannot be located. */
export const where = (source: YamlSource, path: IssuePath) => {
  const { line, column } = locate(source, path);
  return line === undefined ? source.file : `${source.file}:${line}:${column ?? 1}`;
};
