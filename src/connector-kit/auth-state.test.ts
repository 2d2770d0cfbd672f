import { describe, expect, it } from 'vitest';
import { createAuthState, type StoredTokens } from './auth-state.ts';
import { ConnectorError } from './failure.ts';

const oauth = { type: 'oauth' as const, clientId: 'c', clientSecret: 's', accessToken: 'at-0', refreshToken: 'rt-0' };
const rejected = () => new ConnectorError('rejected', { failure: 'config', code: 'OAUTH_REFRESH_REJECTED' });

/** A refresh lock over an in-memory "stored" pair, counting how often it is taken. */
function lockOver(reads: StoredTokens[]) {
  let taken = 0;
  return {
    taken: () => taken,
    lock: async <T>(fn: (read: () => Promise<StoredTokens>) => Promise<T>): Promise<T> => {
      taken += 1;
      return fn(async () => reads.shift() ?? { accessToken: null, refreshToken: null });
    },
  };
}

describe('OAuth refresh under the connector lock', () => {
  it('adopts the pair another run rotated instead of refreshing with a revoked token', async () => {
    const exchanges: string[] = [];
    const { lock } = lockOver([{ accessToken: 'at-1', refreshToken: 'rt-1' }]);
    const auth = createAuthState(oauth, {
      connectorKey: 'zd', withRefreshLock: lock,
      exchange: async (_path, body) => {
        exchanges.push(body['refresh_token'] ?? '');
        return { access_token: 'never' };
      },
    });
    await auth.refresh(auth.generation());
    expect(exchanges).toEqual([]);
    expect(auth.header()).toBe('Bearer at-1');
  });

  it('refreshes when the stored pair is its own, and persists the rotation before using it', async () => {
    const persisted: string[] = [];
    const { lock } = lockOver([{ accessToken: 'at-0', refreshToken: 'rt-0' }]);
    const auth = createAuthState(oauth, {
      connectorKey: 'zd', withRefreshLock: lock,
      exchange: async () => ({ access_token: 'at-2', refresh_token: 'rt-2' }),
      onRotated: async (t) => {
        persisted.push(t.refreshToken);
      },
    });
    await auth.refresh(auth.generation());
    expect(persisted).toEqual(['rt-2']);
    expect(auth.header()).toBe('Bearer at-2');
  });

  it('on invalid_grant re-reads the stored pair once: a run outside the lock may have rotated it', async () => {
    const exchanges: string[] = [];
    const { lock } = lockOver([{ accessToken: 'at-0', refreshToken: 'rt-0' }, { accessToken: null, refreshToken: 'rt-3' }]);
    const auth = createAuthState(oauth, {
      connectorKey: 'zd', withRefreshLock: lock,
      exchange: async (_path, body) => {
        exchanges.push(body['refresh_token'] ?? '');
        if (body['refresh_token'] === 'rt-0') throw rejected();
        return { access_token: 'at-4', refresh_token: 'rt-4' };
      },
    });
    await auth.refresh(auth.generation());
    expect(exchanges).toEqual(['rt-0', 'rt-3']);
    expect(auth.header()).toBe('Bearer at-4');
  });

  it('fails as a config error when the stored pair is the rejected one (authorise again)', async () => {
    const { lock } = lockOver([{ accessToken: 'at-0', refreshToken: 'rt-0' }, { accessToken: 'at-0', refreshToken: 'rt-0' }]);
    const auth = createAuthState(oauth, { connectorKey: 'zd', withRefreshLock: lock, exchange: async () => Promise.reject(rejected()) });
    await expect(auth.refresh(auth.generation())).rejects.toMatchObject({ failure: 'config', code: 'OAUTH_REFRESH_REJECTED' });
  });
});
