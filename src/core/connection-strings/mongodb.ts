import { ConnectionStringError, Redactor, type ConnectionStringReason } from './errors';
import {
  checkText,
  compact,
  decodeOrThrow,
  parseHostList,
  schemeError,
  schemeOf,
  secretParamSpans,
  splitUri,
  toInteger,
  type HostPort,
  type ParseResult,
} from './uri';

/* Follows the MongoDB Connection String and Initial DNS Seedlist Discovery specifications. */

export const MONGO_READ_PREFERENCES = ['primary', 'primaryPreferred', 'secondary', 'secondaryPreferred', 'nearest'] as const;
export type MongoReadPreference = (typeof MONGO_READ_PREFERENCES)[number];
export const MONGO_AUTH_MECHANISMS = ['SCRAM-SHA-1', 'SCRAM-SHA-256', 'MONGODB-X509', 'MONGODB-AWS', 'MONGODB-OIDC', 'GSSAPI', 'PLAIN'] as const;
export type MongoAuthMechanism = (typeof MONGO_AUTH_MECHANISMS)[number];
export type MongoOptionValue = string | number | boolean | string[];

export interface MongoConnection {
  engine: 'mongodb';
  /** mongodb+srv://: `hosts` holds the one SRV name (its port, 27017, is unused) and the real hosts come from DNS. */
  srv: boolean;
  /** At least one. A host starting with '/' is a unix socket file. */
  hosts: HostPort[];
  username?: string;
  password?: string;
  /** The path: the default database, also the default authSource. */
  database?: string;
  /** As given, else '$external' for X.509, AWS, OIDC and GSSAPI, else the database, else 'admin'. */
  authSource: string;
  authMechanism?: MongoAuthMechanism;
  replicaSet?: string;
  /** tls (or its alias ssl), else true for mongodb+srv:// and false otherwise. */
  tls: boolean;
  directConnection?: boolean;
  retryWrites?: boolean;
  w?: number | string;
  readPreference?: MongoReadPreference;
  appName?: string;
  proxyPassword?: string;
  tlsCertificateKeyFilePassword?: string;
  /**
   * Every option given, by its canonical camelCase name, converted (booleans, integers), except the two
   * password options above. Note: authMechanismProperties may carry an AWS session token.
   */
  options: Record<string, MongoOptionValue>;
}

type Kind = 'bool' | 'int' | 'int-1' | 'string' | 'secret' | 'w' | 'tags' | 'compressors' | readonly string[];

const OPTIONS: Record<string, Kind> = {
  appName: 'string',
  authMechanism: MONGO_AUTH_MECHANISMS,
  authMechanismProperties: 'string',
  authSource: 'string',
  compressors: 'compressors',
  connectTimeoutMS: 'int',
  directConnection: 'bool',
  heartbeatFrequencyMS: 'int',
  journal: 'bool',
  loadBalanced: 'bool',
  localThresholdMS: 'int',
  maxConnecting: 'int',
  maxIdleTimeMS: 'int',
  maxPoolSize: 'int',
  maxStalenessSeconds: 'int-1',
  minPoolSize: 'int',
  proxyHost: 'string',
  proxyPort: 'int',
  proxyUsername: 'string',
  proxyPassword: 'secret',
  readConcernLevel: ['local', 'majority', 'linearizable', 'available', 'snapshot'],
  readPreference: MONGO_READ_PREFERENCES,
  readPreferenceTags: 'tags',
  replicaSet: 'string',
  retryReads: 'bool',
  retryWrites: 'bool',
  serverMonitoringMode: ['auto', 'poll', 'stream'],
  serverSelectionTimeoutMS: 'int',
  serverSelectionTryOnce: 'bool',
  socketTimeoutMS: 'int',
  srvMaxHosts: 'int',
  srvServiceName: 'string',
  ssl: 'bool',
  timeoutMS: 'int',
  tls: 'bool',
  tlsAllowInvalidCertificates: 'bool',
  tlsAllowInvalidHostnames: 'bool',
  tlsCAFile: 'string',
  tlsCertificateKeyFile: 'string',
  tlsCertificateKeyFilePassword: 'secret',
  tlsCRLFile: 'string',
  tlsDisableCertificateRevocationCheck: 'bool',
  tlsDisableOCSPEndpointCheck: 'bool',
  tlsInsecure: 'bool',
  w: 'w',
  waitQueueTimeoutMS: 'int',
  wTimeoutMS: 'int',
  zlibCompressionLevel: 'int-1',
};
/** Option names are case-insensitive (spec): lower-case name to canonical name. */
const CANONICAL = new Map(Object.keys(OPTIONS).map((name) => [name.toLowerCase(), name]));
const EXTERNAL_MECHANISMS = new Set(['MONGODB-X509', 'MONGODB-AWS', 'MONGODB-OIDC', 'GSSAPI']);

const fail = (reason: ConnectionStringReason, detail: string) => new ConnectionStringError('mongodb', reason, detail);

export function parseMongo(value: string): MongoConnection {
  return parseMongoWithSpans(value).parsed;
}

export function parseMongoWithSpans(value: string): ParseResult<MongoConnection> {
  const raw = value.trim();
  checkText(raw, 'mongodb', true);
  const scheme = schemeOf(raw);
  if (scheme !== 'mongodb' && scheme !== 'mongodb+srv') throw schemeError('mongodb', raw, 'mongodb:// or mongodb+srv://');
  const srv = scheme === 'mongodb+srv';
  const redactor = new Redactor(raw);
  const parts = splitUri(raw, 'mongodb', redactor, true);
  if (parts.password !== undefined && parts.user === undefined) throw fail('credentials', `it has a password but no user name before the ':'`);
  if (parts.tail.startsWith('?')) throw fail('syntax', `put a '/' between the hosts and the options: mongodb://host/?option=value`);

  const hosts = parseHostList(parts.hostList, 'mongodb', redactor, 27017, !srv);
  if (hosts.length === 0) throw fail('host', `it names no host: ${scheme}://[user:password@]host${srv ? '' : ':27017'}/database`);
  if (srv && hosts.length > 1) throw fail('host', `mongodb+srv:// takes exactly one host name, whose SRV record lists the servers (got ${hosts.length})`);
  if (srv && /:[^\]]*$/.test(parts.hostList)) throw fail('port', 'a mongodb+srv:// host has no port: the SRV record supplies the ports');

  const database = parts.path === undefined || parts.path === '' ? undefined : decodeOrThrow(parts.path, 'mongodb', 'database name');
  const badChar = database === undefined ? null : /[/\\. "$\0]/.exec(database);
  if (badChar) throw fail('database', `the database name contains '${badChar[0]}', which MongoDB does not allow (none of / \\ . space " $)`);

  const options: Record<string, MongoOptionValue> = {};
  const secrets: Record<string, string> = {};
  for (const { key, value: v } of parts.query) {
    const name = CANONICAL.get(key.toLowerCase());
    if (name === undefined) throw fail('option', `unknown option ${redactor.show(key)}`);
    const kind = OPTIONS[name]!;
    if (kind === 'secret') secrets[name] = v;
    else if (kind === 'tags') options[name] = [...((options[name] as string[] | undefined) ?? []), v];
    else options[name] = convert(name, kind, v, redactor);
  }
  checkCombinations(options, hosts.length, srv);
  if (options.tls !== undefined && options.ssl !== undefined && options.tls !== options.ssl) {
    throw fail('option', `tls=${options.tls} and ssl=${options.ssl} disagree: ssl is another name for tls, keep one`);
  }

  const mechanism = options.authMechanism as MongoAuthMechanism | undefined;
  checkCredentials(mechanism, parts.user, parts.password);
  const authSource =
    (options.authSource as string | undefined) ??
    (mechanism !== undefined && EXTERNAL_MECHANISMS.has(mechanism) ? '$external' : (database ?? 'admin'));

  const parsed = compact<MongoConnection>({
    engine: 'mongodb',
    srv,
    hosts,
    username: parts.user,
    password: parts.password,
    database,
    authSource,
    authMechanism: mechanism,
    replicaSet: options.replicaSet as string | undefined,
    tls: (options.tls ?? options.ssl ?? srv) as boolean,
    directConnection: options.directConnection as boolean | undefined,
    retryWrites: options.retryWrites as boolean | undefined,
    w: options.w as number | string | undefined,
    readPreference: options.readPreference as MongoReadPreference | undefined,
    appName: options.appName as string | undefined,
    proxyPassword: secrets.proxyPassword,
    tlsCertificateKeyFilePassword: secrets.tlsCertificateKeyFilePassword,
    options,
  });
  const secretSpans = secretParamSpans(parts.query);
  if (parts.passwordSpan) secretSpans.push(parts.passwordSpan);
  return { parsed, secretSpans };
}

function convert(name: string, kind: Exclude<Kind, 'secret' | 'tags'>, v: string, redactor: Redactor): MongoOptionValue {
  const got = ` (got ${redactor.show(v)})`;
  switch (kind) {
    case 'string':
      if (v === '') throw fail('option', `${name} is empty`);
      return v;
    case 'bool':
      if (!/^(true|false)$/i.test(v)) throw fail('option', `${name} must be true or false${got}`);
      return v.toLowerCase() === 'true';
    case 'int':
    case 'int-1': {
      const n = toInteger(v, kind === 'int' ? 0 : -1);
      const unit = name.endsWith('MS') ? ' of milliseconds' : name.endsWith('Seconds') ? ' of seconds' : '';
      if (n === undefined) throw fail('option', `${name} must be a whole number${unit}${kind === 'int' ? '' : ' (or -1)'}${got}`);
      return n;
    }
    case 'w':
      if (v === '') throw fail('option', 'w is empty: give a number of servers, majority, or a tag set name');
      return toInteger(v) ?? v;
    case 'compressors': {
      const unknown = v.split(',').find((c) => !['snappy', 'zlib', 'zstd', 'none'].includes(c));
      if (unknown !== undefined) throw fail('option', `compressors ${redactor.show(unknown)} is not one of snappy, zlib, zstd`);
      return v;
    }
    default: {
      const match = kind.find((allowed) => allowed.toLowerCase() === v.toLowerCase());
      if (match === undefined) throw fail('option', `${name} ${redactor.show(v)} is not one of ${kind.join(', ')}`);
      return match;
    }
  }
}

/** The combinations the spec forbids. */
function checkCombinations(options: Record<string, MongoOptionValue>, hostCount: number, srv: boolean): void {
  if (options.directConnection === true && (srv || hostCount > 1)) {
    throw fail('option', `directConnection=true connects to exactly one server: ${srv ? 'it cannot be used with mongodb+srv://' : `remove it or list one host (got ${hostCount})`}`);
  }
  if (options.loadBalanced === true) {
    if (hostCount > 1) throw fail('option', 'loadBalanced=true takes exactly one host (the load balancer)');
    if (options.replicaSet !== undefined) throw fail('option', 'loadBalanced=true cannot be combined with replicaSet');
    if (options.directConnection === true) throw fail('option', 'loadBalanced=true cannot be combined with directConnection=true');
  }
  if (!srv && (options.srvServiceName !== undefined || options.srvMaxHosts !== undefined)) {
    throw fail('option', 'srvServiceName and srvMaxHosts apply only to mongodb+srv://');
  }
  const insecure = ['tlsAllowInvalidCertificates', 'tlsAllowInvalidHostnames', 'tlsDisableOCSPEndpointCheck', 'tlsDisableCertificateRevocationCheck'];
  const clash = insecure.find((o) => options[o] !== undefined);
  if (options.tlsInsecure !== undefined && clash) throw fail('option', `tlsInsecure already sets ${clash}: give one of them`);
}

function checkCredentials(mechanism: MongoAuthMechanism | undefined, user: string | undefined, password: string | undefined): void {
  if (mechanism === undefined) return;
  if (mechanism === 'MONGODB-X509' && password !== undefined) throw fail('credentials', 'MONGODB-X509 authenticates with the client certificate: remove the password');
  if (['SCRAM-SHA-1', 'SCRAM-SHA-256', 'PLAIN', 'GSSAPI'].includes(mechanism) && user === undefined) {
    throw fail('credentials', `authMechanism=${mechanism} needs a user name: mongodb://user:password@host/`);
  }
}
