import type { EngineType, Role } from '../../../src/core/api/types';
import type { Queryable } from '../db/sql';

/** A `platform.databases` row as stored: the connection string is still sealed. */
export interface DatabaseRow {
  id: string;
  projectId: string;
  projectRef: string;
  organizationId: string;
  name: string;
  type: EngineType;
  description: string | null;
  sealed: string;
  readOnly: boolean;
  /** Certificates and key (PEM, JSON), sealed; null when the connection needs none. */
  tlsSealed: string | null;
  /** The read-only credential (JSON), sealed; null when there is none. */
  readSealed: string | null;
  /** Whether the platform created that login (and drops it with the database) or an owner gave it. */
  readKind: 'provisioned' | 'supplied' | null;
  /** MongoDB: $where, $function and $accumulator are accepted. */
  serverJavaScript: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The sealed parts of a database besides its connection string, and the flags that go with them. */
export interface DatabaseExtras {
  tlsSealed?: string | null;
  readSealed?: string | null;
  readKind?: 'provisioned' | 'supplied' | null;
  serverJavaScript?: boolean;
}

/** Which sealed value of a database: each is bound to the row id and its part ({@link sealingContext}). */
export type SealedPart = 'connection' | 'tls' | 'read';

/** The keyring's associated data for a sealed part: the connection string keeps the bare id it always had. */
export const sealingContext = (id: string, part: SealedPart) => (part === 'connection' ? id : `${id}:${part}`);

export interface DatabaseAccess {
  row: DatabaseRow;
  role: Role;
}

const columns = `d.id, d.project_id AS "projectId", p.ref AS "projectRef", p.organization_id AS "organizationId", d.name, d.type,
  d.description, d.connection_string_encrypted AS sealed, d.read_only AS "readOnly", d.tls_encrypted AS "tlsSealed",
  d.read_credential_encrypted AS "readSealed", d.read_credential_kind AS "readKind", d.server_javascript AS "serverJavaScript",
  d.created_at AS "createdAt", d.updated_at AS "updatedAt"`;

export class DatabaseStore {
  constructor(private readonly sql: Queryable) {}

  async insert(
    row: { id: string; projectId: string; name: string; type: EngineType; description: string | null; sealed: string; readOnly: boolean } & DatabaseExtras,
    tx: Queryable = this.sql,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO platform.databases (id, project_id, name, type, description, connection_string_encrypted, read_only, tls_encrypted,
         read_credential_encrypted, read_credential_kind, server_javascript)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [row.id, row.projectId, row.name, row.type, row.description, row.sealed, row.readOnly, row.tlsSealed ?? null, row.readSealed ?? null, row.readKind ?? null, row.serverJavaScript ?? false],
    );
  }

  /** Ids of every database in the organizations `userId` belongs to (metrics are scoped to them). */
  async idsForUser(userId: string): Promise<Set<string>> {
    const { rows } = await this.sql.query<{ id: string }>(
      `SELECT d.id FROM platform.databases d JOIN platform.projects p ON p.id = d.project_id
       JOIN platform.organization_members m ON m.organization_id = p.organization_id AND m.user_id = $1`,
      [userId],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The databases of one project, ordered by name; `limit`/`offset` keep a huge project's answer bounded. */
  async listOfProject(projectId: string, page: { limit: number; offset: number }): Promise<{ rows: DatabaseRow[]; total: number }> {
    const [{ rows }, count] = await Promise.all([
      this.sql.query<DatabaseRow>(
        `SELECT ${columns} FROM platform.databases d JOIN platform.projects p ON p.id = d.project_id
         WHERE d.project_id = $1 ORDER BY d.name LIMIT $2 OFFSET $3`,
        [projectId, page.limit, page.offset],
      ),
      this.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM platform.databases WHERE project_id = $1', [projectId]),
    ]);
    return { rows, total: count.rows[0]?.n ?? 0 };
  }

  /** One database and the caller's role, or undefined when it does not exist or the caller is not a member. */
  async forUser(id: string, userId: string): Promise<DatabaseAccess | undefined> {
    const { rows } = await this.sql.query<DatabaseRow & { role: Role }>(
      `SELECT ${columns}, m.role FROM platform.databases d
       JOIN platform.projects p ON p.id = d.project_id
       JOIN platform.organization_members m ON m.organization_id = p.organization_id AND m.user_id = $2
       WHERE d.id = $1`,
      [id, userId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { role, ...database } = row;
    return { row: database, role };
  }

  async update(
    id: string,
    changes: { name?: string; description?: string | null; sealed?: string; readOnly?: boolean } & DatabaseExtras,
    tx: Queryable = this.sql,
  ): Promise<void> {
    await tx.query(
      `UPDATE platform.databases SET
         name = COALESCE($2, name),
         description = CASE WHEN $3::boolean THEN $4 ELSE description END,
         connection_string_encrypted = COALESCE($5, connection_string_encrypted),
         read_only = COALESCE($6, read_only),
         tls_encrypted = CASE WHEN $7::boolean THEN $8 ELSE tls_encrypted END,
         read_credential_encrypted = CASE WHEN $9::boolean THEN $10 ELSE read_credential_encrypted END,
         read_credential_kind = CASE WHEN $9::boolean THEN $11 ELSE read_credential_kind END,
         server_javascript = COALESCE($12, server_javascript),
         updated_at = now()
       WHERE id = $1`,
      [
        id,
        changes.name ?? null,
        changes.description !== undefined,
        changes.description ?? null,
        changes.sealed ?? null,
        changes.readOnly ?? null,
        changes.tlsSealed !== undefined,
        changes.tlsSealed ?? null,
        changes.readSealed !== undefined,
        changes.readSealed ?? null,
        changes.readKind ?? null,
        changes.serverJavaScript ?? null,
      ],
    );
  }

  async delete(id: string, tx: Queryable = this.sql): Promise<void> {
    await tx.query('DELETE FROM platform.databases WHERE id = $1', [id]);
  }

  /** Every sealed value of every database (connection string, certificates, read credential), for key rotation. */
  async allSealed(tx: Queryable = this.sql): Promise<{ id: string; part: SealedPart; sealed: string }[]> {
    const { rows } = await tx.query<{ id: string; sealed: string; tls: string | null; read: string | null }>(
      'SELECT id, connection_string_encrypted AS sealed, tls_encrypted AS tls, read_credential_encrypted AS read FROM platform.databases',
    );
    return rows.flatMap((r) => [
      { id: r.id, part: 'connection' as const, sealed: r.sealed },
      ...(r.tls ? [{ id: r.id, part: 'tls' as const, sealed: r.tls }] : []),
      ...(r.read ? [{ id: r.id, part: 'read' as const, sealed: r.read }] : []),
    ]);
  }

  async replaceSealed(id: string, sealed: string, tx: Queryable = this.sql, part: SealedPart = 'connection'): Promise<void> {
    const column = { connection: 'connection_string_encrypted', tls: 'tls_encrypted', read: 'read_credential_encrypted' }[part];
    await tx.query(`UPDATE platform.databases SET ${column} = $2 WHERE id = $1`, [id, sealed]);
  }
}
