import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConnection } from '../../connection-strings';
import { REFUSED_HOST, type NetworkGuard, type TlsMaterial } from '../network';
import { assertSpeaksTls } from '../preflight';
import type { EngineSettings } from '../settings';

export type RedisClient = Redis | Cluster;

/** How to reach the servers besides the parsed connection string (see ManagedDatabase). */
export interface RedisReach {
  /** Certificates as PEM text. */
  tls?: TlsMaterial;
  /** Another login (a provisioned read-only ACL user). */
  credentials?: { user: string; password: string };
  /** Addresses to connect to instead of the hosts' names, in the hosts' order (pinned by the host policy). */
  addresses?: string[];
  /** Refuses addresses that a Cluster or a Sentinel announces when the host policy does not allow them. */
  guard?: NetworkGuard;
}

/** Resolves and checks every host with the guard; without one the names are used as they are. */
export async function pinRedisHosts(c: RedisConnection, guard: NetworkGuard | undefined): Promise<string[] | undefined> {
  return guard ? Promise.all(c.hosts.map((h) => guard.pin(h.host))) : undefined;
}

/** ioredis' NAT map as a gate: an announced address the policy refuses is sent to a name that never resolves. */
function natGate(guard: NetworkGuard) {
  return (key: string) => {
    const at = key.lastIndexOf(':');
    const host = key.slice(0, at).replace(/^\[|\]$/g, '');
    return guard.mayFollow(host) ? null : { host: REFUSED_HOST, port: Number(key.slice(at + 1)) || 6379 };
  };
}

/**
 * An ioredis client for any of the three topologies. Commands fail after the command timeout
 * instead of waiting forever, and a client that cannot reach its server fails its commands at once
 * (no offline queue), so an outage surfaces as a clear error, not a hang. With `autoPipelining`,
 * commands issued in the same tick go out in one write (per node on a Cluster) instead of one write
 * each: for bulk work such as a restore's thousands of RESTOREs.
 */
export function createRedisClient(c: RedisConnection, settings: EngineSettings, extra: { lazyConnect?: boolean; connectionName?: string; autoPipelining?: boolean } & RedisReach = {}): RedisClient {
  const pem = { ...(extra.tls?.ca ? { ca: extra.tls.ca } : {}), ...(extra.tls?.cert ? { cert: extra.tls.cert } : {}), ...(extra.tls?.key ? { key: extra.tls.key } : {}) };
  const hostAt = (i: number) => extra.addresses?.[i] ?? c.hosts[i]!.host;
  // Connecting to a pinned address, the certificate is still checked against the name.
  const servername = extra.addresses && c.topology === 'standalone' && extra.addresses[0] !== c.hosts[0]!.host ? { servername: c.hosts[0]!.host } : {};
  const common: RedisOptions = {
    username: extra.credentials?.user ?? c.username,
    password: extra.credentials?.password ?? c.password,
    tls: c.tls ? { ...pem, ...servername } : undefined,
    family: c.family,
    connectTimeout: c.connectTimeout ?? settings.redisConnectTimeoutMs,
    commandTimeout: settings.redisCommandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: extra.lazyConnect ?? true,
    connectionName: extra.connectionName ?? 'ogelbase-explorer',
    retryStrategy: (attempt) => Math.min(attempt * 200, 3000),
    enableAutoPipelining: extra.autoPipelining ?? false,
  };
  let client: RedisClient;
  if (c.topology === 'cluster') {
    const options: ClusterOptions = {
      redisOptions: common,
      lazyConnect: common.lazyConnect,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 3000),
      slotsRefreshTimeout: settings.redisConnectTimeoutMs,
      enableAutoPipelining: extra.autoPipelining ?? false,
      ...(extra.guard ? { natMap: natGate(extra.guard) } : {}),
    };
    client = new Cluster(c.hosts.map((h, i) => ({ host: hostAt(i), port: h.port })), options);
  } else if (c.topology === 'sentinel') {
    client = new Redis({
      ...common,
      db: c.db,
      sentinels: c.hosts.map((h, i) => ({ host: hostAt(i), port: h.port })),
      ...(extra.guard ? { natMap: natGate(extra.guard) } : {}),
      name: c.masterName,
      sentinelUsername: c.sentinelUsername,
      sentinelPassword: c.sentinelPassword,
      enableTLSForSentinelMode: c.tls,
      sentinelRetryStrategy: (attempt) => (attempt > 3 ? null : attempt * 200),
    });
  } else {
    client = new Redis({ ...common, host: hostAt(0), port: c.hosts[0]!.port, db: c.db });
  }
  // Failures reach callers through their commands; the event needs a listener so it is not thrown.
  client.on('error', () => undefined);
  return client;
}

/**
 * Before a TLS connection: a plain Redis answers a TLS handshake with silence, and ioredis would
 * wait its whole connect timeout to say "timeout". This says "did not answer TLS" within seconds.
 * (Sentinel's own TLS goes to the sentinels and then the master they name: ioredis reports that.)
 */
export async function redisPreflight(c: RedisConnection, connectTimeoutMs: number, addresses?: string[]): Promise<void> {
  if (!c.tls || c.topology === 'sentinel') return;
  const first = c.hosts[0]!;
  // The address the host policy pinned, when there is one: the check connects where the driver will.
  await assertSpeaksTls('redis', addresses?.[0] ?? first.host, first.port, c.connectTimeout ?? connectTimeoutMs);
}
