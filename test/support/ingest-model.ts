import type { RandomSource } from '../../src/connector-kit/random.ts';
import type { Classifier } from '../../src/domain/driver/index.ts';
import { seriesKeyOf } from '../../src/domain/series/series-key.ts';
import type { CanonicalTicket, TicketStatus } from '../../src/domain/ticket/canonical-ticket.ts';
import { ticketContentHash } from '../../src/domain/ticket/content-hash.ts';

/**
 * The in-memory side of the seeded ingest/derive property test (test/store/ingest-property.test.ts):
 * a source that generates ticket versions, the order the store must keep them in, and the series a
 * from-scratch recount gives. Pure: no database, no clock, every choice from the injected PRNG.
 *
 * Version order is the page transaction's (src/store/ticket-page-sql.ts): (updatedAt, changedAt), a
 * missing change time first. A Zendesk deletion moves only the change time, not updated_at
 * (connectors/zendesk/NOTES.md "Deleted tickets"), so same-second ties are the normal case here.
 */
export const HOUR_MS = 3_600_000;
const SECOND_MS = 1000;
/** Every generated time is at or after this instant, in whole seconds (Zendesk times are seconds). */
export const MODEL_T0 = Date.parse('2026-11-01T00:00:00Z');

export interface Version {
  nativeId: string;
  ticket: CanonicalTicket;
  /** The source's change time (Zendesk generated_timestamp); null for a source without one. */
  changedAtMs: number | null;
  hash: string;
  /** Position in the source's change log (the order versions were generated in). */
  logIndex: number;
  /** How the source made it. */
  kind: ChangeKind | 'created';
}

/** < 0 when a is older than b: (updatedAt, changedAt), a missing change time first. */
export function compareVersions(a: Version, b: Version): number {
  const updated = Date.parse(a.ticket.updatedAt) - Date.parse(b.ticket.updatedAt);
  if (updated !== 0) return Math.sign(updated);
  const changed = (v: Version): number => v.changedAtMs ?? Number.NEGATIVE_INFINITY;
  const a1 = changed(a);
  const b1 = changed(b);
  return a1 === b1 ? 0 : a1 < b1 ? -1 : 1;
}

export const describeVersion = (v: Version): string =>
  `#${v.nativeId}@${v.ticket.updatedAt.slice(5, 19)}/${v.changedAtMs === null ? '-' : new Date(v.changedAtMs).toISOString().slice(11, 19)} ` +
  `${v.ticket.status} [${v.ticket.tags.join(',')}] created ${v.ticket.createdAt.slice(5, 16)} (log ${v.logIndex})`;

// ── Taxonomies ───────────────────────────────────────────────────────────────────────────────

export type TaxonomyName = 'A' | 'B' | 'C';

/** First matching tag wins, like rules in taxonomy order. */
export const TAXONOMY_RULES: Record<TaxonomyName, readonly (readonly [string, string])[]> = {
  A: [['sso', 'configuration/sso']],
  B: [['sso', 'access/login'], ['refund', 'billing/refund']],
  C: [['refund', 'billing/refund'], ['bug', 'product/bug'], ['sso', 'access/login']],
};

export const classifierOf = (name: TaxonomyName): Classifier => {
  const rules = TAXONOMY_RULES[name];
  return (ticket) => {
    for (const [tag, driverKey] of rules) if (ticket.tags.includes(tag)) return { driverKey, ruleKey: `${name}-${tag}` };
    return null;
  };
};

export const driverKeysOf = (name: TaxonomyName): string[] => [...new Set(TAXONOMY_RULES[name].map(([, d]) => d))];

// ── Random choices ───────────────────────────────────────────────────────────────────────────

export class Dice {
  readonly next: RandomSource;
  constructor(random: RandomSource) {
    this.next = random;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  /** Picks by weight: [[weight, value], …]. */
  weighted<T>(options: readonly (readonly [number, T])[]): T {
    const total = options.reduce((sum, [w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [w, value] of options) {
      roll -= w;
      if (roll < 0) return value;
    }
    const last = options.at(-1);
    if (!last) throw new Error('weighted pick from an empty list');
    return last[1];
  }
  subset<T>(items: readonly T[], p: number): T[] {
    return items.filter(() => this.chance(p));
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out;
  }
}

// ── The source ───────────────────────────────────────────────────────────────────────────────

export interface SourceOptions {
  /** The source has change times (Zendesk); without, versions never tie on updatedAt. */
  changeTimes: boolean;
  /**
   * Allow a same-second version whose content equals the version before the one it replaces (a tag
   * added and removed again in one second; a deletion undone without updated_at moving).
   */
  reverts: boolean;
}

export type ChangeKind = 'edit' | 'tie-edit' | 'status' | 'delete' | 'restore' | 'move-created' | 'revert';

const TAGS = ['sso', 'refund', 'bug', 'vip'] as const;
const LIVE_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on_hold', 'resolved', 'closed'];

/**
 * Every ticket's versions in order. Each version is strictly newer than the one before by
 * (updatedAt, changedAt); without `reverts`, each also has content no other version has (the subject
 * carries a global revision), so a content hash names exactly one version.
 */
export class SourceModel {
  readonly versions = new Map<string, Version[]>();
  /** The change log: every version in the order it was generated. */
  readonly log: Version[] = [];
  private revision = 0;
  private readonly dice: Dice;
  private readonly options: SourceOptions;

  constructor(dice: Dice, options: SourceOptions) {
    this.dice = dice;
    this.options = options;
  }

  ids(): string[] {
    return [...this.versions.keys()];
  }

  private tags(): string[] {
    return TAGS.filter(() => this.dice.chance(0.35));
  }

  private push(version: Omit<Version, 'hash' | 'logIndex'>): Version {
    const full: Version = { ...version, hash: ticketContentHash(version.ticket), logIndex: this.log.length };
    const list = this.versions.get(version.nativeId) ?? [];
    const last = list.at(-1);
    if (last && compareVersions(last, full) >= 0) throw new Error(`model: version of #${version.nativeId} not newer than the last`);
    list.push(full);
    this.versions.set(version.nativeId, list);
    this.log.push(full);
    return full;
  }

  create(): Version {
    const id = String(this.versions.size + 1);
    // Created somewhere in three days of hours, updated (first seen) up to a day later.
    const createdMs = MODEL_T0 + this.dice.int(0, 72 * 60) * 60 * SECOND_MS + this.dice.int(0, 59) * SECOND_MS;
    const updatedMs = createdMs + this.dice.int(0, 24 * 3600) * SECOND_MS;
    const ticket: CanonicalTicket = {
      nativeId: id, key: id, url: null, subject: `#${id} r${++this.revision}`, status: this.dice.pick(['new', 'open'] as const), priority: 'normal',
      channel: 'web', type: null, customerAccount: null, requesterRef: null, group: null, product: null, component: null, service: null,
      category: null, subcategory: null, tags: this.tags(), formId: null, customFields: {}, csat: null, slaBreached: null, reopenCount: 0,
      createdAt: new Date(createdMs).toISOString(), updatedAt: new Date(updatedMs).toISOString(), resolvedAt: null, closedAt: null, supportType: null,
    };
    return this.push({ nativeId: id, ticket, changedAtMs: this.options.changeTimes ? updatedMs + this.dice.int(0, 3) * SECOND_MS : null, kind: 'created' });
  }

  /** A new version of the ticket; returns what kind of change it was. */
  change(id: string): ChangeKind {
    const list = this.versions.get(id);
    const last = list?.at(-1);
    if (!list || !last) throw new Error(`model: no ticket #${id}`);
    const before = list.at(-2);
    const ties = this.options.changeTimes;
    const deleted = last.ticket.status === 'deleted';
    const canRevert = this.options.reverts && ties && before !== undefined && before.ticket.updatedAt === last.ticket.updatedAt && before.hash !== last.hash;
    const kind: ChangeKind = deleted
      ? this.dice.weighted([[3, 'restore'], [1, 'move-created'], ...(canRevert ? ([[3, 'revert']] as const) : [])])
      : this.dice.weighted([
          [3, 'edit'], ...(ties ? ([[3, 'tie-edit']] as const) : []), [2, 'status'], [2, 'delete'], [2, 'move-created'],
          ...(canRevert ? ([[3, 'revert']] as const) : []),
        ]);
    const lastUpdated = Date.parse(last.ticket.updatedAt);
    // A tie keeps updated_at and moves only the change time; without change times nothing may tie.
    const tie = ties && (kind === 'tie-edit' || kind === 'delete' || kind === 'revert' || (kind !== 'edit' && this.dice.chance(0.4)));
    const updatedMs = tie ? lastUpdated : lastUpdated + this.dice.int(1, 90) * SECOND_MS;
    const changedAtMs = ties ? Math.max((last.changedAtMs ?? 0) + this.dice.int(1, 20) * SECOND_MS, updatedMs) : null;
    if (kind === 'revert' && before) {
      // The content of the version before the last, byte for byte (same updated_at: the tie above).
      this.push({ nativeId: id, ticket: before.ticket, changedAtMs, kind });
      return kind;
    }
    const next: CanonicalTicket = { ...last.ticket, subject: `#${id} r${++this.revision}`, updatedAt: new Date(updatedMs).toISOString() };
    switch (kind) {
      case 'edit':
      case 'tie-edit':
        next.tags = this.tags();
        break;
      case 'status':
        next.status = this.dice.pick(LIVE_STATUSES.filter((s) => s !== last.ticket.status));
        break;
      case 'delete':
        next.status = 'deleted';
        break;
      case 'restore':
        next.status = 'open';
        break;
      case 'move-created': {
        // Across hours and sometimes by minutes only (a fix of a wrong time zone, a merge of tickets).
        const shift = this.dice.chance(0.5) ? this.dice.int(1, 3) * HOUR_MS : this.dice.int(1, 59) * 60 * SECOND_MS;
        const moved = Date.parse(last.ticket.createdAt) + (this.dice.chance(0.5) ? -shift : shift);
        next.createdAt = new Date(Math.max(MODEL_T0, Math.min(moved, updatedMs))).toISOString();
        break;
      }
      default:
        break;
    }
    this.push({ nativeId: id, ticket: next, changedAtMs, kind });
    return kind;
  }

  latest(id: string): Version {
    const v = this.versions.get(id)?.at(-1);
    if (!v) throw new Error(`model: no ticket #${id}`);
    return v;
  }

  /** The version that was current once the first `position` log entries had happened (null: not yet created). */
  asOf(id: string, position: number): Version | null {
    let found: Version | null = null;
    for (const v of this.versions.get(id) ?? []) {
      if (v.logIndex < position) found = v;
      else break;
    }
    return found;
  }

  /** Any version of the ticket ever generated. */
  anyVersion(id: string): Version {
    return this.dice.pick(this.versions.get(id) ?? []);
  }
}

// ── What the store must hold ─────────────────────────────────────────────────────────────────

export interface ExpectedOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * The newest version delivered so far of every ticket: what the store must hold, whatever order the
 * pages arrived in. Also keeps which versions must have been superseded into ticket_versions, and
 * tallies what the pages exercised (so a generator change that stops producing a case is noticed).
 */
export class StoreModel {
  readonly newest = new Map<string, Version>();
  /** Per ticket, the versions that were the stored one and then lost to a newer one (sequential steps). */
  readonly superseded = new Map<string, Version[]>();
  /** Versions delivered by pages that ran concurrently: they may or may not have been stored in between. */
  readonly maybeSuperseded = new Map<string, Version[]>();
  /** Event → count: `wins:<kind>` a newer version of that kind applied, `refused:tie` an older same-second version refused, … */
  readonly tally = new Map<string, number>();

  private count(event: string): void {
    this.tally.set(event, (this.tally.get(event) ?? 0) + 1);
  }

  /** A page's tickets as the writer keeps them: per ticket the newest in the page (the later one on a tie). */
  static latestPerTicket(versions: readonly Version[]): Version[] {
    const byId = new Map<string, Version>();
    for (const v of versions) {
      const seen = byId.get(v.nativeId);
      if (!seen || compareVersions(seen, v) <= 0) byId.set(v.nativeId, v);
    }
    return [...byId.values()];
  }

  /**
   * Applies a committed page; returns the outcome the writer must report. `concurrent`: the page ran
   * beside another one, so which versions were stored in between is unknown (the end state is not).
   */
  apply(versions: readonly Version[], concurrent = false): ExpectedOutcome {
    const outcome: ExpectedOutcome = { inserted: 0, updated: 0, unchanged: 0 };
    const kept = StoreModel.latestPerTicket(versions);
    if (kept.length < versions.length) this.count('page:duplicates');
    for (const v of kept) {
      const known = this.newest.get(v.nativeId);
      if (!known) {
        outcome.inserted += 1;
        this.newest.set(v.nativeId, v);
      } else if (compareVersions(known, v) < 0) {
        // Newer: stored, unless its content is what is stored already (then there is nothing to write).
        if (known.hash !== v.hash) {
          outcome.updated += 1;
          this.count(`wins:${v.kind}${known.ticket.updatedAt === v.ticket.updatedAt ? ':tie' : ''}`);
          const list = concurrent ? this.maybeSuperseded : this.superseded;
          list.set(v.nativeId, [...(list.get(v.nativeId) ?? []), known]);
        } else outcome.unchanged += 1;
        this.newest.set(v.nativeId, v);
      } else {
        outcome.unchanged += 1;
        if (known.hash !== v.hash) this.count(known.ticket.updatedAt === v.ticket.updatedAt ? 'refused:tie' : 'refused:older');
        else this.count('replayed');
      }
      if (concurrent) this.maybeSuperseded.set(v.nativeId, [...(this.maybeSuperseded.get(v.nativeId) ?? []), v]);
    }
    return outcome;
  }
}

// ── The series a recount gives ───────────────────────────────────────────────────────────────

export const pointKey = (seriesKey: string, bucketMs: number): string => `${seriesKey}@${new Date(bucketMs).toISOString()}`;

/** A ticket counts +1 in the UTC hour of its createdAt under its driver (or unmatched), nothing when deleted. */
export function expectedPoints(versions: Iterable<Version>, classify: Classifier, connectorKey: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of versions) {
    if (v.ticket.status === 'deleted') continue;
    const key = pointKey(seriesKeyOf(connectorKey, classify(v.ticket)?.driverKey ?? null), Math.floor(Date.parse(v.ticket.createdAt) / HOUR_MS) * HOUR_MS);
    out[key] = (out[key] ?? 0) + 1;
  }
  return sortedRecord(out);
}

export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
