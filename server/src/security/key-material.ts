import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEncryptionKeyHex, Keyring, parseEncryptionKey } from '../../../src/core/crypto';
import { ConfigError, type Config } from '../config';
import type { Logger } from '../logger';

/** Reads a secret kept in the data folder, or creates it readable by the owner only. */
function secretFile(dataDir: string, name: string, create: () => string, log: Logger, what: string): string {
  const path = join(dataDir, name);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    // 'wx': never overwrite a key another process has just written.
    writeFileSync(path, `${create()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return readFileSync(path, 'utf8').trim();
  }
  chmodSync(path, 0o600);
  log.warn(`generated ${what} at ${path} (owner-only); back it up: without it the stored connection strings cannot be read`);
  return readFileSync(path, 'utf8').trim();
}

/**
 * The keyring that seals connection strings at rest. With a real DATABASE_URL the key must come
 * from the environment and be strong; on the embedded default a missing key is generated once into
 * the data folder so that a bare `bun run` works.
 */
export function loadKeyring(config: Config, log: Logger): Keyring {
  let currentHex = config.encryptionKey;
  const variable = config.ENCRYPTION_KEY ? 'ENCRYPTION_KEY' : 'MULTI_DB_CRYPTO_KEY';
  if (!currentHex) {
    if (config.DATABASE_URL) {
      throw new ConfigError('ENCRYPTION_KEY is required when DATABASE_URL is set: generate one with `openssl rand -hex 32`');
    }
    currentHex = secretFile(config.dataDir, 'encryption.key', generateEncryptionKeyHex, log, 'a new encryption key');
  }
  const current = parseEncryptionKey(currentHex, variable);
  const previous = (config.ENCRYPTION_KEY_PREVIOUS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((hex, i) => parseEncryptionKey(hex, `ENCRYPTION_KEY_PREVIOUS[${i}]`));
  for (const alias of ['REDIS_CRYPTO_KEY', 'MONGODB_CRYPTO_KEY'] as const) {
    if (config[alias] && config[alias] !== currentHex) {
      log.warn(`${alias} differs from ENCRYPTION_KEY; this server seals every engine's connection strings with ENCRYPTION_KEY`);
    }
  }
  return new Keyring(current, previous, { current: variable, previous: 'ENCRYPTION_KEY_PREVIOUS' });
}

/** The HS256 secret of platform JWTs: JWT_SECRET, or on the embedded default one generated into the data folder. */
export function loadJwtSecret(config: Config, log: Logger): string | undefined {
  if (config.JWT_SECRET) {
    if (config.JWT_SECRET.length < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters long');
    return config.JWT_SECRET;
  }
  if (config.DATABASE_URL) {
    log.warn('JWT_SECRET is not set: only personal API tokens are accepted');
    return undefined;
  }
  return secretFile(config.dataDir, 'jwt.secret', () => randomBytes(32).toString('base64url'), log, 'a new JWT secret');
}
