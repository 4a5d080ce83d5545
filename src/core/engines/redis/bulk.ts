import type { Buffer } from 'node:buffer';
import { EngineError } from '../errors';
import { assertWritable, type RedisContext } from './context';
import { guarded, throwIfAborted } from './errors';
import type { FoundKey } from './key-info';
import { keyBytes, prefixPattern, wireKey } from './keys';
import { boundedScan, byTarget, scanTargets, type ScanTarget } from './scan';
import type { KeyInput } from './types';

/*
 * Delete by pattern, in bounded and resumable steps: the UI first loops countMatching (showing
 * progress, cancellable) to say how many keys would go, then loops deleteMatching. Each call walks
 * at most `maxScanned` keys with SCAN and UNLINKs what it found (UNLINK frees memory off the main
 * thread, so large values do not stall the server).
 */

export const BULK_DEFAULTS = { count: 1000, maxScanned: 10_000, batch: 500 } as const;

export interface MatchParams {
  /** A SCAN MATCH glob. */
  match?: string;
  /** Or a literal prefix (a namespace of the tree, possibly binary): every key starting with it. */
  prefix?: KeyInput;
  cursor?: string;
  maxScanned?: number;
}

function patternOf(params: MatchParams): string | Buffer {
  if ((params.match === undefined) === (params.prefix === undefined)) throw new EngineError('invalid_input', 'Redis: give either match (a glob) or prefix, not both and not neither');
  return params.match ?? prefixPattern(keyBytes(params.prefix!, 'prefix'));
}

async function collect(ctx: RedisContext, params: MatchParams, signal: AbortSignal | undefined) {
  const found: FoundKey[] = [];
  const outcome = await boundedScan(
    scanTargets(ctx.client),
    { cursor: params.cursor, match: patternOf(params), count: BULK_DEFAULTS.count, maxScanned: params.maxScanned ?? BULK_DEFAULTS.maxScanned, signal },
    {
      full: () => false,
      take: (key, target) => found.push({ key, target }),
    },
  );
  return { found, outcome };
}

export function countMatching(ctx: RedisContext, params: MatchParams, signal?: AbortSignal): Promise<{ counted: number; cursor: string; done: boolean; scanned: number }> {
  return guarded(async () => {
    const { found, outcome } = await collect(ctx, params, signal);
    return { counted: found.length, ...outcome };
  });
}

/** UNLINKs keys a SCAN of `target` returned, `batch` per command; one key per command on a Cluster (keys of one node may still be in different slots). */
async function unlinkOn(target: ScanTarget, keys: Buffer[], batch: number, cluster: boolean): Promise<number> {
  const pipeline = target.node.pipeline();
  const size = cluster ? 1 : batch;
  for (let i = 0; i < keys.length; i += size) pipeline.unlink(...keys.slice(i, i + size).map(wireKey));
  const replies = (await pipeline.exec()) ?? [];
  let deleted = 0;
  for (const [error, count] of replies) {
    if (error) throw error;
    deleted += Number(count);
  }
  return deleted;
}

export async function deleteMatching(ctx: RedisContext, params: MatchParams & { batch?: number }, signal?: AbortSignal): Promise<{ deleted: number; cursor: string; done: boolean; scanned: number }> {
  assertWritable(ctx, 'deleteMatching');
  return guarded(async () => {
    const { found, outcome } = await collect(ctx, params, signal);
    throwIfAborted(signal);
    const batch = params.batch ?? BULK_DEFAULTS.batch;
    const counts = await Promise.all([...byTarget(found)].map(([target, items]) => unlinkOn(target, items.map((f) => f.key), batch, ctx.client.isCluster)));
    return { deleted: counts.reduce((a, b) => a + b, 0), ...outcome };
  });
}

/** UNLINK of the given keys: one command on a single server, one per key on a Cluster (any slots). */
export async function deleteKeys(ctx: RedisContext, params: { keys: KeyInput[] }): Promise<{ deleted: number }> {
  assertWritable(ctx, 'deleteKeys');
  return guarded(async () => {
    const keys = params.keys.map((k) => keyBytes(k));
    if (keys.length === 0) return { deleted: 0 };
    if (!ctx.client.isCluster) return { deleted: await ctx.client.unlink(...keys) };
    const counts = await Promise.all(keys.map((key) => ctx.client.unlink(key)));
    return { deleted: counts.reduce((a, b) => a + b, 0) };
  });
}
