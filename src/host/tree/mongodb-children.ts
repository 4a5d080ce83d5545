import { parseMongo } from '../../core/connection-strings';
import type { DatabaseInfo, IndexInfo, ListCollectionsResult } from '../../core/engines/mongodb';
import { refName, type DatabaseRef } from '../access/database-ref';
import { childId } from './ids';
import { isItem, itemNode, type DatabaseNode, type ExplorerNode } from './nodes';
import { growingPages, slicePages, type ChildSource, type LoadContext } from './paging';

/** The cap listCollections puts on `limit`. */
const COLLECTIONS_MAX = 10_000;

/** MongoDB's own databases: shown last, folded into one row. */
const SYSTEM_DATABASES = new Set(['admin', 'config', 'local']);

/** MongoDB: databases (the registered one first, system ones folded) → collections, views and time-series collections → indexes. */
export function mongodbSource(node: ExplorerNode, ctx: LoadContext): ChildSource | undefined {
  if (node.kind === 'database') return databases(node, ctx);
  if (isItem(node, 'mongodb.systemDatabases')) return systemDatabases(node.id, node.ref, node.detail.databases, ctx);
  if (isItem(node, 'mongodb.database')) return collections(node.id, node.ref, node.detail.name, ctx);
  // A view has no indexes of its own (listIndexes refuses it).
  if (isItem(node, 'mongodb.collection') && node.detail.type !== 'view') return indexes(node.id, node.ref, node.detail.db, node.detail.name, ctx);
  return undefined;
}

/** The database named in the connection string's path (`mongodb://…/shop`), if any. */
export function registeredDatabase(ref: DatabaseRef): string | undefined {
  try {
    return parseMongo(ref.scope === 'platform' ? ref.info.connectionString : ref.local.masked).database;
  } catch {
    return undefined;
  }
}

function databases(node: DatabaseNode, ctx: LoadContext): ChildSource {
  const { ref } = node;
  const registered = registeredDatabase(ref);
  return {
    what: `databases of ${refName(ref)}`,
    empty: { label: 'No databases on this server' },
    first: async () => {
      const list = await ctx.call<DatabaseInfo[]>(ref, 'listDatabases', {});
      const system = list.filter((db) => SYSTEM_DATABASES.has(db.name) && db.name !== registered);
      const own = list.filter((db) => !system.includes(db));
      // The database the connection string names comes first, even before its first collection exists.
      const mine = own.find((db) => db.name === registered) ?? (registered ? { name: registered, sizeOnDisk: 0, empty: true } : undefined);
      const ordered = mine ? [mine, ...own.filter((db) => db !== mine)] : own;
      const page = slicePages(ordered, ctx.pageSize, (db) =>
        itemNode(childId(node.id, 'db', db.name), ref, 'mongodb.database', db.name, { ...db, ...(db.name === registered ? { registered: true } : {}) }),
      );
      if (system.length > 0) page.nodes.push(itemNode(childId(node.id, 'system', 'databases'), ref, 'mongodb.systemDatabases', 'System databases', { databases: system }));
      return page;
    },
    // The folded system databases stay below every page of the others.
    rank: (row) => (isItem(row, 'mongodb.systemDatabases') ? 1 : 0),
  };
}

function systemDatabases(parentId: string, ref: DatabaseRef, list: DatabaseInfo[], ctx: LoadContext): ChildSource {
  return {
    what: 'system databases',
    first: () => Promise.resolve(slicePages(list, ctx.pageSize, (db) => itemNode(childId(parentId, 'db', db.name), ref, 'mongodb.database', db.name, db))),
  };
}

function collections(parentId: string, ref: DatabaseNode['ref'], db: string, ctx: LoadContext): ChildSource {
  return {
    what: `collections of ${db}`,
    empty: { label: `No collections in ${db}` },
    first: () =>
      growingPages(
        async (limit) => {
          const result = await ctx.call<ListCollectionsResult>(ref, 'listCollections', { db, limit });
          return { items: result.collections, truncated: result.truncated };
        },
        {
          pageSize: ctx.pageSize,
          max: COLLECTIONS_MAX,
          noteId: `${parentId}/truncated`,
          noun: 'collections',
          toNode: (collection) => itemNode(childId(parentId, 'coll', collection.name), ref, 'mongodb.collection', collection.name, { ...collection, db }),
        },
      ),
  };
}

function indexes(parentId: string, ref: DatabaseNode['ref'], db: string, collection: string, ctx: LoadContext): ChildSource {
  return {
    what: `indexes of ${db}.${collection}`,
    empty: { label: 'No indexes' },
    first: async () => {
      const list = await ctx.call<IndexInfo[]>(ref, 'listIndexes', { db, collection });
      return slicePages(list, ctx.pageSize, (index) => itemNode(childId(parentId, 'index', index.name), ref, 'mongodb.index', index.name, { ...index, db, collection }));
    },
  };
}
