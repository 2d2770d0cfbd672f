import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiTokenPrincipal } from '../store/api-token-repository.ts';
import { unauthorized } from './errors.ts';

/**
 * Bearer machine tokens for everything under /api/v1 (README "Operating it": API tokens).
 * Installed as a hook of the /api/v1 scope, so public routes (/healthz, /readyz, /metrics, /docs)
 * never see it. A token only ever sees its own organizations.
 */
export type Principal = ApiTokenPrincipal;
export type VerifyToken = (token: string) => Promise<Principal | null>;

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

export function installAuth(scope: FastifyInstance, verify: VerifyToken): void {
  scope.decorateRequest('principal', null);
  scope.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : BEARER.exec(header);
    reply.header('www-authenticate', 'Bearer realm="frontline"');
    if (!match?.[1]) throw unauthorized('Missing API token: send "Authorization: Bearer fl_…"');
    const principal = await verify(match[1]);
    if (!principal) throw unauthorized('Invalid, expired or revoked API token');
    reply.removeHeader('www-authenticate');
    request.principal = principal;
  });
}

/** The authenticated principal of a request inside the /api/v1 scope. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('Missing API token');
  return request.principal;
}
