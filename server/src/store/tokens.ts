import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../db/sql';

/** Personal API tokens start with this prefix so scanners and people can recognise them. */
export const API_TOKEN_PREFIX = 'ogb_';

export interface ApiTokenRecord {
  id: string;
  userId: string;
  name: string;
  tokenPrefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Tokens carry 240 random bits; a fast hash is enough to store them (no password-style stretching needed). */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function randomBase62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely.
  for (const byte of bytes) {
    if (byte < 248) out += base62[byte % 62];
    if (out.length === length) return out;
  }
  return out + randomBase62(length - out.length);
}

const columns = `id, user_id AS "userId", name, token_prefix AS "tokenPrefix", created_at AS "createdAt",
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

export class TokenStore {
  constructor(private readonly sql: Queryable) {}

  /** Mints a token; the plaintext is returned once and only its hash is kept. */
  async mint(userId: string, name: string, expiresAt: Date | null, tx: Queryable = this.sql): Promise<{ token: string; record: ApiTokenRecord }> {
    const token = `${API_TOKEN_PREFIX}${randomBase62(40)}`;
    const { rows } = await tx.query<ApiTokenRecord>(
      `INSERT INTO platform.api_tokens (id, user_id, name, token_prefix, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
      [randomUUID(), userId, name, token.slice(0, API_TOKEN_PREFIX.length + 6), hashToken(token), expiresAt],
    );
    return { token, record: rows[0]! };
  }

  async byToken(token: string): Promise<ApiTokenRecord | undefined> {
    const { rows } = await this.sql.query<ApiTokenRecord>(`SELECT ${columns} FROM platform.api_tokens WHERE token_hash = $1`, [hashToken(token)]);
    return rows[0];
  }

  async list(userId?: string): Promise<ApiTokenRecord[]> {
    const { rows } = await this.sql.query<ApiTokenRecord>(
      `SELECT ${columns} FROM platform.api_tokens WHERE ($1::uuid IS NULL OR user_id = $1) ORDER BY created_at`,
      [userId ?? null],
    );
    return rows;
  }

  /** Revokes by id or by the token's visible prefix; returns how many tokens it revoked. */
  async revoke(idOrPrefix: string, tx: Queryable = this.sql): Promise<number> {
    const isId = /^[0-9a-f-]{36}$/i.test(idOrPrefix);
    const { rowCount } = await tx.query(
      `UPDATE platform.api_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND ${isId ? 'id = $1::uuid' : 'token_prefix = $1'}`,
      [idOrPrefix],
    );
    return rowCount;
  }

  async touch(id: string): Promise<void> {
    await this.sql.query('UPDATE platform.api_tokens SET last_used_at = now() WHERE id = $1', [id]);
  }
}
