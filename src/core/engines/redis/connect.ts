import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConnection } from '../../connection-strings';
import { assertSpeaksTls } from '../preflight';
import type { EngineSettings } from '../settings';

export type RedisClient = Redis | Cluster;

/**
 * An ioredis client for any of the three topologies. Commands fail after the command timeout
 * instead of waiting forever, and a client that cannot reach its server fails its commands at once
 * (no offline queue), so an outage surfaces as a clear error, not a hang.
 */
export function createRedisClient(c: RedisConnection, settings: EngineSettings, extra: { lazyConnect?: boolean; connectionName?: string } = {}): RedisClient {
  const common: RedisOptions = {
    username: c.username,
    password: c.password,
    tls: c.tls ? {} : undefined,
    family: c.family,
    connectTimeout: c.connectTimeout ?? settings.redisConnectTimeoutMs,
    commandTimeout: settings.redisCommandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: extra.lazyConnect ?? true,
    connectionName: extra.connectionName ?? 'ogelbase-explorer',
    retryStrategy: (attempt) => Math.min(attempt * 200, 3000),
  };
  let client: RedisClient;
  if (c.topology === 'cluster') {
    const options: ClusterOptions = {
      redisOptions: common,
      lazyConnect: common.lazyConnect,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 3000),
      slotsRefreshTimeout: settings.redisConnectTimeoutMs,
    };
    client = new Cluster(c.hosts.map((h) => ({ host: h.host, port: h.port })), options);
  } else if (c.topology === 'sentinel') {
    client = new Redis({
      ...common,
      db: c.db,
      sentinels: c.hosts.map((h) => ({ host: h.host, port: h.port })),
      name: c.masterName,
      sentinelUsername: c.sentinelUsername,
      sentinelPassword: c.sentinelPassword,
      enableTLSForSentinelMode: c.tls,
      sentinelRetryStrategy: (attempt) => (attempt > 3 ? null : attempt * 200),
    });
  } else {
    client = new Redis({ ...common, host: c.hosts[0]!.host, port: c.hosts[0]!.port, db: c.db });
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
export async function redisPreflight(c: RedisConnection, connectTimeoutMs: number): Promise<void> {
  if (!c.tls || c.topology === 'sentinel') return;
  const first = c.hosts[0]!;
  await assertSpeaksTls('redis', first.host, first.port, c.connectTimeout ?? connectTimeoutMs);
}
