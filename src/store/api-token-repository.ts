import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Role } from '../generated/prisma/enums.ts';

/**
 * Machine API tokens (DESIGN.md "API auth from the first route"): `fl_<43 base64url chars>`, shown
 * once at creation; only the SHA-256 hash is stored, scoped to organizations.
 */
export type ApiTokenRole = Role;
export const apiTokenRoles = ['admin', 'analyst', 'executive', 'controller', 'service'] as const satisfies readonly Role[];

export interface ApiTokenPrincipal {
  id: string;
  role: ApiTokenRole;
  organizationIds: string[];
}

export interface CreateApiTokenInput {
  name: string;
  role: ApiTokenRole;
  organizationIds: string[];
  expiresAt?: Date;
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

export async function createApiToken(
  prisma: PrismaClient,
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
    select: { id: true, role: true, tokenHash: true, expiresAt: true, revokedAt: true, lastUsedAt: true, scopes: { select: { organizationId: true } } },
  });
  // The lookup is by hash already; the constant-time compare keeps it that way if the lookup ever
  // changes (e.g. to a prefix index).
  if (!row || !sameHash(row.tokenHash, hash)) return null;
  if (row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt.getTime() <= now.getTime())) return null;
  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { id: row.id, role: row.role, organizationIds: row.scopes.map((s) => s.organizationId).sort() };
}

export async function revokeApiToken(prisma: PrismaClient, id: string, now: Date = new Date()): Promise<boolean> {
  const result = await prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
  return result.count > 0;
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
