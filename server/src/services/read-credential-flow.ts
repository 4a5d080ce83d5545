import type { EngineType, TlsPem } from '../../../src/core/api/types';
import { EngineError } from '../../../src/core/engines/errors';
import type { EngineSettings } from '../../../src/core/engines/settings';
import type { Principal } from '../env';
import { badRequest } from '../errors';
import type { Logger } from '../logger';
import { checkServerConnection } from '../security/connection-checks';
import type { HostPolicy } from '../security/host-policy';
import type { AuditStore } from '../store/audit';
import type { DatabaseRow, DatabaseStore } from '../store/databases';
import type { DatabaseSecrets } from './database-secrets';
import { dropReadCredential, provisionReadCredential, ProvisionSkipped, verifyPostgresReader, type ReadCredential } from './read-credentials';

export interface ReadCredentialsDeps {
  databases: DatabaseStore;
  audit: AuditStore;
  hostPolicy: HostPolicy;
  settings: EngineSettings;
  /** How long creating, checking or dropping a login may take (it connects to the database). */
  timeoutMs: number;
  log: Logger;
}

const actorOf = (p: Principal) => ({ userId: p.userId, tokenId: p.tokenId });

/**
 * When read-only logins are created, checked and dropped, and what is recorded about it. A login
 * that cannot be created (the stored login may not create roles, the database is not reachable
 * yet) is no error for the caller: the database then has no read credential, read_only members
 * cannot run raw SQL on it, and an owner can create one later or give one.
 */
export class ReadCredentials {
  constructor(private readonly deps: ReadCredentialsDeps) {}

  async provision(principal: Principal, row: DatabaseRow, secrets: DatabaseSecrets, replace = false): Promise<{ provisioned: boolean; reason?: string }> {
    if (row.readKind && !replace) return { provisioned: false, reason: 'the database already has a read-only login' };
    if (row.readKind === 'provisioned') await this.drop(principal, row, secrets);
    try {
      const credential = await provisionReadCredential(secrets.target(row), this.deps.settings, this.deps.timeoutMs);
      await this.deps.databases.update(row.id, { readSealed: secrets.sealRead(row.id, credential), readKind: 'provisioned' });
      await this.deps.audit.record(actorOf(principal), {
        action: 'database.read_credential.create',
        targetType: 'database',
        targetId: row.id,
        organizationId: row.organizationId,
        details: { name: row.name, login: credential.kind === 'provisioned' ? credential.user : undefined },
      });
      return { provisioned: true };
    } catch (error) {
      if (!(error instanceof ProvisionSkipped) && !(error instanceof EngineError)) throw error;
      this.deps.log.info('no read-only login created', { database: row.id, reason: error.message });
      return { provisioned: false, reason: error.message };
    }
  }

  /** Drops a login the platform created; when the server cannot be reached, says so in the audit log and the log. */
  async drop(principal: Principal, row: DatabaseRow, secrets: DatabaseSecrets): Promise<void> {
    const credential = secrets.read(row);
    if (credential?.kind !== 'provisioned') return;
    let outcome = 'dropped';
    try {
      await dropReadCredential(secrets.target(row), credential.user, this.deps.settings, this.deps.timeoutMs);
    } catch (error) {
      outcome = `not dropped: ${(error as Error).message}`;
      this.deps.log.warn(`the read-only login ${credential.user} could not be dropped; drop it by hand`, { database: row.id, reason: (error as Error).message });
    }
    await this.deps.audit.record(actorOf(principal), {
      action: 'database.read_credential.drop',
      targetType: 'database',
      targetId: row.id,
      organizationId: row.organizationId,
      details: { name: row.name, login: credential.user, outcome },
    });
  }

  /** An owner's read-only connection string: same checks as any connection string, and for PostgreSQL a login that can only read. */
  async checkSupplied(id: string, body: { type: EngineType; readConnectionString?: string; tls?: TlsPem }): Promise<ReadCredential> {
    const value = body.readConnectionString!;
    const fail = (message: string) => badRequest(`body.readConnectionString: ${message}`, [{ field: 'body.readConnectionString', message }]);
    try {
      await checkServerConnection(body.type, value, this.deps.hostPolicy);
    } catch (error) {
      if (error instanceof EngineError) throw fail(error.message);
      throw error;
    }
    if (body.type === 'postgres') {
      const reader = { id, name: 'read-only login', type: body.type, connectionString: value, readOnly: true, tls: body.tls, localFiles: false, guard: this.deps.hostPolicy.guard() };
      try {
        await verifyPostgresReader(reader, this.deps.settings, this.deps.timeoutMs);
      } catch (error) {
        if (!(error instanceof EngineError)) throw error;
        throw fail(error.code === 'invalid_input' ? error.message : `it could not be checked (${error.message}): the platform must reach it to confirm the login can only read`);
      }
    }
    return { kind: 'supplied', connectionString: value };
  }
}
