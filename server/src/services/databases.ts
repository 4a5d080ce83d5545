import { randomUUID } from 'node:crypto';
import type { CreateDatabaseRequest, DatabaseInfo, EngineType, TestConnectionResult, UpdateDatabaseRequest } from '../../../src/core/api/types';
import { describeEndpoint, isPrivateNetworkHost, maskConnectionString, parseConnectionString } from '../../../src/core/connection-strings';
import type { Keyring } from '../../../src/core/crypto';
import { EngineError } from '../../../src/core/engines/errors';
import type { ProbeTarget } from '../../../src/core/engines/probe-result';
import type { PlatformSql } from '../db/sql';
import type { Principal } from '../env';
import { badRequest, conflict, notFound } from '../errors';
import type { Logger } from '../logger';
import { checkServerConnection, checkTlsMaterial } from '../security/connection-checks';
import type { HostPolicy } from '../security/host-policy';
import type { AuditStore } from '../store/audit';
import type { DatabaseAccess, DatabaseRow, DatabaseStore } from '../store/databases';
import type { OrganizationStore } from '../store/organizations';
import { requireManager, requireRevealer, requireWriter } from './access';
import { DatabaseSecrets } from './database-secrets';
import { type ReadCredentials } from './read-credential-flow';

/** Connects once and reports latency and version, or a readable error. */
export type ConnectionProber = (type: EngineType, connectionString: string, target: ProbeTarget) => Promise<TestConnectionResult>;

export interface DatabaseServiceDeps {
  sql: PlatformSql;
  databases: DatabaseStore;
  organizations: OrganizationStore;
  audit: AuditStore;
  keyring: Keyring;
  probe: ConnectionProber;
  /** DATABASE_HOST_POLICY: where registered databases may be. */
  hostPolicy: HostPolicy;
  /** Creates, checks and drops read-only logins (see read-credentials.ts). */
  readCredentials: ReadCredentials;
  log: Logger;
  /** Called after a database is changed or removed, so open connections to it are closed. */
  onChanged?: (id: string) => void;
}

const actorOf = (p: Principal) => ({ userId: p.userId, tokenId: p.tokenId });
const isUniqueViolation = (error: unknown) => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';

/**
 * The databases of projects, as the caller may see them. Connection strings are sealed with the
 * keyring (bound to the row id), answered masked, and revealed only to owners and admins, with an
 * audit entry. Every lookup is scoped to the caller's memberships: a database in another
 * organization is "not found", never "forbidden". Every connection string passes the server's
 * checks (no files, no sockets, the host policy) before it is stored or tested.
 */
export class DatabaseService {
  readonly secrets: DatabaseSecrets;

  constructor(private readonly deps: DatabaseServiceDeps) {
    this.secrets = new DatabaseSecrets(deps.keyring, deps.hostPolicy.guard());
  }

  /** Opens the sealed connection string of a row: only for the server's own use, never for a response. */
  unseal(row: Pick<DatabaseRow, 'id' | 'sealed'>): string {
    return this.secrets.connectionString(row);
  }

  toInfo(row: DatabaseRow): DatabaseInfo {
    const plain = this.unseal(row);
    const parsed = parseConnectionString(row.type, plain);
    const tls = this.secrets.tls(row);
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
      readCredential: row.readKind ?? 'none',
      tls: { ca: Boolean(tls?.ca), cert: Boolean(tls?.cert), key: Boolean(tls?.key) },
      serverJavaScript: row.serverJavaScript,
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

  /** The server's checks on a connection string, as a 400 naming the field. */
  async checkConnection(type: EngineType, value: string, field = 'connectionString'): Promise<void> {
    try {
      await checkServerConnection(type, value, this.deps.hostPolicy);
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      throw badRequest(`body.${field}: ${error.message}`, [{ field: `body.${field}`, message: error.message }]);
    }
  }

  private checkTls(tls: CreateDatabaseRequest['tls'] | null | undefined): void {
    if (!tls) return;
    try {
      checkTlsMaterial(tls);
    } catch (error) {
      throw badRequest(`body.${(error as Error).message}`, [{ field: 'body.tls', message: (error as Error).message }]);
    }
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
    if (body.serverJavaScript) requireManager(role, 'allow server-side JavaScript on a database');
    if (body.readConnectionString !== undefined) requireManager(role, "set a database's read-only login");
    this.checkTls(body.tls);
    await this.checkConnection(body.type, body.connectionString);
    const id = randomUUID();
    const supplied = body.readConnectionString === undefined ? undefined : await this.deps.readCredentials.checkSupplied(id, body);
    try {
      await this.deps.sql.transaction(async (tx) => {
        await this.deps.databases.insert(
          {
            id,
            projectId: project.id,
            name: body.name,
            type: body.type,
            description: body.description ?? null,
            sealed: this.secrets.seal(id, 'connection', body.connectionString),
            readOnly: body.readOnly ?? false,
            tlsSealed: this.secrets.sealTls(id, body.tls),
            readSealed: supplied ? this.secrets.sealRead(id, supplied) : null,
            readKind: supplied ? 'supplied' : null,
            serverJavaScript: body.serverJavaScript ?? false,
          },
          tx,
        );
        await this.deps.audit.record(actorOf(principal), { action: 'database.create', targetType: 'database', targetId: id, organizationId, details: { name: body.name, type: body.type, projectRef: project.ref } }, tx);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`a database named ${body.name} already exists in project ${project.ref}`);
      throw error;
    }
    if (!supplied) await this.deps.readCredentials.provision(principal, (await this.access(principal, id)).row, this.secrets);
    return this.get(principal, id);
  }

  async update(principal: Principal, id: string, body: UpdateDatabaseRequest): Promise<DatabaseInfo> {
    const { row, role } = await this.access(principal, id);
    requireWriter(role, 'change databases');
    if (body.readOnly !== undefined && body.readOnly !== row.readOnly) requireManager(role, 'change whether a database is read-only');
    if (body.serverJavaScript !== undefined && body.serverJavaScript !== row.serverJavaScript) requireManager(role, 'allow or forbid server-side JavaScript');
    if (body.readConnectionString !== undefined) requireManager(role, "change a database's read-only login");
    if (body.connectionString !== undefined) {
      // The engine of a database never changes, so a new string is checked against the stored type.
      try {
        parseConnectionString(row.type, body.connectionString);
      } catch (error) {
        throw badRequest(`body.connectionString: ${(error as Error).message}`, [{ field: 'body.connectionString', message: (error as Error).message }]);
      }
      await this.checkConnection(row.type, body.connectionString);
    }
    if (body.readConnectionString) {
      try {
        parseConnectionString(row.type, body.readConnectionString);
      } catch (error) {
        throw badRequest(`body.readConnectionString: ${(error as Error).message}`, [{ field: 'body.readConnectionString', message: (error as Error).message }]);
      }
    }
    this.checkTls(body.tls);
    const moved = body.connectionString !== undefined && body.connectionString !== this.unseal(row);
    // A login the platform created lives on the old server: it goes with the old connection string.
    if ((moved || body.readConnectionString !== undefined) && row.readKind === 'provisioned') await this.deps.readCredentials.drop(principal, row, this.secrets);
    const supplied = body.readConnectionString
      ? await this.deps.readCredentials.checkSupplied(id, { type: row.type, readConnectionString: body.readConnectionString, tls: body.tls === undefined ? this.secrets.tls(row) : (body.tls ?? undefined) })
      : undefined;
    // A given login replaces whatever there was; removing it, or moving away from a created one, leaves none.
    const readChange = supplied
      ? { readSealed: this.secrets.sealRead(id, supplied), readKind: 'supplied' as const }
      : body.readConnectionString === null || (moved && row.readKind === 'provisioned')
        ? { readSealed: null, readKind: null }
        : {};
    try {
      await this.deps.sql.transaction(async (tx) => {
        await this.deps.databases.update(
          id,
          {
            name: body.name,
            description: body.description,
            readOnly: body.readOnly,
            serverJavaScript: body.serverJavaScript,
            sealed: body.connectionString === undefined ? undefined : this.secrets.seal(id, 'connection', body.connectionString),
            tlsSealed: body.tls === undefined ? undefined : this.secrets.sealTls(id, body.tls),
            ...readChange,
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
    const updated = (await this.access(principal, id)).row;
    if (moved && !updated.readKind) await this.deps.readCredentials.provision(principal, updated, this.secrets);
    return this.get(principal, id);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    const { row, role } = await this.access(principal, id);
    requireWriter(role, 'remove databases');
    this.deps.onChanged?.(id);
    if (row.readKind === 'provisioned') await this.deps.readCredentials.drop(principal, row, this.secrets);
    await this.deps.sql.transaction(async (tx) => {
      await this.deps.databases.delete(id, tx);
      await this.deps.audit.record(actorOf(principal), { action: 'database.delete', targetType: 'database', targetId: id, organizationId: row.organizationId, details: { name: row.name, type: row.type } }, tx);
    });
    this.deps.onChanged?.(id);
  }

  /** Creates the read-only login now (owners and admins), replacing a given one. */
  async provisionRead(principal: Principal, id: string) {
    const { row, role } = await this.access(principal, id);
    requireManager(role, "create a database's read-only login");
    const outcome = await this.deps.readCredentials.provision(principal, row, this.secrets, true);
    this.deps.onChanged?.(id);
    return { database: await this.get(principal, id), ...outcome };
  }

  /** Drops a created login, or forgets a given one (owners and admins). */
  async removeRead(principal: Principal, id: string): Promise<DatabaseInfo> {
    const { row, role } = await this.access(principal, id);
    requireManager(role, "remove a database's read-only login");
    if (row.readKind === 'provisioned') await this.deps.readCredentials.drop(principal, row, this.secrets);
    await this.deps.databases.update(id, { readSealed: null, readKind: null });
    this.deps.onChanged?.(id);
    return this.get(principal, id);
  }

  /** Audits a change made through an engine operation route (the operation's name, never its values). */
  async recordOperation(principal: Principal, row: DatabaseRow, action: string, details: Record<string, unknown> = {}): Promise<void> {
    await this.deps.audit.record(actorOf(principal), { action, targetType: 'database', targetId: row.id, organizationId: row.organizationId, details: { name: row.name, ...details } });
  }

  async reveal(principal: Principal, id: string): Promise<string> {
    const { row, role } = await this.access(principal, id);
    requireRevealer(role);
    await this.deps.audit.record(actorOf(principal), { action: 'database.reveal', targetType: 'database', targetId: id, organizationId: row.organizationId, details: { name: row.name } });
    return this.unseal(row);
  }

  async testConnection(principal: Principal, id: string): Promise<TestConnectionResult> {
    const { row } = await this.access(principal, id);
    const target = this.secrets.target(row);
    return this.deps.probe(row.type, target.connectionString, target);
  }
}
