import type { DatabaseRef } from '../access/database-ref';
import { count } from './format';
import { emptyId, loadMoreId, toEndId } from './ids';
import type { ErrorNode, ExplorerNode, MessageNode } from './nodes';

/** What loaders get: settings read once per listing, its cancellation, and engine calls (always through DatabaseAccess). */
export interface LoadContext {
  readonly pageSize: number;
  readonly keyDelimiter: string;
  /** The COUNT hint of each Redis SCAN (ogelbase.redis.scanCount). */
  readonly scanCount: number;
  /** The key pattern the user set on this node with Filter Keys (Redis databases and namespaces). */
  readonly filter?: string;
  /** Aborted when the listing is dropped (a refresh): its calls stop and their results are ignored. */
  readonly signal: AbortSignal;
  call<T>(ref: DatabaseRef, operation: string, params: Record<string, unknown>): Promise<T>;
}

/**
 * A long load run from a command (Filter Keys, Scan to the end) with a progress notification: the
 * loader goes on past its usual bound, reports how far it got, and when the user presses Cancel
 * stops at the next step and keeps what it found.
 */
export interface RunControl {
  readonly stop: AbortSignal;
  report(message: string): void;
}

/** One page of a node's children, and how to get the next one. */
export interface Page {
  nodes: ExplorerNode[];
  /** Loads the following page (further, with progress, when given a RunControl); absent once everything is listed. */
  next?: (run?: RunControl) => Promise<Page>;
  /** Label of the "Load more" row shown while `next` exists. */
  moreLabel?: string;
  /** The same as one sentence, for screen readers and the row's tooltip (the label, when absent). */
  moreDetail?: string;
  /** Label of a second row that runs `next` to the end with progress and cancel (a scan that found nothing new). */
  toEndLabel?: string;
}

/** How one node's children are listed: built per expansion by the loaders, kept by its Listing. */
export interface ChildSource {
  /** Names what is listed, for the error row and the log: "keys of cache", "projects of Acme". */
  what: string;
  first(run?: RunControl): Promise<Page>;
  /** The row shown when the listing is complete and empty. */
  empty?: Pick<MessageNode, 'label' | 'icon' | 'command'>;
  /** Folds a row met again on a later page into the one already listed (Redis namespaces add up). */
  merge?(existing: ExplorerNode, incoming: ExplorerNode): void;
  /** Rows group by rank, then keep their order of arrival (Redis: namespaces before keys). */
  rank?(node: ExplorerNode): number;
  /** Ranks whose rows are kept in label order as pages arrive (Redis namespaces), instead of arrival order. */
  sortedRanks?: readonly number[];
}

const natural = new Intl.Collator('en', { numeric: true });
const labelOf = (node: ExplorerNode) => (node.kind === 'item' ? node.label : node.kind === 'loadMore' || node.kind === 'message' ? node.label : node.id);
/** Natural order of row labels (`user:2` before `user:10`). */
export const byLabel = (a: ExplorerNode, b: ExplorerNode) => natural.compare(labelOf(a), labelOf(b));

/**
 * The children of one node as loaded so far: the pages appended in order, de-duplicated by id (a
 * SCAN may return a key twice), the continuation, and the failure of the last attempt. Dropped as a
 * whole by a refresh; `abort` cancels what it still has in flight.
 */
export class Listing {
  private readonly groups = new Map<number, Map<string, ExplorerNode>>();
  private next: Page['next'];
  private more: Pick<Page, 'moreLabel' | 'moreDetail' | 'toEndLabel'> = {};
  private failure: { node: ErrorNode; phase: 'first' | 'more' } | undefined;
  /** The page being loaded, if any: callers wait for it rather than start another. */
  pending: Promise<void> | undefined;

  constructor(
    /** The id of the node listed (the tree's root id for the top level). */
    readonly key: string,
    readonly source: ChildSource,
    /** Aborted when a refresh drops this listing: its calls stop and their results are ignored. */
    readonly abort: AbortController,
  ) {}

  get size(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group.size;
    return n;
  }

  /** The continuation to run for "Load more" (or for Retry after a failed later page). */
  get continuation(): Page['next'] {
    return this.next;
  }

  get failedPhase(): 'first' | 'more' | undefined {
    return this.failure?.phase;
  }

  add(page: Page): void {
    this.failure = undefined;
    for (const node of page.nodes) {
      const rank = this.source.rank?.(node) ?? 0;
      let group = this.groups.get(rank);
      if (!group) {
        group = new Map();
        this.groups.set(rank, group);
      }
      const existing = group.get(node.id);
      if (existing) this.source.merge?.(existing, node);
      else group.set(node.id, node);
    }
    this.next = page.next;
    this.more = { moreLabel: page.moreLabel, moreDetail: page.moreDetail, toEndLabel: page.toEndLabel };
  }

  /** Takes one row out (a key deleted from the explorer); true when it was listed. */
  remove(id: string): boolean {
    for (const group of this.groups.values()) if (group.delete(id)) return true;
    return false;
  }

  fail(node: ErrorNode, phase: 'first' | 'more'): void {
    this.failure = { node, phase };
  }

  /** The rows to show: the listed nodes, then a Load more row, an error row or the empty message. */
  children(): ExplorerNode[] {
    if (this.failure?.phase === 'first') return [this.failure.node];
    const rows: ExplorerNode[] = [];
    for (const rank of [...this.groups.keys()].sort((a, b) => a - b)) {
      const group = [...this.groups.get(rank)!.values()];
      rows.push(...(this.source.sortedRanks?.includes(rank) ? group.sort(byLabel) : group));
    }
    if (this.failure) rows.push(this.failure.node);
    else if (this.next) {
      const label = this.more.moreLabel ?? 'Load more…';
      rows.push({ kind: 'loadMore', id: loadMoreId(this.key), parentId: this.key, label, detail: this.more.moreDetail ?? label });
      if (this.more.toEndLabel) rows.push({ kind: 'loadMore', id: toEndId(this.key), parentId: this.key, label: this.more.toEndLabel, detail: this.more.toEndLabel, toEnd: true });
    }
    else if (rows.length === 0 && this.source.empty) rows.push({ kind: 'message', id: emptyId(this.key), ...this.source.empty });
    return rows;
  }
}

/**
 * Pages a list the server returns whole (projects, columns, indexes), so a node never shows more
 * than `pageSize` new rows per expansion or click.
 */
export function slicePages<T>(all: readonly T[], pageSize: number, toNode: (item: T) => ExplorerNode, offset = 0): Page {
  const end = Math.min(all.length, offset + pageSize);
  return {
    nodes: all.slice(offset, end).map(toNode),
    next: end < all.length ? () => Promise.resolve(slicePages(all, pageSize, toNode, end)) : undefined,
    moreLabel: `Load more (${count(end)} of ${count(all.length)})`,
    moreDetail: `Load more: ${count(end)} of ${count(all.length)} shown`,
  };
}

export interface GrowingOptions<T> {
  pageSize: number;
  /** The operation's own cap on `limit`. */
  max: number;
  toNode: (item: T) => ExplorerNode;
  /** Id and wording of the note that ends a list cut at `max`. */
  noteId: string;
  noun: string;
}

/**
 * Pages a catalog call that takes a limit but no offset (PostgreSQL schemas and relations, MongoDB
 * collections): each page asks for `pageSize` more rows and keeps the new tail, so the first
 * expansion costs one small query. A list still cut at the operation's cap ends with a note.
 */
export async function growingPages<T>(fetch: (limit: number) => Promise<{ items: T[]; truncated: boolean }>, options: GrowingOptions<T>, shown = 0): Promise<Page> {
  const limit = Math.min(shown + options.pageSize, options.max);
  const { items, truncated } = await fetch(limit);
  const nodes = items.slice(shown).map(options.toNode);
  if (truncated && limit < options.max) {
    return { nodes, next: () => growingPages(fetch, options, items.length), moreLabel: `Load more (${count(items.length)} shown)`, moreDetail: `Load more ${options.noun}: ${count(items.length)} shown so far` };
  }
  if (truncated) nodes.push({ kind: 'message', id: options.noteId, label: `Only the first ${count(options.max)} ${options.noun} are listed`, icon: 'info' });
  return { nodes };
}
