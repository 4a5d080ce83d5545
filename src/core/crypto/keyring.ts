import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/*
 * Connection strings at rest: AES-256-GCM from the platform's own crypto (node:crypto, also in Bun),
 * a random 96-bit IV per value, the key id in the clear so several keys can coexist during a
 * rotation, and the caller's associated data (the row id) authenticated with it, so a ciphertext
 * copied into another row does not open.
 *
 *   ogb1.<keyId>.<iv, base64url, 12 bytes>.<tag, base64url, 16 bytes>.<ciphertext, base64url>
 */

const VERSION = 'ogb1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const GENERATE = 'generate one with `openssl rand -hex 32`';

/** A missing, malformed or weak key. The message names the variable and never contains the key. */
export class EncryptionKeyError extends Error {
  override readonly name = 'EncryptionKeyError';

  constructor(
    readonly variableName: string,
    message: string,
  ) {
    super(message);
  }
}

export type DecryptionFailure = 'format' | 'unknown-key' | 'tampered';

/** A sealed value that does not open. Never contains plaintext or key material. */
export class DecryptionError extends Error {
  override readonly name = 'DecryptionError';

  constructor(
    readonly reason: DecryptionFailure,
    message: string,
    /** The key id the value names, when it could be read. */
    readonly keyId?: string,
  ) {
    super(message);
  }
}

/**
 * A 32-byte key from 64 hex characters (surrounding whitespace ignored). Rejects keys a person typed
 * rather than generated: one repeated pattern, fewer than 10 distinct digits, or a run of 8 ascending
 * or descending digits (each has a chance below 1e-6 for a random key).
 */
export function parseEncryptionKey(hex: string, variableName: string): Buffer {
  const text = String(hex ?? '').trim();
  const fail = (problem: string) => new EncryptionKeyError(variableName, `${variableName} ${problem}: ${GENERATE}`);
  if (text === '') throw fail('is empty');
  if (text.includes('${')) throw fail('holds an unexpanded variable reference ${...}, not a key');
  if (!/^[0-9a-fA-F]+$/.test(text)) throw fail('must be 64 hexadecimal characters (0-9, a-f) but contains other characters');
  if (text.length !== KEY_BYTES * 2) throw fail(`must be 64 hexadecimal characters (32 bytes) but has ${text.length}`);
  const weakness = weaknessOf(text.toLowerCase());
  if (weakness) throw fail(`is too weak to protect connection strings (${weakness})`);
  return Buffer.from(text, 'hex');
}

function weaknessOf(hex: string): string | undefined {
  for (let period = 1; period <= hex.length / 2; period++) {
    let repeats = true;
    for (let i = period; i < hex.length && repeats; i++) repeats = hex[i] === hex[i - period];
    if (repeats) return period === 1 ? 'it is one character repeated' : `it repeats a pattern of ${period} characters`;
  }
  const distinct = new Set(hex).size;
  if (distinct < 10) return `it uses only ${distinct} different hex digits; a random key uses nearly all 16`;
  const digits = [...hex].map((c) => parseInt(c, 16));
  for (const step of [1, 15]) {
    let run = 1;
    for (let i = 1; i < digits.length; i++) {
      run = (digits[i]! - digits[i - 1]! + 16) % 16 === step ? run + 1 : 1;
      if (run >= 8) return `it contains a run of consecutive digits such as ${step === 1 ? '01234567' : 'fedcba98'}`;
    }
  }
  return undefined;
}

/** 64 random hex characters that {@link parseEncryptionKey} accepts. */
export function generateEncryptionKeyHex(): string {
  for (;;) {
    const hex = randomBytes(KEY_BYTES).toString('hex');
    if (weaknessOf(hex) === undefined) return hex;
  }
}

/** The first 8 hex characters of the key's SHA-256: tells keys apart, reveals nothing about them. */
export function keyIdOfKey(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** Environment variable names used in messages. */
export interface KeyringNames {
  current: string;
  previous: string;
}

interface SealedParts {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export class Keyring {
  readonly currentKeyId: string;
  readonly #keys = new Map<string, Buffer>();
  readonly #names: KeyringNames;

  /** `previous` keys only decrypt; values they sealed report `needsRotation`. */
  constructor(current: Buffer, previous: readonly Buffer[] = [], names: KeyringNames = { current: 'ENCRYPTION_KEY', previous: 'ENCRYPTION_KEY_PREVIOUS' }) {
    this.#names = names;
    for (const key of [current, ...previous]) {
      if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new RangeError(`an encryption key is ${KEY_BYTES} bytes (got ${Buffer.isBuffer(key) ? key.length : typeof key})`);
      const id = keyIdOfKey(key);
      if (!this.#keys.has(id)) this.#keys.set(id, Buffer.from(key));
    }
    this.currentKeyId = keyIdOfKey(current);
  }

  /** Ids of the previous keys, for diagnostics. */
  get previousKeyIds(): string[] {
    return [...this.#keys.keys()].filter((id) => id !== this.currentKeyId);
  }

  /** Seals `plaintext` with the current key, bound to `associatedData` (e.g. the row id). */
  encrypt(plaintext: string, associatedData: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(aad(this.currentKeyId, associatedData));
    const ciphertext = Buffer.concat([cipher.update(String(plaintext), 'utf8'), cipher.final()]);
    return [VERSION, this.currentKeyId, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** Opens a sealed value; the associated data must be the one it was sealed with. */
  decrypt(sealed: string, associatedData: string): string {
    const parts = parseSealed(sealed);
    const key = this.#keys.get(parts.keyId);
    if (!key) {
      throw new DecryptionError(
        'unknown-key',
        `sealed with key ${parts.keyId}, which is neither ${this.#names.current} (key ${this.currentKeyId}) nor a previous key: set ${this.#names.previous} to the key that sealed it`,
        parts.keyId,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key, parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(parts.keyId, associatedData));
    decipher.setAuthTag(parts.tag);
    try {
      return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError(
        'tampered',
        `the sealed value does not authenticate with key ${parts.keyId}: it was altered, or it belongs to another record (associated data mismatch)`,
        parts.keyId,
      );
    }
  }

  /** The id of the key a value was sealed with; throws DecryptionError('format') for a malformed value. */
  keyIdOf(sealed: string): string {
    return parseSealed(sealed).keyId;
  }

  /** True when the value was sealed with a previous key and should be sealed again with the current one. */
  needsRotation(sealed: string): boolean {
    return this.keyIdOf(sealed) !== this.currentKeyId;
  }
}

/** The format version and key id are authenticated too, then the caller's data. */
function aad(keyId: string, associatedData: string): Buffer {
  if (typeof associatedData !== 'string') throw new TypeError('associatedData must be a string (e.g. the record id)');
  return Buffer.from(`${VERSION}.${keyId}.${associatedData}`, 'utf8');
}

function parseSealed(sealed: string): SealedParts {
  const text = typeof sealed === 'string' ? sealed.trim() : '';
  const parts = text.split('.');
  const b64 = (s: string | undefined, bytes?: number): Buffer | undefined => {
    if (s === undefined || !/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
    const buf = Buffer.from(s, 'base64url');
    // Only the canonical encoding: other spellings of the same bytes would be undetected edits.
    if (buf.toString('base64url') !== s || (bytes !== undefined && buf.length !== bytes)) return undefined;
    return buf;
  };
  const [version, keyId, iv, tag, ciphertext] = [parts[0], parts[1], b64(parts[2], IV_BYTES), b64(parts[3], TAG_BYTES), b64(parts[4])];
  if (parts.length === 5 && version === VERSION && keyId !== undefined && /^[0-9a-f]{8}$/.test(keyId) && iv && tag && ciphertext) {
    return { keyId, iv, tag, ciphertext };
  }
  const what = text.startsWith('U2FsdGVkX1')
    ? 'it is a crypto-js AES value (OpenSSL "Salted__" format), not a sealed one: decrypt it with the old passphrase and seal it again'
    : text.includes('://') || /^\s*\w+\s*=/.test(text)
      ? 'it looks like a plaintext connection string, not a sealed value'
      : `expected ${VERSION}.<keyId>.<iv>.<tag>.<ciphertext>`;
  throw new DecryptionError('format', `not a sealed value: ${what}`);
}
