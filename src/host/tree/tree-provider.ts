import * as vscode from 'vscode';
import type { DatabaseAccess } from '../access/database-access';
import { refId, type AccessPath, type DatabaseRef } from '../access/database-ref';
import type { Config } from '../config';
import { DisposableStore } from '../disposable';
import type { Log } from '../log';
import { engineSource } from './children';
import { shortError } from './format';
import { errorId, isWithin } from './ids';
import type { ErrorNode, ExplorerNode, LoadMoreNode } from './nodes';
import { Listing, type ChildSource, type LoadContext, type Page, type RunControl } from './paging';
import { renderNode } from './render';

/** Settings whose change re-lists everything (page size, key folding, how databases are reached). */
const RELISTING_SETTINGS = ['ogelbase.tree.pageSize', 'ogelbase.redis.keyDelimiter', 'ogelbase.redis.scanCount', 'ogelbase.connectionMode'];

/**
 * What both trees share: children loaded lazily, one page per expansion or "Load more" click, kept
 * per node (a Listing) until a refresh drops that node's listings and those below it. A failing
 * load never leaves a silent empty row: it becomes an error row with Retry, and a line in the log.
 */
export abstract class ExplorerTreeProvider extends DisposableStore implements vscode.TreeDataProvider<ExplorerNode> {
  private readonly changed = this.register(new vscode.EventEmitter<ExplorerNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly listings = new Map<string, Listing>();
  /** Every node handed to VS Code, by id: a change event must carry the very object VS Code holds. */
  private readonly nodes = new Map<string, ExplorerNode>();
  private readonly parents = new Map<string, ExplorerNode | undefined>();
  /** Database row ids by database id, to update a row once its access path is known. */
  private readonly databaseRows = new Map<string, string>();
  private readonly paths = new Map<string, AccessPath>();
  /** Filter Keys patterns by node id: kept across refreshes until cleared from the node. */
  private readonly filters = new Map<string, string>();
  private closed = false;

  constructor(
    protected readonly access: DatabaseAccess,
    protected readonly config: Config,
    protected readonly log: Log,
    /** Scope prefix of this tree's log lines. */
    private readonly scope: string,
  ) {
    super();
    this.register(config.onDidChange((event) => RELISTING_SETTINGS.some((s) => event.affectsConfiguration(s)) && this.refresh()));
    this.register({
      dispose: () => {
        this.closed = true;
        this.filters.clear();
        this.dropWithin('');
      },
    });
  }

  /** Id of the invisible root: the parent id of the top rows. */
  protected abstract get rootId(): string;
  /** The top rows, or undefined while the view must stay empty (signed out). */
  protected abstract rootSource(context: LoadContext): ChildSource | undefined;
  /** The children of a row; the engines' levels unless a tree adds its own. */
  protected childSource(node: ExplorerNode, context: LoadContext): ChildSource | undefined {
    return engineSource(node, context);
  }

  /** Whether a node belongs to this tree (by its id's root). */
  owns(node: ExplorerNode): boolean {
    const id = node.kind === 'error' || node.kind === 'loadMore' ? (node.parentId ?? node.id) : node.id;
    return isWithin(id, this.rootId);
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    return renderNode(node, { pathOf: (ref) => this.paths.get(refId(ref)), filterOf: (id) => this.filters.get(id) });
  }

  /** What a node's listing lists ("keys of cache"), for progress titles. */
  whatOf(id: string): string | undefined {
    return this.listings.get(id)?.source.what;
  }

  /** The Filter Keys pattern set on a node, if any. */
  filterOf(node: ExplorerNode): string | undefined {
    return this.filters.get(node.id);
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    return this.parents.get(node.id);
  }

  async getChildren(node?: ExplorerNode): Promise<ExplorerNode[]> {
    const listing = this.listings.get(node?.id ?? this.rootId) ?? this.open(node);
    if (!listing) return [];
    await listing.pending;
    // Refreshed while loading: list again (VS Code asks again too, and gets the same new listing).
    if (listing.abort.signal.aborted) return this.closed ? [] : this.getChildren(node);
    const children = listing.children();
    for (const child of children) {
      this.nodes.set(child.id, child);
      this.parents.set(child.id, node);
      if (child.kind === 'database') this.databaseRows.set(refId(child.ref), child.id);
    }
    return children;
  }

  /** Starts listing a node's children (its first page loads in the background); undefined when it has none. */
  private open(node: ExplorerNode | undefined, run?: RunControl): Listing | undefined {
    const key = node?.id ?? this.rootId;
    const abort = new AbortController();
    const context = this.contextFor(abort.signal, node ? this.filters.get(node.id) : undefined);
    const source = node ? this.childSource(node, context) : this.rootSource(context);
    if (!source) return undefined;
    const listing = new Listing(key, source, abort);
    this.listings.set(key, listing);
    void this.start(listing, () => source.first(run), 'first');
    return listing;
  }

  /**
   * Sets the Filter Keys pattern of a node (undefined clears it) and lists the node anew; resolves
   * once the first page is there. `run` lets that page scan on, with progress, until it is full.
   */
  async filter(node: ExplorerNode, pattern: string | undefined, run?: RunControl): Promise<void> {
    if (pattern) this.filters.set(node.id, pattern);
    else this.filters.delete(node.id);
    this.dropWithin(node.id);
    const listing = this.open(node, run);
    this.changed.fire(this.nodes.get(node.id) ?? node);
    await listing?.pending;
  }

  /** Tells VS Code a row's data changed in place (a key's TTL after Set TTL). */
  changedRow(node: ExplorerNode): void {
    this.changed.fire(this.nodes.get(node.id) ?? node);
  }

  /** Takes a row out of its parent's listing (a key deleted from the explorer), without re-listing the rest. */
  removeRow(node: ExplorerNode): boolean {
    const parent = this.parents.get(node.id);
    const listing = this.listings.get(parent?.id ?? this.rootId);
    if (!listing?.remove(node.id)) return false;
    this.dropWithin(node.id);
    this.nodes.delete(node.id);
    this.parents.delete(node.id);
    this.changed.fire(parent ? (this.nodes.get(parent.id) ?? parent) : undefined);
    return true;
  }

  /**
   * Re-lists a node: drops the pages of the node and of everything below it and tells VS Code,
   * which asks again for what is expanded. Without a node, everything.
   */
  refresh(node?: ExplorerNode): void {
    if (!node) {
      this.dropWithin('');
      this.paths.clear();
      this.changed.fire(undefined);
      return;
    }
    this.dropWithin(node.id);
    if (node.kind === 'database') this.paths.delete(refId(node.ref));
    this.changed.fire(this.nodes.get(node.id) ?? node);
  }

  /**
   * Appends the next page under a "Load more" row (one page per call; a call during a load waits
   * for it). With `run` (Scan to the end) the page scans on, reporting progress, until it finds
   * something new, reaches the end or is cancelled.
   */
  async loadMore(node: LoadMoreNode, run?: RunControl): Promise<void> {
    const listing = this.listings.get(node.parentId);
    if (!listing) return;
    if (listing.pending) return listing.pending;
    await this.loadNext(listing, run);
  }

  /** Retries what an error row stands for: the page that failed, or its parent's whole listing. */
  async retry(node: ErrorNode): Promise<void> {
    const key = node.parentId ?? this.rootId;
    const listing = this.listings.get(key);
    if (listing?.pending) return listing.pending;
    if (listing?.failedPhase === 'more') return this.loadNext(listing);
    const parent = node.parentId === undefined ? undefined : this.nodes.get(node.parentId);
    if (node.parentId !== undefined && !parent) return this.refresh();
    this.refresh(parent);
    // Load now, so the command (and a test) finishes when the outcome is known.
    await this.getChildren(parent);
  }

  /** Forgets the pages of a node and everything below it, without an event. */
  protected dropWithin(id: string): void {
    for (const [key, listing] of this.listings) {
      if (id === '' || isWithin(key, id)) {
        listing.abort.abort();
        this.listings.delete(key);
      }
    }
    for (const map of [this.nodes, this.parents]) for (const key of map.keys()) if (id === '' || key.startsWith(`${id}/`)) map.delete(key);
  }

  /** Forgets the top level only (its rows' own children stay), and tells VS Code. */
  protected relistRoot(): void {
    this.listings.get(this.rootId)?.abort.abort();
    this.listings.delete(this.rootId);
    this.changed.fire(undefined);
  }

  private async loadNext(listing: Listing, run?: RunControl): Promise<void> {
    const next = listing.continuation;
    if (!next) return;
    await this.start(listing, () => next(run), 'more');
    if (this.listings.get(listing.key) === listing) this.changed.fire(listing.key === this.rootId ? undefined : this.nodes.get(listing.key));
  }

  /** Loads one page into a listing; `pending` holds it meanwhile so nobody starts a second one. */
  private start(listing: Listing, fetch: () => Promise<Page>, phase: 'first' | 'more'): Promise<void> {
    const pending: Promise<void> = this.load(listing, fetch, phase).finally(() => {
      if (listing.pending === pending) listing.pending = undefined;
    });
    listing.pending = pending;
    return pending;
  }

  private async load(listing: Listing, fetch: () => Promise<Page>, phase: 'first' | 'more'): Promise<void> {
    try {
      const page = await fetch();
      if (!listing.abort.signal.aborted) listing.add(page);
    } catch (error) {
      // A refresh dropped this listing meanwhile: nobody shows it any more.
      if (listing.abort.signal.aborted) return;
      const message = shortError(error);
      this.log.error(`[${this.scope}] could not load ${listing.source.what}: ${message}`);
      const node: ErrorNode = {
        kind: 'error',
        id: errorId(listing.key),
        parentId: listing.key === this.rootId ? undefined : listing.key,
        message: `Could not load ${listing.source.what}: ${message}`,
      };
      listing.fail(node, phase);
    }
  }

  private contextFor(signal: AbortSignal, filter: string | undefined): LoadContext {
    return {
      pageSize: this.config.pageSize,
      keyDelimiter: this.config.keyDelimiter,
      scanCount: this.config.scanCount,
      filter,
      signal,
      call: async <T>(ref: DatabaseRef, operation: string, params: Record<string, unknown>) => {
        const result = await this.access.call<T>(ref, operation, params, signal);
        // Not after a refresh: a sign-out resets DatabaseAccess, and asking it then would decide a path anew.
        if (!signal.aborted) void this.notePath(ref);
        return result;
      },
    };
  }

  /** After a successful call the access path is decided: the database row's tooltip says which. */
  private async notePath(ref: DatabaseRef): Promise<void> {
    const path = await this.access.path(ref).catch(() => undefined);
    const id = refId(ref);
    if (!path || this.paths.get(id) === path) return;
    this.paths.set(id, path);
    const rowId = this.databaseRows.get(id);
    const row = rowId === undefined ? undefined : this.nodes.get(rowId);
    if (row) this.changed.fire(row);
  }
}
