import { z } from 'zod';
import type { SimulatorAuthOptions } from './options.ts';
import { hash32 } from './random.ts';

/**
 * Zendesk authentication (https://developer.zendesk.com/api-reference/introduction/security-and-auth/):
 * API token as Basic `{email}/token:{token}`, OAuth as Bearer. The refresh grant
 * (https://developer.zendesk.com/documentation/api-basics/authentication/refresh-token/) returns a new
 * access and refresh token and deletes the previous pair, so an old refresh token gets invalid_grant.
 */
export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

export type SimulatorRole = 'admin' | 'agent';

export interface AuthGate {
  authenticate(authorization: string | undefined, nowMs: number): boolean;
  /** The role of the user behind the configured credentials (`admin` when none are configured). */
  role(): SimulatorRole;
  refresh(body: unknown, nowMs: number): TokenResponse;
}

const defaultAccessTtlMs = 172_800_000;
const defaultRefreshTtlMs = 30 * 86_400_000;

const refreshRequestSchema = z.object({
  grant_type: z.string(),
  refresh_token: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
  // Zendesk lets callers shorten lifetimes for testing; bounds from its docs.
  expires_in: z.coerce.number().int().min(300).max(172_800).optional(),
  refresh_token_expires_in: z.coerce.number().int().min(604_800).max(7_776_000).optional(),
});

// Standard OAuth 2.0 error descriptions (RFC 6749 §5.2), as Zendesk's token endpoint returns them.
const oauthErrors = {
  invalid_request: [400, 'The request is missing a required parameter or is malformed.'],
  unsupported_grant_type: [400, 'The authorization grant type is not supported by the authorization server.'],
  invalid_client: [
    401,
    'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
  ],
  invalid_grant: [
    400,
    'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the ' +
      'authorization request, or was issued to another client.',
  ],
} as const;

const oauthError = (error: keyof typeof oauthErrors): TokenResponse => ({
  status: oauthErrors[error][0],
  body: { error, error_description: oauthErrors[error][1] },
});

export function createAuthGate(options: SimulatorAuthOptions | undefined, seed: number, nowMs: number): AuthGate {
  const apiToken = options?.apiToken;
  const oauth = options?.oauth;
  const basic = apiToken ? Buffer.from(`${apiToken.email}/token:${apiToken.token}`, 'utf8').toString('base64') : null;
  const accessTtlMs = oauth?.accessTokenTtlMs ?? defaultAccessTtlMs;
  const refreshTtlMs = oauth?.refreshTokenTtlMs ?? defaultRefreshTtlMs;
  let access = oauth ? { token: oauth.accessToken, expiresAtMs: nowMs + accessTtlMs } : null;
  let refresh = oauth ? { token: oauth.refreshToken, expiresAtMs: nowMs + refreshTtlMs } : null;
  let issued = 0;
  const newToken = (kind: string): string =>
    `zsim_${kind}_${issued}_${hash32(seed, issued, kind.length).toString(16)}${hash32(seed ^ 0x5a5a, issued, 7).toString(16)}`;

  const role: SimulatorRole = options?.role ?? 'admin';

  return {
    role: () => role,
    authenticate(authorization, now) {
      if (!basic && !access) return true;
      const [scheme, credentials] = (authorization ?? '').split(' ', 2);
      if (basic && scheme?.toLowerCase() === 'basic') return credentials === basic;
      if (access && scheme?.toLowerCase() === 'bearer') return credentials === access.token && now < access.expiresAtMs;
      return false;
    },
    refresh(body, now) {
      if (!oauth || !refresh) return oauthError('invalid_client');
      const parsed = refreshRequestSchema.safeParse(body);
      if (!parsed.success) return oauthError('invalid_request');
      const request = parsed.data;
      if (request.grant_type !== 'refresh_token') return oauthError('unsupported_grant_type');
      if (request.client_id !== oauth.clientId || request.client_secret !== oauth.clientSecret) return oauthError('invalid_client');
      if (request.refresh_token !== refresh.token || now >= refresh.expiresAtMs) return oauthError('invalid_grant');
      issued++;
      const expiresIn = request.expires_in ?? Math.round(accessTtlMs / 1000);
      const refreshExpiresIn = request.refresh_token_expires_in ?? Math.round(refreshTtlMs / 1000);
      access = { token: newToken('at'), expiresAtMs: now + expiresIn * 1000 };
      refresh = { token: newToken('rt'), expiresAtMs: now + refreshExpiresIn * 1000 };
      return {
        status: 200,
        body: {
          access_token: access.token,
          refresh_token: refresh.token,
          token_type: 'bearer',
          scope: request.scope ?? 'read',
          expires_in: expiresIn,
          refresh_token_expires_in: refreshExpiresIn,
        },
      };
    },
  };
}
