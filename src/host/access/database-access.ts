import type * as vscode from 'vscode';
import { PlatformError } from '../../core/api/client';
import type { TestConnectionResult } from '../../core/api/types';
import { parseConnectionString } from '../../core/connection-strings';
import { ConnectionManager } from '../../core/engines/connection-manager';
import { EngineError } from '../../core/engines/errors';
import type { OperationTable, ParamsOf, ResultOf } from '../../core/engines/operations';
import { defaultEngineSettings } from '../../core/engines/settings';
import type { Config } from '../config';
import type { Log } from '../log';
import { localSecretKey } from '../local/local-connection';
import { platformSecretPrefix, type PlatformSession } from '../platform/session';
import type { SecretVault } from '../secrets';
import { refId, refName, refReadOnly, refType, type AccessPath, type DatabaseRef } from './database-ref';
import { loadEngine } from './engine-loader';
import { canReach } from './reachability';
import { mayHoldConnectionString, RoleRecheck, type CurrentRole } from './role-check';

/** A typed caller of one engine's operations on one database (see `DatabaseAccess.operations`). */
export type EngineCaller<T extends OperationTable<never>> = <K extends keyof T & string>(operation: K, params: ParamsOf<T, K>, signal?: AbortSignal) => Promise<ResultOf<T, K>>;

const cachedStringKey = (platformUrl: string, id: string) => `${platformSecretPrefix(platformUrl)}db:${id}`;

/**
 * Runs engine operations on a database, directly or through the platform, without the user having
 * to choose. Local connections are always direct. A platform database goes through the platform
 * when it sits on the platform's private network, when the caller's role may not read its
 * connection string (developers, read_only members: the platform enforces their limits), or when
 * its host does not answer from here; otherwise its connection string is revealed once (owners and
 * admins; the platform audits it), kept in SecretStorage, and used directly. `ogelbase.connectionMode`
 * forces either way.
 */
export class DatabaseAccess implements vscode.Disposable {
  private manager: ConnectionManager | undefined;
  private readonly paths = new Map<string, Promise<AccessPath>>();
  /**
   * Connection strings already read from SecretStorage (or revealed), by database id: every direct
   * call needs one, and SecretStorage is a round trip to VS Code's main process. Cleared with the
   * connections by forget() and reset().
   */
  private readonly strings = new Map<string, string>();
  /** Whether the caller's role still allows a revealed string, asked of the platform before using one. */
  private readonly roles: RoleRecheck;

  constructor(
    private readonly extensionPath: string,
    private readonly session: PlatformSession,
    private readonly vault: SecretVault,
    private readonly config: Config,
    private readonly log: Log,
  ) {
    this.roles = new RoleRecheck((slug) => this.currentRole(slug));
  }

  private async currentRole(organizationSlug: string): Promise<CurrentRole> {
    const signedIn = this.session.signedIn;
    if (!signedIn) return 'none';
    try {
      return (await signedIn.client.organizations()).find((o) => o.slug === organizationSlug)?.role ?? 'none';
    } catch (error) {
      // A refused token is an answer (no role any more); a platform that cannot be reached is not.
      return error instanceof PlatformError && (error.status === 401 || error.status === 403) ? 'none' : 'unknown';
    }
  }

  /** The next use of a revealed string asks the platform for the caller's role again (after a refresh, say). */
  invalidateRoles(): void {
    this.roles.invalidate();
  }

  /**
   * Drops a revealed connection string the caller's role no longer allows: from memory, from
   * SecretStorage and from the open direct connection. Later calls go through the platform.
   */
  private async dropRevealed(ref: Extract<DatabaseRef, { scope: 'platform' }>, why: string): Promise<void> {
    this.log.warn(`[access] ${ref.info.name}: ${why}; its connection string is removed from this machine and calls go through the platform`);
    this.strings.delete(ref.info.id);
    await this.vault.delete(cachedStringKey(ref.platformUrl, ref.info.id));
    await this.manager?.forget(ref.info.id);
    this.paths.set(ref.info.id, Promise.resolve('platform'));
  }

  /** Whether a platform database's revealed string may still be used; drops it when not. */
  private async stillAllowed(ref: Extract<DatabaseRef, { scope: 'platform' }>): Promise<boolean> {
    if (!mayHoldConnectionString(ref.role)) {
      await this.dropRevealed(ref, `your role is now ${ref.role}`);
      return false;
    }
    if (!(await this.roles.mayUseCachedString(ref.organizationSlug))) {
      await this.dropRevealed(ref, `your role in ${ref.organizationSlug} no longer allows reading connection strings`);
      return false;
    }
    return true;
  }

  private connections(): ConnectionManager {
    this.manager ??= new ConnectionManager(defaultEngineSettings, {
      postgres: (db, capacity, settings) => loadEngine(this.extensionPath, 'postgres').openHandle(db, capacity, settings),
      redis: (db, capacity, settings) => loadEngine(this.extensionPath, 'redis').openHandle(db, capacity, settings),
      mongodb: (db, capacity, settings) => loadEngine(this.extensionPath, 'mongodb').openHandle(db, capacity, settings),
    });
    return this.manager;
  }

  /** Runs one operation of the database's engine; results are the same on both paths. */
  async call<T>(ref: DatabaseRef, operation: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    const path = await this.path(ref);
    if (ref.scope === 'platform' && (path === 'platform' || !(await this.stillAllowed(ref)))) {
      if (path === 'direct' && this.config.connectionMode === 'direct') {
        throw new EngineError('auth', `direct access to ${ref.info.name} needs its connection string, which your role no longer allows; set ogelbase.connectionMode to "auto"`);
      }
      return this.viaPlatform<T>(ref, operation, params, signal);
    }
    try {
      return await this.direct<T>(ref, operation, params, signal);
    } catch (error) {
      // In auto mode a database that stopped answering from here is retried through the platform.
      if (ref.scope === 'platform' && this.config.connectionMode === 'auto' && error instanceof EngineError && error.code === 'unreachable') {
        this.log.warn(`[access] ${ref.info.name} is not reachable directly any more; using the platform`);
        this.paths.set(ref.info.id, Promise.resolve('platform'));
        return this.viaPlatform<T>(ref, operation, params, signal);
      }
      throw error;
    }
  }

  /**
   * Calls of one engine's operations typed by its operation table (`ParamsOf`/`ResultOf`), e.g.
   * `access.operations<RedisOperations>(ref)('readHash', { key, cursor })` resolves to the table's
   * own result type: no result is typed by hand at a call site. The table is a type only here.
   */
  operations<T extends OperationTable<never>>(ref: DatabaseRef): EngineCaller<T> {
    return (operation, params, signal) => this.call(ref, operation, params as Record<string, unknown>, signal);
  }

  private viaPlatform<T>(ref: Extract<DatabaseRef, { scope: 'platform' }>, operation: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    const signedIn = this.session.signedIn;
    if (!signedIn || signedIn.platform.url !== ref.platformUrl) throw new EngineError('unreachable', `not signed in to ${ref.platformUrl}`);
    return signedIn.client.operation<T>(ref.info.type, ref.info.id, operation, params, signal);
  }

  private async direct<T>(ref: DatabaseRef, operation: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    const engine = loadEngine(this.extensionPath, refType(ref));
    const entry = engine.operations[operation];
    if (!entry) throw new EngineError('invalid_input', `${refType(ref)} has no operation ${operation}`);
    if (entry.kind === 'write' && refReadOnly(ref)) throw new EngineError('read_only', `${refName(ref)} is read-only: ${operation} would change it`);
    const checked = entry.params.safeParse(params);
    if (!checked.success) {
      throw new EngineError('invalid_input', checked.error.issues.map((i: { path: PropertyKey[]; message: string }) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; '));
    }
    const connectionString = await this.connectionString(ref);
    const target = {
      id: refId(ref),
      name: refName(ref),
      type: refType(ref),
      connectionString,
      readOnly: refReadOnly(ref),
      // This is the user's own machine: the files a connection string names are theirs to read.
      localFiles: true,
      // A local connection is the user's own database; a platform one follows the platform's setting.
      serverJavaScript: ref.scope === 'local' ? true : ref.info.serverJavaScript === true,
    };
    return (await this.connections().use(target, (instance) => entry.run(instance as never, checked.data, { signal }))) as T;
  }

  /** Which way calls to this database go, decided once per database and remembered. */
  path(ref: DatabaseRef): Promise<AccessPath> {
    if (ref.scope === 'local') return Promise.resolve('direct');
    let decided = this.paths.get(ref.info.id);
    if (!decided) {
      decided = this.decide(ref);
      this.paths.set(ref.info.id, decided);
      decided.then((p) => this.log.info(`[access] ${ref.info.name}: ${p}`), () => this.paths.delete(ref.info.id));
    }
    return decided;
  }

  private async decide(ref: Extract<DatabaseRef, { scope: 'platform' }>): Promise<AccessPath> {
    const mode = this.config.connectionMode;
    if (mode === 'platform') return 'platform';
    const mayReveal = mayHoldConnectionString(ref.role);
    let cached = await this.vault.get(cachedStringKey(ref.platformUrl, ref.info.id));
    if (cached && !(await this.stillAllowed(ref))) cached = undefined;
    if (mode === 'direct') {
      if (!cached && !mayReveal) throw new EngineError('auth', `direct access to ${ref.info.name} needs its connection string, which only owners and admins may read; set ogelbase.connectionMode to "auto"`);
      return 'direct';
    }
    if (ref.info.privateNetwork || (!cached && !mayReveal)) return 'platform';
    const parsed = parseConnectionString(ref.info.type, cached ?? (await this.connectionString(ref)));
    return (await canReach(parsed)) ? 'direct' : 'platform';
  }

  /** The plaintext connection string for a direct connection (revealed once and kept in SecretStorage). */
  async connectionString(ref: DatabaseRef): Promise<string> {
    const known = this.strings.get(refId(ref));
    if (known !== undefined) return known;
    const found = await this.readConnectionString(ref);
    this.strings.set(refId(ref), found);
    return found;
  }

  private async readConnectionString(ref: DatabaseRef): Promise<string> {
    if (ref.scope === 'local') {
      const stored = await this.vault.get(localSecretKey(ref.local.id));
      if (!stored) throw new EngineError('not_found', `the connection string of ${ref.local.name} is missing from secret storage: edit the connection to enter it again`);
      return stored;
    }
    const key = cachedStringKey(ref.platformUrl, ref.info.id);
    const cached = await this.vault.get(key);
    if (cached) return cached;
    const signedIn = this.session.signedIn;
    if (!signedIn) throw new EngineError('auth', 'not signed in');
    const revealed = await signedIn.client.reveal(ref.info.id);
    await this.vault.store(key, revealed);
    return revealed;
  }

  /** Tests a database the way calls reach it: through the platform, or directly with the engine's probe. */
  async testConnection(ref: DatabaseRef, signal?: AbortSignal): Promise<TestConnectionResult & { path: AccessPath }> {
    const path = await this.path(ref);
    if (ref.scope === 'platform' && (path === 'platform' || !(await this.stillAllowed(ref)))) {
      return { ...(await this.session.signedIn!.client.testConnection(ref.info.id, signal)), path: 'platform' };
    }
    const engine = loadEngine(this.extensionPath, refType(ref));
    return { ...(await engine.probe(await this.connectionString(ref), defaultEngineSettings, 10_000, { localFiles: true })), path };
  }

  /** Forgets what is known of a database (it was edited or removed): its path, connection and cached string. */
  async forget(ref: DatabaseRef): Promise<void> {
    const id = refId(ref);
    this.paths.delete(id);
    this.strings.delete(id);
    await this.manager?.forget(id);
    if (ref.scope === 'platform') await this.vault.delete(cachedStringKey(ref.platformUrl, id));
  }

  /** Closes every direct connection (sign-out, switching platforms). */
  async reset(): Promise<void> {
    this.paths.clear();
    this.strings.clear();
    this.roles.invalidate();
    await this.manager?.closeAll();
    this.manager = undefined;
  }

  dispose(): void {
    void this.manager?.closeAll();
  }
}
