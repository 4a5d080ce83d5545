import { CreateIndex, DropIndex, Explain, ListIndexes, SampleSchema, type BrowserTab, type QueryText } from '../protocol/mongo-documents';
import { isCancelled, type HostClient } from '../shared/client';
import { announce, h, setContent, uniqueId, ve } from '../shared/dom';
import type { CollectionInfo } from './header';
import { IndexesTab, renderExplain, renderSchema } from './tabs';

export interface TabPanelsOptions {
  readOnly: boolean;
  ns(): { db: string; collection: string } | undefined;
  /** The query on screen: what Explain explains. */
  query(): QueryText;
  onTab(tab: BrowserTab): void;
}

const TABS: [BrowserTab, string][] = [['documents', 'Documents'], ['indexes', 'Indexes'], ['explain', 'Explain'], ['schema', 'Schema']];
const SAMPLE_SIZES = [100, 1000, 5000, 10000];

/**
 * Documents, Indexes, Explain and Schema as ARIA tabs (arrow keys move between them). A tab loads
 * when shown, and again when the collection (or, for Explain, the query) changed since.
 */
export class TabPanels {
  readonly element: HTMLElement;
  readonly documents = h('section', { className: 'tab-panel documents-panel' });
  private readonly panels: Record<BrowserTab, HTMLElement>;
  private readonly tabButtons: Record<BrowserTab, HTMLElement>;
  private readonly indexes: IndexesTab;
  private readonly explainBody = h('div', { className: 'explain-body' });
  private readonly explainStatus = h('div', { className: 'status' });
  private readonly schemaBody = h('div', { className: 'schema-body grow-pane' });
  private readonly schemaStatus = h('div', { className: 'status' });
  private readonly sampleSize: HTMLSelectElement;
  private current: BrowserTab = 'documents';
  private collection: CollectionInfo | undefined;
  /** Tabs whose content is out of date (collection or query changed). */
  private readonly stale = new Set<BrowserTab>(['indexes', 'explain', 'schema']);

  constructor(
    private readonly client: HostClient,
    private readonly options: TabPanelsOptions,
  ) {
    this.indexes = new IndexesTab({
      readOnly: options.readOnly,
      create: async (spec) => {
        const ns = this.ns();
        await this.client.request(CreateIndex, { ...ns, ...spec });
        await this.loadIndexes();
      },
      drop: async (name) => {
        await this.client.request(DropIndex, { ...this.ns(), name });
        await this.loadIndexes();
      },
    });
    this.sampleSize = h('select', { attrs: { 'aria-label': 'Sample size' } }, ...SAMPLE_SIZES.map((n) => h('option', { attrs: { value: n }, text: `${n.toLocaleString('en-US')} documents` })));
    this.sampleSize.value = '1000';
    const explainPanel = h('section', { className: 'tab-panel' }, h('div', { className: 'toolbar' }, ve('vscode-button', { text: 'Explain Query', on: { click: () => void this.explain() } }), h('span', { className: 'muted', text: 'How the server runs the query of the Documents tab (executionStats).' })), this.explainStatus, this.explainBody);
    const schemaPanel = h('section', { className: 'tab-panel' }, h('div', { className: 'toolbar' }, h('span', { text: 'Sample' }), this.sampleSize, ve('vscode-button', { text: 'Analyze', on: { click: () => void this.schema() } })), this.schemaStatus, this.schemaBody);
    this.panels = { documents: this.documents, indexes: h('section', { className: 'tab-panel' }, this.indexes.element), explain: explainPanel, schema: schemaPanel };
    const list = h('div', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': 'What to show of the collection' }, on: { keydown: (e) => this.onKey(e) } });
    this.tabButtons = {} as Record<BrowserTab, HTMLElement>;
    for (const [tab, label] of TABS) {
      const id = uniqueId(`tab-${tab}`);
      const panelId = uniqueId(`panel-${tab}`);
      this.panels[tab].id = panelId;
      this.panels[tab].setAttribute('role', 'tabpanel');
      this.panels[tab].setAttribute('aria-labelledby', id);
      const button = h('button', { className: 'tab', text: label, attrs: { id, role: 'tab', type: 'button', 'aria-controls': panelId }, on: { click: () => this.select(tab, true) } });
      this.tabButtons[tab] = button;
      list.append(button);
    }
    this.element = h('div', { className: 'tab-host' }, list, ...Object.values(this.panels));
    this.select('documents', false);
  }

  private ns(): { db: string; collection: string } {
    const ns = this.options.ns();
    if (!ns) throw new Error('pick a collection first');
    return ns;
  }

  select(tab: BrowserTab, notify: boolean): void {
    this.current = tab;
    for (const [name] of TABS) {
      const on = name === tab;
      this.tabButtons[name].setAttribute('aria-selected', String(on));
      this.tabButtons[name].setAttribute('tabindex', on ? '0' : '-1');
      this.panels[name].hidden = !on;
    }
    if (notify) this.options.onTab(tab);
    this.loadIfStale();
  }

  setCollection(info: CollectionInfo | undefined): void {
    this.collection = info;
    for (const tab of ['indexes', 'explain', 'schema'] as const) this.stale.add(tab);
    setContent(this.explainBody);
    setContent(this.schemaBody);
    this.loadIfStale();
  }

  /** A new query ran: Explain explains it next time it is shown. */
  queryChanged(): void {
    this.stale.add('explain');
    if (this.current === 'explain') this.loadIfStale();
  }

  private loadIfStale(): void {
    if (!this.collection || !this.stale.has(this.current)) return;
    this.stale.delete(this.current);
    if (this.current === 'indexes') void this.loadIndexes();
    if (this.current === 'explain') void this.explain();
    if (this.current === 'schema') void this.schema();
  }

  private async loadIndexes(): Promise<void> {
    if (this.collection?.type === 'view') return this.indexes.show(`${this.collection.name} is a view: it has no indexes of its own (those of ${this.collection.viewOn ?? 'the collection it reads'} serve it).`);
    try {
      this.indexes.show(await this.client.request(ListIndexes, this.ns(), { lane: 'indexes' }));
    } catch (error) {
      if (!isCancelled(error)) this.indexes.error((error as Error).message);
    }
  }

  private async explain(): Promise<void> {
    const q = this.options.query();
    announce(this.explainStatus, 'Explaining…');
    try {
      const explained = await this.client.request(Explain, { ...this.ns(), filter: q.filter, projection: q.projection, sort: q.sort }, { lane: 'explain' });
      announce(this.explainStatus, `Filter ${q.filter.trim() || '{}'}${q.sort.trim() ? `, sort ${q.sort.trim()}` : ''}`);
      renderExplain(this.explainBody, explained);
    } catch (error) {
      if (!isCancelled(error)) announce(this.explainStatus, (error as Error).message, 'error');
    }
  }

  private async schema(): Promise<void> {
    announce(this.schemaStatus, 'Sampling…');
    try {
      const schema = await this.client.request(SampleSchema, { ...this.ns(), size: Number(this.sampleSize.value) }, { lane: 'schema' });
      announce(this.schemaStatus, `${schema.fields.length} field paths`);
      renderSchema(this.schemaBody, schema);
    } catch (error) {
      if (!isCancelled(error)) announce(this.schemaStatus, (error as Error).message, 'error');
    }
  }

  private onKey(event: KeyboardEvent): void {
    const order = TABS.map(([t]) => t);
    const at = order.indexOf(this.current);
    const next = event.key === 'ArrowRight' ? order[(at + 1) % order.length] : event.key === 'ArrowLeft' ? order[(at + order.length - 1) % order.length] : undefined;
    if (!next) return;
    event.preventDefault();
    this.select(next, true);
    this.tabButtons[next].focus();
  }
}
