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
  createdAt: Date;
  updatedAt: Date;
}

export interface DatabaseAccess {
  row: DatabaseRow;
  role: Role;
}

const columns = `d.id, d.project_id AS "projectId", p.ref AS "projectRef", p.organization_id AS "organizationId", d.name, d.type,
  d.description, d.connection_string_encrypted AS sealed, d.read_only AS "readOnly", d.created_at AS "createdAt", d.updated_at AS "updatedAt"`;

export class DatabaseStore {
  constructor(private readonly sql: Queryable) {}

  async insert(
    row: { id: string; projectId: string; name: string; type: EngineType; description: string | null; sealed: string; readOnly: boolean },
    tx: Queryable = this.sql,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO platform.databases (id, project_id, name, type, description, connection_string_encrypted, read_only)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [row.id, row.projectId, row.name, row.type, row.description, row.sealed, row.readOnly],
    );
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
    changes: { name?: string; description?: string | null; sealed?: string; readOnly?: boolean },
    tx: Queryable = this.sql,
  ): Promise<void> {
    await tx.query(
      `UPDATE platform.databases SET
         name = COALESCE($2, name),
         description = CASE WHEN $3::boolean THEN $4 ELSE description END,
         connection_string_encrypted = COALESCE($5, connection_string_encrypted),
         read_only = COALESCE($6, read_only),
         updated_at = now()
       WHERE id = $1`,
      [id, changes.name ?? null, changes.description !== undefined, changes.description ?? null, changes.sealed ?? null, changes.readOnly ?? null],
    );
  }

  async delete(id: string, tx: Queryable = this.sql): Promise<void> {
    await tx.query('DELETE FROM platform.databases WHERE id = $1', [id]);
  }

  /** Every sealed connection string, for key rotation. */
  async allSealed(tx: Queryable = this.sql): Promise<{ id: string; sealed: string }[]> {
    const { rows } = await tx.query<{ id: string; sealed: string }>('SELECT id, connection_string_encrypted AS sealed FROM platform.databases');
    return rows;
  }

  async replaceSealed(id: string, sealed: string, tx: Queryable = this.sql): Promise<void> {
    await tx.query('UPDATE platform.databases SET connection_string_encrypted = $2 WHERE id = $1', [id, sealed]);
  }
}
