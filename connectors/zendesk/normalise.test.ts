import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalTicketSchema } from '../../src/domain/ticket/canonical-ticket.ts';
import { fieldLabelsFrom, noFieldLabels } from './field-labels.ts';
import { normaliseZendeskTicket } from './normalise.ts';
import { exportPageSchema, ticketFieldsPageSchema } from './raw-schemas.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const page1 = exportPageSchema.parse(fixture('export-page-1.json'));
const page2 = exportPageSchema.parse(fixture('export-page-2.json'));
const labels = fieldLabelsFrom([
  ...ticketFieldsPageSchema.parse(fixture('ticket-fields-page-1.json')).ticket_fields,
  ...ticketFieldsPageSchema.parse(fixture('ticket-fields-page-2.json')).ticket_fields,
]);
const BASE = 'https://acme.zendesk.com';
const [sample, deleted, onHold] = page1.tickets;
const [solved, malformed] = page2.tickets;

function ok(raw: unknown, fieldLabels = labels) {
  const result = normaliseZendeskTicket(raw, fieldLabels, BASE);
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}`);
  return result.ticket;
}

describe('normaliseZendeskTicket', () => {
  it('maps the documented sample ticket', () => {
    expect(ok(sample)).toEqual({
      nativeId: '35436',
      key: '35436',
      url: 'https://acme.zendesk.com/agent/tickets/35436',
      subject: 'Help, my printer is on fire!',
      status: 'open',
      priority: 'high',
      channel: 'web',
      type: 'incident',
      customerAccount: '509974',
      requesterRef: '20978392',
      group: '98738',
      product: null,
      component: null,
      service: null,
      category: null,
      subcategory: null,
      tags: ['enterprise', 'other_tag', 'cr_sso'],
      formId: '360000000101',
      customFields: { '27642': '745', '27648': 'yes', '360000001001': 'SSO configuration', '360000001001:value': 'cr_sso' },
      csat: 'good',
      slaBreached: null,
      reopenCount: 0,
      createdAt: '2009-07-20T22:55:29.000Z',
      updatedAt: '2011-05-05T10:38:52.000Z',
      resolvedAt: null,
      closedAt: null,
      supportType: null,
    });
  });

  it('carries the change time (generated_timestamp) beside the ticket, outside its content', () => {
    const result = normaliseZendeskTicket(sample, labels, BASE);
    expect(result).toMatchObject({ ok: true, changedAt: '2024-08-14T18:41:37.000Z', erasedBySource: false });
    const later = normaliseZendeskTicket({ ...Object(sample), generated_timestamp: 1723660999 }, labels, BASE);
    expect(later.ok && result.ok && later.ticket).toEqual(result.ok && result.ticket);
  });

  it('keeps support_type (tickets handled by Zendesk AI agents)', () => {
    expect(ok({ ...Object(sample), support_type: 'ai_agent' }).supportType).toBe('ai_agent');
  });

  it('recognises a scrubbed tombstone as the source erasing personal data, and only that', () => {
    const scrubbed = { ...Object(deleted), subject: 'SCRUBBED', raw_subject: 'SCRUBBED', description: 'X', tags: [], custom_fields: [] };
    expect(normaliseZendeskTicket(scrubbed, labels, BASE)).toMatchObject({ ok: true, erasedBySource: true, ticket: { status: 'deleted' } });
    expect(normaliseZendeskTicket(deleted, labels, BASE)).toMatchObject({ ok: true, erasedBySource: false });
    expect(normaliseZendeskTicket({ ...Object(sample), subject: 'SCRUBBED' }, labels, BASE)).toMatchObject({ ok: true, erasedBySource: false });
  });

  it('produces tickets that satisfy the canonical schema', () => {
    for (const raw of [sample, deleted, onHold, solved]) expect(canonicalTicketSchema.safeParse(ok(raw)).success).toBe(true);
  });

  it('maps statuses: hold → on_hold, solved → resolved, deleted → deleted', () => {
    expect(ok(onHold).status).toBe('on_hold');
    expect(ok(solved).status).toBe('resolved');
    expect(ok(deleted).status).toBe('deleted');
    const statuses = ['new', 'open', 'pending', 'hold', 'solved', 'closed', 'deleted'].map((status) => ok({ ...Object(sample), status }).status);
    expect(statuses).toEqual(['new', 'open', 'pending', 'on_hold', 'resolved', 'closed', 'deleted']);
  });

  it('resolves dropdown and multiselect labels, keeps raw values beside them, drops empty values', () => {
    expect(ok(onHold).customFields).toEqual({
      '360000002002': ['Reporting', 'Public API'],
      '360000002002:value': ['pa_reporting', 'pa_api'],
      '360000003003': 'Gold',
      '360000004004': true,
    });
    expect(ok(deleted).customFields).toEqual({ '360000001001': 'Refunds', '360000001001:value': 'cr_refund' });
  });

  it('keeps raw values when labels are unknown (before prepare, or an option removed since)', () => {
    expect(ok(sample, noFieldLabels).customFields['360000001001']).toBe('cr_sso');
    const unknownOption = { ...Object(sample), custom_fields: [{ id: 360000001001, value: 'cr_retired' }] };
    expect(ok(unknownOption).customFields).toEqual({ '360000001001': 'cr_retired', '360000001001:value': 'cr_retired' });
  });

  it('maps CSAT good / bad and leaves offered as null; null priority and group stay null', () => {
    expect(ok(solved).csat).toBe('bad');
    const held = ok(onHold);
    expect([held.csat, held.priority, held.group, held.type, held.channel]).toEqual([null, null, null, null, 'api']);
  });

  it('quarantines a malformed record with a short path: message reason, never throwing', () => {
    expect(normaliseZendeskTicket(malformed, labels, BASE)).toEqual({ ok: false, nativeId: '35440', reason: 'created_at: Invalid ISO datetime' });
    const badStatus = normaliseZendeskTicket({ ...Object(sample), status: 'archived' }, labels, BASE);
    expect(badStatus).toMatchObject({ ok: false, nativeId: '35436' });
    if (!badStatus.ok) expect(badStatus.reason).toMatch(/^status: /);
    const two = normaliseZendeskTicket({ ...Object(sample), tags: 'sso', via: {} }, labels, BASE);
    if (!two.ok) expect(two.reason).toMatch(/^tags: .*\(\+1 more\)$/);
    else expect.unreachable('tags must be an array');
  });

  it('never throws on junk', () => {
    for (const junk of [null, undefined, 42, 'ticket', [], {}, { id: 'abc' }, { id: 7, created_at: 5 }]) {
      const result = normaliseZendeskTicket(junk, labels, BASE);
      expect(result.ok).toBe(false);
    }
    expect(normaliseZendeskTicket({ id: 7 }, labels, BASE)).toMatchObject({ ok: false, nativeId: '7' });
    expect(normaliseZendeskTicket(null, labels, BASE)).toMatchObject({ ok: false, nativeId: null });
  });
});
