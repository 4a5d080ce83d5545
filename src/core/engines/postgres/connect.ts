import { readFileSync } from 'node:fs';
import type { PoolConfig } from 'pg';
import type { PostgresConnection } from '../../connection-strings';
import type { EngineSettings } from '../settings';

/** node-postgres' TLS options for libpq's sslmode (node-postgres has no opportunistic TLS: allow/prefer connect in plain text). */
function tlsFor(c: PostgresConnection): PoolConfig['ssl'] {
  const mode = c.sslmode ?? (c.sslrootcert || c.sslcert ? 'verify-full' : 'prefer');
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const files = {
    ...(c.sslrootcert && c.sslrootcert !== 'system' ? { ca: readFileSync(c.sslrootcert, 'utf8') } : {}),
    ...(c.sslcert ? { cert: readFileSync(c.sslcert, 'utf8') } : {}),
    ...(c.sslkey ? { key: readFileSync(c.sslkey, 'utf8') } : {}),
    ...(c.sslpassword ? { passphrase: c.sslpassword } : {}),
  };
  if (mode === 'require') return { rejectUnauthorized: false, ...files };
  // verify-ca checks the chain but not the host name; verify-full checks both.
  return mode === 'verify-ca' ? { rejectUnauthorized: true, checkServerIdentity: () => undefined, ...files } : { rejectUnauthorized: true, ...files };
}

/**
 * A `pg.Pool` configuration from a parsed connection string. node-postgres connects to one host:
 * of a multi-host string the first is used (libpq would try them in turn).
 */
export function postgresPoolConfig(c: PostgresConnection, settings: EngineSettings, extra: { readOnly?: boolean; max?: number } = {}): PoolConfig {
  const first = c.hosts[0]!;
  const options = [c.options, extra.readOnly ? '-c default_transaction_read_only=on' : undefined].filter(Boolean).join(' ');
  return {
    host: first.host,
    port: first.port,
    user: c.user,
    password: c.password,
    database: c.database,
    ssl: tlsFor(c),
    application_name: c.applicationName ?? 'ogelbase-explorer',
    ...(options ? { options } : {}),
    connectionTimeoutMillis: c.connectTimeout ? c.connectTimeout * 1000 : settings.postgresConnectTimeoutMs,
    max: extra.max ?? settings.postgresMaxConnections,
    idleTimeoutMillis: settings.idleTimeoutMs,
    statement_timeout: settings.postgresStatementTimeoutMs,
    keepAlive: true,
  };
}
