import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../connector-kit/failure.ts';
import { createSecretBox, devSecretBox, parseSecretKeys, secretBoxFromEnv } from './secret-box.ts';

// Fixed test keys (32 bytes each, base64): never random, so failures reproduce.
const k1 = Buffer.alloc(32, 1).toString('base64');
const k2 = Buffer.alloc(32, 2).toString('base64');

function errorOf(fn: () => unknown): ConnectorError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a ConnectorError');
}

describe('secret box', () => {
  it('encrypts with AES-256-GCM under the first key id and decrypts back', () => {
    const box = createSecretBox(`k1:${k1},k0:${k2}`);
    const sealed = box.encrypt('zendesk-token-123', 'connector-a/token');
    expect(sealed.keyId).toBe('k1');
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.tag).toHaveLength(16);
    expect(Buffer.from(sealed.ciphertext).toString('utf8')).not.toContain('zendesk-token-123');
    expect(box.decrypt(sealed, 'connector-a/token')).toBe('zendesk-token-123');
    expect(box.encrypt('zendesk-token-123', 'connector-a/token').iv).not.toEqual(sealed.iv);
  });

  it('decrypts with any listed key (rotation: new key first, old key kept)', () => {
    const old = createSecretBox(`k1:${k1}`).encrypt('s', 'c');
    const rotated = createSecretBox(`k2:${k2},k1:${k1}`);
    expect(rotated.keyId).toBe('k2');
    expect(rotated.hasKey('k1')).toBe(true);
    expect(rotated.decrypt(old, 'c')).toBe('s');
  });

  it('refuses a different context, an altered row, or a key id it does not hold', () => {
    const box = createSecretBox(`k1:${k1}`);
    const sealed = box.encrypt('s', 'connector-a/token');
    expect(errorOf(() => box.decrypt(sealed, 'connector-b/token')).code).toBe('secret_decrypt_failed');
    const altered = { ...sealed, ciphertext: Uint8Array.from(sealed.ciphertext, (b) => b ^ 1) };
    expect(errorOf(() => box.decrypt(altered, 'connector-a/token')).code).toBe('secret_decrypt_failed');
    const unknown = errorOf(() => createSecretBox(`k2:${k2}`).decrypt(sealed, 'connector-a/token'));
    expect(unknown).toMatchObject({ code: 'secret_key_unknown', failure: 'config' });
    expect(unknown.message).toContain("key id 'k1'");
  });

  it('explains a missing or invalid FRONTLINE_SECRET_KEYS without echoing key material', () => {
    const missing = errorOf(() => secretBoxFromEnv({}));
    expect(missing).toMatchObject({ code: 'secret_keys_missing', failure: 'config' });
    expect(missing.message).toContain('FRONTLINE_SECRET_KEYS is not set');
    expect(missing.message).toContain('openssl rand -base64 32');
    const short = Buffer.alloc(16, 7).toString('base64');
    const invalid = errorOf(() => parseSecretKeys(`k1:${short}`));
    expect(invalid.message).toContain("key 'k1' is not 32 bytes of base64");
    expect(invalid.message).not.toContain(short);
    expect(errorOf(() => parseSecretKeys(k1)).message).toContain('entry 1 is not keyId:base64key');
    expect(errorOf(() => parseSecretKeys(`a:${k1},a:${k2}`)).message).toContain("lists key id 'a' twice");
  });

  it('offers an explicit, fixed dev key for the demo and tests', () => {
    const sealed = devSecretBox().encrypt('demo', 'x');
    expect(sealed.keyId).toBe('dev');
    expect(devSecretBox().decrypt(sealed, 'x')).toBe('demo');
  });
});
