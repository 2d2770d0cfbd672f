import {
  contactReasonFieldId,
  driverCatalog,
  noiseTags,
  orderReferenceFieldId,
  type OwningFunction,
} from './driver-catalog.ts';
import { hash32, unitHash } from './random.ts';
import { descriptions, subjectFor } from './subjects.ts';
import { salt, signalKinds } from './ticket-lifecycle.ts';
import { flagAiAgent, flagMalformedDate, flagMalformedStatus, flagPoisonEscape, flagPoisonNul, flagPoisonSurrogate, flagPoisonYearZero } from './ticket-store.ts';
import type { TicketVersion } from './world.ts';

const groupByFunction: Readonly<Record<OwningFunction, number>> = {
  engineering: 360000020001,
  operations: 360000020002,
  finance: 360000020003,
  product: 360000020004,
  customer_success: 360000020005,
};
const tierOneGroup = 360000020000;
const noiseTagChance: Readonly<Record<(typeof noiseTags)[number], number>> = {
  enterprise: 0.2,
  eu: 0.15,
  mobile: 0.1,
  priority_support: 0.05,
  trial: 0.08,
  vip: 0.05,
  web: 0,
};

let cachedDay = Number.NaN;
let cachedDayPrefix = '';
const twoDigits = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `2026-03-10T12:00:00Z` (Zendesk's second precision); the date part is cached, pages are time-ordered. */
export function isoSeconds(sec: number): string {
  const day = Math.floor(sec / 86400);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * 86400000).toISOString().slice(0, 11);
  }
  const rest = sec - day * 86400;
  return `${cachedDayPrefix}${twoDigits(Math.floor(rest / 3600))}:${twoDigits(Math.floor(rest / 60) % 60)}:${twoDigits(rest % 60)}Z`;
}

function pick<T>(u: number, options: readonly (readonly [number, T])[], fallback: T): T {
  let running = 0;
  for (const [share, value] of options) {
    running += share;
    if (u < running) return value;
  }
  return fallback;
}

function tagsFor(seed: number, version: TicketVersion, channel: string): string[] {
  const driver = driverCatalog[version.driver] ?? driverCatalog[0];
  const signal = signalKinds[version.signal];
  const tags: string[] = [];
  if (signal === 'dropdown') tags.push(driver.dropdownValue);
  if (signal === 'tag') tags.push(driver.tag);
  noiseTags.forEach((tag, i) => {
    const chance = tag === 'web' ? (channel === 'web' ? 0.6 : 0) : noiseTagChance[tag];
    if (unitHash(seed, version.id, salt.noiseTags * 100 + i) < chance) tags.push(tag);
  });
  return tags.sort();
}

function satisfactionFor(seed: number, version: TicketVersion): Record<string, unknown> {
  if (version.status !== 'solved' && version.status !== 'closed') return { score: 'unoffered' };
  const u = unitHash(seed, version.id, salt.satisfaction);
  if (u < 0.22) return { id: 360400000000 + version.id, score: 'good', comment: 'Thanks, all sorted.' };
  if (u < 0.27) return { id: 360400000000 + version.id, score: 'bad', comment: 'Took too long.' };
  return { score: u < 0.6 ? 'offered' : 'unoffered' };
}

export interface RenderOptions {
  /** Typical description size in bytes (0: the short built-in texts); `largeShare` of tickets get `largeBytes`. */
  description: { bytes: number; largeShare: number; largeBytes: number };
}

const defaultRender: RenderOptions = { description: { bytes: 0, largeShare: 0, largeBytes: 0 } };

/**
 * A ticket as the incremental export returns it (shape of the documented example:
 * https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/#incremental-ticket-export-cursor-based),
 * regenerated from the seed and the id. Malformed tickets keep their id (so a connector can
 * quarantine them) but carry a created_at that is not a date or a status outside Zendesk's enum;
 * poison tickets are valid for Zendesk but carry what a database refuses (ticket-store.ts). A deleted
 * ticket keeps its updated_at (only generated_timestamp moves); a scrubbed one has lost its subject,
 * description, tags and field values (connectors/zendesk/NOTES.md).
 */
export function renderTicket(seed: number, version: TicketVersion, baseUrl: string, options: RenderOptions = defaultRender): Record<string, unknown> {
  const { id, scrubbed } = version;
  const u = (s: number): number => unitHash(seed, id, s);
  const driver = driverCatalog[version.driver] ?? driverCatalog[0];
  const signal = signalKinds[version.signal];
  const channel = pick(u(salt.channel), [[0.45, 'email'], [0.3, 'web'], [0.1, 'api']], 'chat');
  const subject = scrubbed ? 'SCRUBBED' : poisonSubject(version.flags, subjectFor(driver.key, signal === 'subject', u(salt.subject)));
  const orderReference = u(salt.orderReference) < 0.3 ? `ORD-${100000 + (hash32(seed, id, 77) % 900000)}` : null;
  const customFields = [
    { id: contactReasonFieldId, value: signal === 'dropdown' && !scrubbed ? driver.dropdownValue : null },
    { id: orderReferenceFieldId, value: scrubbed ? null : orderReference },
  ];
  const requesterId = 360100000000 + (hash32(seed, id, salt.requester) % 50000);
  return {
    url: `${baseUrl}/api/v2/tickets/${id}.json`,
    id,
    external_id: null,
    via: { channel, source: { from: {}, to: {}, rel: null } },
    created_at: version.flags & flagMalformedDate ? 'not-a-date' : version.flags & flagPoisonYearZero ? '0000-01-01T00:00:00Z' : isoSeconds(version.createdSec),
    updated_at: isoSeconds(version.updatedSec),
    generated_timestamp: version.versionSec,
    type: pick(u(salt.type), [[0.45, 'question'], [0.35, 'incident'], [0.05, 'problem'], [0.05, 'task']], null),
    subject,
    raw_subject: subject,
    description: scrubbed ? 'X' : descriptionOf(version, u, options),
    priority: pick(u(salt.priority), [[0.15, 'low'], [0.6, 'normal'], [0.2, 'high']], 'urgent'),
    status: version.flags & flagMalformedStatus ? 'archived' : version.status,
    recipient: null,
    requester_id: requesterId,
    submitter_id: requesterId,
    assignee_id: version.status === 'new' ? null : 360300000000 + (hash32(seed, id, salt.assignee) % 40),
    organization_id: u(salt.organization) < 0.8 ? 360200000000 + (hash32(seed, id, salt.organizationId) % 500) : null,
    group_id: u(salt.group) < 0.1 ? tierOneGroup : groupByFunction[driver.owningFunction],
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    forum_topic_id: null,
    problem_id: null,
    has_incidents: false,
    is_public: true,
    due_at: null,
    tags: scrubbed ? [] : tagsFor(seed, version, channel),
    custom_fields: customFields,
    fields: customFields,
    satisfaction_rating: satisfactionFor(seed, version),
    sharing_agreement_ids: [],
    followup_ids: [],
    ticket_form_id: 360000002001,
    brand_id: 360000003001,
    allow_channelback: false,
    allow_attachments: true,
    from_messaging_channel: false,
    support_type: version.flags & flagAiAgent ? 'ai_agent' : 'agent',
  };
}

function poisonSubject(flags: number, subject: string): string {
  if (flags & flagPoisonNul) return `${subject}\u0000`;
  if (flags & flagPoisonSurrogate) return `${subject} \ud83d`;
  return subject;
}

let filler = '';

/** A description of the configured size; text repeats a built-in one (sizes are what matter here). */
function descriptionOf(version: TicketVersion, u: (salt: number) => number, options: RenderOptions): string {
  const base = descriptions[Math.floor(u(salt.description) * descriptions.length)] ?? '';
  const text = version.flags & flagPoisonEscape ? `${base} (pasted from a log: \\u0000 and \\x00)` : base;
  const { bytes, largeShare, largeBytes } = options.description;
  const size = largeShare > 0 && u(salt.descriptionSize) < largeShare ? largeBytes : bytes;
  if (size <= text.length) return text;
  while (filler.length < size) filler += `${descriptions.join(' ')} `;
  return `${text} ${filler.slice(0, size - text.length - 1)}`;
}
