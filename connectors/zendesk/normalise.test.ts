import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalTicketSchema } from '../../src/domain/ticket/canonical-ticket.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';
import { fieldLabelsFrom, noFieldLabels } from './field-labels.ts';
import { attachMetricSets } from './metric-sets.ts';
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

describe('normaliseZendeskTicket with ticket metrics (include=metric_sets)', () => {
  /** Both fixture pages with their metric sets joined, as the session does (fresh copies). */
  function joinedPages() {
    const pages = [fixture('export-page-1.json'), fixture('export-page-2.json')].map((page) => exportPageSchema.parse(page));
    for (const page of pages) attachMetricSets(page.tickets, page.metric_sets);
    const [sampleJoined, deletedJoined, onHoldJoined] = pages[0]?.tickets ?? [];
    const [solvedJoined, malformedJoined] = pages[1]?.tickets ?? [];
    return { sampleJoined, deletedJoined, onHoldJoined, solvedJoined, malformedJoined };
  }
  const metricOf = (raw: unknown): Record<string, unknown> => Object((raw as Record<string, unknown>)['metric_set']);

  it('joins by ticket_id within the page; a ticket without a metric set (deleted) gets none', () => {
    const { sampleJoined, deletedJoined, onHoldJoined, solvedJoined, malformedJoined } = joinedPages();
    expect([sampleJoined, deletedJoined, onHoldJoined, solvedJoined, malformedJoined].map((t) => metricOf(t)['ticket_id'] ?? null)).toEqual([35436, null, 35438, 35439, 35440]);
  });

  it('maps solved_at → resolvedAt and reopens → reopenCount; slaBreached stays null', () => {
    const { solvedJoined } = joinedPages();
    expect(ok(solvedJoined)).toMatchObject({ status: 'resolved', resolvedAt: '2024-08-14T19:05:23.000Z', closedAt: null, reopenCount: 1, slaBreached: null });
    expect(canonicalTicketSchema.safeParse(ok(solvedJoined)).success).toBe(true);
  });

  it('a reopened ticket that is open again is not resolved, but counts its reopen', () => {
    const { sampleJoined } = joinedPages();
    expect(metricOf(sampleJoined)['solved_at']).toBe('2010-02-12T09:00:00Z');
    expect(ok(sampleJoined)).toMatchObject({ status: 'open', resolvedAt: null, closedAt: null, reopenCount: 1 });
  });

  it('a closed ticket: closedAt is when its status last changed; resolved when solved, or when closed unsolved', () => {
    const { solvedJoined } = joinedPages();
    const closedAt = '2024-08-18T19:05:23Z';
    const closed = { ...Object(solvedJoined), status: 'closed', updated_at: closedAt, metric_set: { ...metricOf(solvedJoined), status_updated_at: closedAt } };
    expect(ok(closed)).toMatchObject({ status: 'closed', resolvedAt: '2024-08-14T19:05:23.000Z', closedAt: '2024-08-18T19:05:23.000Z', reopenCount: 1 });
    const closedUnsolved = { ...closed, metric_set: { ...closed.metric_set, solved_at: null, reopens: 0 } };
    expect(ok(closedUnsolved)).toMatchObject({ resolvedAt: '2024-08-18T19:05:23.000Z', closedAt: '2024-08-18T19:05:23.000Z', reopenCount: 0 });
  });

  it('without a metric set (or with another ticket’s) resolvedAt/closedAt stay null and reopenCount 0', () => {
    const { solvedJoined, onHoldJoined } = joinedPages();
    expect(ok(solved)).toMatchObject({ status: 'resolved', resolvedAt: null, closedAt: null, reopenCount: 0 });
    expect(ok({ ...Object(solvedJoined), metric_set: null })).toMatchObject({ resolvedAt: null, reopenCount: 0 });
    expect(ok({ ...Object(solvedJoined), metric_set: { ...metricOf(solvedJoined), ticket_id: 1 } })).toMatchObject({ resolvedAt: null, reopenCount: 0 });
    expect(ok(onHoldJoined)).toMatchObject({ status: 'on_hold', resolvedAt: null, closedAt: null, reopenCount: 0 });
  });

  it('reads null where Zendesk has nothing yet, and quarantines a metric set that is malformed', () => {
    const { solvedJoined } = joinedPages();
    const unknownSoFar = { ...Object(solvedJoined), metric_set: { ticket_id: 35439, solved_at: null, status_updated_at: null, reopens: null } };
    expect(ok(unknownSoFar)).toMatchObject({ resolvedAt: null, reopenCount: 0 });
    const bad = normaliseZendeskTicket({ ...Object(solvedJoined), metric_set: { ...metricOf(solvedJoined), solved_at: 'last week' } }, labels, BASE);
    expect(bad).toEqual({ ok: false, nativeId: '35439', reason: 'metric_set.solved_at: Invalid ISO datetime' });
  });

  it('metrics are content: a changed reopen count or resolution changes the content hash, other metric fields do not', () => {
    const { solvedJoined } = joinedPages();
    const base = ticketContentHash(ok(solvedJoined));
    const reopenedTwice = { ...Object(solvedJoined), metric_set: { ...metricOf(solvedJoined), reopens: 2 } };
    const resolvedLater = { ...Object(solvedJoined), metric_set: { ...metricOf(solvedJoined), solved_at: '2024-08-14T20:00:00Z' } };
    const moreReplies = { ...Object(solvedJoined), metric_set: { ...metricOf(solvedJoined), replies: 9, updated_at: '2024-08-15T00:00:00Z' } };
    expect(ticketContentHash(ok(reopenedTwice))).not.toBe(base);
    expect(ticketContentHash(ok(resolvedLater))).not.toBe(base);
    expect(ticketContentHash(ok(moreReplies))).toBe(base);
  });
});
