import { parseConnectionString, type RedisConnection } from '../../../src/core/connection-strings';
import { connectRedisEngine, type ListNamespaceParams, type ListNamespaceResult, type Namespace, type RedisEngine } from '../../../src/core/engines/redis';
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

/**
 * One level of the tree, paged to the end: the servers are shared, so a single call (bounded by
 * maxScanned) may stop before it has met every key of the prefix. Namespaces met on several pages
 * are merged, their keysSeen summed; namespaces come sorted by name, keys in the order met.
 */
export async function wholeLevel(engine: RedisEngine, params: Omit<ListNamespaceParams, 'cursor'>): Promise<Pick<ListNamespaceResult, 'namespaces' | 'keys'>> {
  const namespaces = new Map<string, Namespace>();
  const keys: ListNamespaceResult['keys'] = [];
  for (let cursor: string | undefined; ; ) {
    const page = await engine.listNamespace({ ...params, cursor });
    for (const n of page.namespaces) {
      const id = n.prefix.base64 ?? n.prefix.name;
      const known = namespaces.get(id);
      namespaces.set(id, known ? { ...known, keysSeen: known.keysSeen + n.keysSeen } : n);
    }
    keys.push(...page.keys);
    if (page.done) return { namespaces: [...namespaces.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)), keys };
    cursor = page.cursor;
  }
}

export { rejectsWith } from './assertions';
