import type { Buffer } from 'node:buffer';
import { EngineError } from '../errors';
import { memoryOf, type RedisContext, ttlSeconds } from './context';
import { guarded } from './errors';
import { rawTypeName, toKeyRef, typeName } from './keys';
import { boundedScan, byTarget, scanTargets, type ScanTarget } from './scan';
import type { KeyInfo, ScanKeysParams, ScanKeysResult } from './types';

export const SCAN_DEFAULTS = { count: 500, limit: 500, maxScanned: 10_000 } as const;

export interface FoundKey {
  key: Buffer;
  target: ScanTarget;
}

/**
 * TYPE, PTTL and MEMORY USAGE of a page of keys: one pipeline per server (a Cluster master answers
 * for the keys its own SCAN returned), never one round trip per key, which is what makes the first
 * page of a large keyspace slow in other explorers.
 */
export async function describeKeys(ctx: RedisContext, found: FoundKey[]): Promise<KeyInfo[]> {
  const infos = new Map<FoundKey, KeyInfo>();
  const withMemory = ctx.memoryUsage;
  const perCommand = withMemory ? 3 : 2;
  await Promise.all(
    [...byTarget(found)].map(async ([target, items]) => {
      const pipeline = target.node.pipeline();
      const refs = items.map((item) => toKeyRef(item.key));
      refs.forEach((ref, i) => {
        // UTF-8 keys go back as strings, as wireKey does: it halves ioredis' cost of a cold first page (bench/redis.md).
        const key = ref.base64 === undefined ? ref.name : items[i]!.key;
        pipeline.type(key).pttl(key);
        if (withMemory) pipeline.memory('USAGE', key);
      });
      const replies = (await pipeline.exec()) ?? [];
      // A reply that failed because the connection did (not because of its key) fails the page, so a
      // stopped server is an error (counted by the breaker), not a page of "expired" keys.
      const connectionError = replies.find(([error]) => error && /Stream isn't writeable|Connection is closed|max retries per request|ECONNRESET|ECONNREFUSED|timed out/i.test(error.message))?.[0];
      if (connectionError) throw connectionError;
      items.forEach((item, i) => {
        const [typeReply, ttlReply, memoryReply] = replies.slice(i * perCommand, (i + 1) * perCommand);
        // A per-key error (a key moved by resharding mid-scan) leaves that key as gone, not the page failed.
        const type = typeReply && !typeReply[0] ? String(typeReply[1]) : 'none';
        const pttl = ttlReply && !ttlReply[0] ? Number(ttlReply[1]) : -2;
        const memory = withMemory ? memoryOf(ctx, memoryReply) : undefined;
        infos.set(item, {
          key: refs[i]!,
          type: typeName(type),
          ttl: type === 'none' ? -2 : ttlSeconds(pttl),
          ...(memory !== undefined ? { memory } : {}),
          ...(target.id ? { node: target.id } : {}),
        });
      });
    }),
  );
  return found.map((item) => infos.get(item)!);
}

/** One page of keys matching a glob (and a type), with their types, TTLs and sizes. */
export function scanKeys(ctx: RedisContext, params: ScanKeysParams, signal?: AbortSignal): Promise<ScanKeysResult> {
  return guarded(async () => {
    const limit = params.limit ?? SCAN_DEFAULTS.limit;
    if (params.type !== undefined && !/^[\w-]{1,64}$/.test(params.type)) throw new EngineError('invalid_input', `Redis: ${JSON.stringify(params.type)} is not a type name`);
    const found: FoundKey[] = [];
    const outcome = await boundedScan(
      scanTargets(ctx.client),
      {
        cursor: params.cursor,
        match: params.match,
        type: params.type === undefined ? undefined : rawTypeName(params.type),
        count: params.count ?? SCAN_DEFAULTS.count,
        maxScanned: params.maxScanned ?? SCAN_DEFAULTS.maxScanned,
        signal,
      },
      {
        full: () => found.length >= limit,
        take: (key, target) => found.push({ key, target }),
      },
    );
    return { keys: await describeKeys(ctx, found), ...outcome };
  });
}
