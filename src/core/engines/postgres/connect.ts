import { isIP } from 'node:net';
import type { PoolConfig } from 'pg';
import type { PostgresConnection } from '../../connection-strings';
import { EngineError } from '../errors';
import { readCertificateFile, type TlsMaterial } from '../network';
import type { EngineSettings } from '../settings';

/** The connection string's parameters that name files (libpq reads them from the client's disk). */
const FILE_PARAMS = ['sslrootcert', 'sslcert', 'sslkey'] as const;

/** Whether the connection string names certificate files (sslrootcert=system names none: the system store). */
export const namesCertificateFiles = (c: PostgresConnection): boolean => FILE_PARAMS.some((p) => c[p] !== undefined && !(p === 'sslrootcert' && c[p] === 'system'));

/**
 * The certificates a connection uses: `given` (PEM text, sealed with the connection on the server),
 * else the files the connection string names, read asynchronously and bounded, but only where
 * `localFiles` allows it (the extension, on the user's own machine).
 */
export async function postgresTlsMaterial(c: PostgresConnection, given: TlsMaterial | undefined, localFiles: boolean): Promise<TlsMaterial | undefined> {
  if (given) return given;
  if (!namesCertificateFiles(c)) return undefined;
  if (!localFiles) throw new EngineError('invalid_input', 'PostgreSQL: certificate files named by the connection string are not read here: give the certificates as PEM text');
  return {
    ...(c.sslrootcert && c.sslrootcert !== 'system' ? { ca: await readCertificateFile(c.sslrootcert, 'sslrootcert') } : {}),
    ...(c.sslcert ? { cert: await readCertificateFile(c.sslcert, 'sslcert') } : {}),
    ...(c.sslkey ? { key: await readCertificateFile(c.sslkey, 'sslkey') } : {}),
  };
}

/** node-postgres' TLS options for libpq's sslmode (node-postgres has no opportunistic TLS: allow/prefer connect in plain text). */
function tlsFor(c: PostgresConnection, material: TlsMaterial | undefined, servername: string | undefined): PoolConfig['ssl'] {
  const mode = c.sslmode ?? (c.sslrootcert || c.sslcert || material?.ca || material?.cert ? 'verify-full' : 'prefer');
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const pem = {
    ...(material?.ca ? { ca: material.ca } : {}),
    ...(material?.cert ? { cert: material.cert } : {}),
    ...(material?.key ? { key: material.key } : {}),
    ...(c.sslpassword ? { passphrase: c.sslpassword } : {}),
    // Connecting to a pinned address: the certificate is still checked against the name.
    ...(servername ? { servername } : {}),
  };
  if (mode === 'require') return { rejectUnauthorized: false, ...pem };
  // verify-ca checks the chain but not the host name; verify-full checks both.
  return mode === 'verify-ca' ? { rejectUnauthorized: true, checkServerIdentity: () => undefined, ...pem } : { rejectUnauthorized: true, ...pem };
}

export interface PostgresPoolExtra {
  readOnly?: boolean;
  max?: number;
  /** Certificates as PEM text ({@link postgresTlsMaterial}); files are never read here. */
  tls?: TlsMaterial;
  /** The address to connect to instead of the first host's name (checked by the server's host policy). */
  address?: string;
  /** Another login than the connection string's (a provisioned read-only role). */
  credentials?: { user: string; password: string };
}

/**
 * A `pg.Pool` configuration from a parsed connection string. node-postgres connects to one host:
 * of a multi-host string the first is used (libpq would try them in turn).
 */
export function postgresPoolConfig(c: PostgresConnection, settings: EngineSettings, extra: PostgresPoolExtra = {}): PoolConfig {
  if (!extra.tls && namesCertificateFiles(c)) {
    throw new EngineError('invalid_input', 'PostgreSQL: the connection string names certificate files: load them first (postgresTlsMaterial)');
  }
  const first = c.hosts[0]!;
  const options = [c.options, extra.readOnly ? '-c default_transaction_read_only=on' : undefined].filter(Boolean).join(' ');
  const pinned = extra.address !== undefined && extra.address !== first.host;
  return {
    host: extra.address ?? first.host,
    port: first.port,
    user: extra.credentials?.user ?? c.user,
    password: extra.credentials?.password ?? c.password,
    database: c.database,
    ssl: tlsFor(c, extra.tls, pinned && isIP(first.host) === 0 ? first.host : undefined),
    application_name: c.applicationName ?? 'ogelbase-explorer',
    ...(options ? { options } : {}),
    connectionTimeoutMillis: c.connectTimeout ? c.connectTimeout * 1000 : settings.postgresConnectTimeoutMs,
    max: extra.max ?? settings.postgresMaxConnections,
    idleTimeoutMillis: settings.idleTimeoutMs,
    statement_timeout: settings.postgresStatementTimeoutMs,
    keepAlive: true,
  };
}
