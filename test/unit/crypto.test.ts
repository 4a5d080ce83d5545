import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import CryptoJS from 'crypto-js';
import {
  DecryptionError,
  decryptPgMetaConnection,
  EncryptionKeyError,
  encryptPgMetaConnection,
  generateEncryptionKeyHex,
  Keyring,
  keyIdOfKey,
  parseEncryptionKey,
  PgMetaHeaderError,
  type DecryptionFailure,
  type PgMetaHeaderFailure,
} from '../../src/core/crypto';

const PW = 'S3cr3t-Pa55';
const URL_WITH_PASSWORD = `postgresql://postgres:${PW}@postgres.railway.internal:5432/postgres`;

function shown(error: Error): string[] {
  return [error.message, String(error), error.stack ?? '', inspect(error), JSON.stringify(error)];
}

function expectDecryptionError(fn: () => unknown, reasons: readonly DecryptionFailure[], secrets: readonly string[] = []): DecryptionError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DecryptionError, `expected a DecryptionError, got ${String(caught)}`);
  assert.ok(reasons.includes(caught.reason), `reason ${caught.reason}: ${caught.message}`);
  for (const text of shown(caught)) for (const secret of secrets) assert.ok(!text.includes(secret), `leaks a secret: ${text}`);
  return caught;
}

function expectKeyError(hex: string, pattern: RegExp): void {
  let caught: unknown;
  try {
    parseEncryptionKey(hex, 'ENCRYPTION_KEY');
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof EncryptionKeyError, `expected an EncryptionKeyError, got ${String(caught)}`);
  assert.equal(caught.variableName, 'ENCRYPTION_KEY');
  assert.match(caught.message, /^ENCRYPTION_KEY /);
  assert.match(caught.message, /openssl rand -hex 32/);
  assert.match(caught.message, pattern);
  for (const text of shown(caught)) if (hex.trim().length >= 8) assert.ok(!text.toLowerCase().includes(hex.trim().toLowerCase()), `prints the key: ${text}`);
}

/** Replaces the character at `i` with a different one from the same alphabet. */
function flip(text: string, i: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'): string {
  const replacement = alphabet[(alphabet.indexOf(text[i]!) + 1) % alphabet.length]!;
  return text.slice(0, i) + replacement + text.slice(i + 1);
}

describe('crypto', () => {
  describe('parseEncryptionKey / generateEncryptionKeyHex', () => {
    it('accepts 64 hex characters in either case and around whitespace', () => {
      const hex = generateEncryptionKeyHex();
      assert.match(hex, /^[0-9a-f]{64}$/);
      assert.deepEqual(parseEncryptionKey(hex, 'ENCRYPTION_KEY'), Buffer.from(hex, 'hex'));
      assert.deepEqual(parseEncryptionKey(` ${hex.toUpperCase()}\n`, 'ENCRYPTION_KEY'), Buffer.from(hex, 'hex'));
      assert.notEqual(generateEncryptionKeyHex(), hex);
    });

    it('generates keys that always pass its own strength checks', () => {
      for (let i = 0; i < 200; i++) parseEncryptionKey(generateEncryptionKeyHex(), 'ENCRYPTION_KEY');
    });

    it('rejects malformed keys, naming the variable and not printing the key', () => {
      const good = generateEncryptionKeyHex();
      expectKeyError('', /is empty/);
      expectKeyError(good.slice(0, 63), /64 hexadecimal characters \(32 bytes\) but has 63/);
      expectKeyError(good + 'a', /but has 65/);
      expectKeyError(good.slice(0, 63) + 'g', /contains other characters/);
      expectKeyError('${RAILWAY_GENERATED_ENCRYPTION_KEY}', /unexpanded variable reference/);
      expectKeyError('my-super-secret-passphrase-that-is-long-enough-for-sure-honestly', /contains other characters/);
    });

    it('rejects weak keys: a repeated character or pattern, few distinct digits, ascending or descending runs', () => {
      expectKeyError('0'.repeat(64), /one character repeated/);
      expectKeyError('ab'.repeat(32), /repeats a pattern of 2 characters/);
      expectKeyError('deadbeef'.repeat(8), /repeats a pattern of 8 characters/);
      expectKeyError('0123456789abcdef'.repeat(4), /repeats a pattern of 16 characters/);
      const half = generateEncryptionKeyHex().slice(0, 32);
      expectKeyError(half + half, /repeats a pattern of 32 characters/);
      const oddDigits = [...generateEncryptionKeyHex()].map((c) => '13579bdf'[parseInt(c, 16) % 8]).join('');
      expectKeyError(oddDigits, /uses only [1-8] different hex digits/);
      const rest = generateEncryptionKeyHex();
      expectKeyError('01234567' + rest.slice(8), /run of consecutive digits such as 01234567/);
      expectKeyError(rest.slice(0, 40) + 'fedcba98' + rest.slice(48), /fedcba98/);
      expectKeyError(rest.slice(0, 40) + 'cdef0123' + rest.slice(48), /01234567/);
    });

    it('uses the variable name it is given', () => {
      assert.throws(() => parseEncryptionKey('abc', 'ENCRYPTION_KEY_PREVIOUS[0]'), (e: EncryptionKeyError) => e.message.startsWith('ENCRYPTION_KEY_PREVIOUS[0] must'));
    });
  });

  describe('Keyring', () => {
    const keyA = Buffer.from(generateEncryptionKeyHex(), 'hex');
    const keyB = Buffer.from(generateEncryptionKeyHex(), 'hex');
    const secrets = [PW, keyA.toString('hex'), keyB.toString('hex'), keyA.toString('base64'), keyB.toString('base64')];

    it('round-trips, in the ogb1.<keyId>.<iv>.<tag>.<ciphertext> format, with a fresh IV each time', () => {
      const ring = new Keyring(keyA);
      const sealed = ring.encrypt(URL_WITH_PASSWORD, 'row-1');
      assert.match(sealed, /^ogb1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
      assert.ok(!sealed.includes(PW));
      assert.equal(ring.decrypt(sealed, 'row-1'), URL_WITH_PASSWORD);
      assert.notEqual(ring.encrypt(URL_WITH_PASSWORD, 'row-1'), sealed);
      for (const text of ['', 'ünïcødé ✓ 🔑', 'x'.repeat(10_000)]) assert.equal(ring.decrypt(ring.encrypt(text, 'r'), 'r'), text);
    });

    it('derives key ids from SHA-256 of the key', () => {
      const ring = new Keyring(keyA);
      assert.equal(ring.currentKeyId, createHash('sha256').update(keyA).digest('hex').slice(0, 8));
      assert.equal(ring.currentKeyId, keyIdOfKey(keyA));
      assert.equal(ring.keyIdOf(ring.encrypt('x', 'r')), ring.currentKeyId);
      assert.ok(!keyA.toString('hex').startsWith(ring.currentKeyId));
    });

    it('binds a value to its associated data: swapping ciphertexts between rows fails', () => {
      const ring = new Keyring(keyA);
      const one = ring.encrypt('postgresql://a', 'row-1');
      const two = ring.encrypt('postgresql://b', 'row-2');
      expectDecryptionError(() => ring.decrypt(one, 'row-2'), ['tampered'], secrets);
      expectDecryptionError(() => ring.decrypt(two, 'row-1'), ['tampered'], secrets);
      expectDecryptionError(() => ring.decrypt(one, ''), ['tampered'], secrets);
      assert.equal(ring.decrypt(two, 'row-2'), 'postgresql://b');
    });

    it('detects tampering with every character of the iv, tag and ciphertext, and with the version and key id', () => {
      const ring = new Keyring(keyA);
      const sealed = ring.encrypt(URL_WITH_PASSWORD, 'row-1');
      const [version, keyId, iv, tag] = sealed.split('.') as [string, string, string, string, string];
      const ivStart = version.length + keyId.length + 2;
      for (let i = ivStart; i < sealed.length; i++) {
        if (sealed[i] === '.') continue;
        const which = i < ivStart + iv.length ? 'iv' : i < ivStart + iv.length + 1 + tag.length ? 'tag' : 'ciphertext';
        const error = expectDecryptionError(() => ring.decrypt(flip(sealed, i), 'row-1'), ['tampered', 'format'], secrets);
        assert.ok(error.reason === 'tampered' || which !== 'ciphertext' || i === sealed.length - 1, `${which} at ${i}: ${error.reason}`);
      }
      expectDecryptionError(() => ring.decrypt(sealed.replace(/^ogb1/, 'ogb2'), 'row-1'), ['format'], secrets);
      const otherId = keyId === '00000000' ? '11111111' : '00000000';
      const unknown = expectDecryptionError(() => ring.decrypt(sealed.replace(`.${keyId}.`, `.${otherId}.`), 'row-1'), ['unknown-key'], secrets);
      assert.equal(unknown.keyId, otherId);
      // The key id is authenticated too: naming another key the ring holds fails, not decrypts.
      const both = new Keyring(keyA, [keyB]);
      expectDecryptionError(() => both.decrypt(sealed.replace(`.${keyId}.`, `.${keyIdOfKey(keyB)}.`), 'row-1'), ['tampered'], secrets);
      // Truncated or extended ciphertext.
      expectDecryptionError(() => ring.decrypt(sealed.slice(0, -4), 'row-1'), ['tampered', 'format'], secrets);
      expectDecryptionError(() => ring.decrypt(sealed + 'AAAA', 'row-1'), ['tampered'], secrets);
    });

    it('rejects malformed values with a format error that explains what it got, without echoing it', () => {
      const ring = new Keyring(keyA);
      const sealed = ring.encrypt('x', 'r');
      for (const bad of ['', 'ogb1', sealed + '.extra', sealed.split('.').slice(0, 4).join('.'), 'ogb1.XYZ.a.b.c', `ogb1.${ring.currentKeyId}.!!!.b.c`]) {
        expectDecryptionError(() => ring.decrypt(bad, 'r'), ['format'], secrets);
      }
      const legacy = CryptoJS.AES.encrypt(URL_WITH_PASSWORD, 'passphrase').toString();
      assert.match(expectDecryptionError(() => ring.decrypt(legacy, 'r'), ['format'], secrets).message, /crypto-js/);
      assert.match(expectDecryptionError(() => ring.decrypt(URL_WITH_PASSWORD, 'r'), ['format'], secrets).message, /plaintext connection string/);
      expectDecryptionError(() => ring.keyIdOf('nonsense'), ['format']);
    });

    it('names the missing key id and the variable to set when a value was sealed with an unknown key', () => {
      const sealed = new Keyring(keyB).encrypt(URL_WITH_PASSWORD, 'row-1');
      const ring = new Keyring(keyA);
      const error = expectDecryptionError(() => ring.decrypt(sealed, 'row-1'), ['unknown-key'], secrets);
      assert.equal(error.keyId, keyIdOfKey(keyB));
      assert.equal(
        error.message,
        `sealed with key ${keyIdOfKey(keyB)}, which is neither ENCRYPTION_KEY (key ${keyIdOfKey(keyA)}) nor a previous key: set ENCRYPTION_KEY_PREVIOUS to the key that sealed it`,
      );
      const named = new Keyring(keyA, [], { current: 'MULTI_DB_CRYPTO_KEY', previous: 'MULTI_DB_CRYPTO_KEY_PREVIOUS' });
      assert.match(expectDecryptionError(() => named.decrypt(sealed, 'row-1'), ['unknown-key']).message, /neither MULTI_DB_CRYPTO_KEY .*set MULTI_DB_CRYPTO_KEY_PREVIOUS/);
    });

    it('rotates: an old value opens with the old key as previous, needs rotation, and re-seals with the new id', () => {
      const old = new Keyring(keyA);
      const sealedOld = old.encrypt(URL_WITH_PASSWORD, 'row-1');
      assert.equal(old.needsRotation(sealedOld), false);
      const ring = new Keyring(keyB, [keyA]);
      assert.deepEqual(ring.previousKeyIds, [keyIdOfKey(keyA)]);
      assert.equal(ring.decrypt(sealedOld, 'row-1'), URL_WITH_PASSWORD);
      assert.equal(ring.needsRotation(sealedOld), true);
      const resealed = ring.encrypt(ring.decrypt(sealedOld, 'row-1'), 'row-1');
      assert.equal(ring.keyIdOf(resealed), keyIdOfKey(keyB));
      assert.equal(ring.needsRotation(resealed), false);
      assert.equal(ring.decrypt(resealed, 'row-1'), URL_WITH_PASSWORD);
      expectDecryptionError(() => old.decrypt(resealed, 'row-1'), ['unknown-key'], secrets);
      assert.deepEqual(new Keyring(keyA, [keyA]).previousKeyIds, [], 'the current key passed as previous is ignored');
    });

    it('does not keep a reference to the caller buffers, and rejects keys that are not 32 bytes', () => {
      const key = Buffer.from(keyA);
      const ring = new Keyring(key);
      const sealed = ring.encrypt('x', 'r');
      key.fill(0);
      assert.equal(ring.decrypt(sealed, 'r'), 'x');
      assert.throws(() => new Keyring(randomBytes(16)), RangeError);
      assert.throws(() => new Keyring(keyA, [randomBytes(31)]), RangeError);
    });
  });

  describe('pg-meta x-connection-encrypted header', () => {
    const cryptoKey = 'a-pg-meta-crypto-key-0123456789abcdef';

    /** OpenSSL EVP_BytesToKey with MD5 and one round: what crypto-js' passphrase mode derives. */
    function evpBytesToKey(passphrase: string, salt: Buffer): { key: Buffer; iv: Buffer } {
      let derived = Buffer.alloc(0);
      let block = Buffer.alloc(0);
      while (derived.length < 48) {
        block = createHash('md5').update(Buffer.concat([block, Buffer.from(passphrase, 'utf8'), salt])).digest();
        derived = Buffer.concat([derived, block]);
      }
      return { key: derived.subarray(0, 32), iv: derived.subarray(32, 48) };
    }
    function opensslEncrypt(plaintext: string, passphrase: string, salt: Buffer): string {
      const { key, iv } = evpBytesToKey(passphrase, salt);
      const cipher = createCipheriv('aes-256-cbc', key, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from('Salted__', 'latin1'), salt, body]).toString('base64');
    }
    function opensslDecrypt(header: string, passphrase: string): string {
      const bytes = Buffer.from(header, 'base64');
      assert.equal(bytes.subarray(0, 8).toString('latin1'), 'Salted__');
      const { key, iv } = evpBytesToKey(passphrase, bytes.subarray(8, 16));
      const decipher = createDecipheriv('aes-256-cbc', key, iv);
      return Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]).toString('utf8');
    }
    function expectHeaderError(fn: () => unknown, reason: PgMetaHeaderFailure): PgMetaHeaderError {
      let caught: unknown;
      try {
        fn();
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof PgMetaHeaderError, `expected a PgMetaHeaderError, got ${String(caught)}`);
      assert.equal(caught.reason, reason, caught.message);
      for (const text of shown(caught)) assert.ok(!text.includes(PW) && !text.includes(cryptoKey), `leaks: ${text}`);
      return caught;
    }

    it('produces a header that plain crypto-js (as pg-meta runs it) decrypts', () => {
      const header = encryptPgMetaConnection(URL_WITH_PASSWORD, cryptoKey);
      assert.match(header, /^U2FsdGVkX1/);
      assert.equal(CryptoJS.AES.decrypt(header, cryptoKey).toString(CryptoJS.enc.Utf8), URL_WITH_PASSWORD);
    });

    it('decrypts a header that plain crypto-js (as Studio runs it) produced', () => {
      const header = CryptoJS.AES.encrypt(URL_WITH_PASSWORD, cryptoKey).toString();
      assert.equal(decryptPgMetaConnection(header, cryptoKey), URL_WITH_PASSWORD);
    });

    it('is byte-compatible with OpenSSL passphrase mode, checked without crypto-js', () => {
      const header = encryptPgMetaConnection(URL_WITH_PASSWORD, cryptoKey);
      assert.equal(opensslDecrypt(header, cryptoKey), URL_WITH_PASSWORD);
      const salt = Buffer.from(header, 'base64').subarray(8, 16);
      assert.equal(opensslEncrypt(URL_WITH_PASSWORD, cryptoKey, salt), header, 'same salt, same bytes');
      const fixedSalt = Buffer.from('0011223344556677', 'hex');
      const ours = opensslEncrypt('postgres://u:p%40ss@db.example.com:5432/app?sslmode=require', 'k€y with spaces', fixedSalt);
      assert.equal(decryptPgMetaConnection(ours, 'k€y with spaces'), 'postgres://u:p%40ss@db.example.com:5432/app?sslmode=require');
    });

    it('trims the decrypted text as pg-meta does, so every header pg-meta accepts is accepted', () => {
      for (const padded of [`${URL_WITH_PASSWORD}\n`, ` ${URL_WITH_PASSWORD}`, `\r\n\t${URL_WITH_PASSWORD} \r\n`]) {
        const header = CryptoJS.AES.encrypt(padded, cryptoKey).toString();
        // What pg-meta does with it (src/server/routes/index.ts): decrypt, then trim.
        assert.equal(CryptoJS.AES.decrypt(header, cryptoKey).toString(CryptoJS.enc.Utf8).trim(), URL_WITH_PASSWORD);
        assert.equal(decryptPgMetaConnection(header, cryptoKey), URL_WITH_PASSWORD);
      }
    });

    it('turns a wrong key into a typed error that points at PG_META_CRYPTO_KEY and CRYPTO_KEY', () => {
      const header = encryptPgMetaConnection(URL_WITH_PASSWORD, cryptoKey);
      for (let i = 0; i < 100; i++) {
        const error = expectHeaderError(() => decryptPgMetaConnection(header, `wrong-${i}-${generateEncryptionKeyHex()}`), 'wrong-key');
        assert.match(error.message, /does not decrypt with this key: check that PG_META_CRYPTO_KEY matches pg-meta's CRYPTO_KEY/);
      }
    });

    it('rejects what is not a crypto-js header, and a plaintext that is not a postgres URL, like pg-meta', () => {
      for (const bad of ['', 'not base64!', Buffer.from('Salted__1234567').toString('base64'), Buffer.from('NotSalted_______________________').toString('base64')]) {
        expectHeaderError(() => decryptPgMetaConnection(bad, cryptoKey), 'format');
      }
      const redisHeader = CryptoJS.AES.encrypt(`redis://default:${PW}@redis.railway.internal:6379`, cryptoKey).toString();
      expectHeaderError(() => decryptPgMetaConnection(redisHeader, cryptoKey), 'not-postgres-url');
      expectHeaderError(() => encryptPgMetaConnection(`mongodb://admin:${PW}@h/db`, cryptoKey), 'not-postgres-url');
      expectHeaderError(() => encryptPgMetaConnection(URL_WITH_PASSWORD, ''), 'no-key');
      expectHeaderError(() => decryptPgMetaConnection(encryptPgMetaConnection(URL_WITH_PASSWORD, cryptoKey), ''), 'no-key');
    });
  });
});
