import type pg from 'pg';
import type { HierarchyParents } from '../domain/measure/hierarchy-path.ts';

/** The hierarchy's nodes above the measures, each naming its parent's key (GET /api/v1/hierarchy; a measure names its package itself). */
export interface HierarchyNodes {
  portfolios: { key: string; name: string; goal: string | null }[];
  programs: { key: string; name: string; goal: string | null; parent: string }[];
  projects: { key: string; name: string; parent: string }[];
  packages: { key: string; name: string; parent: string }[];
}

export async function hierarchyNodes(client: pg.PoolClient, organizationId: string): Promise<HierarchyNodes> {
  const q = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql, [organizationId])).rows;
  const portfolios = await q<HierarchyNodes['portfolios'][number]>('SELECT key, name, goal FROM portfolios WHERE organization_id = $1 ORDER BY key');
  const programs = await q<HierarchyNodes['programs'][number]>('SELECT g.key, g.name, g.goal, f.key AS parent FROM programs g JOIN portfolios f ON f.id = g.portfolio_id WHERE g.organization_id = $1 ORDER BY g.key');
  const projects = await q<HierarchyNodes['projects'][number]>('SELECT j.key, j.name, g.key AS parent FROM projects j JOIN programs g ON g.id = j.program_id WHERE j.organization_id = $1 ORDER BY j.key');
  const packages = await q<HierarchyNodes['packages'][number]>('SELECT k.key, k.name, j.key AS parent FROM measure_packages k JOIN projects j ON j.id = k.project_id WHERE k.organization_id = $1 ORDER BY k.key');
  return { portfolios, programs, projects, packages };
}

/** Each node's parent by key, for placing a node (src/domain/measure/hierarchy-path.ts). */
export function hierarchyParents(nodes: HierarchyNodes, measures: readonly { key: string; packageKey: string }[]): HierarchyParents {
  return {
    measures: new Map(measures.map((m) => [m.key, m.packageKey])),
    packages: new Map(nodes.packages.map((n) => [n.key, n.parent])),
    projects: new Map(nodes.projects.map((n) => [n.key, n.parent])),
    programs: new Map(nodes.programs.map((n) => [n.key, n.parent])),
  };
}
