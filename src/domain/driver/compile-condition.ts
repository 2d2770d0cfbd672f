import type { CanonicalTicket } from '../ticket/canonical-ticket.ts';
import type { Condition } from './condition-schema.ts';
import { escapeRegExp } from './escape-regexp.ts';

/** The ticket fields rules can read (a CanonicalTicket, or a stored ticket row mapped to this). */
export type ClassifiableTicket = Pick<CanonicalTicket, 'tags' | 'customFields' | 'subject' | 'channel' | 'priority' | 'category' | 'supportType'>;
export type TicketPredicate = (ticket: ClassifiableTicket) => boolean;
type FieldValue = CanonicalTicket['customFields'][string];

/**
 * Compiles a parsed condition into a closure once, so classification does no parsing, no regex
 * compilation and no string building per ticket. Comparisons are exact except `subject`, which is
 * case-insensitive (a substring becomes an escaped `i` regex: no per-ticket lower-casing).
 */
export function compileCondition(condition: Condition): TicketPredicate {
  if (condition.tag !== undefined) return hasAnyTag([condition.tag]);
  if (condition.tags !== undefined) return hasAnyTag(condition.tags);
  const field = condition.field ?? condition.dropdown;
  if (field !== undefined) return fieldMatches(field.id, field.equals !== undefined ? [field.equals] : (field.in ?? []));
  if (condition.subject !== undefined) {
    const { contains, matches } = condition.subject;
    const pattern = new RegExp(contains !== undefined ? escapeRegExp(contains) : (matches ?? ''), 'i');
    return (t) => t.subject !== null && pattern.test(t.subject);
  }
  if (condition.channel !== undefined) return oneOf(condition.channel, (t) => t.channel);
  if (condition.priority !== undefined) return oneOf(condition.priority, (t) => t.priority);
  if (condition.category !== undefined) return oneOf(condition.category, (t) => t.category);
  if (condition.supportType !== undefined) return oneOf(condition.supportType, (t) => t.supportType);
  if (condition.all !== undefined) return allOf(condition.all.map(compileCondition));
  if (condition.any !== undefined) return anyOf(condition.any.map(compileCondition));
  // The schema rejects empty conditions; reaching this is a bug, not a user error.
  throw new Error('compileCondition: empty condition (not validated by conditionSchema?)');
}

function hasAnyTag(tags: string[]): TicketPredicate {
  const [only] = tags;
  if (tags.length === 1 && only !== undefined) return (t) => t.tags.includes(only);
  return (t) => {
    for (const tag of t.tags) if (tags.includes(tag)) return true;
    return false;
  };
}

/**
 * The Zendesk connector stores a dropdown twice: `<id>` → option label and `<id>:value` → raw
 * value (other connectors may store only `<id>`). A rule matches either, so rules can be written
 * with the stable value (`cr_sso`) or the label an agent sees.
 */
function fieldMatches(id: string, values: string[]): TicketPredicate {
  const valueKey = `${id}:value`;
  const wanted = new Set(values);
  return (t) => {
    const fields = t.customFields;
    return valueHit(fields[id], wanted) || valueHit(fields[valueKey], wanted);
  };
}

/** Only own data values count: an id like `constructor` reads a prototype member, ignored here. */
function valueHit(value: FieldValue | undefined, wanted: Set<string>): boolean {
  if (typeof value === 'string') return wanted.has(value);
  if (typeof value === 'number' || typeof value === 'boolean') return wanted.has(String(value));
  if (Array.isArray(value)) return value.some((v) => typeof v === 'string' && wanted.has(v));
  return false;
}

function oneOf(values: string[], read: (t: ClassifiableTicket) => string | null): TicketPredicate {
  return (t) => {
    const v = read(t);
    return v !== null && values.includes(v);
  };
}

function allOf(parts: TicketPredicate[]): TicketPredicate {
  return (t) => parts.every((p) => p(t));
}

function anyOf(parts: TicketPredicate[]): TicketPredicate {
  return (t) => parts.some((p) => p(t));
}
