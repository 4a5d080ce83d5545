import '../shared/base.css';
import './style.css';
import '../shared/elements';
import * as z from 'zod/mini';
import {
  CountDocuments, DocumentsChanged, FieldNames, FindPage, Navigate, QueryHistory, QueryTextSchema, Ready, SaveView,
  type DocTarget, type QueryText, type ResultsView,
} from '../protocol/mongo-documents';
import { bootWebview } from '../shared/boot';
import { formatCount } from '../shared/bytes';
import { isCancelled } from '../shared/client';
import { announce, h, setContent, ve } from '../shared/dom';
import { PanelState } from '../shared/state';
import { DocumentActions } from './actions';
import { BrowserHeader, type CollectionInfo } from './header';
import { QueryBar } from './query-bar';
import { fieldOfError } from './query-text';
import { Results, type LoadedDocument } from './results';
import { TabPanels } from './tab-panels';

/** What the panel keeps across hide/show and window reloads (webview state, sanitized on the way back). */
const ViewStateSchema = z.object({
  db: z.optional(z.string().check(z.maxLength(64))),
  collection: z.optional(z.string().check(z.maxLength(255))),
  query: QueryTextSchema,
  view: z.enum(['table', 'tree']),
  tab: z.enum(['documents', 'indexes', 'explain', 'schema']),
  pageSize: z.number().check(z.int(), z.minimum(1), z.maximum(500)),
  scrollTop: z.number().check(z.minimum(0)),
});
type ViewState = z.infer<typeof ViewStateSchema>;
const EMPTY_QUERY: QueryText = { filter: '', projection: '', sort: '', skip: 0, limit: 0 };
const DEFAULTS: ViewState = { query: EMPTY_QUERY, view: 'table', tab: 'documents', pageSize: 20, scrollTop: 0 };

const client = bootWebview();
const state = new PanelState<ViewState>((raw) => {
  const parsed = ViewStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : DEFAULTS;
});
const root = document.getElementById('root')!;
const errorText = (error: unknown) => (error as Error).message;

/** The paging of the query on screen: how to ask for the next page. */
interface Paging {
  hasMore: boolean;
  next?: string;
  mode: 'keyset' | 'skip';
  estimated?: number;
  loading: boolean;
}

class DocumentBrowser {
  // Regions are found by data-region: announce() rewrites their class.
  private readonly status = h('div', { className: 'status', attrs: { role: 'status', 'data-region': 'paging' } });
  /** What the last action did (deleted 3 documents…), apart from the paging status that every load rewrites. */
  private readonly notice = h('div', { className: 'status', attrs: { role: 'status', 'data-region': 'notice' } });
  private readonly countText = h('span', { className: 'count-text', attrs: { 'aria-live': 'polite' } });
  /** For the keyboard (and anyone who prefers it to scrolling): the next page. */
  private readonly moreButton = ve('vscode-button', { text: 'Load More', attrs: { secondary: true, hidden: true }, on: { click: () => void this.loadMore() } });
  private readonly header: BrowserHeader;
  private readonly query: QueryBar;
  private readonly results: Results;
  private readonly actions: DocumentActions;
  private readonly tabs: TabPanels;
  private collection: CollectionInfo | undefined;
  private applied: QueryText = EMPTY_QUERY;
  private paging: Paging = { hasMore: false, mode: 'keyset', loading: false };
  private restoreScroll: number | undefined;

  constructor(private readonly readOnly: boolean, pageSizes: number[]) {
    const ns = () => this.ns();
    this.header = new BrowserHeader(client, {
      readOnly,
      onDatabase: (db) => void this.openDatabase(db),
      onCollection: (info) => this.openCollection(info),
    });
    this.query = new QueryBar({
      onRun: (q) => this.run(q, true),
      fields: async () => (ns() ? (await client.request(FieldNames, ns()!)).fields : []),
      history: async () => (ns() ? (await client.request(QueryHistory, ns()!)).entries : []),
    });
    this.results = new Results({
      onOpen: (i) => void this.actions.open(i),
      onSelectionChange: () => this.actions.update(),
      // Only once the user scrolls: a first page shorter than two screens does not pull the next by itself.
      // A page is loaded when the user scrolls near the end, not because a short page fits the screen
      // ("Load More" is there for that): one page per scroll to the bottom.
      onNearEnd: () => {
        if (!this.results.nearBottom()) return false;
        void this.loadMore();
        return true;
      },
      onScroll: (top) => state.update({ scrollTop: top }),
    });
    this.actions = new DocumentActions(client, {
      readOnly,
      results: this.results,
      ns,
      filter: () => this.applied.filter,
      say: (text, kind) => announce(this.notice, text, kind),
      refresh: () => this.run(this.applied, false),
      pageSizes,
      pageSize: () => state.get().pageSize,
      setPageSize: (n) => {
        state.update({ pageSize: n });
        this.saveView();
        this.run(this.applied, false);
      },
      view: () => state.get().view,
      setView: (view) => this.setView(view),
      count: () => void this.count(),
      cancelCount: () => client.cancelLane('count'),
    });
    this.tabs = new TabPanels(client, {
      readOnly,
      ns,
      query: () => this.applied,
      onTab: (tab) => {
        state.update({ tab });
        this.saveView();
      },
    });
    this.tabs.documents.append(this.query.element, this.actions.element, h('div', { className: 'toolbar count-bar' }, this.countText, this.status, this.notice), this.results.element, this.moreButton);
    setContent(root, this.header.element, this.tabs.element);
    this.results.setView(state.get().view);
    client.on(Navigate, (target) => void this.navigate(target));
    client.on(DocumentsChanged, (changed) => {
      const current = this.ns();
      if (current && changed.db === current.db && changed.collection === current.collection) this.run(this.applied, false);
    });
  }

  private ns(): { db: string; collection: string } | undefined {
    const { db, collection } = state.get();
    return db && collection ? { db, collection } : undefined;
  }

  async start(target: DocTarget | undefined, restoredScroll: number | undefined): Promise<void> {
    this.restoreScroll = restoredScroll;
    this.query.value = state.get().query;
    this.applied = state.get().query;
    this.tabs.select(state.get().tab, false);
    await this.header.loadDatabases(target?.db ?? state.get().db);
    if (target) await this.navigate(target);
    else if (this.header.database) await this.openDatabase(this.header.database, state.get().collection);
  }

  private async navigate(target: DocTarget): Promise<void> {
    if (target.collection && target.collection !== state.get().collection) this.tabs.select('documents', false);
    await this.openDatabase(target.db, target.collection ?? (target.db === state.get().db ? state.get().collection : undefined));
  }

  private async openDatabase(db: string, collection?: string): Promise<void> {
    if (db !== state.get().db) state.update({ db, collection: undefined });
    await this.header.loadCollections(db, collection);
  }

  private openCollection(info: CollectionInfo | undefined): void {
    const changed = info?.name !== state.get().collection;
    this.collection = info;
    state.update({ collection: info?.name });
    this.query.forgetFields();
    if (changed) {
      this.applied = EMPTY_QUERY;
      this.query.value = EMPTY_QUERY;
      this.restoreScroll = undefined;
    }
    this.results.set([]);
    this.tabs.setCollection(info);
    if (!info) {
      announce(this.status, 'Pick a collection');
      return;
    }
    this.run(this.applied, false);
  }

  private setView(view: ResultsView): void {
    state.update({ view });
    this.results.setView(view);
    this.saveView();
  }

  private saveView(): void {
    const { db, collection, query, view, tab, pageSize } = state.get();
    if (db && collection) client.command(SaveView, { db, collection, query, view, tab, pageSize });
  }

  /** Runs a query from its first page (a Find, a Refresh, a new collection). */
  run(q: QueryText, remember: boolean): void {
    const ns = this.ns();
    if (!ns) return;
    this.applied = q;
    state.update({ query: q });
    this.saveView();
    this.tabs.queryChanged();
    this.paging = { hasMore: false, mode: 'keyset', loading: true };
    client.cancelLane('count');
    setContent(this.countText);
    announce(this.status, 'Loading…');
    void this.fetch(remember, true);
  }

  private async loadMore(): Promise<void> {
    if (!this.paging.hasMore || this.paging.loading) return;
    this.paging.loading = true;
    await this.fetch(false, false);
  }

  private async fetch(remember: boolean, first: boolean): Promise<void> {
    const ns = this.ns()!;
    const q = this.applied;
    const loaded = first ? 0 : this.results.length;
    const remaining = q.limit > 0 ? q.limit - loaded : Infinity;
    const limit = Math.max(1, Math.min(state.get().pageSize, remaining));
    const keyset = !(this.collection?.type === 'view' || this.collection?.type === 'timeseries') || q.sort.trim() !== '';
    const after = first || this.paging.mode === 'skip' ? undefined : this.paging.next;
    try {
      const page = await client.request(
        FindPage,
        { ...ns, filter: q.filter, projection: q.projection, sort: q.sort, skip: after === undefined ? q.skip + loaded : 0, limit, after, keyset, remember, total: q.limit },
        { lane: 'page' },
      );
      const docs: LoadedDocument[] = page.documents.map((doc, i) => ({ doc, id: page.ids[i] ?? null, truncated: page.truncated.includes(i) }));
      this.results.set(docs, !first);
      const total = loaded + docs.length;
      this.paging = { hasMore: page.hasMore && total < (q.limit || Infinity), next: page.next, mode: page.paging, estimated: first ? page.estimatedCount : this.paging.estimated, loading: false };
      this.moreButton.hidden = !this.paging.hasMore;
      if (first) this.query.clearError();
      this.showCounts();
      if (first && this.restoreScroll !== undefined) {
        this.results.scrollTop = this.restoreScroll;
        this.restoreScroll = undefined;
      }
      this.actions.update();
    } catch (error) {
      if (isCancelled(error)) return;
      this.paging.loading = false;
      const message = errorText(error);
      // Results of another query must not stay on screen under this one's error.
      if (first) this.results.set([]);
      if (first && fieldOfError(message)) {
        this.query.showError(message);
        announce(this.status, 'The query has a mistake: see above.', 'error');
      } else announce(this.status, message, 'error');
    }
  }

  private showCounts(): void {
    const n = this.results.length;
    const { estimated, hasMore, mode } = this.paging;
    const of = estimated !== undefined ? ` of about ${formatCount(estimated)}` : '';
    announce(this.status, `${formatCount(n)} document${n === 1 ? '' : 's'} shown${of}${hasMore ? ` · scroll for more (${mode === 'keyset' ? 'paged by key' : 'paged by skip'})` : ''}`);
  }

  /** The exact count of the filter, in the background; Cancel stops it on the server too. */
  private async count(): Promise<void> {
    const ns = this.ns();
    if (!ns) return;
    this.actions.counting(true);
    setContent(this.countText, 'Counting…');
    try {
      const { count } = await client.request(CountDocuments, { ...ns, filter: this.applied.filter }, { lane: 'count' });
      setContent(this.countText, `${formatCount(count)} document${count === 1 ? '' : 's'} match${count === 1 ? 'es' : ''} exactly`);
    } catch (error) {
      setContent(this.countText, isCancelled(error) ? 'Count cancelled' : `Count failed: ${errorText(error)}`);
    } finally {
      this.actions.counting(false);
    }
  }
}

async function main(): Promise<void> {
  const restored = state.restored;
  const { database, init } = await client.request(Ready, {});
  state.setDatabase(database.persisted);
  let target = restored ? undefined : init.target;
  if (!restored && init.lastView) {
    const last = init.lastView;
    // Reopened on the collection it showed last (or on no collection in particular): come back to that view.
    if (!target || (target.db === last.db && (target.collection === undefined || target.collection === last.collection))) {
      state.update({ db: last.db, collection: last.collection, query: last.query, view: last.view, tab: last.tab, pageSize: last.pageSize });
      target = { db: last.db, collection: last.collection };
    }
  }
  if (!restored && !init.lastView) state.update({ pageSize: init.defaultPageSize });
  document.body.classList.toggle('read-only', database.readOnly);
  const browser = new DocumentBrowser(database.readOnly, init.pageSizes);
  await browser.start(target, restored ? state.get().scrollTop : undefined);
}

main().catch((error: unknown) => {
  if (!isCancelled(error)) setContent(root, h('p', { className: 'error', attrs: { role: 'alert' }, text: `The document browser could not start: ${errorText(error)}` }));
});
