import type { Document, MongoClient } from 'mongodb';
import { EngineError } from '../errors';
import { clamp } from './bounds';
import { toDisplay } from './ejson';
import { abortable } from './errors';
import { MONGO_LIMITS, type CollectionInfo, type CollectionStats, type DatabaseInfo, type JsonObject, type ListCollectionsResult, type Namespace, type ServerInfo } from './types';

/** The server's version, topology and wire version (hello, or isMaster before 4.4.2). */
export function serverInfo(client: MongoClient, signal?: AbortSignal): Promise<ServerInfo> {
  return abortable(client, 'serverInfo', signal, async () => {
    const admin = client.db('admin');
    const [build, hello] = await Promise.all([
      admin.command({ buildInfo: 1 }, { signal }),
      admin.command({ hello: 1 }, { signal }).catch(() => admin.command({ isMaster: 1 }, { signal })),
    ]);
    const topology = hello.msg === 'isdbgrid' ? 'sharded' : typeof hello.setName === 'string' ? 'replicaSet' : 'standalone';
    return {
      version: String(build.version),
      topology,
      maxWireVersion: Number(hello.maxWireVersion ?? 0),
      ...(typeof hello.setName === 'string' ? { setName: hello.setName } : {}),
    };
  });
}

/** The databases this user may see (authorizedDatabases lets a user without listDatabases see its own). */
export function listDatabases(client: MongoClient, signal?: AbortSignal): Promise<DatabaseInfo[]> {
  return abortable(client, 'listDatabases', signal, async (comment) => {
    const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: false, authorizedDatabases: true, comment });
    return databases
      .map((d) => ({ name: d.name, sizeOnDisk: Number(d.sizeOnDisk ?? 0), empty: Boolean(d.empty) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  });
}

/** mongod's own bookkeeping, not something to browse: the buckets behind time-series, view definitions. */
const isInternal = (name: string) => name.startsWith('system.buckets.') || name === 'system.views';

function describeCollection(info: Document): CollectionInfo {
  const type: CollectionInfo['type'] = info.type === 'view' ? 'view' : info.type === 'timeseries' ? 'timeseries' : 'collection';
  const options = (info.options ?? {}) as Document;
  const out: CollectionInfo = { name: String(info.name), type };
  if (type === 'view') {
    out.viewOn = String(options.viewOn ?? '');
    out.pipeline = toDisplay(options.pipeline ?? []) as unknown[];
  }
  if (type === 'timeseries' && options.timeseries) out.timeseries = toDisplay(options.timeseries) as JsonObject;
  if (options.capped) out.capped = true;
  return out;
}

/**
 * Collections, views and time-series collections of a database, sorted by name. At most `limit`
 * are read; the first MONGO_LIMITS.collections.estimated plain collections get an estimated count
 * (metadata only, a few at a time, each bounded by a short maxTimeMS; a failure just leaves it out).
 */
export function listCollections(client: MongoClient, params: { db: string; limit?: number }, signal?: AbortSignal): Promise<ListCollectionsResult> {
  const limit = clamp(params.limit, MONGO_LIMITS.collections.default, 1, MONGO_LIMITS.collections.max);
  return abortable(client, 'listCollections', signal, async (comment) => {
    const db = client.db(params.db);
    const cursor = db.listCollections({}, { nameOnly: false, authorizedCollections: true, batchSize: Math.min(limit + 1, 1000), comment, signal });
    const infos: Document[] = [];
    let truncated = false;
    try {
      for await (const info of cursor) {
        if (isInternal(String(info.name))) continue;
        if (infos.length === limit) {
          truncated = true;
          break;
        }
        infos.push(info);
      }
    } finally {
      await cursor.close();
    }
    const collections = infos.map(describeCollection).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const toCount = collections.filter((c) => c.type === 'collection').slice(0, MONGO_LIMITS.collections.estimated);
    for (let i = 0; i < toCount.length; i += 4) {
      await Promise.all(
        toCount.slice(i, i + 4).map(async (c) => {
          const n = await db.collection(c.name).estimatedDocumentCount({ maxTimeMS: 2_000, comment }).catch(() => undefined);
          if (n !== undefined) c.estimatedCount = n;
        }),
      );
    }
    return { collections, truncated };
  });
}

const num = (v: unknown): number | undefined => (v === undefined || v === null || Number.isNaN(Number(v)) ? undefined : Number(v));

/** One set of figures from $collStats storageStats (one document per shard) or the collStats command. */
function combine(parts: Document[]): CollectionStats {
  const sum = (k: string) => parts.reduce<number | undefined>((acc, p) => (num(p[k]) === undefined ? acc : (acc ?? 0) + num(p[k])!), undefined);
  const indexSizes: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries((p.indexSizes ?? {}) as Document)) indexSizes[k] = (indexSizes[k] ?? 0) + (num(v) ?? 0);
  const count = sum('count');
  const size = sum('size');
  const stats: CollectionStats = {
    count,
    size,
    avgObjSize: count && size !== undefined ? Math.round(size / count) : num(parts[0]?.avgObjSize),
    storageSize: sum('storageSize'),
    nindexes: num(parts[0]?.nindexes),
    totalIndexSize: sum('totalIndexSize'),
    indexSizes,
    capped: parts[0]?.capped === undefined ? undefined : Boolean(parts[0].capped),
  };
  return Object.fromEntries(Object.entries(stats).filter(([, v]) => v !== undefined)) as CollectionStats;
}

/**
 * Storage figures of a collection. Tolerates servers without $collStats (the collStats command), and
 * when both fail says why in terms of the namespace: a view has no storage, a missing collection none.
 */
export function collectionStats(client: MongoClient, ns: Namespace, signal?: AbortSignal): Promise<CollectionStats> {
  return abortable(client, 'collectionStats', signal, async (comment) => {
    const db = client.db(ns.db);
    try {
      const docs = await db.collection(ns.collection).aggregate([{ $collStats: { storageStats: {} } }], { comment, signal, maxTimeMS: 10_000 }).toArray();
      if (docs.length > 0) return combine(docs.map((d) => (d.storageStats ?? {}) as Document));
    } catch (error) {
      if (signal?.aborted) throw error;
    }
    try {
      return combine([await db.command({ collStats: ns.collection }, { signal, timeoutMS: 10_000 })]);
    } catch (error) {
      if (signal?.aborted) throw error;
      const [info] = await db.listCollections({ name: ns.collection }, { nameOnly: true, signal }).toArray();
      if (!info) throw new EngineError('not_found', `MongoDB: ${ns.db}.${ns.collection} does not exist`);
      if (info.type === 'view') throw new EngineError('invalid_input', `MongoDB: ${ns.collection} is a view, and a view has no storage statistics of its own`);
      throw error;
    }
  });
}
