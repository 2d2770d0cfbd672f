/**
 * Where a node of Organization > Portfolio > Program > Project > Measure Package > Measure sits:
 * the keys of it and of every node above it. Pure: the store lists each node with its parent's key.
 */
export type HierarchyLevel = 'organization' | 'portfolio' | 'program' | 'project' | 'measure_package' | 'measure';

export interface HierarchyPath {
  portfolio: string | null;
  program: string | null;
  project: string | null;
  package: string | null;
  measure: string | null;
}

export interface HierarchyParents {
  /** Each measure's package, each package's project, each project's program, each program's portfolio (by key). */
  measures: ReadonlyMap<string, string>;
  packages: ReadonlyMap<string, string>;
  projects: ReadonlyMap<string, string>;
  programs: ReadonlyMap<string, string>;
}

const ORDER: readonly (keyof HierarchyPath)[] = ['measure', 'package', 'project', 'program', 'portfolio'];
const FIELD: Record<Exclude<HierarchyLevel, 'organization'>, keyof HierarchyPath> = {
  measure: 'measure', measure_package: 'package', project: 'project', program: 'program', portfolio: 'portfolio',
};

/** The path of a node (an organization-level one, or a key no node has, sits above every node: all null). */
export function hierarchyPath(level: HierarchyLevel, key: string | null, parents: HierarchyParents): HierarchyPath {
  const path: HierarchyPath = { portfolio: null, program: null, project: null, package: null, measure: null };
  if (level === 'organization' || key === null) return path;
  const up: Record<keyof HierarchyPath, ReadonlyMap<string, string> | null> = {
    measure: parents.measures, package: parents.packages, project: parents.projects, program: parents.programs, portfolio: null,
  };
  let at: string | undefined = key;
  for (const field of ORDER.slice(ORDER.indexOf(FIELD[level]))) {
    if (at === undefined) break;
    path[field] = at;
    at = up[field]?.get(at);
  }
  return path;
}

/** Whether a node with `path` lies at or below the node `level`/`key` (everything lies below the organization). */
export function liesUnder(path: HierarchyPath, level: HierarchyLevel, key: string): boolean {
  return level === 'organization' || path[FIELD[level]] === key;
}
