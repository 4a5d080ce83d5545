import { X509Certificate, createPrivateKey } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { parse as parsePgUri } from 'pg-connection-string';
import type { EngineType } from '../../../src/core/api/types';
import { parseConnectionString, type MongoConnection, type PostgresConnection, type RedisConnection } from '../../../src/core/connection-strings';
import { EngineError } from '../../../src/core/engines/errors';
import { mongoDriverView, type MongoDriverView } from '../../../src/core/engines/mongodb/reach';
import type { TlsMaterial } from '../../../src/core/engines/network';
import type { HostPolicy } from './host-policy';

/*
 * What a connection string may ask of THIS server. The extension runs on the user's machine and may
 * read certificate files and open local sockets there; the server holds every team's connection
 * strings, so on the server a connection string names no file, no unix socket and no local service,
 * and reaches only the networks DATABASE_HOST_POLICY allows. Ours is the parser that explains
 * problems; where a driver parses the string itself (MongoDB), its own parser decides which hosts
 * and options it will use, and where both read a string, they must agree.
 */

/** libpq parameters that name files or services of the machine that connects. */
const PG_LOCAL_PARAMS = ['sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'sslcrldir', 'passfile', 'service', 'requirepeer', 'gsslib', 'krbsrvname'];
/** Mechanisms that take the server's own identity (cloud metadata credentials, Kerberos keytab) instead of the string's. */
const MONGO_AMBIENT_MECHANISMS = new Set(['MONGODB-AWS', 'MONGODB-OIDC', 'GSSAPI']);

const refuse = (message: string) => new EngineError('invalid_input', message);

function checkPostgres(value: string, parsed: PostgresConnection): string[] {
  const local = PG_LOCAL_PARAMS.filter((p) => parsed.params[p] !== undefined && !(p === 'sslrootcert' && parsed.params[p] === 'system'));
  if (local.length > 0) {
    throw refuse(`${local.join(', ')} name files or services of the machine that connects, which the platform does not read: give certificates and keys as PEM text in tls.ca, tls.cert and tls.key`);
  }
  if (parsed.hosts.some((h) => h.host.startsWith('/'))) throw refuse('a unix socket names a file on the platform server: give a host name or an IP address');
  // Where node-postgres' own parser can read the string too (one host, URI form), it must agree with ours.
  if (parsed.form === 'uri' && parsed.hosts.length === 1) {
    let theirs: ReturnType<typeof parsePgUri> | undefined;
    try {
      theirs = parsePgUri(value.trim(), { useLibpqCompat: true });
    } catch {
      theirs = undefined;
    }
    const ours = parsed.hosts[0]!;
    if (theirs && (normal(theirs.host ?? '') !== normal(ours.host) || Number(theirs.port || 5432) !== ours.port)) {
      throw refuse('the connection string reads differently to node-postgres (another host or port): write the host once, in the authority');
    }
  }
  return parsed.hosts.map((h) => h.host);
}

function checkMongo(value: string, parsed: MongoConnection): string[] {
  let driver: MongoDriverView;
  try {
    driver = mongoDriverView(value);
  } catch (error) {
    throw refuse(`the MongoDB driver cannot read it: ${(error as Error).message.replace(/mongodb(\+srv)?:\/\/\S*/g, '…')}`);
  }
  if (driver.files.length > 0) {
    throw refuse(`${driver.files.join(', ')} name files of the machine that connects, which the platform does not read: give certificates and keys as PEM text in tls.ca, tls.cert and tls.key`);
  }
  const mechanism = driver.mechanism?.toUpperCase();
  if (mechanism && MONGO_AMBIENT_MECHANISMS.has(mechanism)) {
    throw refuse(`authMechanism=${mechanism} would authenticate with the platform server's own identity (cloud metadata or Kerberos): use a user name and password, or MONGODB-X509 with tls.cert and tls.key`);
  }
  if (driver.sockets.length > 0 || parsed.hosts.some((h) => h.host.startsWith('/'))) throw refuse('a unix socket names a file on the platform server: give a host name or an IP address');
  const hosts = driver.srvHost ? [driver.srvHost] : driver.hosts;
  const ours = parsed.hosts.map((h) => h.host);
  if (hosts.length !== ours.length || hosts.some((h, i) => normal(h) !== normal(ours[i]!))) {
    throw refuse('the connection string reads differently to the MongoDB driver (other hosts): write each host once, percent-encoding special characters');
  }
  return driver.proxyHost ? [...hosts, driver.proxyHost] : hosts;
}

/** A host for comparing two parsers' readings: names lower-cased, IP addresses in one canonical spelling. */
const normal = (host: string) => {
  const bare = host.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) ? ipaddr.process(bare).toNormalizedString() : bare;
};

/**
 * The hosts the driver will connect to first, or an EngineError (`invalid_input`) saying what the
 * string asks that the platform will not do (files, sockets, ambient credentials, ambiguity).
 */
export function serverReachableHosts(type: EngineType, value: string): string[] {
  const parsed = parseConnectionString(type, value);
  if (type === 'postgres') return checkPostgres(value, parsed as PostgresConnection);
  if (type === 'mongodb') return checkMongo(value, parsed as MongoConnection);
  return (parsed as RedisConnection).hosts.map((h) => h.host);
}

/**
 * Every check a connection string passes before the platform stores or tests it: the static ones
 * above, then the host policy on each host. A name that does not resolve from here is accepted
 * (it may live on a private network that resolves later); one that resolves must resolve only to
 * allowed addresses, and the check runs again at every connection.
 */
export async function checkServerConnection(type: EngineType, value: string, policy: HostPolicy): Promise<void> {
  for (const host of serverReachableHosts(type, value)) {
    try {
      await policy.check(host);
    } catch (error) {
      if (error instanceof EngineError && error.code === 'unreachable') continue;
      throw error;
    }
  }
}

const MAX_PEM = 64 * 1024;

/** Certificates and a key as PEM text: each parsed, so a path or a typo is refused with a reason. */
export function checkTlsMaterial(tls: TlsMaterial): void {
  for (const [field, pem] of Object.entries(tls) as [keyof TlsMaterial, string | undefined][]) {
    if (pem === undefined) continue;
    if (pem.length > MAX_PEM) throw refuse(`tls.${field} is longer than 64 KiB`);
    if (!pem.includes('-----BEGIN ')) throw refuse(`tls.${field} must be PEM text (-----BEGIN …-----), not a file name: the platform reads no files`);
    try {
      if (field === 'key') {
        if (!/ENCRYPTED/.test(pem)) createPrivateKey(pem);
      } else {
        const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
        if (blocks.length === 0) throw new Error('no certificate');
        for (const block of blocks) new X509Certificate(block);
      }
    } catch {
      throw refuse(`tls.${field} is not a valid PEM ${field === 'key' ? 'private key' : 'certificate'}`);
    }
  }
}
