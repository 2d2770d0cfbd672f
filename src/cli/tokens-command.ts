import { Option, type Command } from 'commander';
import type { Services } from '../main/services.ts';
import {
  apiTokenRoles,
  findOrganizationIdByKey,
  issueApiToken,
  listApiTokens,
  listOrganizationKeys,
  revokeApiTokenAudited,
  type ApiTokenRole,
  type ApiTokenSummary,
} from '../store/api-token-repository.ts';
import { CliError } from './cli-error.ts';
import { withServices } from './run-with-services.ts';

/**
 * `frontline tokens create|list|revoke` — API tokens for a real deployment (README "Operating it"):
 * the HTTP API under /api/v1 takes `Authorization: Bearer fl_…` (src/http/auth.ts).
 *
 * Default role `analyst`: reads, and the operational writes of the intervention routes (transitions,
 * silences, releases); admin and service have to be asked for by name, not handed out by default.
 */
export const DEFAULT_TOKEN_ROLE: ApiTokenRole = 'analyst';

const NAME_MAX = 200;
const DURATION = /^(\d{1,5})([hdw])$/;
const DURATION_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
/** ISO 8601 date or date-time; a bare date is midnight UTC (ECMAScript Date.parse). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

interface CreateOptions {
  org?: string[];
  role: ApiTokenRole;
  name?: string;
  expires?: string;
  person?: string;
  actor: string;
}

export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('create, list and revoke API tokens (how you call the HTTP API)');
  const actor = (): Option => new Option('--actor <name>', 'who does it (recorded in the audit log)').default(process.env['USER'] ?? 'cli');
  tokens
    .command('create')
    .description('create an API token; prints it once on stdout (only its hash is stored)')
    .option('--org <key>', 'organization the token may see (repeat for several)', (key: string, keys: string[] | undefined) => [...(keys ?? []), key])
    .addOption(new Option('--role <role>', 'role of the token').choices(apiTokenRoles).default(DEFAULT_TOKEN_ROLE))
    .option('--name <text>', 'what the token is for (default: organizations, role, who and when)')
    .option('--expires <when>', 'expiry: an ISO date like 2027-01-01 (UTC) or 2027-01-01T12:00:00Z, or a duration like 12h, 90d, 4w (default: never)')
    .option('--person <email>', "the person the token acts for (stage-gate decisions and EBITDA confirmations need one): a person of each --org (config `people:`)")
    .addOption(actor())
    .action((options: CreateOptions) => withServices((services) => create(services, options)));
  tokens
    .command('list')
    .description('API tokens: id, name, role, organizations, created, last used, expires, revoked (never the token)')
    .option('--org <key>', 'only tokens that may see this organization')
    .option('--json', 'machine-readable output')
    .action((options: { org?: string; json?: boolean }) => withServices((services) => list(services, options)));
  tokens
    .command('revoke')
    .description('revoke an API token: it gets 401 from the next request on')
    .argument('<id>', 'token id (see `tokens list`)')
    .addOption(actor())
    .action((id: string, options: { actor: string }) => withServices((services) => revoke(services, id, options.actor)));
}

async function create(services: Services, options: CreateOptions): Promise<void> {
  const prisma = services.db.prisma;
  const now = new Date(services.clock.now());
  const keys = [...new Set(options.org ?? [])];
  if (keys.length === 0) throw new CliError(`--org <key> is required: ${knownOrganizations(await listOrganizationKeys(prisma))}`, 2);
  const expiresAt = options.expires === undefined ? undefined : parseExpires(options.expires, now);
  const name = (options.name ?? `${keys.join('+')} ${options.role} by ${options.actor} on ${now.toISOString().slice(0, 10)}`).trim();
  if (name.length === 0 || name.length > NAME_MAX) throw new CliError(`--name must be 1 to ${NAME_MAX} characters`, 2);
  const result = await issueApiToken(
    prisma,
    {
      name, role: options.role, organizationKeys: keys, actor: options.actor, ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(options.person === undefined ? {} : { personEmail: options.person.trim().toLowerCase() }),
    },
    now,
  );
  if (!result.ok && 'personMissingIn' in result) {
    throw new CliError(`--person ${options.person ?? ''} is no person of organization ${result.personMissingIn.join(', ')}; no token was created. Add them under \`people:\` in the configuration and run \`frontline config apply\``, 2);
  }
  if (!result.ok) {
    const which = result.unknownKeys.map((k) => `"${k}"`).join(', ');
    throw new CliError(`unknown organization${result.unknownKeys.length > 1 ? 's' : ''} ${which}; no token was created. ${knownOrganizations(result.knownKeys)}`, 2);
  }
  const t = result.summary;
  process.stdout.write(`${result.token}\n`);
  process.stderr.write(
    `created API token ${t.id} "${t.name}": role ${t.role}, organization(s) ${t.organizations.join(', ')}, ` +
      `expires ${t.expiresAt?.toISOString() ?? 'never'}${t.personEmail ? `, acts for ${t.personEmail}` : ''}.\n` +
      'The token above will not be shown again (only its hash is stored): put it in your secret store now.\n' +
      'Call the API with the header "Authorization: Bearer <token>", e.g. with the token in $FRONTLINE_TOKEN:\n' +
      `  curl -H "Authorization: Bearer $FRONTLINE_TOKEN" http://${services.env.HOST}:${services.env.PORT}/api/v1/connectors\n`,
  );
}

async function list(services: Services, options: { org?: string; json?: boolean }): Promise<void> {
  const prisma = services.db.prisma;
  let organizationId: string | undefined;
  if (options.org !== undefined) {
    organizationId = (await findOrganizationIdByKey(prisma, options.org)) ?? undefined;
    if (organizationId === undefined) throw new CliError(`unknown organization "${options.org}". ${knownOrganizations(await listOrganizationKeys(prisma))}`, 2);
  }
  const now = services.clock.now();
  const rows = await listApiTokens(prisma, organizationId === undefined ? {} : { organizationId });
  if (options.json) {
    const view = rows.map((t) => ({
      id: t.id, name: t.name, role: t.role, organizations: t.organizations, status: status(t, now),
      createdAt: t.createdAt.toISOString(), lastUsedAt: iso(t.lastUsedAt), expiresAt: iso(t.expiresAt), revokedAt: iso(t.revokedAt),
    }));
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(`no API tokens${options.org ? ` for organization ${options.org}` : ''}: create one with \`frontline tokens create --org <key>\`\n`);
    return;
  }
  console.table(
    rows.map((t) => ({
      id: t.id, name: t.name, role: t.role, organizations: t.organizations.join(', '), status: status(t, now),
      created: t.createdAt.toISOString(), lastUsed: t.lastUsedAt?.toISOString() ?? '—', expires: t.expiresAt?.toISOString() ?? 'never',
      revoked: t.revokedAt?.toISOString() ?? '—',
    })),
  );
}

async function revoke(services: Services, id: string, actor: string): Promise<void> {
  const result = await revokeApiTokenAudited(services.db.prisma, id, { actor, now: new Date(services.clock.now()) });
  if (result.outcome === 'unknown') throw new CliError(`unknown API token id "${id}": see \`frontline tokens list\` for the ids`, 2);
  const t = result.summary;
  if (result.outcome === 'already_revoked') {
    throw new CliError(`API token ${t.id} "${t.name}" was already revoked at ${t.revokedAt?.toISOString() ?? '?'}; nothing changed`, 1);
  }
  process.stdout.write(`revoked API token ${t.id} "${t.name}" (organization(s) ${t.organizations.join(', ')}): it now gets 401\n`);
}

export function parseExpires(text: string, now: Date): Date {
  const trimmed = text.trim();
  const duration = DURATION.exec(trimmed);
  let at: Date;
  if (duration) {
    const unit = duration[2] as keyof typeof DURATION_MS;
    at = new Date(now.getTime() + Number(duration[1]) * DURATION_MS[unit]);
  } else if (ISO_DATE.test(trimmed) && Number.isFinite(Date.parse(trimmed))) {
    at = new Date(Date.parse(trimmed));
  } else {
    throw new CliError(`--expires "${text}" is neither a date nor a duration: use an ISO date like 2027-01-01 or 2027-01-01T12:00:00Z, or a duration like 12h, 90d, 4w`, 2);
  }
  if (at.getTime() <= now.getTime()) throw new CliError(`--expires "${text}" is not in the future (${at.toISOString()}); no token was created`, 2);
  return at;
}

function knownOrganizations(keys: readonly string[]): string {
  return keys.length > 0
    ? `Known organizations: ${keys.join(', ')}.`
    : 'No organizations exist yet: run `frontline config apply <file>` first.';
}

function status(t: ApiTokenSummary, now: number): 'active' | 'expired' | 'revoked' {
  if (t.revokedAt !== null) return 'revoked';
  return t.expiresAt !== null && t.expiresAt.getTime() <= now ? 'expired' : 'active';
}

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}
