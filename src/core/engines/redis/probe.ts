import type { TestConnectionResult } from '../../api/types';
import { describeEndpoint, parseConnectionString, type RedisConnection } from '../../connection-strings';
import { withDeadline } from '../deadline';
import { timedProbe, type ProbeTarget } from '../probe-result';
import type { EngineSettings } from '../settings';
import { createRedisClient, pinRedisHosts, redisPreflight } from './connect';

/** The `redis_version` line of INFO server. */
export const redisVersionOf = (info: string) => /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';

/** Connects once (through Sentinel or the cluster when the string says so), reads the version, disconnects. */
export function probeRedis(connectionString: string, settings: EngineSettings, timeoutMs: number, target: ProbeTarget = {}): Promise<TestConnectionResult> {
  const parsed = parseConnectionString('redis', connectionString) as RedisConnection;
  return timedProbe('redis', describeEndpoint(parsed), async () => {
    const addresses = await pinRedisHosts(parsed, target.guard);
    await redisPreflight(parsed, timeoutMs, addresses);
    const reach = { tls: target.tls, guard: target.guard, addresses };
    const client = createRedisClient(parsed, { ...settings, redisConnectTimeoutMs: timeoutMs, redisCommandTimeoutMs: timeoutMs }, { connectionName: 'ogelbase-probe', ...reach });
    // One attempt: a probe reports the failure instead of retrying in the background.
    if ('options' in client && 'retryStrategy' in client.options) client.options.retryStrategy = () => null;
    // ioredis rejects connect() with a bare "Connection is closed."; the cause arrives as an 'error' event.
    let cause: unknown;
    client.on('error', (error) => (cause ??= error));
    try {
      await withDeadline(client.connect(), timeoutMs, 'Redis', () => client.disconnect()).catch((error: unknown) => {
        throw cause ?? error;
      });
      return redisVersionOf(await withDeadline(client.info('server'), timeoutMs, 'Redis'));
    } finally {
      client.disconnect();
    }
  });
}
