import { z } from 'zod';
import type { AuthStrategy } from './declaration.ts';
import { ConnectorError } from './failure.ts';

/** The rotated OAuth pair handed to the caller to persist before the request is retried. */
export interface RotatedTokens { accessToken: string; refreshToken: string }

/**
 * Refresh-token grant response. Zendesk rotates the refresh token: a successful refresh deletes the
 * previous access and refresh tokens, so the new pair must be persisted before anything else.
 * https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/
 */
const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  token_type: z.string().optional(),
  expires_in: z.number().nullable().optional(),
});

export interface AuthStateDeps {
  connectorKey: string;
  /** POSTs the grant body to the token endpoint (through the same HTTP layer) and returns its JSON. */
  exchange(tokenPath: string, body: Record<string, string>): Promise<unknown>;
  onRotated?(tokens: RotatedTokens): Promise<void>;
}

export interface AuthState {
  /** The Authorization header value for the next request, null for none. */
  header(): string | null;
  /** Bumped by every refresh: a 401 seen under an older generation just retries with the new token. */
  generation(): number;
  canRefresh(): boolean;
  /** OAuth without an access token yet: refresh before the first request. */
  needsRefresh(): boolean;
  /** Refresh once per generation, however many requests ask at the same time. */
  refresh(seenGeneration: number): Promise<void>;
}

export function createAuthState(auth: AuthStrategy, deps: AuthStateDeps): AuthState {
  if (auth.type !== 'oauth') {
    const value = staticHeader(auth);
    return { header: () => value, generation: () => 0, canRefresh: () => false, needsRefresh: () => false, refresh: async () => undefined };
  }
  const { clientId, clientSecret } = auth;
  const tokenPath = auth.tokenPath ?? '/oauth/tokens';
  let accessToken = auth.accessToken;
  let refreshToken = auth.refreshToken;
  let generation = 0;
  let inflight: Promise<void> | null = null;

  async function doRefresh(): Promise<void> {
    if (refreshToken === null) {
      throw new ConnectorError(`Connector "${deps.connectorKey}": no OAuth refresh token is stored: authorise the connector again`, {
        failure: 'config',
        code: 'OAUTH_NO_REFRESH_TOKEN',
        connector: deps.connectorKey,
      });
    }
    const json = await deps.exchange(tokenPath, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
      client_secret: clientSecret,
    });
    const parsed = tokenResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new ConnectorError(`Connector "${deps.connectorKey}": the OAuth token endpoint answered without an access_token`, {
        failure: 'system',
        code: 'OAUTH_BAD_TOKEN_RESPONSE',
        connector: deps.connectorKey,
      });
    }
    const rotated = { accessToken: parsed.data.access_token, refreshToken: parsed.data.refresh_token ?? refreshToken };
    // Persist first: the old refresh token is already dead, losing the new one strands the connector.
    if (deps.onRotated) await persist(deps, rotated);
    accessToken = rotated.accessToken;
    refreshToken = rotated.refreshToken;
    generation += 1;
  }

  return {
    header: () => (accessToken === null ? null : `Bearer ${accessToken}`),
    generation: () => generation,
    canRefresh: () => refreshToken !== null,
    needsRefresh: () => accessToken === null,
    async refresh(seenGeneration) {
      if (seenGeneration !== generation) return;
      inflight ??= doRefresh().finally(() => {
        inflight = null;
      });
      await inflight;
    },
  };
}

function staticHeader(auth: Exclude<AuthStrategy, { type: 'oauth' }>): string | null {
  switch (auth.type) {
    case 'api_token':
      // https://developer.zendesk.com/api-reference/introduction/security-and-auth/#api-token
      return `Basic ${Buffer.from(`${auth.email}/token:${auth.token}`).toString('base64')}`;
    case 'basic':
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    case 'bearer':
      return `Bearer ${auth.token}`;
    case 'none':
      return null;
  }
}

async function persist(deps: AuthStateDeps, rotated: RotatedTokens): Promise<void> {
  try {
    await deps.onRotated?.(rotated);
  } catch (error) {
    // The caller's error may quote what it tried to store: keep only its class name.
    const kind = error instanceof Error ? error.name : typeof error;
    throw new ConnectorError(`Connector "${deps.connectorKey}": could not persist the rotated OAuth tokens (${kind}); authorise the connector again`, {
      failure: 'system',
      code: 'OAUTH_PERSIST_FAILED',
      connector: deps.connectorKey,
    });
  }
}
