import type { DatabaseInfo, IndexInfo, ListCollectionsResult } from '../../core/engines/mongodb';
import { refName } from '../access/database-ref';
import { childId } from './ids';
import { isItem, itemNode, type DatabaseNode, type ExplorerNode } from './nodes';
import { growingPages, slicePages, type ChildSource, type LoadContext } from './paging';

/** The cap listCollections puts on `limit`. */
const COLLECTIONS_MAX = 10_000;

/** MongoDB: databases → collections, views and time-series collections → indexes. */
export function mongodbSource(node: ExplorerNode, ctx: LoadContext): ChildSource | undefined {
  if (node.kind === 'database') return databases(node, ctx);
  if (isItem(node, 'mongodb.database')) return collections(node.id, node.ref, node.detail.name, ctx);
  // A view has no indexes of its own (listIndexes refuses it).
  if (isItem(node, 'mongodb.collection') && node.detail.type !== 'view') return indexes(node.id, node.ref, node.detail.db, node.detail.name, ctx);
  return undefined;
}

function databases(node: DatabaseNode, ctx: LoadContext): ChildSource {
  const { ref } = node;
  return {
    what: `databases of ${refName(ref)}`,
    empty: { label: 'No databases on this server' },
    first: async () => {
      const list = await ctx.call<DatabaseInfo[]>(ref, 'listDatabases', {});
      return slicePages(list, ctx.pageSize, (db) => itemNode(childId(node.id, 'db', db.name), ref, 'mongodb.database', db.name, db));
    },
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
