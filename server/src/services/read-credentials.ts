import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Redis } from 'ioredis';
import { parseConnectionString, type PostgresConnection, type RedisConnection } from '../../../src/core/connection-strings';
import type { ManagedDatabase } from '../../../src/core/engines/connection-manager';
import { describeDriverError, EngineError } from '../../../src/core/engines/errors';
import { postgresPoolConfig, postgresTlsMaterial } from '../../../src/core/engines/postgres/connect';
import { createRedisClient, pinRedisHosts, type RedisClient } from '../../../src/core/engines/redis/connect';
import type { EngineSettings } from '../../../src/core/engines/settings';

/*
 * The read-only credential of a database: the login read_only members' operations run as, so that
 * what they may do is decided by the database's own privileges, not by a transaction flag.
 * - PostgreSQL: a LOGIN role with no attribute (no superuser, CREATEDB, CREATEROLE, REPLICATION or
 *   BYPASSRLS; default_transaction_read_only on), no membership, and SELECT granted on the tables,
 *   views and sequences of every schema that is not PostgreSQL's own, with default privileges so
 *   that tables their owners create later are readable too. NOT pg_read_all_data: that role reads
 *   every table, the catalogs included, so its members read pg_authid (every role's password hash;
 *   an md5 one logs in as that role) and pg_user_mapping (foreign servers' passwords); the attack
 *   suite shows it. Created by the stored login when it may create roles; its password is sent to
 *   PostgreSQL only as a SCRAM verifier, so no server log can hold it.
 * - Redis: an ACL user allowed the read commands the explorer uses and nothing else, on every node
 *   of a Cluster (ACLs are per node), its password sent as a SHA-256 hash.
 * Either is dropped when the database is removed from the platform. An owner may instead give the
 * connection string of a read-only login of their own (a read replica, a `read` MongoDB user); a
 * PostgreSQL one is refused when it logs in as a superuser or a member of a role that writes.
 */

/** What is sealed in `read_credential_encrypted`. */
export type ReadCredential = { kind: 'provisioned'; user: string; password: string } | { kind: 'supplied'; connectionString: string };

/** The login's name on the database server, derived from the platform's database id. */
export const readLoginName = (databaseId: string) => `ogelbase_ro_${databaseId.replace(/-/g, '').slice(0, 20)}`;

const PG_WRITING_ROLES = ['pg_read_all_data', 'pg_write_all_data', 'pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files', 'pg_signal_backend', 'pg_checkpoint'];
/** Catalogs holding secrets: password hashes and foreign servers' credentials. */
const PG_SECRET_CATALOGS = ['pg_catalog.pg_authid', 'pg_catalog.pg_user_mapping', 'pg_catalog.pg_largeobject'];
/** Schemas that are PostgreSQL's own: nothing is granted there (their PUBLIC grants stay as they are). */
const USER_SCHEMAS = `SELECT n.nspname FROM pg_namespace n WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' ORDER BY 1`;

/** The commands of every read operation of the Redis operation table, plus connection housekeeping. */
const REDIS_READ_RULES = [
  '-@all', '+@read', '-keys', '-dump', '+info', '+dbsize', '+ping', '+echo', '+hello', '+auth', '+select', '+readonly', '+quit',
  '+client|setname', '+client|getname', '+client|id', '+cluster|slots', '+cluster|shards', '+cluster|nodes', '+cluster|info', '+cluster|myid', '+module|list',
];
const REDIS_JSON_READS = ['+json.get', '+json.type', '+json.debug', '+json.objlen', '+json.arrlen', '+json.strlen'];

/** SCRAM-SHA-256 verifier of a password (RFC 7677), as PostgreSQL stores it. */
export function scramVerifier(password: string): string {
  const salt = randomBytes(16);
  const iterations = 4096;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const newPassword = () => randomBytes(24).toString('base64url');
/** Why provisioning was skipped, in words for the response and the log (never a secret). */
export class ProvisionSkipped extends Error {}

async function withPostgres<T>(database: ManagedDatabase, settings: EngineSettings, timeoutMs: number, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const parsed = parseConnectionString('postgres', database.connectionString) as PostgresConnection;
  const tls = await postgresTlsMaterial(parsed, database.tls, false);
  const address = database.guard ? await database.guard.pin(parsed.hosts[0]!.host) : undefined;
  const config = postgresPoolConfig(parsed, { ...settings, postgresConnectTimeoutMs: timeoutMs }, { tls, address, credentials: database.credentials });
  const client = new pg.Client({ ...config, statement_timeout: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    if (error instanceof ProvisionSkipped || error instanceof EngineError) throw error;
    throw describeDriverError('postgres', error);
  } finally {
    void client.end().catch(() => undefined);
  }
}

async function provisionPostgres(owner: ManagedDatabase, settings: EngineSettings, timeoutMs: number): Promise<ReadCredential> {
  const user = readLoginName(owner.id);
  const password = newPassword();
  await withPostgres(owner, settings, timeoutMs, async (client) => {
    const { rows } = await client.query<{ super: boolean; createrole: boolean }>('SELECT r.rolsuper AS super, r.rolcreaterole AS createrole FROM pg_roles r WHERE r.rolname = current_user');
    const me = rows[0];
    if (!me?.super && !me?.createrole) throw new ProvisionSkipped('the stored login may not create roles (it needs CREATEROLE)');
    const name = pg.escapeIdentifier(user);
    const verifier = client.escapeLiteral(scramVerifier(password));
    const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user])).rowCount! > 0;
    const attributes = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT CONNECTION LIMIT 50';
    try {
      await client.query(exists ? `ALTER ROLE ${name} WITH ${attributes} PASSWORD ${verifier}` : `CREATE ROLE ${name} WITH ${attributes} PASSWORD ${verifier}`);
      await client.query(`ALTER ROLE ${name} SET default_transaction_read_only = on`);
    } catch (error) {
      if (!exists) await client.query(`DROP ROLE IF EXISTS ${name}`).catch(() => undefined);
      throw new ProvisionSkipped(`the stored login could not create the read-only role: ${describeDriverError('postgres', error).message}`);
    }
    await grantReads(client, name);
  });
  const credential: ReadCredential = { kind: 'provisioned', user, password };
  // It must log in (pg_hba may not let it) and be what it claims before anyone's SQL runs as it.
  try {
    await verifyPostgresReader({ ...owner, credentials: { user, password } }, settings, timeoutMs);
  } catch (error) {
    await dropPostgres(owner, user, settings, timeoutMs).catch(() => undefined);
    throw new ProvisionSkipped(`the read-only role was created but cannot be used (${(error as Error).message}), so it was dropped again`);
  }
  return credential;
}

/**
 * SELECT on what exists in every user schema now, and default privileges so that what the owners of
 * those schemas and tables create later is readable as well. What the stored login may not grant is
 * skipped (a login with CREATEROLE but not superuser grants only on what it owns); POST
 * …/read-credential again catches up with new schemas and owners.
 */
async function grantReads(client: pg.Client, name: string): Promise<void> {
  const attempt = async (statement: string) => {
    await client.query('SAVEPOINT grant_step');
    try {
      await client.query(statement);
      await client.query('RELEASE SAVEPOINT grant_step');
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT grant_step');
    }
  };
  await client.query('BEGIN');
  try {
    const schemas = (await client.query<{ nspname: string }>(USER_SCHEMAS)).rows.map((r) => pg.escapeIdentifier(r.nspname));
    for (const schema of schemas) {
      await attempt(`GRANT USAGE ON SCHEMA ${schema} TO ${name}`);
      await attempt(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${name}`);
      await attempt(`GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${name}`);
    }
    const owners = await client.query<{ owner: string }>(
      `SELECT DISTINCT pg_get_userbyid(o.owner) AS owner FROM (
         SELECT nspowner AS owner FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
         UNION SELECT c.relowner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
         UNION SELECT oid FROM pg_roles WHERE rolname = current_user) o
       WHERE pg_get_userbyid(o.owner) NOT LIKE 'pg\\_%'`,
    );
    for (const { owner } of owners.rows) {
      const by = pg.escapeIdentifier(owner);
      await attempt(`ALTER DEFAULT PRIVILEGES FOR ROLE ${by} GRANT SELECT ON TABLES TO ${name}`);
      await attempt(`ALTER DEFAULT PRIVILEGES FOR ROLE ${by} GRANT SELECT ON SEQUENCES TO ${name}`);
      await attempt(`ALTER DEFAULT PRIVILEGES FOR ROLE ${by} GRANT USAGE ON SCHEMAS TO ${name}`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Connects as a read login and refuses it when it can write, reach the server's files or programs, or read secrets. */
export async function verifyPostgresReader(reader: ManagedDatabase, settings: EngineSettings, timeoutMs: number): Promise<void> {
  await withPostgres(reader, settings, timeoutMs, async (client) => {
    const { rows } = await client.query<{ super: boolean; createrole: boolean; createdb: boolean; replication: boolean; bypassrls: boolean; writer: string | null; secrets: string | null }>(
      `SELECT r.rolsuper AS super, r.rolcreaterole AS createrole, r.rolcreatedb AS createdb, r.rolreplication AS replication, r.rolbypassrls AS bypassrls,
              (SELECT string_agg(w, ', ') FROM unnest($1::text[]) w WHERE EXISTS (SELECT 1 FROM pg_roles x WHERE x.rolname = w) AND pg_has_role(current_user, w, 'MEMBER')) AS writer,
              (SELECT string_agg(t, ', ') FROM unnest($2::text[]) t WHERE has_table_privilege(t, 'SELECT')) AS secrets
       FROM pg_roles r WHERE r.rolname = current_user`,
      [PG_WRITING_ROLES, PG_SECRET_CATALOGS],
    );
    const me = rows[0];
    const too = me
      ? [me.super && 'SUPERUSER', me.createrole && 'CREATEROLE', me.createdb && 'CREATEDB', me.replication && 'REPLICATION', me.bypassrls && 'BYPASSRLS', me.writer, me.secrets && `can read ${me.secrets}`].filter(Boolean)
      : ['(unknown role)'];
    if (too.length > 0) throw new EngineError('invalid_input', `the read-only login has more than read access (${too.join(', ')}): give a login that can only read`);
  });
}

async function dropPostgres(owner: ManagedDatabase, user: string, settings: EngineSettings, timeoutMs: number): Promise<void> {
  await withPostgres(owner, settings, timeoutMs, async (client) => {
    if ((await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user])).rowCount === 0) return;
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [user]).catch(() => undefined);
    // Its grants and default privileges first: a role that holds privileges cannot be dropped.
    await client.query(`DROP OWNED BY ${pg.escapeIdentifier(user)}`);
    await client.query(`DROP ROLE ${pg.escapeIdentifier(user)}`);
  });
}

async function withRedis<T>(database: ManagedDatabase, settings: EngineSettings, timeoutMs: number, work: (client: RedisClient) => Promise<T>): Promise<T> {
  const parsed = parseConnectionString('redis', database.connectionString) as RedisConnection;
  const addresses = await pinRedisHosts(parsed, database.guard);
  const client = createRedisClient(parsed, { ...settings, redisConnectTimeoutMs: timeoutMs, redisCommandTimeoutMs: timeoutMs }, {
    connectionName: 'ogelbase-provision',
    tls: database.tls,
    credentials: database.credentials,
    guard: database.guard,
    addresses,
  });
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    if (error instanceof ProvisionSkipped || error instanceof EngineError) throw error;
    throw describeDriverError('redis', error);
  } finally {
    client.disconnect();
  }
}

/** Every node an ACL must be set on: each of a Cluster (masters and replicas), else the one server. */
const aclNodes = (client: RedisClient): Redis[] => (client.isCluster ? (client as Exclude<RedisClient, Redis>).nodes('all') : [client as Redis]);

async function provisionRedis(owner: ManagedDatabase, settings: EngineSettings, timeoutMs: number): Promise<ReadCredential> {
  const user = readLoginName(owner.id);
  const password = newPassword();
  const hash = createHash('sha256').update(password).digest('hex');
  await withRedis(owner, settings, timeoutMs, async (client) => {
    for (const node of aclNodes(client)) {
      const json = await node.call('COMMAND', 'INFO', 'json.get').then((r) => Array.isArray(r) && r[0] !== null, () => false);
      try {
        await node.call('ACL', 'SETUSER', user, 'reset', 'on', `#${hash}`, '~*', 'resetchannels', ...REDIS_READ_RULES, ...(json ? REDIS_JSON_READS : []));
      } catch (error) {
        throw new ProvisionSkipped(`the stored login could not create an ACL user (${describeDriverError('redis', error).message.replace(/^Redis: /, '')}): it needs the ACL command, Redis 6 or later`);
      }
      // Kept across restarts where the server has an ACL file; without one it lives until the server restarts.
      await node.call('ACL', 'SAVE').catch(() => undefined);
    }
  });
  return { kind: 'provisioned', user, password };
}

async function dropRedis(owner: ManagedDatabase, user: string, settings: EngineSettings, timeoutMs: number): Promise<void> {
  await withRedis(owner, settings, timeoutMs, async (client) => {
    for (const node of aclNodes(client)) {
      await node.call('ACL', 'DELUSER', user);
      await node.call('ACL', 'SAVE').catch(() => undefined);
    }
  });
}

/** Creates the read-only login for a database through its stored login, or says why it cannot. */
export async function provisionReadCredential(owner: ManagedDatabase, settings: EngineSettings, timeoutMs: number): Promise<ReadCredential> {
  if (owner.type === 'postgres') return provisionPostgres(owner, settings, timeoutMs);
  if (owner.type === 'redis') return provisionRedis(owner, settings, timeoutMs);
  throw new ProvisionSkipped('MongoDB read-only users are not created by the platform: give the connection string of a user with the read role');
}

/** Drops a provisioned login (best effort is the caller's choice: this throws when it cannot). */
export async function dropReadCredential(owner: ManagedDatabase, user: string, settings: EngineSettings, timeoutMs: number): Promise<void> {
  if (owner.type === 'postgres') return dropPostgres(owner, user, settings, timeoutMs);
  if (owner.type === 'redis') return dropRedis(owner, user, settings, timeoutMs);
}
