import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ConnectorError } from '../connector-kit/failure.ts';

/**
 * Connector secrets at rest: AES-256-GCM with a key id, so keys rotate (README "Configuration":
 * FRONTLINE_SECRET_KEYS). `FRONTLINE_SECRET_KEYS=keyId:base64key[,keyId:base64key…]`: the first key
 * encrypts, every key decrypts. Rotate by putting a new key first and keeping the old one until all
 * rows are rewritten. Errors name the variable and key ids, never key material or plaintext.
 */
export const secretKeysVariable = 'FRONTLINE_SECRET_KEYS';

export interface SealedSecret {
  keyId: string;
  iv: Uint8Array<ArrayBuffer>;
  tag: Uint8Array<ArrayBuffer>;
  ciphertext: Uint8Array<ArrayBuffer>;
}

export interface SecretBox {
  /** The id of the key that encrypts (the first one). */
  readonly keyId: string;
  /** `context` is authenticated, not stored (e.g. `connectorId/name`): a row copied elsewhere fails. */
  encrypt(plaintext: string, context?: string): SealedSecret;
  decrypt(sealed: SealedSecret, context?: string): string;
  hasKey(keyId: string): boolean;
}

export interface SecretKey {
  id: string;
  key: Uint8Array;
}

const howToGenerate = `generate a key with \`openssl rand -base64 32\` and set ${secretKeysVariable}=k1:<that value>`;

export function parseSecretKeys(value: string | undefined): SecretKey[] {
  if (value === undefined || value.trim() === '') {
    throw keyError('secret_keys_missing', `${secretKeysVariable} is not set: connector secrets cannot be encrypted or read. Fix: ${howToGenerate}`);
  }
  const keys = value.split(',').map((entry, index) => parseEntry(entry.trim(), index));
  const ids = new Set<string>();
  for (const { id } of keys) {
    if (ids.has(id)) throw keyError('secret_keys_invalid', `${secretKeysVariable} lists key id '${id}' twice. Fix: give every key its own id`);
    ids.add(id);
  }
  return keys;
}

function parseEntry(entry: string, index: number): SecretKey {
  const colon = entry.indexOf(':');
  const id = colon === -1 ? '' : entry.slice(0, colon);
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
    throw keyError('secret_keys_invalid', `${secretKeysVariable} entry ${index + 1} is not keyId:base64key (key id: letters, digits, "_" or "-"). Fix: ${howToGenerate}`);
  }
  const encoded = entry.slice(colon + 1);
  const key = Buffer.from(encoded, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.length !== 32) {
    throw keyError('secret_keys_invalid', `${secretKeysVariable} key '${id}' is not 32 bytes of base64 (AES-256). Fix: ${howToGenerate}`);
  }
  return { id, key };
}

export function createSecretBox(keys: string | readonly SecretKey[]): SecretBox {
  const list = typeof keys === 'string' ? parseSecretKeys(keys) : keys;
  const [primary] = list;
  if (primary === undefined) throw keyError('secret_keys_missing', `no secret keys given. Fix: ${howToGenerate}`);
  const byId = new Map(list.map((k) => [k.id, k.key]));
  return {
    keyId: primary.id,
    hasKey: (keyId) => byId.has(keyId),
    encrypt(plaintext, context = '') {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', primary.key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return { keyId: primary.id, iv: copy(iv), tag: copy(cipher.getAuthTag()), ciphertext: copy(ciphertext) };
    },
    decrypt(sealed, context = '') {
      const key = byId.get(sealed.keyId);
      if (key === undefined) {
        throw keyError('secret_key_unknown', `a connector secret is encrypted with key id '${sealed.keyId}', which ${secretKeysVariable} does not hold. Fix: add that key back (keep old keys after the new first one until secrets are rewritten), or re-apply the config to store the secrets again`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(sealed.tag);
        return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
      } catch (cause) {
        throw keyError('secret_decrypt_failed', `a connector secret could not be decrypted with key id '${sealed.keyId}': the key under that id differs from the one that encrypted it, or the row was altered. Fix: restore the original key for '${sealed.keyId}', or re-apply the config`, cause);
      }
    },
  };
}

export function secretBoxFromEnv(env: NodeJS.ProcessEnv = process.env): SecretBox {
  return createSecretBox(parseSecretKeys(env[secretKeysVariable]));
}

/**
 * A fixed, public key for the demo and tests only — pass it explicitly; nothing falls back to it.
 * Anything it encrypts is readable by anyone with this source code.
 */
export function devSecretBox(): SecretBox {
  return createSecretBox([{ id: 'dev', key: createHash('sha256').update('frontline-demo-key: not a secret', 'utf8').digest() }]);
}

/** A fresh ArrayBuffer-backed copy (Prisma `Bytes`), never a view into Node's shared pool. */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

function keyError(code: string, message: string, cause?: unknown): ConnectorError {
  return new ConnectorError(message, { failure: 'config', code, ...(cause === undefined ? {} : { cause }) });
}
