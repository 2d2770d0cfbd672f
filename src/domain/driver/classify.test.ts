import { describe, expect, it } from 'vitest';
import { classify } from './classify.ts';
import { compileTaxonomy } from './compile-taxonomy.ts';
import type { ConditionInput } from './condition-schema.ts';
import type { TaxonomyInput } from './taxonomy-schema.ts';
import { testTicket } from './test-tickets.ts';

const drivers: TaxonomyInput['drivers'] = [
  { key: 'configuration/sso', name: 'SSO', owningFunction: 'engineering' },
  { key: 'billing/refund', name: 'Refunds', owningFunction: 'finance' },
];

/** One rule → driver `configuration/sso`; returns whether the ticket matches it. */
function matches(when: ConditionInput, overrides: Parameters<typeof testTicket>[0]): boolean {
  const taxonomy = compileTaxonomy({ drivers, rules: [{ key: 'r', driver: 'configuration/sso', when }] });
  return classify(testTicket(overrides), taxonomy) !== null;
}

describe('classify', () => {
  it('matches a tag, or any of several tags', () => {
    expect(matches({ tag: 'sso' }, { tags: ['vip', 'sso'] })).toBe(true);
    expect(matches({ tag: 'sso' }, { tags: ['vip', 'ssox'] })).toBe(false);
    expect(matches({ tags: ['saml', 'sso'] }, { tags: ['saml'] })).toBe(true);
    expect(matches({ tags: ['saml', 'sso'] }, { tags: [] })).toBe(false);
  });

  it('matches a dropdown field by the raw value (`<id>:value`) or by the stored label (`<id>`)', () => {
    const when = { field: { id: '360000001001', equals: 'cr_sso' } };
    expect(matches(when, { customFields: { '360000001001': 'SSO', '360000001001:value': 'cr_sso' } })).toBe(true);
    expect(matches(when, { customFields: { '360000001001': 'cr_sso' } })).toBe(true);
    expect(matches({ field: { id: '360000001001', equals: 'SSO' } }, { customFields: { '360000001001': 'SSO', '360000001001:value': 'cr_sso' } })).toBe(true);
    expect(matches(when, { customFields: { '360000001001': 'Billing', '360000001001:value': 'cr_bill' } })).toBe(false);
    expect(matches(when, { customFields: { '999': 'cr_sso' } })).toBe(false);
  });

  it('treats dropdown as an alias of field, accepts `in`, numbers, booleans and multi-select arrays', () => {
    expect(matches({ dropdown: { id: 360000001001, in: ['cr_a', 'cr_sso'] } }, { customFields: { '360000001001:value': 'cr_sso' } })).toBe(true);
    expect(matches({ field: { id: '7', equals: 745 } }, { customFields: { '7': 745 } })).toBe(true);
    expect(matches({ field: { id: '7', equals: true } }, { customFields: { '7': true } })).toBe(true);
    expect(matches({ field: { id: '8', equals: 'b' } }, { customFields: { '8': ['a', 'b'] } })).toBe(true);
    expect(matches({ field: { id: '8', equals: 'b' } }, { customFields: { '8': null } })).toBe(false);
  });

  it('ignores prototype members when a field id is `constructor` or `__proto__`', () => {
    expect(matches({ field: { id: 'constructor', equals: 'function Object() { [native code] }' } }, {})).toBe(false);
    expect(matches({ field: { id: '__proto__', equals: '[object Object]' } }, {})).toBe(false);
  });

  it('matches a subject substring case-insensitively, with regex characters taken literally', () => {
    expect(matches({ subject: { contains: 'SAML' } }, { subject: 'our saml login broke' })).toBe(true);
    expect(matches({ subject: { contains: 'a.b (c)' } }, { subject: 'see A.B (C) now' })).toBe(true);
    expect(matches({ subject: { contains: 'a.b' } }, { subject: 'axb' })).toBe(false);
    expect(matches({ subject: { contains: 'SAML' } }, { subject: null })).toBe(false);
  });

  it('matches a subject regex, case-insensitively', () => {
    expect(matches({ subject: { matches: '^re(fund|imburse)' } }, { subject: 'Refund for order 12' })).toBe(true);
    expect(matches({ subject: { matches: '^re(fund|imburse)' } }, { subject: 'A refund' })).toBe(false);
  });

  it('matches channel, priority and category exactly, one value or a list', () => {
    expect(matches({ channel: 'email' }, { channel: 'email' })).toBe(true);
    expect(matches({ channel: ['chat', 'email'] }, { channel: 'web' })).toBe(false);
    expect(matches({ priority: ['high', 'urgent'] }, { priority: 'urgent' })).toBe(true);
    expect(matches({ priority: 'high' }, { priority: null })).toBe(false);
    expect(matches({ category: 'software' }, { category: 'software' })).toBe(true);
    expect(matches({ category: 'software' }, { category: 'Software' })).toBe(false);
  });

  it('matches who handled the ticket (Zendesk support_type): tickets of AI agents apart', () => {
    expect(matches({ supportType: 'ai_agent' }, { supportType: 'ai_agent' })).toBe(true);
    expect(matches({ supportType: 'ai_agent' }, { supportType: 'agent' })).toBe(false);
    expect(matches({ supportType: ['agent', 'ai_agent'] }, { supportType: null })).toBe(false);
    expect(matches({ all: [{ tag: 'sso' }, { supportType: 'ai_agent' }] }, { tags: ['sso'], supportType: 'ai_agent' })).toBe(true);
  });

  it('combines conditions with all and any, nested', () => {
    const when: ConditionInput = { all: [{ tag: 'sso' }, { any: [{ channel: 'email' }, { priority: 'urgent' }] }] };
    expect(matches(when, { tags: ['sso'], channel: 'email' })).toBe(true);
    expect(matches(when, { tags: ['sso'], channel: 'web', priority: 'urgent' })).toBe(true);
    expect(matches(when, { tags: ['sso'], channel: 'web', priority: 'low' })).toBe(false);
    expect(matches(when, { tags: [], channel: 'email' })).toBe(false);
  });

  it('returns the first matching rule in order, and null when nothing matches', () => {
    const taxonomy = compileTaxonomy({
      drivers,
      rules: [
        { key: 'refund-tag', driver: 'billing/refund', when: { tag: 'refund' } },
        { key: 'sso-tag', driver: 'configuration/sso', when: { tag: 'sso' } },
        { key: 'sso-subject', driver: 'configuration/sso', when: { subject: { contains: 'saml' } } },
      ],
    });
    expect(classify(testTicket({ tags: ['sso', 'refund'] }), taxonomy)).toEqual({ driverKey: 'billing/refund', ruleKey: 'refund-tag' });
    expect(classify(testTicket({ tags: ['sso'], subject: 'SAML' }), taxonomy)).toEqual({ driverKey: 'configuration/sso', ruleKey: 'sso-tag' });
    expect(classify(testTicket({ tags: [], subject: 'SAML' }), taxonomy)).toEqual({ driverKey: 'configuration/sso', ruleKey: 'sso-subject' });
    expect(classify(testTicket({ tags: ['vip'] }), taxonomy)).toBeNull();
  });

  it('keeps rule order inside a run of subject phrases, whatever comes first in the subject', () => {
    const taxonomy = compileTaxonomy({
      drivers,
      rules: [
        { key: 'sso-subject', driver: 'configuration/sso', when: { subject: { contains: 'saml' } } },
        { key: 'refund-subject', driver: 'billing/refund', when: { subject: { contains: 'refund (partial)' } } },
        { key: 'refund-tag', driver: 'billing/refund', when: { tag: 'refund' } },
        { key: 'sso-late', driver: 'configuration/sso', when: { subject: { contains: 'login' } } },
        { key: 'refund-late', driver: 'billing/refund', when: { subject: { contains: 'money' } } },
      ],
    });
    const subject = (text: string, tags: string[] = []) => classify(testTicket({ subject: text, tags }), taxonomy)?.ruleKey ?? null;
    expect(subject('Refund (partial) after SAML outage')).toBe('sso-subject');
    expect(subject('REFUND (PARTIAL) please')).toBe('refund-subject');
    expect(subject('refund partial')).toBeNull();
    expect(subject('money for login', ['refund'])).toBe('refund-tag');
    expect(subject('money for login')).toBe('sso-late');
    expect(subject('where is my money')).toBe('refund-late');
  });

  it('classifies with an empty taxonomy as unmatched', () => {
    expect(classify(testTicket(), compileTaxonomy({ drivers: [], rules: [] }))).toBeNull();
  });
});
