import type { KeyRef, ListNamespaceResult } from '../../core/engines/redis';
import { refName } from '../access/database-ref';
import { count } from './format';
import { keyChildId } from './ids';
import { isItem, itemNode, type ExplorerNode } from './nodes';
import type { ChildSource, LoadContext, Page } from './paging';

/**
 * Redis: the key tree folded on the delimiter, one bounded `listNamespace` page per expansion or
 * click (the engine bounds both the keys returned and the keys scanned). Pages append: a namespace
 * met again adds to its `keysSeen`, a key met again (SCAN may repeat one) is listed once.
 */
export function redisSource(node: ExplorerNode, ctx: LoadContext): ChildSource | undefined {
  if (node.kind === 'database') return namespace(node, '', ctx);
  if (isItem(node, 'redis.namespace')) return namespace(node, node.detail.prefix, ctx);
  return undefined;
}

type Parent = Extract<ExplorerNode, { kind: 'database' | 'item' }>;

function namespace(parent: Parent, prefix: KeyRef | '', ctx: LoadContext): ChildSource {
  const { ref } = parent;
  const prefixName = prefix === '' ? '' : prefix.name;
  // Read once: every page of this listing folds on the same delimiter.
  const delimiter = ctx.keyDelimiter;
  let found = 0;
  const page = async (cursor: string | undefined, scannedBefore: number): Promise<Page> => {
    const result = await ctx.call<ListNamespaceResult>(ref, 'listNamespace', { prefix, delimiter, count: ctx.scanCount, limit: ctx.pageSize, ...(cursor ? { cursor } : {}) });
    const scanned = scannedBefore + result.scanned;
    const nodes: ExplorerNode[] = [
      ...result.namespaces.map((ns) => itemNode(keyChildId(parent.id, 'ns', ns.prefix), ref, 'redis.namespace', ns.name || '(empty)', { prefix: ns.prefix, keysSeen: ns.keysSeen })),
      ...result.keys.map((info) => itemNode(keyChildId(parent.id, 'key', info.key), ref, 'redis.key', keyLabel(info.key, prefixName), info)),
    ];
    found += nodes.length;
    const progress = `${count(scanned)} keys scanned`;
    return {
      nodes,
      next: result.done ? undefined : () => page(result.cursor, scanned),
      moreLabel: found === 0 ? `Nothing found yet: Load more… (${progress})` : `Load more… (${progress})`,
    };
  };
  return {
    what: prefix === '' ? `keys of ${refName(ref)}` : `keys under ${prefixName}`,
    empty: { label: prefix === '' ? 'No keys in this database' : 'No keys match' },
    first: () => page(undefined, 0),
    rank: (node) => (node.kind === 'item' && node.itemKind === 'redis.namespace' ? 0 : 1),
    merge: (existing, incoming) => {
      if (isItem(existing, 'redis.namespace') && isItem(incoming, 'redis.namespace')) existing.detail.keysSeen += incoming.detail.keysSeen;
      // A key met again: keep the row, take the fresher type and TTL.
      else if (isItem(existing, 'redis.key') && isItem(incoming, 'redis.key')) Object.assign(existing.detail, incoming.detail);
    },
  };
}

/** A key's name below its namespace (`user:42:cart` under `user:42:` is `cart`); the whole name at the top. */
function keyLabel(key: KeyRef, prefixName: string): string {
  return prefixName && key.name.startsWith(prefixName) && key.name.length > prefixName.length ? key.name.slice(prefixName.length) : key.name;
}
