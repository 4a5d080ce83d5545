import { randomUUID } from 'node:crypto';
import type { Organization, Project, Role } from '../../../src/core/api/types';
import type { Queryable } from '../db/sql';

/** A project as seen by one member: the project, the organization it belongs to, and the member's role. */
export interface ProjectAccess {
  project: Project;
  organizationId: string;
  role: Role;
}

const projectColumns = `p.id, p.ref, p.name, p.region, o.slug AS "organizationSlug", p.created_at AS "createdAt",
  (SELECT count(*)::int FROM platform.databases d WHERE d.project_id = p.id) AS "databaseCount"`;

type ProjectRow = Omit<Project, 'createdAt'> & { createdAt: Date | string };
const toProject = (row: ProjectRow): Project => ({ ...row, createdAt: new Date(row.createdAt).toISOString() });

/**
 * Organizations, their members and their projects. Every read is scoped to a user: a caller who is
 * not a member gets `undefined`, exactly as if the organization or project did not exist.
 */
export class OrganizationStore {
  constructor(private readonly sql: Queryable) {}

  async createOrganization(slug: string, name: string, tx: Queryable = this.sql): Promise<{ id: string; slug: string }> {
    const id = randomUUID();
    await tx.query('INSERT INTO platform.organizations (id, slug, name) VALUES ($1, $2, $3)', [id, slug, name]);
    return { id, slug };
  }

  async addMember(organizationId: string, userId: string, role: Role, tx: Queryable = this.sql): Promise<void> {
    await tx.query(
      `INSERT INTO platform.organization_members (organization_id, user_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (organization_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
      [organizationId, userId, role],
    );
  }

  async createProject(
    input: { organizationId: string; ref: string; name: string; region?: string; jwtSecretSealed: (projectId: string) => string },
    tx: Queryable = this.sql,
  ): Promise<{ id: string; ref: string }> {
    const id = randomUUID();
    await tx.query('INSERT INTO platform.projects (id, organization_id, ref, name, region) VALUES ($1, $2, $3, $4, $5)', [
      id,
      input.organizationId,
      input.ref,
      input.name,
      input.region ?? null,
    ]);
    await tx.query('INSERT INTO platform.credentials (project_id, jwt_secret_encrypted) VALUES ($1, $2)', [id, input.jwtSecretSealed(id)]);
    return { id, ref: input.ref };
  }

  async listForUser(userId: string): Promise<Organization[]> {
    const { rows } = await this.sql.query<Organization>(
      `SELECT o.id, o.slug, o.name, m.role,
              (SELECT count(*)::int FROM platform.projects p WHERE p.organization_id = o.id) AS "projectCount"
       FROM platform.organizations o JOIN platform.organization_members m ON m.organization_id = o.id
       WHERE m.user_id = $1 ORDER BY o.name, o.slug`,
      [userId],
    );
    return rows;
  }

  async bySlugForUser(slug: string, userId: string): Promise<Organization | undefined> {
    return (await this.listForUser(userId)).find((o) => o.slug === slug);
  }

  async projectsOf(organizationId: string): Promise<Project[]> {
    const { rows } = await this.sql.query<ProjectRow>(
      `SELECT ${projectColumns} FROM platform.projects p JOIN platform.organizations o ON o.id = p.organization_id
       WHERE p.organization_id = $1 ORDER BY p.name, p.ref`,
      [organizationId],
    );
    return rows.map(toProject);
  }

  async projectForUser(ref: string, userId: string): Promise<ProjectAccess | undefined> {
    const { rows } = await this.sql.query<ProjectRow & { organizationId: string; role: Role }>(
      `SELECT ${projectColumns}, o.id AS "organizationId", m.role
       FROM platform.projects p
       JOIN platform.organizations o ON o.id = p.organization_id
       JOIN platform.organization_members m ON m.organization_id = o.id AND m.user_id = $2
       WHERE p.ref = $1`,
      [ref, userId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { organizationId, role, ...project } = row;
    return { project: toProject(project), organizationId, role };
  }

  /** Every project's sealed JWT secret, for key rotation. */
  async allCredentials(tx: Queryable = this.sql): Promise<{ projectId: string; sealed: string }[]> {
    const { rows } = await tx.query<{ projectId: string; sealed: string }>(
      'SELECT project_id AS "projectId", jwt_secret_encrypted AS sealed FROM platform.credentials',
    );
    return rows;
  }

  async replaceCredential(projectId: string, sealed: string, tx: Queryable = this.sql): Promise<void> {
    await tx.query('UPDATE platform.credentials SET jwt_secret_encrypted = $2, rotated_at = now() WHERE project_id = $1', [projectId, sealed]);
  }
}
