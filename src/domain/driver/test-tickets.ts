import type { CanonicalTicket } from '../ticket/canonical-ticket.ts';

/** A plain open ticket with no driver signal; tests override what they need. */
export function testTicket(overrides: Partial<CanonicalTicket> = {}): CanonicalTicket {
  return {
    nativeId: '1',
    key: null,
    url: null,
    subject: 'Question about my account',
    status: 'open',
    priority: 'normal',
    channel: 'web',
    type: null,
    customerAccount: null,
    requesterRef: null,
    group: null,
    product: null,
    component: null,
    service: null,
    category: null,
    subcategory: null,
    tags: ['vip', 'web'],
    formId: null,
    customFields: {},
    csat: null,
    slaBreached: null,
    reopenCount: 0,
    createdAt: '2026-03-01T10:00:00Z',
    updatedAt: '2026-03-01T10:00:00Z',
    resolvedAt: null,
    closedAt: null,
    supportType: null,
    ...overrides,
  };
}
