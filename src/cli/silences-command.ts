import { Option, type Command } from 'commander';
import { textTable } from '../evaluation/offline-detect/text-table.ts';
import { durationMs, MAX_SILENCE_DAYS, silenceEnd } from '../http/routes/silences.ts';
import type { Services } from '../main/services.ts';
import { addSilence, expireSilence, listSilences, type SilenceRow } from '../store/silence-repository.ts';
import { inTransaction } from '../store/transaction.ts';
import { CliError } from './cli-error.ts';
import { chooseOrganization, orgOption } from './choose-organization.ts';
import { asOption, cliActor, cliReason, localTime } from './interventions-command.ts';
import { withServices } from './run-with-services.ts';

/**
 * `frontline silences add|list|expire` — while a silence is active, spikes of the drivers it matches
 * (a driver key, or a family prefix ending in "/") raise no intervention item (README "Spikes and
 * interventions"). Each has a reason, an author and an end at most 90 days ahead; all audited.
 */
const NO_CONTROL = /^[^\u0000-\u001F\u007F-\u009F]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID_PREFIX = /^[0-9a-f][0-9a-f-]{3,35}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

interface AddOptions {
  driver: string;
  reason: string;
  for?: string;
  until?: string;
  as?: string;
  org?: string;
}

export function registerSilencesCommand(program: Command): void {
  const silences = program.command('silences').description('silence the spikes of a driver or driver family for a while (no intervention items)');
  silences
    .command('add')
    .description(`silence a driver or a family; ends after --for or at --until (at most ${MAX_SILENCE_DAYS} days ahead)`)
    .addOption(new Option('--driver <key>', 'driver key (billing/refund), or a family prefix ending in "/" (billing/)').makeOptionMandatory())
    .addOption(new Option('--reason <text>', 'why these spikes are expected (recorded in the audit log)').makeOptionMandatory())
    .option('--for <duration>', 'how long from now: 30m, 2h, 3d, 1w')
    .option('--until <when>', 'when it ends: an ISO date-time like 2026-03-20T18:00:00+01:00 (a bare date is midnight UTC)')
    .addOption(asOption())
    .addOption(orgOption())
    .action((options: AddOptions) => withServices((services) => add(services, options)));
  silences
    .command('list')
    .description('active silences (with --all also ended and expired ones): id, driver, ends, author, reason')
    .option('--all', 'also silences that ended or were expired')
    .addOption(orgOption())
    .option('--json', 'machine-readable output')
    .action((options: { all?: boolean; org?: string; json?: boolean }) => withServices((services) => list(services, options)));
  silences
    .command('expire')
    .description('end an active silence now')
    .argument('<id>', 'silence id, or a unique prefix of it (as `list` prints it)')
    .option('--reason <text>', 'why it ends early (recorded in the audit log)')
    .addOption(asOption())
    .addOption(orgOption())
    .action((id: string, options: { reason?: string; as?: string; org?: string }) => withServices((services) => expire(services, id, options)));
}

async function add(services: Services, options: AddOptions): Promise<void> {
  const author = cliActor(options.as);
  const driver = options.driver.trim();
  if (driver.length === 0 || driver.length > 200 || !NO_CONTROL.test(driver)) throw new CliError('--driver must be a driver key or a family prefix ending in "/" (1 to 200 printable characters)', 2);
  const reason = cliReason(options.reason);
  if (reason === null) throw new CliError('--reason must say why these spikes are expected (it is recorded with the silence)', 2);
  if ((options.for === undefined) === (options.until === undefined)) throw new CliError('give one of --for <duration> (e.g. 2h, 3d) or --until <ISO date-time>', 2);
  if (options.for !== undefined && durationMs(options.for.trim()) === null) throw new CliError(`--for "${options.for}" is not a duration: use e.g. 30m, 2h, 3d or 1w`, 2);
  if (options.until !== undefined && !(ISO_INSTANT.test(options.until.trim()) && Number.isFinite(Date.parse(options.until.trim())))) {
    throw new CliError(`--until "${options.until}" is not a date-time: use e.g. 2026-03-20T18:00:00+01:00`, 2);
  }
  const org = await chooseOrganization(services, options.org);
  const nowMs = services.clock.now();
  const end = silenceEnd(options.for !== undefined ? { duration: options.for.trim() } : { endsAt: options.until?.trim() }, nowMs);
  if (!end.ok) throw new CliError(`${options.for !== undefined ? '--for' : '--until'} ${end.message} (now is ${localTime(nowMs, org.timeZone)} ${org.timeZone}); no silence was added`, 2);
  const row = await inTransaction(services.db.pool, (client) => addSilence(client, { organizationId: org.id, driverPrefix: driver, reason, author, endsAtMs: end.endsAtMs, nowMs }));
  process.stdout.write(
    `silenced ${driver.endsWith('/') ? `the ${driver} family` : driver} in ${org.key} until ${localTime(row.endsAt, org.timeZone)} ${org.timeZone} (id ${row.id}): ` +
      'its spikes raise no intervention items meanwhile\n',
  );
}

async function list(services: Services, options: { all?: boolean; org?: string; json?: boolean }): Promise<void> {
  const org = await chooseOrganization(services, options.org);
  const rows = (await listSilences(services.db.pool, org.id, services.clock.now())).filter((s) => options.all || s.active);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ organization: org.key, silences: rows.map(toJson) }, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(`no ${options.all ? '' : 'active '}silences in ${org.key}\n`);
    return;
  }
  process.stdout.write(textTable(
    ['id', 'driver', 'state', `ends (${org.timeZone})`, 'author', 'reason'],
    rows.map((s) => [s.id.slice(0, 8), s.driverPrefix, state(s), localTime(s.endsAt, org.timeZone), s.author, s.reason.replace(/\s+/g, ' ')]),
  ));
}

async function expire(services: Services, text: string, options: { reason?: string; as?: string; org?: string }): Promise<void> {
  const actor = cliActor(options.as);
  const reason = cliReason(options.reason);
  const org = await chooseOrganization(services, options.org);
  const wanted = text.trim().toLowerCase();
  if (!UUID.test(wanted) && !ID_PREFIX.test(wanted)) throw new CliError(`"${text}" is not a silence id: see \`frontline silences list\``, 2);
  const nowMs = services.clock.now();
  const all = await listSilences(services.db.pool, org.id, nowMs);
  const matches = all.filter((s) => s.id.startsWith(wanted));
  const [match, ...others] = matches;
  if (!match) throw new CliError(`no silence "${text}" in ${org.key}: see \`frontline silences list --all\``, 2);
  if (others.length > 0) throw new CliError(`"${text}" matches several silences (${matches.map((s) => s.id.slice(0, 8)).join(', ')}): give more of the id`, 2);
  const done = await inTransaction(services.db.pool, (client) => expireSilence(client, org.id, match.id, actor, reason, nowMs));
  if (!done) throw new CliError(`silence ${match.id.slice(0, 8)} (${match.driverPrefix}) has already ${match.expiredAt ? `been expired (${localTime(match.expiredAt, org.timeZone)})` : 'ended'}; nothing changed`, 1);
  process.stdout.write(`expired silence ${match.id.slice(0, 8)} (${match.driverPrefix}) in ${org.key}: its spikes raise intervention items again\n`);
}

function state(s: SilenceRow): string {
  if (s.expiredAt !== null) return 'expired';
  return s.active ? 'active' : 'ended';
}

const toJson = (s: SilenceRow) => ({ id: s.id, driver: s.driverPrefix, state: state(s), reason: s.reason, author: s.author, startsAt: s.startsAt, endsAt: s.endsAt, expiredAt: s.expiredAt });
