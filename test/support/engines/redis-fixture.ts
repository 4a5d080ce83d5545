import { parseConnectionString, type RedisConnection } from '../../../src/core/connection-strings';
import { connectRedisEngine, type RedisEngine } from '../../../src/core/engines/redis';
import { defaultEngineSettings } from '../../../src/core/engines/settings';

/** A connected engine for one of the harness's Redis servers (standalone, cluster or Sentinel form). */
export function connectTestEngine(connectionString: string): Promise<RedisEngine> {
  return connectRedisEngine(parseConnectionString('redis', connectionString) as RedisConnection, defaultEngineSettings);
}

/** Deletes every key a test wrote under `prefix` (the servers are shared: never FLUSHALL). */
export async function removeKeysUnder(engine: RedisEngine, prefix: string): Promise<void> {
  for (let cursor: string | undefined; ; ) {
    const step = await engine.deleteMatching({ prefix, cursor, maxScanned: 100_000 });
    if (step.done) return;
    cursor = step.cursor;
  }
}

export { rejectsWith } from './assertions';
