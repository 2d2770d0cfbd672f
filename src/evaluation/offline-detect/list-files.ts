import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

export interface ListedFile {
  /** The path to open. */
  readonly path: string;
  /** Relative to the folder it was found in, with `/` separators (the file's own name for a file given directly). */
  readonly relative: string;
}

/**
 * A file as itself, or every file under a folder (recursively, sorted by relative path) whose name
 * `accept`s; `skip` folders (absolute, e.g. an output folder inside the input) are not entered.
 * Undefined when the path does not exist.
 */
export async function listFiles(path: string, accept: (name: string) => boolean, skip: readonly string[] = []): Promise<{ folder: boolean; files: ListedFile[] } | undefined> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (info === undefined) return undefined;
  if (!info.isDirectory()) return { folder: false, files: [{ path, relative: path.split(sep).pop() ?? path }] };
  const skipped = new Set(skip.map((p) => resolve(p)));
  const files: ListedFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!skipped.has(resolve(full))) await walk(full);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && accept(entry.name)) {
        files.push({ path: full, relative: relative(path, full).split(sep).join('/') });
      }
    }
  };
  await walk(path);
  files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
  return { folder: true, files };
}
