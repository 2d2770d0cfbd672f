import { describe, expect, it } from 'vitest';
import { compileTaxonomy } from './compile-taxonomy.ts';
import { TaxonomyError, type TaxonomyIssue, formatPath } from './taxonomy-error.ts';
import type { DriverInput, TaxonomyInput } from './taxonomy-schema.ts';

const sso: DriverInput = { key: 'configuration/sso', name: 'SSO configuration', owningFunction: 'engineering', owners: ['team-identity'] };

function issuesOf(input: TaxonomyInput): Array<{ path: string; message: string; fix: string }> {
  try {
    compileTaxonomy(input);
  } catch (error) {
    if (error instanceof TaxonomyError) return error.issues.map((i: TaxonomyIssue) => ({ ...i, path: formatPath(i.path) }));
    throw error;
  }
  throw new Error('expected a TaxonomyError');
}

describe('compileTaxonomy', () => {
  it('compiles drivers with parents implied by the key and rules in order', () => {
    const compiled = compileTaxonomy({
      drivers: [sso, { key: 'billing', name: 'Billing', owningFunction: 'finance', description: 'Money' }],
      rules: [
        { key: 'sso-tag', driver: 'configuration/sso', when: { tag: 'sso' } },
        { key: 'billing-tag', driver: 'billing', when: { tags: ['invoice', 'refund'] } },
      ],
    });
    expect(compiled.drivers.get('configuration/sso')).toEqual({
      key: 'configuration/sso', name: 'SSO configuration', parentKey: 'configuration', owningFunction: 'engineering', owners: ['team-identity'], description: null,
    });
    expect(compiled.drivers.get('billing')).toMatchObject({ parentKey: null, owners: [], description: 'Money' });
    expect(compiled.rules.map((r) => [r.position, r.key, r.driverKey])).toEqual([[0, 'sso-tag', 'configuration/sso'], [1, 'billing-tag', 'billing']]);
    expect(compiled.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports duplicate driver keys, duplicate rule keys and unknown drivers together', () => {
    const issues = issuesOf({
      drivers: [sso, { ...sso, name: 'Again' }],
      rules: [
        { key: 'a', driver: 'configuration/sso', when: { tag: 'sso' } },
        { key: 'a', driver: 'configuration/ssoo', when: { tag: 'x' } },
        { key: 'b', driver: 'nothing/like/it', when: { tag: 'y' } },
      ],
    });
    expect(issues).toEqual([
      { path: 'drivers[1].key', message: "duplicate driver key 'configuration/sso' (first at drivers[0])", fix: expect.stringContaining('unique') },
      { path: 'rules[1].key', message: "duplicate rule key 'a' (first at rules[0])", fix: 'give each rule a unique key' },
      { path: 'rules[1].driver', message: "refers to unknown driver 'configuration/ssoo'", fix: "did you mean 'configuration/sso'?" },
      { path: 'rules[2].driver', message: "refers to unknown driver 'nothing/like/it'", fix: expect.stringContaining('declare the driver') },
    ]);
  });

  it('rejects empty and ambiguous conditions with a fix', () => {
    const issues = issuesOf({
      drivers: [sso],
      rules: [
        { key: 'a', driver: 'configuration/sso', when: {} },
        { key: 'b', driver: 'configuration/sso', when: { tag: 'sso', channel: 'email' } },
        { key: 'c', driver: 'configuration/sso', when: { all: [] } },
        { key: 'd', driver: 'configuration/sso', when: { field: { id: '1' } } },
        { key: 'e', driver: 'configuration/sso', when: { subject: { contains: '' } } },
      ],
    });
    expect(issues.map((i) => i.path)).toEqual(['rules[0].when', 'rules[1].when', 'rules[2].when.all', 'rules[3].when.field', 'rules[4].when.subject.contains']);
    expect(issues[0]).toMatchObject({ message: 'is an empty condition', fix: expect.stringContaining('tag, tags, field') });
    expect(issues[1]).toMatchObject({ message: 'combines tag and channel in one condition', fix: expect.stringContaining('all: [') });
    expect(issues[3]).toMatchObject({ message: 'needs exactly one of `equals` or `in`' });
  });

  it('rejects an invalid regex at compile time, naming the rule and the parser error', () => {
    const issues = issuesOf({ drivers: [sso], rules: [{ key: 'a', driver: 'configuration/sso', when: { any: [{ tag: 'x' }, { subject: { matches: 'SAML (setup' } }] } }] });
    expect(issues).toEqual([{ path: 'rules[0].when.any[1].subject.matches', message: expect.stringMatching(/^is not a valid regular expression \(.*Unterminated group/), fix: expect.stringContaining('contains') }]);
  });

  it('rejects bad keys, unknown function areas and unknown condition keys', () => {
    const issues = issuesOf({
      drivers: [{ key: 'Configuration/SSO', name: 'x', owningFunction: 'engineering' }, { key: 'ok', name: 'y', owningFunction: 'marketing' as 'support' }],
      rules: [{ key: 'a', driver: 'ok', when: { tga: 'x' } as never }],
    });
    expect(issues.map((i) => i.path)).toEqual(['drivers[0].key', 'drivers[1].owningFunction', 'rules[0].when']);
    expect(issues[0]?.message).toContain('configuration/sso');
    expect(issues[2]?.fix).toBe('remove tga');
  });

  it('summarises all issues in the error message with paths and fixes', () => {
    expect(() => compileTaxonomy({ drivers: [], rules: [{ key: 'a', driver: 'x', when: { tag: 't' } }] })).toThrow(
      /Invalid driver taxonomy:\n {2}rules\[0\]\.driver: refers to unknown driver 'x' — fix: declare the driver/,
    );
  });
});
