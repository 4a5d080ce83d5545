import { refType } from '../access/database-ref';
import { mongodbSource } from './mongodb-children';
import type { ExplorerNode } from './nodes';
import type { ChildSource, LoadContext } from './paging';
import { postgresSource } from './postgres-children';
import { redisSource } from './redis-children';

/** The children of a database row or one of its items, by engine; undefined for leaves. */
export function engineSource(node: ExplorerNode, ctx: LoadContext): ChildSource | undefined {
  if (node.kind !== 'database' && node.kind !== 'item') return undefined;
  switch (refType(node.ref)) {
    case 'postgres':
      return postgresSource(node, ctx);
    case 'redis':
      return redisSource(node, ctx);
    case 'mongodb':
      return mongodbSource(node, ctx);
  }
}
