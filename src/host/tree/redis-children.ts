import type { KeyRef, ListNamespaceResult, ScanKeysResult, ServerInfo } from '../../core/engines/redis';
import { refName } from '../access/database-ref';
import { CommandIds } from '../commands/ids';
import { visibleControls } from '../../core/markdown';
import { count, plural } from './format';
import { keyChildId } from './ids';
import { isItem, itemNode, type ExplorerNode, type ItemNode } from './nodes';
import { byLabel, type ChildSource, type LoadContext, type Page, type RunControl } from './paging';

/** Keys one expansion or "Load more" may scan while it finds nothing new, before it reports back. */
export const CLICK_BUDGET = 100_000;
/** `maxScanned` of each call during a run with progress (the operation's own cap). */
const RUN_STEP = 100_000;

type Parent = Extract<ExplorerNode, { kind: 'database' | 'item' }>;

/**
 * Redis: the key tree folded on the delimiter, or, on a node with a Filter Keys pattern, the keys
 * matching it. Every call is one bounded SCAN step (the engine bounds keys returned and scanned);
 * an expansion or a "Load more" goes on step after step until it has something new to show or has
 * scanned CLICK_BUDGET keys, and then says how far the scan got ("scanned N of about M keys") and
 * offers to scan to the end with progress and cancel. Keys of a page are sorted.
 */
export function redisSource(node: ExplorerNode, ctx: LoadContext): ChildSource | undefined {
  const parent = node.kind === 'database' ? node : isItem(node, 'redis.namespace') ? node : undefined;
  if (!parent) return undefined;
  const prefix = parent.kind === 'database' ? '' : parent.detail.prefix;
  return ctx.filter ? matching(parent, prefix, ctx.filter, ctx) : namespace(parent, prefix, ctx);
}


/** Progress of one listing's scan: keys scanned so far and the size of the keyspace (DBSIZE, asked once). */
class ScanProgress {
  scanned = 0;
  private total: Promise<number | undefined> | undefined;

  constructor(
    private readonly parent: Parent,
    private readonly ctx: LoadContext,
  ) {}

  /** DBSIZE summed over the masters, or undefined when the server will not say (ACL). */
  size(): Promise<number | undefined> {
    this.total ??= this.ctx.call<ServerInfo>(this.parent.ref, 'serverInfo', {}).then(
      (info) => info.dbSize,
      () => undefined,
    );
    return this.total;
  }

  async sentence(): Promise<string> {
    const total = await this.size();
    return `scanned ${count(this.scanned)}${total === undefined ? '' : ` of about ${count(Math.max(total, this.scanned))}`} keys`;
  }

  async left(): Promise<string> {
    const total = await this.size();
    return total === undefined || total <= this.scanned ? '' : ` (about ${count(total - this.scanned)} keys left)`;
  }
}

/** Whether a step loop goes on: not when done, nor after a Cancel, nor past the budget of a plain click. */
const goOn = (run: RunControl | undefined, scannedNow: number) => (run ? !run.stop.aborted : scannedNow < CLICK_BUDGET);

function namespace(parent: Parent, prefix: KeyRef | '', ctx: LoadContext): ChildSource {
  const { ref } = parent;
  const prefixName = prefix === '' ? '' : prefix.name;
  // Read once: every page of this listing folds on the same delimiter.
  const delimiter = ctx.keyDelimiter;
  const progress = new ScanProgress(parent, ctx);
  /** Namespace rows as the Listing keeps them (pages merge into the first), to mark their counts complete. */
  const namespaces = new Map<string, ItemNode<'redis.namespace'>>();
  const keys = new Set<string>();
  const noun = prefix === '' ? 'namespace' : 'key';

  const page = async (cursor: string | undefined, run?: RunControl): Promise<Page> => {
    const nodes: ExplorerNode[] = [];
    let fresh = 0;
    let scannedNow = 0;
    let done: boolean;
    do {
      const result = await ctx.call<ListNamespaceResult>(ref, 'listNamespace', {
        prefix,
        delimiter,
        count: ctx.scanCount,
        limit: ctx.pageSize,
        ...(run ? { maxScanned: RUN_STEP } : {}),
        ...(cursor ? { cursor } : {}),
      });
      progress.scanned += result.scanned;
      scannedNow += result.scanned;
      ({ cursor, done } = result);
      for (const ns of result.namespaces) {
        const node = itemNode(keyChildId(parent.id, 'ns', ns.prefix), ref, 'redis.namespace', visibleControls(ns.name) || '(empty)', { prefix: ns.prefix, keysSeen: ns.keysSeen });
        if (!namespaces.has(node.id)) {
          namespaces.set(node.id, node);
          fresh++;
        }
        nodes.push(node);
      }
      for (const info of result.keys) {
        const node = itemNode(keyChildId(parent.id, 'key', info.key), ref, 'redis.key', keyLabel(info.key, prefixName), info);
        if (!keys.has(node.id)) {
          keys.add(node.id);
          fresh++;
        }
        nodes.push(node);
      }
      if (fresh === 0 && !done && run) run.report(`${await progress.sentence()}, no new ${noun} yet`);
    } while (fresh === 0 && !done && goOn(run, scannedNow));
    nodes.sort(byLabel);
    if (done) {
      // Every key was met once (SCAN may repeat one during a rehash): the counts are now totals.
      for (const ns of namespaces.values()) ns.detail.complete = true;
      return { nodes };
    }
    const where = await progress.sentence();
    const next = (r?: RunControl) => page(cursor, r);
    if (fresh > 0) return { nodes, next, moreLabel: `Load more… (${where})`, moreDetail: `Load more keys: ${where} so far` };
    const news = namespaces.size + keys.size === 0 ? 'no key found yet' : `no new ${noun} yet`;
    return {
      nodes,
      next,
      moreLabel: `${capitalize(where)}, ${news}: Load more…`,
      moreDetail: `Load more keys: ${where}, ${news}`,
      toEndLabel: `Scan to the end${await progress.left()}`,
    };
  };
  return {
    what: prefix === '' ? `keys of ${refName(ref)}` : `keys under ${prefixName}`,
    empty: { label: prefix === '' ? 'No keys in this database' : 'No keys match' },
    first: (run) => page(undefined, run),
    rank: (node) => (node.kind === 'item' && node.itemKind === 'redis.namespace' ? 0 : 1),
    // Namespaces stay in order as later pages find more; keys keep page order, so a page's new keys follow the last.
    sortedRanks: [0],
    merge: (existing, incoming) => {
      if (isItem(existing, 'redis.namespace') && isItem(incoming, 'redis.namespace')) existing.detail.keysSeen += incoming.detail.keysSeen;
      // A key met again: keep the row, take the fresher type and TTL.
      else if (isItem(existing, 'redis.key') && isItem(incoming, 'redis.key')) Object.assign(existing.detail, incoming.detail);
    },
  };
}

/** The keys matching a Filter Keys pattern, flat: a page is full at `pageSize` matches. */
function matching(parent: Parent, prefix: KeyRef | '', pattern: string, ctx: LoadContext): ChildSource {
  const { ref } = parent;
  const prefixName = prefix === '' ? '' : prefix.name;
  const progress = new ScanProgress(parent, ctx);
  let found = 0;

  const page = async (cursor: string | undefined, run?: RunControl): Promise<Page> => {
    const nodes: ExplorerNode[] = [];
    let scannedNow = 0;
    let done: boolean;
    do {
      const result = await ctx.call<ScanKeysResult>(ref, 'scanKeys', {
        match: pattern,
        count: ctx.scanCount,
        limit: ctx.pageSize - nodes.length,
        ...(run ? { maxScanned: RUN_STEP } : {}),
        ...(cursor ? { cursor } : {}),
      });
      progress.scanned += result.scanned;
      scannedNow += result.scanned;
      ({ cursor, done } = result);
      for (const info of result.keys) nodes.push(itemNode(keyChildId(parent.id, 'key', info.key), ref, 'redis.key', keyLabel(info.key, prefixName), info));
      run?.report(`${await progress.sentence()}, ${plural(found + nodes.length, 'match', 'matches')}`);
    } while (nodes.length < ctx.pageSize && !done && goOn(run, scannedNow));
    found += nodes.length;
    nodes.sort(byLabel);
    if (done) return { nodes };
    const where = await progress.sentence();
    const next = (r?: RunControl) => page(cursor, r);
    return {
      nodes,
      next,
      moreLabel: `${capitalize(where)}, ${plural(found, 'match', 'matches')}: Load more…`,
      moreDetail: `Load more keys matching ${pattern}: ${where}, ${plural(found, 'match', 'matches')} so far`,
      toEndLabel: nodes.length === 0 ? `Scan to the end${await progress.left()}` : undefined,
    };
  };
  return {
    what: `keys matching ${pattern} in ${refName(ref)}`,
    empty: { label: `No keys match ${pattern}`, icon: 'filter', command: { command: CommandIds.clearFilter, title: 'Clear Filter', arguments: [parent] } },
    first: (run) => page(undefined, run),
    merge: (existing, incoming) => {
      if (isItem(existing, 'redis.key') && isItem(incoming, 'redis.key')) Object.assign(existing.detail, incoming.detail);
    },
  };
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * A key's name below its namespace (`user:42:cart` under `user:42:` is `cart`), the whole name at
 * the top; control characters shown as escapes so a row stays one line (the node keeps the bytes).
 */
function keyLabel(key: KeyRef, prefixName: string): string {
  return visibleControls(prefixName && key.name.startsWith(prefixName) && key.name.length > prefixName.length ? key.name.slice(prefixName.length) : key.name);
}
