import { describe, expect, it } from 'vitest';
import type { Classifier } from '../driver/compile-taxonomy.ts';
import { testTicket } from '../driver/test-tickets.ts';
import { type DeriveInput, planDerive } from './plan-derive.ts';

const bySubject: Classifier = (t) => (t.subject?.includes('SSO') ? { driverKey: 'configuration/sso', ruleKey: 'sso-subject' } : null);
const hour = Date.parse('2026-03-01T10:00:00Z');

const row = (overrides: Partial<DeriveInput>): DeriveInput => ({
  ticketId: 1n, createdAt: '2026-03-01T10:20:00Z', deleted: false, contentHash: 'h2', previous: null, ...overrides,
});

describe('planDerive', () => {
  it('keeps the driver an erased ticket was classified under: its blanked fields no longer tell', () => {
    const previous = { driverKey: 'configuration/sso', ruleKey: 'sso-subject', ticketHash: 'h1', counted: { driverKey: 'configuration/sso', bucketStartMs: hour } };
    const erased = row({ erased: true, deleted: true, previous, ticket: testTicket({ subject: null, status: 'deleted' }) });
    const plan = planDerive([erased], bySubject);
    expect(plan.classifications).toEqual([{ ticketId: 1n, driverKey: 'configuration/sso', ruleKey: 'sso-subject', ticketHash: 'h2', counted: null }]);
    expect(plan.deltas).toEqual([{ driverKey: 'configuration/sso', bucketStartMs: hour, delta: -1 }]);
  });

  it('classifies an erased ticket that has no classification yet from what is stored', () => {
    const plan = planDerive([row({ erased: true, ticket: testTicket({ subject: null }) })], bySubject);
    expect(plan.classifications).toEqual([{ ticketId: 1n, driverKey: null, ruleKey: null, ticketHash: 'h2', counted: { driverKey: null, bucketStartMs: hour } }]);
  });

  it('re-classifies a changed ticket that is not erased', () => {
    const previous = { driverKey: null, ruleKey: null, ticketHash: 'h1', counted: { driverKey: null, bucketStartMs: hour } };
    const plan = planDerive([row({ previous, ticket: testTicket({ subject: 'SSO login loop' }) })], bySubject);
    expect(plan.deltas).toEqual([
      { driverKey: null, bucketStartMs: hour, delta: -1 },
      { driverKey: 'configuration/sso', bucketStartMs: hour, delta: 1 },
    ]);
  });
});
