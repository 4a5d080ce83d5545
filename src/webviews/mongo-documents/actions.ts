import { CopyText, DeleteDocuments, DeleteMatching, NewDocument, OpenDocument, type ResultsView } from '../protocol/mongo-documents';
import { formatCount } from '../shared/bytes';
import { isCancelled, type HostClient } from '../shared/client';
import { h, ve } from '../shared/dom';
import type { Results } from './results';

export interface ActionsOptions {
  readOnly: boolean;
  results: Results;
  ns(): { db: string; collection: string } | undefined;
  /** The filter of the query on screen (delete-many uses it). */
  filter(): string;
  say(text: string, kind?: 'info' | 'error'): void;
  refresh(): void;
  pageSizes: number[];
  pageSize(): number;
  setPageSize(n: number): void;
  view(): ResultsView;
  setView(view: ResultsView): void;
  count(): void;
  cancelCount(): void;
}

const plural = (n: number) => `${formatCount(n)} document${n === 1 ? '' : 's'}`;

/**
 * The documents toolbar: table or tree, page size, the exact count (with Cancel), and what can be
 * done to documents: open in an editor, insert, duplicate, delete, delete every match. Write
 * actions are not shown at all to read-only members or on read-only databases (the host and the
 * platform refuse them anyway); deletes are confirmed by the host, which says how many.
 */
export class DocumentActions {
  readonly element: HTMLElement;
  private readonly buttons: Record<'open' | 'duplicate' | 'delete' | 'copy' | 'count' | 'cancelCount', HTMLElement>;
  private readonly viewButtons: Record<ResultsView, HTMLElement>;

  constructor(
    private readonly client: HostClient,
    private readonly options: ActionsOptions,
  ) {
    const button = (text: string, click: () => void, secondary = true, writes = false) => {
      const b = ve('vscode-button', { text, attrs: { secondary, hidden: writes && options.readOnly }, on: { click } });
      return b;
    };
    const toggle = (view: ResultsView, label: string) =>
      ve('vscode-button', { text: label, attrs: { secondary: true, 'aria-pressed': String(options.view() === view) }, on: { click: () => this.switchView(view) } });
    this.viewButtons = { table: toggle('table', 'Table'), tree: toggle('tree', 'Tree') };
    const size = h(
      'select',
      { attrs: { 'aria-label': 'Page size' }, on: { change: () => options.setPageSize(Number(size.value)) } },
      ...options.pageSizes.map((n) => h('option', { attrs: { value: n }, text: `${n} per page` })),
    );
    size.value = String(options.pageSize());
    this.buttons = {
      count: button('Count', () => options.count()),
      cancelCount: button('Cancel Count', () => options.cancelCount()),
      open: button('Open', () => void this.open(this.first())),
      duplicate: button('Duplicate', () => void this.duplicate(), true, true),
      delete: button('Delete', () => void this.delete(), true, true),
      copy: button('Copy', () => this.copy()),
    };
    this.buttons.cancelCount.hidden = true;
    this.element = h(
      'div',
      { className: 'toolbar actions', attrs: { role: 'toolbar', 'aria-label': 'Documents' } },
      h('span', { className: 'segmented', attrs: { role: 'group', 'aria-label': 'View' } }, this.viewButtons.table, this.viewButtons.tree),
      size,
      this.buttons.count,
      this.buttons.cancelCount,
      h('span', { className: 'grow' }),
      this.buttons.open,
      button('Insert', () => void this.insert(), false, true),
      this.buttons.duplicate,
      this.buttons.delete,
      button('Delete Matching…', () => void this.deleteMatching(), true, true),
      this.buttons.copy,
      button('Refresh', () => options.refresh()),
    );
    this.update();
  }

  private first(): number | undefined {
    return this.options.results.selected()[0];
  }

  /** Enables what applies to the selection. */
  update(): void {
    const selected = this.options.results.selected();
    for (const name of ['open', 'duplicate', 'copy'] as const) this.buttons[name].toggleAttribute('disabled', selected.length !== 1);
    this.buttons.delete.toggleAttribute('disabled', selected.length === 0);
  }

  counting(on: boolean): void {
    this.buttons.count.hidden = on;
    this.buttons.cancelCount.hidden = !on;
  }

  private switchView(view: ResultsView): void {
    for (const [name, b] of Object.entries(this.viewButtons)) b.setAttribute('aria-pressed', String(name === view));
    this.options.setView(view);
  }

  /** The `_id` texts of documents, or a message when the projection hid them. */
  private idsOf(indices: number[]): string[] | undefined {
    const ids = indices.map((i) => this.options.results.document(i)?.id ?? null);
    if (ids.some((id) => id === null)) {
      this.options.say('These results have no _id (the projection leaves it out): include it to open, duplicate or delete documents.', 'error');
      return undefined;
    }
    return ids as string[];
  }

  private async run(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!isCancelled(error)) this.options.say((error as Error).message, 'error');
    }
  }

  async open(index: number | undefined): Promise<void> {
    const ns = this.options.ns();
    const [id] = index === undefined ? [] : (this.idsOf([index]) ?? []);
    if (ns && id !== undefined) await this.run(async () => void (await this.client.request(OpenDocument, { ...ns, id })));
  }

  private async insert(): Promise<void> {
    const ns = this.options.ns();
    if (ns) await this.run(async () => void (await this.client.request(NewDocument, ns)));
  }

  private async duplicate(): Promise<void> {
    const ns = this.options.ns();
    const [id] = this.idsOf(this.options.results.selected().slice(0, 1)) ?? [];
    if (ns && id !== undefined) await this.run(async () => void (await this.client.request(NewDocument, { ...ns, from: id })));
  }

  private async delete(): Promise<void> {
    const ns = this.options.ns();
    const ids = this.idsOf(this.options.results.selected());
    if (!ns || !ids || ids.length === 0) return;
    await this.run(async () => {
      const { deleted } = await this.client.request(DeleteDocuments, { ...ns, ids });
      this.options.refresh();
      this.options.say(`Deleted ${plural(deleted)}`);
    });
  }

  private async deleteMatching(): Promise<void> {
    const ns = this.options.ns();
    if (!ns) return;
    await this.run(async () => {
      const { deleted, counted } = await this.client.request(DeleteMatching, { ...ns, filter: this.options.filter() });
      this.options.refresh();
      this.options.say(counted === 0 ? 'No document matches the filter: nothing to delete' : `Deleted ${plural(deleted)} of the ${plural(counted)} that matched`);
    });
  }

  private copy(): void {
    const doc = this.options.results.document(this.first() ?? -1);
    if (doc) {
      this.client.command(CopyText, { text: JSON.stringify(doc.doc, null, 2) });
      this.options.say('Copied the document as canonical Extended JSON');
    }
  }
}
