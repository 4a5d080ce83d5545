import pg from 'pg';
import { parseConnectionString, type PostgresConnection } from '../../connection-strings';
import { postgresPoolConfig, postgresTlsMaterial } from '../../engines/postgres/connect';
import { pgFailure } from '../../engines/postgres/failure';
import { defaultEngineSettings } from '../../engines/settings';
import type { PostgresContents } from '../manifest';
import type { BackupTarget } from '../types';

/** A client of its own for a backup or restore (outside the browsing pools), no statement time limit. */
export async function connectForBackup(target: BackupTarget): Promise<pg.Client> {
  const parsed = parseConnectionString('postgres', target.connectionString) as PostgresConnection;
  const tls = await postgresTlsMaterial(parsed, target.tls, target.localFiles ?? false);
  const address = target.guard ? await target.guard.pin(parsed.hosts[0]!.host) : undefined;
  const config = postgresPoolConfig(parsed, defaultEngineSettings, { tls, address, credentials: target.credentials });
  const client = new pg.Client({ ...config, statement_timeout: undefined, application_name: 'ogelbase-backup' } as pg.ClientConfig);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw pgFailure(error);
  }
  return client;
}

export interface ServerVersion {
  version: string;
  major: number;
}

export async function serverVersion(client: pg.Client): Promise<ServerVersion> {
  const { rows } = await client.query<{ v: string; n: string }>("SELECT split_part(current_setting('server_version'), ' ', 1) AS v, current_setting('server_version_num') AS n");
  const num = Number(rows[0]!.n);
  return { version: rows[0]!.v, major: Math.floor(num / 10000) };
}

/** Schemas that are PostgreSQL's own or an extension's: pg_dump leaves them out, so do we. */
const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')`;
const NOT_EXTENSION_MEMBER = `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`;

const kinds = { r: 'table', p: 'partitioned table', m: 'materialized view' } as const;

export type TableInfo = PostgresContents['tables'][number];

/** The user's tables (and partitioned tables, materialized views) of the connected database. */
export async function listTables(client: pg.Client): Promise<Omit<TableInfo, 'rows'>[]> {
  const { rows } = await client.query<{ schema: string; name: string; kind: keyof typeof kinds }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'm') AND ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER}
     ORDER BY 1, 2`,
  );
  return rows.map((r) => ({ schema: r.schema, name: r.name, kind: kinds[r.kind] }));
}

/**
 * Exact rows of one table (ONLY its own rows for a table; a partitioned table counts its
 * partitions). Inside a transaction (`savepoint`) a failure must not abort it.
 */
export async function countRows(client: pg.Client, table: Omit<TableInfo, 'rows'>, savepoint = false): Promise<number | null> {
  const ident = `${client.escapeIdentifier(table.schema)}.${client.escapeIdentifier(table.name)}`;
  try {
    if (savepoint) await client.query('SAVEPOINT ogelbase_count');
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table.kind === 'table' ? 'ONLY ' : ''}${ident}`);
    if (savepoint) await client.query('RELEASE SAVEPOINT ogelbase_count');
    return Number(rows[0]!.n);
  } catch {
    // A materialized view never refreshed cannot be read; pg_dump still dumps its definition.
    if (savepoint) await client.query('ROLLBACK TO SAVEPOINT ogelbase_count').catch(() => undefined);
    return null;
  }
}

/** Everything a manifest says of a PostgreSQL database except the per-table rows. */
export async function describeDatabase(client: pg.Client): Promise<Omit<PostgresContents, 'tables'> & { tables: Omit<TableInfo, 'rows'>[] }> {
  const tables = await listTables(client);
  const { rows: schemas } = await client.query<{ name: string }>(`SELECT n.nspname AS name FROM pg_namespace n WHERE ${USER_SCHEMA} ORDER BY 1`);
  const { rows: counts } = await client.query<{ views: string; sequences: string; largeobjects: string }>(
    `SELECT count(*) FILTER (WHERE c.relkind = 'v') AS views, count(*) FILTER (WHERE c.relkind = 'S') AS sequences,
       (SELECT count(*) FROM pg_largeobject_metadata) AS largeobjects
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER}`,
  );
  // Owners and grantees of what is dumped: a restore where one of them is missing cannot keep them.
  const { rows: roles } = await client.query<{ name: string }>(
    `WITH objects AS (
       SELECT c.relowner AS owner, c.relacl AS acl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'm', 'v', 'S', 'f') AND ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER}
       UNION ALL SELECT n.nspowner, n.nspacl FROM pg_namespace n WHERE ${USER_SCHEMA}
     ), ids AS (
       SELECT owner AS id FROM objects
       UNION SELECT (aclexplode(acl)).grantee FROM objects WHERE acl IS NOT NULL
     )
     SELECT DISTINCT r.rolname AS name FROM ids JOIN pg_roles r ON r.oid = ids.id ORDER BY 1`,
  );
  return {
    engine: 'postgres',
    schemas: schemas.map((s) => s.name),
    tables,
    views: Number(counts[0]!.views),
    sequences: Number(counts[0]!.sequences),
    largeObjects: Number(counts[0]!.largeobjects),
    roles: roles.map((r) => r.name),
  };
}
