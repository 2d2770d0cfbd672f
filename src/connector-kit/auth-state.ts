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

/** The token pair as stored for the connector now (another run may have rotated it since we loaded ours). */
export interface StoredTokens { accessToken: string | null; refreshToken: string | null }

/**
 * Runs `refresh` while holding the connector's refresh lock (across streams and processes), with a
 * way to read the stored pair under it.
 */
export type RefreshLock = <T>(refresh: (readStored: () => Promise<StoredTokens>) => Promise<T>) => Promise<T>;

export interface AuthStateDeps {
  connectorKey: string;
  /** POSTs the grant body to the token endpoint (through the same HTTP layer; JSON, or a form) and returns its JSON. */
  exchange(tokenPath: string, body: Record<string, string>, encoding: 'json' | 'form'): Promise<unknown>;
  onRotated?(tokens: RotatedTokens): Promise<void>;
  /**
   * Without it, two runs of one connector (back-fill and incremental) that refresh at once race: the
   * loser presents a refresh token the winner's refresh has just revoked and gets invalid_grant.
   */
  withRefreshLock?: RefreshLock;
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
  if (auth.type === 'oauth_grant') return grantState(auth, deps);
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

  /** Takes the stored pair when another run rotated it (false: the stored pair is ours). */
  function adopt(stored: StoredTokens): boolean {
    if (stored.refreshToken === null || stored.refreshToken === refreshToken) return false;
    refreshToken = stored.refreshToken;
    accessToken = stored.accessToken;
    generation += 1;
    return true;
  }

  /**
   * Under the connector's refresh lock: if another run rotated the pair meanwhile, use theirs;
   * otherwise refresh. A refresh rejected with invalid_grant is tried once more after re-reading the
   * stored pair (a run that does not take the lock, such as an older release, may have rotated it).
   */
  async function refreshCoordinated(): Promise<void> {
    const lock = deps.withRefreshLock;
    if (!lock) return exchangeTokens();
    await lock(async (readStored) => {
      if (adopt(await readStored()) && accessToken !== null) return;
      try {
        await exchangeTokens();
      } catch (error) {
        if (!(error instanceof ConnectorError) || error.code !== 'OAUTH_REFRESH_REJECTED') throw error;
        if (!adopt(await readStored())) throw error;
        if (accessToken === null) await exchangeTokens();
      }
    });
  }

  async function exchangeTokens(): Promise<void> {
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
    }, 'json');
    const token = tokenOf(json, deps.connectorKey);
    const rotated = { accessToken: token.access_token, refreshToken: token.refresh_token ?? refreshToken };
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
      inflight ??= refreshCoordinated().finally(() => {
        inflight = null;
      });
      await inflight;
    },
  };
}

/** A grant made before the first request and again after a 401, once per generation however many requests ask. */
function grantState(auth: Extract<AuthStrategy, { type: 'oauth_grant' }>, deps: AuthStateDeps): AuthState {
  let accessToken: string | null = null;
  let generation = 0;
  let inflight: Promise<void> | null = null;
  const body: Record<string, string> = { grant_type: auth.grant, client_id: auth.clientId, client_secret: auth.clientSecret, ...(auth.user ? { username: auth.user.username, password: auth.user.password } : {}) };
  return {
    header: () => (accessToken === null ? null : `Bearer ${accessToken}`),
    generation: () => generation,
    canRefresh: () => true,
    needsRefresh: () => accessToken === null,
    async refresh(seenGeneration) {
      if (seenGeneration !== generation) return;
      inflight ??= (async () => {
        accessToken = tokenOf(await deps.exchange(auth.tokenPath, body, 'form'), deps.connectorKey).access_token;
        generation += 1;
      })().finally(() => {
        inflight = null;
      });
      await inflight;
    },
  };
}

function tokenOf(json: unknown, connectorKey: string): z.infer<typeof tokenResponseSchema> {
  const parsed = tokenResponseSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new ConnectorError(`Connector "${connectorKey}": the OAuth token endpoint answered without an access_token`, {
    failure: 'system',
    code: 'OAUTH_BAD_TOKEN_RESPONSE',
    connector: connectorKey,
  });
}

function staticHeader(auth: Exclude<AuthStrategy, { type: 'oauth' } | { type: 'oauth_grant' }>): string | null {
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
