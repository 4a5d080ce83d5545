import { randomUUID } from 'node:crypto';
import type { CreateDatabaseRequest, DatabaseInfo, EngineType, TestConnectionResult, UpdateDatabaseRequest } from '../../../src/core/api/types';
import { describeEndpoint, isPrivateNetworkHost, maskConnectionString, parseConnectionString } from '../../../src/core/connection-strings';
import type { Keyring } from '../../../src/core/crypto';
import type { PlatformSql } from '../db/sql';
import type { Principal } from '../env';
import { badRequest, conflict, notFound } from '../errors';
import type { AuditStore } from '../store/audit';
import type { DatabaseAccess, DatabaseRow, DatabaseStore } from '../store/databases';
import type { OrganizationStore } from '../store/organizations';
import { requireRevealer, requireWriter } from './access';

/** Connects to a database once and reports latency and version, or a readable error. */
export type ConnectionProber = (type: EngineType, connectionString: string) => Promise<TestConnectionResult>;

export interface DatabaseServiceDeps {
  sql: PlatformSql;
  databases: DatabaseStore;
  organizations: OrganizationStore;
  audit: AuditStore;
  keyring: Keyring;
  probe: ConnectionProber;
  /** Called after a database is changed or removed, so open connections to it are closed. */
  onChanged?: (id: string) => void;
}

const actorOf = (p: Principal) => ({ userId: p.userId, tokenId: p.tokenId });
const isUniqueViolation = (error: unknown) => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';

/**
 * The databases of projects, as the caller may see them. Connection strings are sealed with the
 * keyring (bound to the row id), answered masked, and revealed only to owners and admins, with an
 * audit entry. Every lookup is scoped to the caller's memberships: a database in another
 * organization is "not found", never "forbidden".
 */
export class DatabaseService {
  constructor(private readonly deps: DatabaseServiceDeps) {}

  /** Opens the sealed connection string of a row: only for the server's own use, never for a response. */
  unseal(row: Pick<DatabaseRow, 'id' | 'sealed'>): string {
    return this.deps.keyring.decrypt(row.sealed, row.id);
  }

  toInfo(row: DatabaseRow): DatabaseInfo {
    const plain = this.unseal(row);
    const parsed = parseConnectionString(row.type, plain);
    return {
      id: row.id,
      projectRef: row.projectRef,
      name: row.name,
      type: row.type,
      description: row.description,
      connectionString: maskConnectionString(plain),
      endpoint: describeEndpoint(parsed),
      privateNetwork: isPrivateNetworkHost(parsed),
      readOnly: row.readOnly,
      createdAt: new Date(row.createdAt).toISOString(),
      updatedAt: new Date(row.updatedAt).toISOString(),
    };
  }

  async access(principal: Principal, id: string): Promise<DatabaseAccess> {
    const found = await this.deps.databases.forUser(id, principal.userId);
    if (!found) throw notFound(`database ${id} was not found`);
    return found;
  }

  private async project(principal: Principal, ref: string) {
    const found = await this.deps.organizations.projectForUser(ref, principal.userId);
    if (!found) throw notFound(`project ${ref} was not found`);
    return found;
  }

  async list(principal: Principal, projectRef: string, page: { limit: number; offset: number }) {
    const { project } = await this.project(principal, projectRef);
    const { rows, total } = await this.deps.databases.listOfProject(project.id, page);
    return { databases: rows.map((row) => this.toInfo(row)), total, ...page };
  }

  async get(principal: Principal, id: string): Promise<DatabaseInfo> {
    return this.toInfo((await this.access(principal, id)).row);
  }

  async create(principal: Principal, body: CreateDatabaseRequest): Promise<DatabaseInfo> {
    const { project, organizationId, role } = await this.project(principal, body.projectRef);
    requireWriter(role, 'add databases');
    const id = randomUUID();
    try {
      await this.deps.sql.transaction(async (tx) => {
        await this.deps.databases.insert(
          {
            id,
            projectId: project.id,
            name: body.name,
            type: body.type,
            description: body.description ?? null,
            sealed: this.deps.keyring.encrypt(body.connectionString, id),
            readOnly: body.readOnly ?? false,
          },
          tx,
        );
        await this.deps.audit.record(actorOf(principal), { action: 'database.create', targetType: 'database', targetId: id, organizationId, details: { name: body.name, type: body.type, projectRef: project.ref } }, tx);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a database named ${body.name} already exists in project ${project.ref}`);
      throw error;
    }
    return this.get(principal, id);
  }

  async update(principal: Principal, id: string, body: UpdateDatabaseRequest): Promise<DatabaseInfo> {
    const { row, role } = await this.access(principal, id);
    requireWriter(role, 'change databases');
    if (body.connectionString !== undefined) {
      // The engine of a database never changes, so a new string is checked against the stored type.
      try {
        parseConnectionString(row.type, body.connectionString);
      } catch (error) {
        throw badRequest(`body.connectionString: ${(error as Error).message}`, [{ field: 'body.connectionString', message: (error as Error).message }]);
      }
    }
    try {
      await this.deps.sql.transaction(async (tx) => {
        await this.deps.databases.update(
          id,
          {
            name: body.name,
            description: body.description,
            readOnly: body.readOnly,
            sealed: body.connectionString === undefined ? undefined : this.deps.keyring.encrypt(body.connectionString, id),
          },
          tx,
        );
        const changed = Object.keys(body).filter((k) => body[k as keyof UpdateDatabaseRequest] !== undefined);
        await this.deps.audit.record(actorOf(principal), { action: 'database.update', targetType: 'database', targetId: id, organizationId: row.organizationId, details: { changed } }, tx);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a database named ${body.name ?? row.name} already exists in project ${row.projectRef}`);
      throw error;
    }
    this.deps.onChanged?.(id);
    return this.get(principal, id);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    const { row, role } = await this.access(principal, id);
    requireWriter(role, 'remove databases');
    await this.deps.sql.transaction(async (tx) => {
      await this.deps.databases.delete(id, tx);
      await this.deps.audit.record(actorOf(principal), { action: 'database.delete', targetType: 'database', targetId: id, organizationId: row.organizationId, details: { name: row.name, type: row.type } }, tx);
    });
    this.deps.onChanged?.(id);
  }

  /** Audits a change made through an engine operation route (the operation's name, never its values). */
  async recordOperation(principal: Principal, row: DatabaseRow, action: string): Promise<void> {
    await this.deps.audit.record(actorOf(principal), { action, targetType: 'database', targetId: row.id, organizationId: row.organizationId, details: { name: row.name } });
  }

  async reveal(principal: Principal, id: string): Promise<string> {
    const { row, role } = await this.access(principal, id);
    requireRevealer(role);
    await this.deps.audit.record(actorOf(principal), { action: 'database.reveal', targetType: 'database', targetId: id, organizationId: row.organizationId, details: { name: row.name } });
    return this.unseal(row);
  }

  async testConnection(principal: Principal, id: string): Promise<TestConnectionResult> {
    const { row } = await this.access(principal, id);
    return this.deps.probe(row.type, this.unseal(row));
  }
}
