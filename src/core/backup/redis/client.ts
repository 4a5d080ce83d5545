import type { Cluster, Redis } from 'ioredis';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { parseConnectionString, type RedisConnection } from '../../connection-strings';
import { createRedisClient, pinRedisHosts, redisPreflight, type RedisClient } from '../../engines/redis/connect';
import { redisError } from '../../engines/redis/errors';
import { defaultEngineSettings } from '../../engines/settings';
import type { BackupTarget } from '../types';
import type { SyncEndpoint } from './sync';

/** One master: its own client (SCAN, DUMP, EXISTS there) and how to reach it for SYNC. */
export interface Master {
  label: string;
  client: Redis;
  endpoint: SyncEndpoint;
}

export interface BackupConnection {
  parsed: RedisConnection;
  client: RedisClient;
  /** Standalone: 1; Sentinel: the master it names; Cluster: every master. */
  masters: Master[];
  /** `7.0.15` */
  version: string;
  /** The logical database a backup reads and a restore writes (0 on a Cluster). */
  db: number;
  close(): Promise<void>;
}

const infoField = (info: string, field: string) => new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();

/**
 * A connection of its own for a backup or a restore (outside the browsing engine), with the same
 * reach as every other: certificates as PEM, another login, the host policy's pinned addresses and
 * its gate on what a Cluster or a Sentinel announces. Commands get a long time limit: DUMP and
 * RESTORE of a big value take longer than a browsing call.
 */
export async function connectForBackup(target: BackupTarget, commandTimeoutMs = 120_000): Promise<BackupConnection> {
  const parsed = parseConnectionString('redis', target.connectionString) as RedisConnection;
  const settings = { ...defaultEngineSettings, redisCommandTimeoutMs: commandTimeoutMs };
  const addresses = await pinRedisHosts(parsed, target.guard);
  await redisPreflight(parsed, settings.redisConnectTimeoutMs, addresses);
  const client = createRedisClient(parsed, settings, { connectionName: 'ogelbase-backup', autoPipelining: true, tls: target.tls, credentials: target.credentials, guard: target.guard, addresses });
  let cause: unknown;
  const remember = (error: unknown) => (cause ??= error);
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw redisError(cause ?? error);
  } finally {
    client.off('error', remember);
  }
  const user = target.credentials?.user ?? parsed.username;
  const password = target.credentials?.password ?? parsed.password;
  const tlsFor = (servername: string | undefined): ConnectionOptions | undefined =>
    parsed.tls ? { ...(target.tls?.ca ? { ca: target.tls.ca } : {}), ...(target.tls?.cert ? { cert: target.tls.cert } : {}), ...(target.tls?.key ? { key: target.tls.key } : {}), ...(servername && isIP(servername) === 0 ? { servername } : {}) } : undefined;
  const endpoint = (host: string, port: number, name?: string): SyncEndpoint => ({
    host,
    port,
    tls: tlsFor(name ?? host),
    user,
    password,
    connectTimeoutMs: settings.redisConnectTimeoutMs,
  });
  let masters: Master[];
  if (parsed.topology === 'cluster') {
    masters = (client as Cluster).nodes('master').map((node) => ({
      label: `${node.options.host}:${node.options.port}`,
      client: node,
      endpoint: endpoint(node.options.host!, node.options.port!),
    }));
  } else {
    const single = client as Redis;
    // For Sentinel, the master the sentinels named (the address the client actually reached).
    const host = parsed.topology === 'sentinel' ? (single.stream?.remoteAddress ?? single.options.host!) : (addresses?.[0] ?? parsed.hosts[0]!.host);
    const port = parsed.topology === 'sentinel' ? (single.stream?.remotePort ?? single.options.port!) : parsed.hosts[0]!.port;
    masters = [{ label: `${parsed.hosts[0]!.host}:${parsed.hosts[0]!.port}`, client: single, endpoint: endpoint(host, port, parsed.topology === 'standalone' ? parsed.hosts[0]!.host : undefined) }];
  }
  const version = infoField(await masters[0]!.client.info('server').catch((e: unknown) => Promise.reject(redisError(e))), 'redis_version') ?? '0';
  return {
    parsed,
    client,
    masters,
    version,
    db: parsed.topology === 'cluster' ? 0 : parsed.db,
    close: async () => {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
