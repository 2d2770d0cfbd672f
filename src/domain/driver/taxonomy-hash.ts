import { canonicalJson, sha256Hex } from './canonical-json.ts';
import type { TaxonomyDefinition, TaxonomyInput } from './taxonomy-schema.ts';
import { parseTaxonomy } from './parse-taxonomy.ts';

/**
 * Stable sha256 of a taxonomy's meaning: parsed (so `id: 360000001001` and `"360000001001"` agree),
 * drivers sorted by key (their order means nothing), rules in order (first match wins), keys sorted.
 * Re-applying an identical taxonomy therefore creates no new version.
 */
export function taxonomyHash(input: TaxonomyInput): string {
  return hashDefinition(parseTaxonomy(input));
}

export function hashDefinition(definition: TaxonomyDefinition): string {
  const drivers = [...definition.drivers]
    .map((d) => ({ ...d, description: d.description ?? null }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return sha256Hex(canonicalJson({ format: 1, drivers, rules: definition.rules }));
}
