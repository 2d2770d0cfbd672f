import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';
import type { Role } from '../generated/prisma/enums.ts';

/**
 * Machine API tokens (README "Operating it": API tokens): `fl_<43 base64url chars>`, shown
 * once at creation; only the SHA-256 hash is stored, scoped to organizations.
 */
export type ApiTokenRole = Role;
export const apiTokenRoles = ['admin', 'analyst', 'executive', 'controller', 'service'] as const satisfies readonly Role[];

export interface ApiTokenPrincipal {
  id: string;
  role: ApiTokenRole;
  organizationIds: string[];
  /** The person the token acts for, when it was issued for one (`tokens create --person`). */
  personEmail: string | null;
}

export interface CreateApiTokenInput {
  name: string;
  role: ApiTokenRole;
  organizationIds: string[];
  expiresAt?: Date;
  personEmail?: string;
}

const TOKEN_PREFIX = 'fl_';
/** Syntax check before any database work: prefix plus base64url. */
const TOKEN_PATTERN = /^fl_[A-Za-z0-9_-]{32,128}$/;
/** Bumping last_used_at on every request would turn each read into a write; once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeApiToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

type Db = PrismaClient | Prisma.TransactionClient;

export async function createApiToken(
  prisma: Db,
  input: CreateApiTokenInput,
): Promise<{ token: string; id: string }> {
  if (input.organizationIds.length === 0) throw new RangeError('An API token needs at least one organization');
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row = await prisma.apiToken.create({
    data: {
      name: input.name,
      role: input.role,
      tokenHash: hashApiToken(token),
      expiresAt: input.expiresAt ?? null,
      personEmail: input.personEmail ?? null,
      scopes: { create: [...new Set(input.organizationIds)].map((organizationId) => ({ organizationId })) },
    },
    select: { id: true },
  });
  return { token, id: row.id };
}

/** The token's principal, or null when unknown, revoked or expired. */
export async function verifyApiToken(
  prisma: PrismaClient,
  token: string,
  now: Date = new Date(),
): Promise<ApiTokenPrincipal | null> {
  if (!looksLikeApiToken(token)) return null;
  const hash = hashApiToken(token);
  const row = await prisma.apiToken.findUnique({
    where: { tokenHash: hash },
    select: { id: true, role: true, tokenHash: true, expiresAt: true, revokedAt: true, lastUsedAt: true, personEmail: true, scopes: { select: { organizationId: true } } },
  });
  // The lookup is by hash already; the constant-time compare keeps it that way if the lookup ever
  // changes (e.g. to a prefix index).
  if (!row || !sameHash(row.tokenHash, hash)) return null;
  if (row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime())) return null;
  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { id: row.id, role: row.role, organizationIds: row.scopes.map((s) => s.organizationId).sort(), personEmail: row.personEmail };
}

export async function revokeApiToken(prisma: Db, id: string, now: Date = new Date()): Promise<boolean> {
  const result = await prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  return result.count > 0;
}

/** What `frontline tokens list` shows: never the hash, and the token itself is not stored at all. */
export interface ApiTokenSummary {
  id: string;
  name: string;
  role: ApiTokenRole;
  /** Organization keys, sorted. */
  organizations: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  personEmail: string | null;
}

export interface IssueApiTokenInput {
  name: string;
  role: ApiTokenRole;
  organizationKeys: string[];
  expiresAt?: Date;
  personEmail?: string;
  /** Who issues it, recorded in audit_log (as `config apply` records its actor, src/store/config-repository.ts). */
  actor: string;
}

export type IssueApiTokenResult =
  | { ok: true; token: string; summary: ApiTokenSummary }
  | { ok: false; unknownKeys: string[]; knownKeys: string[] }
  /** `personEmail` is no person of these organizations (config `people:`). */
  | { ok: false; unknownKeys: []; personMissingIn: string[] };

export type RevokeApiTokenResult =
  | { outcome: 'revoked'; summary: ApiTokenSummary }
  | { outcome: 'already_revoked'; summary: ApiTokenSummary }
  | { outcome: 'unknown' };

const summarySelect = {
  id: true, name: true, role: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true, personEmail: true,
  scopes: { select: { organization: { select: { id: true, key: true } } } },
} as const;

type SummaryRow = Prisma.ApiTokenGetPayload<{ select: typeof summarySelect }>;

/** Token ids are UUIDs; anything else cannot name a token (and PostgreSQL would reject it as a uuid). */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every organization key, sorted: for "known organizations" in error messages. */
export async function listOrganizationKeys(prisma: Db): Promise<string[]> {
  const rows = await prisma.organization.findMany({ select: { key: true }, orderBy: { key: 'asc' } });
  return rows.map((r) => r.key);
}

/**
 * Creates a token for organizations named by key, with one audit row per organization, in one
 * transaction: an unknown key creates nothing. The plaintext token is returned once and never stored.
 */
export async function issueApiToken(prisma: PrismaClient, input: IssueApiTokenInput, now: Date = new Date()): Promise<IssueApiTokenResult> {
  const keys = [...new Set(input.organizationKeys)];
  if (keys.length === 0) throw new RangeError('An API token needs at least one organization');
  return prisma.$transaction(async (tx) => {
    const orgs = await tx.organization.findMany({ where: { key: { in: keys } }, select: { id: true, key: true } });
    const found = new Map(orgs.map((o) => [o.key, o.id]));
    const unknownKeys = keys.filter((k) => !found.has(k));
    if (unknownKeys.length > 0) return { ok: false, unknownKeys, knownKeys: await listOrganizationKeys(tx) };
    if (input.personEmail !== undefined) {
      const people = await tx.person.findMany({ where: { organizationId: { in: orgs.map((o) => o.id) }, email: input.personEmail }, select: { organizationId: true } });
      const missing = orgs.filter((o) => !people.some((p) => p.organizationId === o.id)).map((o) => o.key);
      if (missing.length > 0) return { ok: false, unknownKeys: [], personMissingIn: missing };
    }
    const { token, id } = await createApiToken(tx, {
      name: input.name, role: input.role, organizationIds: [...found.values()], ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
      ...(input.personEmail === undefined ? {} : { personEmail: input.personEmail }),
    });
    const summary = toSummary(await tx.apiToken.findUniqueOrThrow({ where: { id }, select: summarySelect }));
    const after = {
      name: summary.name, role: summary.role, organizations: summary.organizations, expiresAt: summary.expiresAt?.toISOString() ?? null, personEmail: summary.personEmail,
    };
    await writeTokenAudit(tx, orgs.map((o) => o.id), { actor: input.actor, action: 'api_token.created', reason: 'frontline tokens create', tokenId: id, after, at: now });
    return { ok: true, token, summary };
  });
}

/** Tokens newest first, optionally only those scoped to one organization (by id). */
export async function listApiTokens(prisma: Db, filter: { organizationId?: string } = {}): Promise<ApiTokenSummary[]> {
  const rows = await prisma.apiToken.findMany({
    where: filter.organizationId === undefined ? {} : { scopes: { some: { organizationId: filter.organizationId } } },
    select: summarySelect,
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
  });
  return rows.map(toSummary);
}

export async function findOrganizationIdByKey(prisma: Db, key: string): Promise<string | null> {
  const row = await prisma.organization.findUnique({ where: { key }, select: { id: true } });
  return row?.id ?? null;
}

/** One token by id (no secrets), or null; a malformed id is simply unknown. */
export async function findApiToken(prisma: Db, id: string): Promise<ApiTokenSummary | null> {
  if (!UUID_PATTERN.test(id)) return null;
  const row = await prisma.apiToken.findUnique({ where: { id }, select: summarySelect });
  return row === null ? null : toSummary(row);
}

/** Revokes a token and writes one audit row per organization it was scoped to, in one transaction. */
export async function revokeApiTokenAudited(prisma: PrismaClient, id: string, options: { actor: string; now?: Date }): Promise<RevokeApiTokenResult> {
  if (!UUID_PATTERN.test(id)) return { outcome: 'unknown' };
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const row = await tx.apiToken.findUnique({ where: { id }, select: summarySelect });
    if (row === null) return { outcome: 'unknown' };
    if (row.revokedAt !== null) return { outcome: 'already_revoked', summary: toSummary(row) };
    // The guarded update (revoked_at IS NULL) settles a race between two revokes: only one writes.
    if (!(await revokeApiToken(tx, id, now))) {
      return { outcome: 'already_revoked', summary: toSummary(await tx.apiToken.findUniqueOrThrow({ where: { id }, select: summarySelect })) };
    }
    const summary = toSummary({ ...row, revokedAt: now });
    await writeTokenAudit(tx, row.scopes.map((s) => s.organization.id), {
      actor: options.actor, action: 'api_token.revoked', reason: 'frontline tokens revoke', tokenId: id, before: { revokedAt: null }, after: { revokedAt: now.toISOString() }, at: now,
    });
    return { outcome: 'revoked', summary };
  });
}

/**
 * One audit_log row per organization the token reaches, so each tenant's audit trail (indexed by
 * organization_id, at) shows who can call the API on its data. Never the token nor its hash.
 */
async function writeTokenAudit(
  tx: Db,
  organizationIds: readonly string[],
  entry: { actor: string; action: string; reason: string; tokenId: string; before?: Prisma.InputJsonObject; after: Prisma.InputJsonObject; at: Date },
): Promise<void> {
  await tx.auditLog.createMany({
    data: organizationIds.map((organizationId) => ({
      organizationId, actor: entry.actor, action: entry.action, entityType: 'api_token', entityId: entry.tokenId, at: entry.at,
      reason: entry.reason,
      ...(entry.before === undefined ? {} : { before: entry.before }),
      after: entry.after,
    })),
  });
}

function toSummary(row: SummaryRow): ApiTokenSummary {
  return {
    id: row.id, name: row.name, role: row.role, organizations: row.scopes.map((s) => s.organization.key).sort(),
    createdAt: row.createdAt, lastUsedAt: row.lastUsedAt, expiresAt: row.expiresAt, revokedAt: row.revokedAt, personEmail: row.personEmail,
  };
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
