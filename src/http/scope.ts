import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { PrismaClient } from '../store/database.ts';
import type { GovernanceSnapshots } from '../store/governance-snapshot.ts';
import { type ConnectorRef, type OrganizationRow, findConnectorRefs, findOrganizations } from '../store/status-repository.ts';
import type { Principal } from './auth.ts';
import { notFound, validationFailed } from './errors.ts';
import { identifierParam } from './params.ts';

/**
 * Tenancy for /api/v1: a token sees only its organizations, and anything outside them is "not
 * found" (404, never 403) so a token cannot learn what other tenants have.
 */
export interface ApiContext {
  prisma: PrismaClient;
  /** For the routes that write through the store's pg functions, in one transaction (src/store/transaction.ts). */
  pool: pg.Pool;
  now: () => number;
  /** Organization-wide governance reads, kept a few seconds (src/store/governance-snapshot.ts). */
  governance: GovernanceSnapshots;
}

/** `?organization=<key>`: needed only when a token sees several organizations. */
export const organizationParam = identifierParam('Organization key; required only when the token is scoped to several organizations').optional();

export async function resolveOrganization(ctx: ApiContext, principal: Principal, key: string | undefined): Promise<OrganizationRow> {
  const organizations = await findOrganizations(ctx.prisma, principal.organizationIds);
  if (key !== undefined) {
    const match = organizations.find((o) => o.key === key);
    if (!match) throw notFound(`No organization "${key}" in your organizations`);
    return match;
  }
  const [only, ...others] = organizations;
  if (!only) throw notFound('Your API token is not scoped to any organization');
  if (others.length > 0) throw needOrganization(organizations.map((o) => o.key));
  return only;
}

/** The token's organization ids, or just the one named by `?organization=`. */
export async function scopedOrganizationIds(ctx: ApiContext, principal: Principal, key: string | undefined): Promise<string[]> {
  return key === undefined ? principal.organizationIds : [(await resolveOrganization(ctx, principal, key)).id];
}

export async function resolveConnector(
  ctx: ApiContext,
  principal: Principal,
  key: string,
  organizationKey: string | undefined,
): Promise<ConnectorRef> {
  const found = await findConnectorRefs(ctx.prisma, principal.organizationIds, key);
  const matches = organizationKey === undefined ? found : found.filter((c) => c.organizationKey === organizationKey);
  const [only, ...others] = matches;
  if (!only) throw notFound(`No connector "${key}" in your organizations`);
  if (others.length > 0) throw needOrganization(matches.map((c) => c.organizationKey));
  return only;
}

function needOrganization(keys: string[]): Error {
  return validationFailed('Ambiguous organization', [
    { path: 'organization', message: `This token sees several organizations (${keys.join(', ')}): add ?organization=<key>` },
  ]);
}

/**
 * Drops the governance snapshots of the token's organizations when a write of this scope answers
 * (before the answer leaves): whoever reads next in this process sees the change.
 */
export function dropGovernanceSnapshotsOnWrites(app: FastifyInstance, ctx: ApiContext): void {
  app.addHook('onSend', async (request, _reply, payload) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.principal) for (const id of request.principal.organizationIds) ctx.governance.invalidate(id);
    return payload;
  });
}
