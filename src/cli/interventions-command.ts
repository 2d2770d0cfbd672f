import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { interventionStatuses, type InterventionStatus, type UserAction } from '../domain/intervention/lifecycle.ts';
import { textTable } from '../evaluation/offline-detect/text-table.ts';
import type { Services } from '../main/services.ts';
import {
  findInterventionIds,
  getIntervention,
  type InterventionDetail,
  listInterventions,
  type OrganizationRef,
  severities,
  type Severity,
} from '../store/intervention-queries.ts';
import { transitionIntervention } from '../store/intervention-transitions.ts';
import { inTransaction } from '../store/transaction.ts';
import { chooseOrganization, orgOption } from './choose-organization.ts';
import { CliError } from './cli-error.ts';
import { withServices } from './run-with-services.ts';

/**
 * `frontline interventions list|show|ack|start|resolve` — the intervention items the detect stage
 * raised (README "Spikes and interventions"): what is open, everything about one item, and the
 * transitions people make, each an audit record with `cli:<who>` as the actor.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A short id as `list` prints it (at least 4 characters of the UUID). */
const ID_PREFIX = /^[0-9a-f][0-9a-f-]{3,35}$/i;
const LIST_LIMIT = 200;
const TITLE_WIDTH = 72;
const NO_CONTROL = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$/;

const ACTION_WORDS: Record<UserAction, string> = { ack: 'acknowledged', start: 'started', resolve: 'resolved' };

export function registerInterventionsCommand(program: Command): void {
  const interventions = program.command('interventions').description('intervention items raised from spikes: list, show, acknowledge, start, resolve');
  interventions
    .command('list')
    .description('intervention items, newest first: id, status, severity, due (local time), owner, title')
    .addOption(new Option('--status <status>', 'only items with this status').choices(interventionStatuses))
    .option('--owner <email>', "only items this person owns")
    .option('--driver <key>', 'only items of this driver, or of a family with a prefix ending in "/"')
    .addOption(new Option('--severity <severity>', 'only items of this severity').choices(severities))
    .addOption(orgOption())
    .option('--json', 'machine-readable output')
    .action((options: ListOptions) => withServices((services) => list(services, options)));
  interventions
    .command('show')
    .description('one item: status, owner, participants, due date and meeting, ask, narrative, evidence with ticket links, history')
    .argument('<id>', 'item id, or a unique prefix of it (as `list` prints it)')
    .addOption(orgOption())
    .option('--json', 'machine-readable output')
    .action((id: string, options: { org?: string; json?: boolean }) => withServices((services) => show(services, id, options)));
  for (const [action, description] of [
    ['ack', 'acknowledge an item: you have seen it and own the next step'],
    ['start', 'mark an item in progress: work on the fix has begun'],
    ['resolve', 'resolve an item: the fix is out (the detect stage then verifies the effect, or reopens it)'],
  ] as const) {
    interventions
      .command(action)
      .description(description)
      .argument('<id>', 'item id, or a unique prefix of it')
      .option('--reason <text>', 'why (recorded in the audit log)')
      .addOption(asOption())
      .addOption(orgOption())
      .action((id: string, options: TransitionOptions) => withServices((services) => transitionCommand(services, action, id, options)));
  }
}

interface ListOptions {
  status?: InterventionStatus;
  owner?: string;
  driver?: string;
  severity?: Severity;
  org?: string;
  json?: boolean;
}

interface TransitionOptions {
  reason?: string;
  as?: string;
  org?: string;
}

export const asOption = (): Option => new Option('--as <email>', 'who does it, recorded in the audit log as cli:<email> (default: your OS user name)');

/** `cli:<--as>` or `cli:<OS user name>`: never empty, never a control character. */
export function cliActor(as: string | undefined): string {
  const who = (as ?? osUserName()).trim();
  if (who.length === 0 || who.length > 200 || !NO_CONTROL.test(who)) throw new CliError('--as must be 1 to 200 printable characters, e.g. your e-mail', 2);
  return `cli:${who}`;
}

function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment is the next best witness.
    return process.env['USER'] ?? process.env['LOGNAME'] ?? 'unknown';
  }
}

/** A reason as typed: trimmed, null when empty; control characters other than tab and line breaks refused. */
export function cliReason(text: string | undefined, option = '--reason'): string | null {
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (trimmed.length > 2000 || !NO_CONTROL.test(trimmed)) throw new CliError(`${option} must be at most 2000 characters without control characters`, 2);
  return trimmed === '' ? null : trimmed;
}

/** "2026-03-02 10:14" in `timeZone`. */
export function localTime(at: Date | number | string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

const shortId = (id: string): string => id.slice(0, 8);
const clip = (text: string, width: number): string => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
const person = (p: { name: string; email: string } | null): string => (p === null ? '—' : `${p.name} <${p.email}>`);

async function list(services: Services, options: ListOptions): Promise<void> {
  const org = await chooseOrganization(services, options.org);
  const page = await listInterventions(services.db.prisma, org.id, {
    limit: LIST_LIMIT,
    ...(options.status === undefined ? {} : { status: options.status }),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    ...(options.driver === undefined ? {} : { driver: options.driver }),
    ...(options.severity === undefined ? {} : { severity: options.severity }),
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ organization: org.key, timeZone: org.timeZone, items: page.items }, null, 2)}\n`);
    return;
  }
  if (page.items.length === 0) {
    const filtered = options.status !== undefined || options.owner !== undefined || options.driver !== undefined || options.severity !== undefined;
    process.stdout.write(`no intervention items in ${org.key}${filtered ? ' match these filters' : ' yet: the detect stage raises them from spikes'}\n`);
    return;
  }
  process.stdout.write(textTable(
    ['id', 'status', 'severity', `due (${org.timeZone})`, 'owner', 'title'],
    page.items.map((i) => [shortId(i.id), i.status, i.severity, localTime(i.dueAt, org.timeZone), i.owner?.email ?? '—', clip(i.title, TITLE_WIDTH)]),
  ));
  if (page.nextCursor !== null) process.stdout.write(`(the ${LIST_LIMIT} newest shown: narrow it with --status, --owner, --driver or --severity)\n`);
}

/** A full id, or the one item a prefix names; unknown and ambiguous ids are exit 2. */
async function resolveItemId(services: Services, org: OrganizationRef, text: string): Promise<string> {
  const id = text.trim().toLowerCase();
  if (UUID.test(id)) return id;
  if (!ID_PREFIX.test(id)) throw new CliError(`"${text}" is not an intervention id: give the id or its first characters as \`frontline interventions list\` prints them`, 2);
  const matches = await findInterventionIds(services.db.prisma, org.id, id);
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) throw unknownItem(text, org);
  throw new CliError(`"${text}" matches several items in ${org.key} (${matches.map(shortId).join(', ')}…): give more of the id`, 2);
}

const unknownItem = (text: string, org: OrganizationRef): CliError =>
  new CliError(`no intervention item "${text}" in ${org.key}: see \`frontline interventions list\` for the ids`, 2);

async function show(services: Services, text: string, options: { org?: string; json?: boolean }): Promise<void> {
  const org = await chooseOrganization(services, options.org);
  const item = await getIntervention(services.db.prisma, org.id, await resolveItemId(services, org, text));
  if (!item) throw unknownItem(text, org);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ organization: org.key, timeZone: org.timeZone, ...item }, null, 2)}\n`);
    return;
  }
  process.stdout.write(formatItem(item, org.timeZone));
}

/** The item as a person reads it, times in the organization's zone. */
export function formatItem(item: InterventionDetail, timeZone: string): string {
  const local = (at: Date | string): string => localTime(at, timeZone);
  const out: string[] = [item.title, ''];
  const field = (name: string, value: string): void => void out.push(`${`${name}:`.padEnd(14)}${value}`);
  field('id', item.id);
  field('status', `${item.status.replace('_', ' ')}${item.allowedActions.length > 0 ? ` (next: ${item.allowedActions.join(', ')})` : ''}`);
  field('severity', item.severity);
  field('owner', person(item.owner));
  field('participants', item.participants.length === 0 ? '—' : item.participants.map((p) => `${p.function} ${person(p.person)}`).join(', '));
  field('due', `${local(item.dueAt)} ${timeZone}${item.meeting ? `, before ${item.meeting.name ?? 'the steering meeting'} on ${local(item.meeting.at)}` : ''}`);
  if (item.escalatedAt) field('escalated', `${local(item.escalatedAt)}${item.escalateTo ? ` to ${item.escalateTo}` : ''}`);
  if (item.onAgendaAt) field('on agenda', local(item.onAgendaAt));
  if (item.release) field('release', `${item.release.name} (${item.release.key}), ${local(item.release.releasedAt)}`);
  field('created', local(item.createdAt));
  if (item.ask) out.push('', 'Ask:', indent(item.ask));
  out.push('', 'Narrative:', indent(item.narrative));
  out.push('', `Signals (${item.signals.length}):`);
  for (const s of item.signals) {
    const pct = s.pctChange === null ? '' : ` ${s.pctChange >= 0 ? '+' : ''}${Math.round(s.pctChange * 100)} %`;
    const since = s.since === null ? '' : ` since ${local(s.since)}`;
    out.push(`  - ${s.subject ?? s.driverKey ?? s.seriesKey ?? 'a series'}${pct}${since}, ${s.affectedCustomers} affected customer(s)${s.release ? `, after release ${s.release.name}` : ''}`);
    if (s.explanation) out.push(indent(s.explanation, 4));
    for (const t of s.exampleTickets) out.push(`      ${[t.key ?? t.id, t.subject ? `"${clip(t.subject, 60)}"` : null, t.url].filter(Boolean).join('  ')}`);
  }
  out.push('', `Affected customers: ${item.affectedCustomers}`);
  const measures = item.threatens.measures.map((m) => (m.title ? `${m.key} (${m.title})` : m.key));
  const kpis = item.threatens.kpis.map((k) => (k.name ? `${k.key} (${k.name})` : k.key));
  out.push(`Threatens: measures ${measures.length > 0 ? measures.join(', ') : '—'}; KPIs ${kpis.length > 0 ? kpis.join(', ') : '—'}`);
  out.push('', 'History:');
  for (const h of item.history) out.push(`  ${local(h.at)} ${h.actor} ${h.action.replace(/^intervention\./, '')}${h.reason ? ` — ${h.reason}` : ''}`);
  return `${out.join('\n')}\n`;
}

const indent = (text: string, by = 2): string => text.split('\n').map((line) => `${' '.repeat(by)}${line}`).join('\n');

async function transitionCommand(services: Services, action: UserAction, text: string, options: TransitionOptions): Promise<void> {
  const actor = cliActor(options.as);
  const reason = cliReason(options.reason);
  const org = await chooseOrganization(services, options.org);
  const id = await resolveItemId(services, org, text);
  const nowMs = services.clock.now();
  const outcome = await inTransaction(services.db.pool, (client) => transitionIntervention(client, { organizationId: org.id, id, action, actor, reason, nowMs }));
  if (!outcome.ok) {
    if (outcome.code === 'NOT_FOUND') throw unknownItem(text, org);
    const next = outcome.allowed.length > 0 ? `possible now: ${outcome.allowed.map((a) => `\`frontline interventions ${a} ${shortId(id)}\``).join(', ')}` : 'nothing is left to do by hand';
    throw new CliError(`${shortId(id)}: ${outcome.message.replace(/ \(.*\)$/, '')}; ${next}`, 1);
  }
  process.stdout.write(`${shortId(id)} ${ACTION_WORDS[action]} (${outcome.from.replace('_', ' ')} → ${outcome.to.replace('_', ' ')}) by ${actor}${reason ? ` — ${reason}` : ''}\n`);
}
