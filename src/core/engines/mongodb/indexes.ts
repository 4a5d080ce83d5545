import type { Document, MongoClient } from 'mongodb';
import { EngineError } from '../errors';
import { numericValue, parseEjsonObject, toDisplay } from './ejson';
import { abortable, writing } from './errors';
import type { CreateIndexParams, IndexInfo, JsonObject, Namespace } from './types';

const collectionOf = (client: MongoClient, ns: Namespace) => client.db(ns.db).collection<Document>(ns.collection);

function describeIndex(ix: Document): IndexInfo {
  const info: IndexInfo = { name: String(ix.name), keys: toDisplay(ix.key ?? {}) as JsonObject, unique: Boolean(ix.unique), sparse: Boolean(ix.sparse) };
  if (ix.hidden !== undefined) info.hidden = Boolean(ix.hidden);
  if (ix.expireAfterSeconds !== undefined) info.expireAfterSeconds = Number(ix.expireAfterSeconds);
  if (ix.partialFilterExpression) info.partialFilterExpression = toDisplay(ix.partialFilterExpression) as JsonObject;
  return info;
}

/**
 * The indexes of a collection with what a person asks next: how big each is (collStats) and whether
 * it is used ($indexStats: operations since the server started, or since the index was built). Both
 * figures are best effort: a user without the indexStats privilege, or a server without $collStats,
 * still gets the list.
 */
export function listIndexes(client: MongoClient, ns: Namespace, signal?: AbortSignal): Promise<IndexInfo[]> {
  return abortable(client, 'listIndexes', signal, async (comment) => {
    const collection = collectionOf(client, ns);
    const [indexes, usage, sizes] = await Promise.all([
      collection.listIndexes({ comment }).toArray(),
      collection.aggregate([{ $indexStats: {} }], { comment, maxTimeMS: 5_000 }).toArray().catch(() => [] as Document[]),
      collection.aggregate([{ $collStats: { storageStats: {} } }], { comment, maxTimeMS: 5_000 }).toArray().catch(() => [] as Document[]),
    ]);
    const ops = new Map<string, { ops: number; since: string }>();
    for (const u of usage) {
      const name = String(u.name);
      const previous = ops.get(name); // one entry per shard or replica-set member: add them up
      const since = u.accesses?.since instanceof Date ? u.accesses.since.toISOString() : '';
      ops.set(name, { ops: (previous?.ops ?? 0) + Number(u.accesses?.ops ?? 0), since: previous && previous.since < since ? previous.since : since });
    }
    const size = new Map<string, number>();
    for (const part of sizes) for (const [name, bytes] of Object.entries((part.storageStats?.indexSizes ?? {}) as Document)) size.set(name, (size.get(name) ?? 0) + Number(bytes));
    return indexes.map((ix) => {
      const info = describeIndex(ix);
      if (size.has(info.name)) info.size = size.get(info.name);
      if (ops.has(info.name)) info.usage = ops.get(info.name);
      return info;
    });
  });
}

/** Index types MongoDB accepts as a key's value besides 1 and -1. */
const INDEX_TYPES = new Set(['text', '2d', '2dsphere', 'hashed', 'geoHaystack']);

function checkKeys(keys: Document): void {
  const entries = Object.entries(keys);
  if (entries.length === 0) throw new EngineError('invalid_input', 'keys must name at least one field, e.g. {"email": 1}');
  if (entries.length > 32) throw new EngineError('invalid_input', `keys has ${entries.length} fields; a compound index has at most 32`);
  for (const [field, direction] of entries) {
    const n = numericValue(direction);
    const ok = typeof direction === 'string' ? INDEX_TYPES.has(direction) : n !== undefined && n !== 0;
    if (!ok) throw new EngineError('invalid_input', `keys: "${field}" must be 1 (ascending), -1 (descending) or one of ${[...INDEX_TYPES].join(', ')}`);
  }
}

export async function createIndex(client: MongoClient, params: CreateIndexParams, signal?: AbortSignal): Promise<{ name: string }> {
  const keys = parseEjsonObject(params.keys, 'keys', { required: true });
  checkKeys(keys);
  return writing(signal, async () => {
    const name = await collectionOf(client, params).createIndex(keys, {
      ...(params.unique ? { unique: true } : {}),
      ...(params.sparse ? { sparse: true } : {}),
      ...(params.name ? { name: params.name } : {}),
      ...(params.expireAfterSeconds === undefined ? {} : { expireAfterSeconds: params.expireAfterSeconds }),
    });
    return { name };
  });
}

/** Drops one index by name. `_id_` cannot go, and '*' (which would drop every other index) is refused. */
export async function dropIndex(client: MongoClient, params: Namespace & { name: string }, signal?: AbortSignal): Promise<{ dropped: string }> {
  if (params.name === '_id_') throw new EngineError('invalid_input', 'MongoDB: the _id_ index cannot be dropped: every collection keeps it');
  if (params.name === '*' || params.name.trim() === '') throw new EngineError('invalid_input', 'MongoDB: name one index to drop ("*" would drop them all)');
  return writing(signal, async () => {
    await collectionOf(client, params).dropIndex(params.name);
    return { dropped: params.name };
  });
}
