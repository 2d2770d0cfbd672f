import { describe, expect, it } from 'vitest';
import { compileTaxonomy } from './compile-taxonomy.ts';
import { taxonomyHash } from './taxonomy-hash.ts';
import type { TaxonomyInput } from './taxonomy-schema.ts';

const base: TaxonomyInput = {
  drivers: [
    { key: 'configuration/sso', name: 'SSO', owningFunction: 'engineering', owners: ['team-identity'] },
    { key: 'billing/refund', name: 'Refunds', owningFunction: 'finance' },
  ],
  rules: [
    { key: 'sso-dropdown', driver: 'configuration/sso', when: { field: { id: '360000001001', equals: 'cr_sso' } } },
    { key: 'refund-tag', driver: 'billing/refund', when: { tag: 'refund' } },
  ],
};

describe('taxonomyHash', () => {
  it('is a sha256 hex digest equal to the compiled hash', () => {
    expect(taxonomyHash(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(compileTaxonomy(base).hash).toBe(taxonomyHash(base));
  });

  it('ignores object key order, driver order, defaults and scalar spelling', () => {
    const reordered: TaxonomyInput = {
      rules: [
        { when: { field: { equals: 'cr_sso', id: 360000001001 } }, driver: 'configuration/sso', key: 'sso-dropdown' },
        { key: 'refund-tag', driver: 'billing/refund', when: { tag: 'refund' } },
      ],
      drivers: [
        { key: 'billing/refund', name: 'Refunds', owningFunction: 'finance', owners: [] },
        { owners: ['team-identity'], owningFunction: 'engineering', name: 'SSO', key: 'configuration/sso' },
      ],
    };
    expect(taxonomyHash(reordered)).toBe(taxonomyHash(base));
  });

  it('changes when rule order, a condition, a driver attribute or an owner changes', () => {
    const hash = taxonomyHash(base);
    const [r0, r1] = base.rules ?? [];
    const [d0, d1] = base.drivers ?? [];
    if (!r0 || !r1 || !d0 || !d1) throw new Error('fixture');
    const variants: TaxonomyInput[] = [
      { ...base, rules: [r1, r0] },
      { ...base, rules: [r0, { ...r1, when: { tag: 'refunds' } }] },
      { ...base, drivers: [{ ...d0, description: 'SAML and OIDC' }, d1] },
      { ...base, drivers: [{ ...d0, owners: ['team-identity', 'team-web'] }, d1] },
      { ...base, drivers: [d0, { ...d1, owningFunction: 'support' }] },
    ];
    const hashes = new Set(variants.map(taxonomyHash));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(hash)).toBe(false);
  });
});
