import { ConnectionStringError, Redactor, type ConnectionStringReason } from './errors';
import {
  checkText,
  own,
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

/*
 * Redis has one standard form, `redis[s]://[[user]:password@]host[:port][/db]` (IANA, as read by
 * ioredis and node-redis). For Sentinel and Cluster there is no standard URI, so these two are OURS:
 *
 *   redis+sentinel://[user:pass@]s1:26379,s2:26379/<masterName>[/<db>][?sentinelUsername=..&sentinelPassword=..&tls=true]
 *     (also redis-sentinel:// and rediss+sentinel://). The hosts are the Sentinels (default port 26379);
 *     the user info authenticates to the master and replicas, sentinelUsername/sentinelPassword to the
 *     Sentinels; tls applies to both.
 *   redis+cluster://[user:pass@]n1:7000,n2:7001[?tls=true]   (also rediss+cluster://)
 *     The hosts are seed nodes (default port 6379); a cluster has only database 0, so no db path.
 */

export type RedisTopology = 'standalone' | 'sentinel' | 'cluster';

interface RedisBase {
  engine: 'redis';
  /** rediss://, rediss+...:// or ?tls=true. */
  tls: boolean;
  /** Standalone: exactly one. Sentinel: the Sentinels. Cluster: the seed nodes. */
  hosts: HostPort[];
  username?: string;
  password?: string;
  /** IP family for DNS lookups (ioredis' `family`). */
  family?: 4 | 6;
  /** Milliseconds. */
  connectTimeout?: number;
  /** Every query parameter given, decoded, except passwords. */
  options: Record<string, string>;
}
export interface RedisStandaloneConnection extends RedisBase {
  topology: 'standalone';
  db: number;
}
export interface RedisSentinelConnection extends RedisBase {
  topology: 'sentinel';
  masterName: string;
  db: number;
  sentinelUsername?: string;
  sentinelPassword?: string;
}
export interface RedisClusterConnection extends RedisBase {
  topology: 'cluster';
  db: 0;
}
export type RedisConnection = RedisStandaloneConnection | RedisSentinelConnection | RedisClusterConnection;

const TOPOLOGY: Record<string, { topology: RedisTopology; tls: boolean }> = {
  redis: { topology: 'standalone', tls: false },
  rediss: { topology: 'standalone', tls: true },
  'redis+sentinel': { topology: 'sentinel', tls: false },
  'redis-sentinel': { topology: 'sentinel', tls: false },
  'rediss+sentinel': { topology: 'sentinel', tls: true },
  'redis+cluster': { topology: 'cluster', tls: false },
  'rediss+cluster': { topology: 'cluster', tls: true },
};

const PARAMS: Record<RedisTopology, readonly string[]> = {
  standalone: ['db', 'tls', 'family', 'connectTimeout', 'username', 'password'],
  sentinel: ['db', 'tls', 'family', 'connectTimeout', 'username', 'password', 'sentinelUsername', 'sentinelPassword'],
  cluster: ['tls', 'family', 'connectTimeout', 'username', 'password'],
};
const SECRETS = new Set(['password', 'sentinelPassword']);
const MAX_DB = 2147483647;

const fail = (reason: ConnectionStringReason, detail: string) => new ConnectionStringError('redis', reason, detail);

export function parseRedis(value: string): RedisConnection {
  return parseRedisWithSpans(value).parsed;
}

export function parseRedisWithSpans(value: string): ParseResult<RedisConnection> {
  const raw = value.trim();
  checkText(raw, 'redis', true);
  const kind = own(TOPOLOGY, schemeOf(raw) ?? '');
  if (!kind) {
    throw schemeError('redis', raw, 'redis:// or rediss:// (redis+sentinel:// or redis+cluster:// for Sentinel and Cluster)');
  }
  const redactor = new Redactor(raw);
  const parts = splitUri(raw, 'redis', redactor, false);
  const { topology } = kind;
  const hosts = parseHostList(parts.hostList, 'redis', redactor, topology === 'sentinel' ? 26379 : 6379, false);
  if (hosts.length === 0) throw fail('host', `it names no host: ${kind.tls ? 'rediss' : 'redis'}://[user:password@]host:6379`);
  if (topology === 'standalone' && hosts.length > 1) {
    throw fail(
      'host',
      `a ${parts.scheme}:// connection string has one host (got ${hosts.length}): for Sentinel write redis+sentinel://s1:26379,s2:26379/mymaster, for Cluster redis+cluster://n1:7000,n2:7001`,
    );
  }

  const params = new Map<string, string>();
  for (const { key, value: v } of parts.query) {
    if (!PARAMS[topology].includes(key)) {
      throw fail('option', `unknown parameter ${redactor.show(key)} for ${topology === 'standalone' ? 'a single server' : `Redis ${topology}`}: use ${PARAMS[topology].join(', ')}`);
    }
    params.set(key, v);
  }
  const tls = resolveTls(kind.tls, params.get('tls'), parts.scheme);
  const family = params.get('family');
  if (family !== undefined && family !== '4' && family !== '6') throw fail('option', `family ${redactor.show(family)} is not 4 or 6`);
  const timeout = params.get('connectTimeout');
  if (timeout !== undefined && toInteger(timeout) === undefined) {
    throw fail('option', `connectTimeout ${redactor.show(timeout)} is not a whole number of milliseconds`);
  }
  const username = pick('user name', parts.user, params.get('username'));
  const password = pick('password', parts.password, params.get('password'));
  if (parts.user !== undefined && parts.password === undefined && params.get('password') === undefined) {
    // redis-cli reads `redis://x@host` as a password, ioredis and node-redis as a user name.
    throw fail(
      'credentials',
      `'name@' without ':' is ambiguous (redis-cli reads a password, ioredis a user name): write redis://:password@host, redis://user:password@host, or redis://user:@host for a user without password`,
    );
  }
  const options: Record<string, string> = {};
  for (const [key, v] of params) if (!SECRETS.has(key)) options[key] = v;

  const base = compact({
    engine: 'redis' as const,
    tls,
    hosts,
    username,
    password,
    family: family === undefined ? undefined : (Number(family) as 4 | 6),
    connectTimeout: timeout === undefined ? undefined : Number(timeout),
    options,
  });
  const path = parts.path ?? '';
  let parsed: RedisConnection;
  if (topology === 'standalone') {
    parsed = { ...base, topology, db: resolveDb(path === '' ? undefined : path, params.get('db'), redactor) };
  } else if (topology === 'sentinel') {
    const [master = '', dbText, ...extra] = path.split('/');
    if (master === '') throw fail('database', 'a Redis Sentinel connection string names the master group as its path: redis+sentinel://s1:26379,s2:26379/mymaster[/db]');
    if (extra.length > 0) throw fail('database', 'the path of a Sentinel connection string is /<masterName>[/<db>], with nothing after the db index');
    parsed = compact({
      ...base,
      topology,
      masterName: decodeOrThrow(master, 'redis', 'master name'),
      db: resolveDb(dbText === '' ? undefined : dbText, params.get('db'), redactor),
      sentinelUsername: params.get('sentinelUsername'),
      sentinelPassword: params.get('sentinelPassword'),
    });
  } else {
    if (path !== '' && path !== '0') throw fail('database', 'Redis Cluster has only database 0: remove the path after the hosts');
    parsed = { ...base, topology, db: 0 };
  }
  const secretSpans = secretParamSpans(parts.query);
  if (parts.passwordSpan) secretSpans.push(parts.passwordSpan);
  return { parsed, secretSpans };
}

function resolveTls(fromScheme: boolean, param: string | undefined, scheme: string): boolean {
  if (param === undefined) return fromScheme;
  if (param !== 'true' && param !== 'false') throw fail('option', `tls must be true or false`);
  if (fromScheme && param === 'false') throw fail('option', `tls=false contradicts the ${scheme}:// scheme, which means TLS`);
  return param === 'true';
}

function pick(what: string, inUri: string | undefined, inQuery: string | undefined): string | undefined {
  if (inUri !== undefined && inQuery !== undefined) throw fail('credentials', `the ${what} is given twice, before '@' and as a parameter: keep one`);
  return inUri ?? inQuery;
}

function resolveDb(inPath: string | undefined, inQuery: string | undefined, redactor: Redactor): number {
  const parse = (text: string) => {
    const n = toInteger(text);
    if (n === undefined || n > MAX_DB) throw fail('database', `the database index ${redactor.show(text)} is not a whole number from 0 (as in /0)`);
    return n;
  };
  const fromPath = inPath === undefined ? undefined : parse(inPath);
  const fromQuery = inQuery === undefined ? undefined : parse(inQuery);
  if (fromPath !== undefined && fromQuery !== undefined && fromPath !== fromQuery) {
    throw fail('database', `the database index is ${fromPath} in the path but ${fromQuery} in ?db=: keep one`);
  }
  return fromPath ?? fromQuery ?? 0;
}
