import { closestMatch, type IssuePath, type TaxonomyDefinition } from '../domain/driver/index.ts';
import type { ParsedFile } from './assemble-config.ts';
import { listOf } from './assemble-routing.ts';
import type { ConfigIssue } from './config-issue.ts';
import { isTimeZone } from './config-schema.ts';
import type { GovernanceConfig } from './governance-schema.ts';
import { at, where } from './issue-location.ts';
import { type KpiConfig, type KpiLevel, kpiLevels } from './kpi-schema.ts';
import type { YamlSource } from './yaml-source.ts';

/**
 * KPI definitions merged across files, with the checks that span them: one per key; hung on exactly
 * one declared node; drivers declared (or a family of declared drivers); a real time zone; bands in
 * the order the direction needs. Where config declares KPIs, a driver route naming an undeclared
 * one gets a warning.
 */
const LEVEL_LIST: Record<KpiLevel, keyof GovernanceConfig> = { portfolio: 'portfolios', program: 'programs', project: 'projects', package: 'packages', measure: 'measures' };

export function mergeKpis(
  files: readonly ParsedFile[], governance: GovernanceConfig, taxonomy: TaxonomyDefinition, organizationTimeZone: string | null, issues: ConfigIssue[], warnings: ConfigIssue[],
): KpiConfig[] {
  const out: KpiConfig[] = [];
  const seen = new Map<string, { source: YamlSource; path: IssuePath }>();
  const driverKeys = taxonomy.drivers.map((d) => d.key);
  for (const { source, data } of files) {
    (data.kpis ?? []).forEach((k, index) => {
      const path: IssuePath = ['kpis', index];
      const first = seen.get(k.key);
      if (first) {
        issues.push({ ...at(source, [...path, 'key']), message: `duplicate KPI '${k.key}' (first in ${where(first.source, first.path)})`, fix: 'declare each KPI once; a changed definition is versioned by apply' });
        return;
      }
      seen.set(k.key, { source, path });
      const before = issues.length;
      let node: KpiConfig['node'] = { level: 'organization', key: null };
      if (k.on !== 'organization') {
        const named = kpiLevels.filter((l) => k.on !== 'organization' && k.on[l] !== undefined);
        if (named.length !== 1) {
          issues.push({ ...at(source, [...path, 'on']), message: `names ${named.length === 0 ? 'no node' : `${named.length} nodes (${named.join(', ')})`}`, fix: 'hang the KPI on one node, e.g. on: { measure: m-sso-self-service }, or on: organization' });
        } else {
          const level = named[0] as KpiLevel;
          const key = k.on[level] as string;
          const declared = (governance[LEVEL_LIST[level]] as { key: string }[]).map((n) => n.key);
          if (!declared.includes(key)) {
            const near = closestMatch(key, declared);
            issues.push({
              ...at(source, [...path, 'on', level]), message: `names ${level} '${key}', which is not declared under governance.${LEVEL_LIST[level]}`,
              fix: near !== null ? `did you mean '${near}'?` : declared.length === 0 ? `declare it under governance.${LEVEL_LIST[level]}` : `declared: ${listOf(declared)}`,
            });
          }
          node = { level, key };
        }
      }
      k.filters.drivers.forEach((d, j) => {
        const known = d.endsWith('/') ? driverKeys.some((key) => key.startsWith(d)) : driverKeys.includes(d);
        if (known) return;
        const near = closestMatch(d, driverKeys);
        issues.push({ ...at(source, [...path, 'filters', 'drivers', j]), message: `names driver '${d}', which is not declared (nor a family of declared drivers)`, fix: near !== null ? `did you mean '${near}'?` : `declared drivers: ${listOf(driverKeys)}` });
      });
      const timeZone = k.timeZone ?? organizationTimeZone ?? 'UTC';
      if (!isTimeZone(timeZone)) issues.push({ ...at(source, [...path, 'timeZone']), message: `is not a time zone (got '${timeZone}')`, fix: 'write an IANA zone such as Europe/Berlin' });
      if (k.bands && (k.direction === 'down_is_good' ? k.bands.green > k.bands.amber : k.bands.green < k.bands.amber)) {
        issues.push({
          ...at(source, [...path, 'bands']), message: `green ${k.bands.green} and amber ${k.bands.amber} are the wrong way round for ${k.direction}`,
          fix: k.direction === 'down_is_good' ? 'lower is better: green ≤ amber' : 'higher is better: green ≥ amber',
        });
      }
      if (k.metric === 'contact_rate_per_1k_customers' && k.customers === undefined) {
        issues.push({ ...at(source, path), message: 'is a contact rate per 1,000 customers without a customer base', fix: 'add customers: <number of customers>, e.g. customers: 52000' });
      } else if (k.metric !== 'contact_rate_per_1k_customers' && k.customers !== undefined) {
        issues.push({ ...at(source, [...path, 'customers']), message: `sets a customer base for a ${k.metric} KPI, which does not use one`, fix: 'remove customers, or use metric: contact_rate_per_1k_customers' });
      }
      if (issues.length > before) return;
      out.push({
        key: k.key, name: k.name, node, metric: k.metric, filters: { ...k.filters }, bucket: k.bucket, timeZone, direction: k.direction,
        target: k.target ?? null, bands: k.bands ?? null, customers: k.customers ?? null,
      });
    });
  }
  const kpiKeys = new Set(seen.keys());
  for (const { source, data } of kpiKeys.size === 0 ? [] : files) {
    (data.routing?.drivers ?? []).forEach((route, index) => route.kpis?.forEach((key, j) => {
      if (kpiKeys.has(key)) return;
      const near = closestMatch(key, kpiKeys);
      warnings.push({
        ...at(source, ['routing', 'drivers', index, 'kpis', j]), message: `names KPI '${key}', which is not declared under kpis (its items will not show against a KPI)`,
        fix: near !== null ? `did you mean '${near}'? Otherwise declare the KPI` : 'declare the KPI under kpis, or remove it from the route',
      });
    }));
  }
  return out;
}
