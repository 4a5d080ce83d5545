import { Buffer } from 'node:buffer';
import AES from 'crypto-js/aes';
import Utf8 from 'crypto-js/enc-utf8';

/*
 * Why crypto-js here, and only here: Supabase Studio sends pg-meta the connection string in the
 * `x-connection-encrypted` header as `AES.encrypt(url, PG_META_CRYPTO_KEY).toString()`, and pg-meta
 * opens it with `AES.decrypt(value, CRYPTO_KEY).toString(enc.Utf8)`. That is crypto-js' passphrase
 * mode: OpenSSL "Salted__" + 8-byte salt, key and IV from EVP_BytesToKey with ONE round of MD5,
 * AES-256-CBC with PKCS#7 and no authentication, base64. We must produce and read exactly that to
 * talk to pg-meta. crypto-js is discontinued and that KDF is weak, so it is never used for anything
 * else: data at rest goes through ./keyring (AES-256-GCM from node:crypto).
 * Only the submodules needed are imported, to keep the bundles small.
 */

/** The header pg-meta reads the encrypted connection string from. */
export const PG_META_CONNECTION_HEADER = 'x-connection-encrypted';

export type PgMetaHeaderFailure = 'no-key' | 'format' | 'wrong-key' | 'not-postgres-url';

/** A header that cannot be produced or opened. Never contains the connection string or the key. */
export class PgMetaHeaderError extends Error {
  override readonly name = 'PgMetaHeaderError';

  constructor(
    readonly reason: PgMetaHeaderFailure,
    message: string,
  ) {
    super(message);
  }
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;
const KEY_HINT = "check that PG_META_CRYPTO_KEY matches pg-meta's CRYPTO_KEY";

function requireKey(cryptoKey: string): void {
  if (typeof cryptoKey !== 'string' || cryptoKey === '') throw new PgMetaHeaderError('no-key', 'PG_META_CRYPTO_KEY is empty: set it to the CRYPTO_KEY pg-meta runs with');
}

/** The `x-connection-encrypted` header value for a postgresql:// URL, exactly as Studio builds it. */
export function encryptPgMetaConnection(connectionString: string, cryptoKey: string): string {
  requireKey(cryptoKey);
  if (!POSTGRES_URL.test(String(connectionString).trim())) {
    throw new PgMetaHeaderError('not-postgres-url', 'pg-meta accepts only a postgresql:// or postgres:// URL in the connection header');
  }
  return AES.encrypt(String(connectionString).trim(), cryptoKey).toString();
}

/** The connection string inside an `x-connection-encrypted` header, trimmed and checked like pg-meta does. */
export function decryptPgMetaConnection(headerValue: string, cryptoKey: string): string {
  requireKey(cryptoKey);
  const value = typeof headerValue === 'string' ? headerValue.trim() : '';
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  // "Salted__", 8 bytes of salt, then whole AES blocks.
  if (bytes.subarray(0, 8).toString('latin1') !== 'Salted__' || bytes.length < 32 || bytes.length % 16 !== 0) {
    throw new PgMetaHeaderError('format', `the ${PG_META_CONNECTION_HEADER} header is not a crypto-js AES value (base64 of "Salted__", salt and ciphertext)`);
  }
  const wrongKey = () => new PgMetaHeaderError('wrong-key', `the ${PG_META_CONNECTION_HEADER} header does not decrypt with this key: ${KEY_HINT}`);
  const plain = AES.decrypt(value, cryptoKey);
  // crypto-js strips as many bytes as the last byte says without checking them, so with a wrong key it
  // can return a few random bytes that happen to be text. Check PKCS#7 ourselves (the stripped bytes
  // are still in `words`): a wrong key passes with a chance of about 1/256, and then fails as UTF-8.
  const padding = bytes.length - 16 - plain.sigBytes;
  if (padding < 1 || padding > 16) throw wrongKey();
  for (let i = plain.sigBytes; i < bytes.length - 16; i++) {
    if (((plain.words[i >>> 2]! >>> (24 - (i % 4) * 8)) & 0xff) !== padding) throw wrongKey();
  }
  let text: string;
  try {
    // pg-meta trims what it decrypted before using it (src/server/routes/index.ts), so a header
    // Studio or a script built from a string with a trailing newline works there: same here.
    text = plain.toString(Utf8).trim();
  } catch {
    throw wrongKey(); // "Malformed UTF-8 data", what pg-meta logs for a key mismatch
  }
  // eslint-disable-next-line no-control-regex
  if (text === '' || /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) throw wrongKey();
  if (!POSTGRES_URL.test(text)) {
    throw new PgMetaHeaderError('not-postgres-url', `the ${PG_META_CONNECTION_HEADER} header decrypts, but not to a postgresql:// URL, so pg-meta would reject it (or the key is wrong: ${KEY_HINT})`);
  }
  return text;
}
