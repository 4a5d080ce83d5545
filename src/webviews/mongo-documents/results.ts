import { cssVar, h, icon, setContent } from '../shared/dom';
import { VirtualList } from '../shared/virtual-list';
import { columnsOf, viewOf, type ValueView } from './ejson-view';
import { ancestors, flattenTree, pathOf, type TreeRow } from './tree-rows';

/** A document of the loaded pages: as shown (canonical Extended JSON), its `_id` text, and whether big fields were cut. */
export interface LoadedDocument {
  doc: Record<string, unknown>;
  id: string | null;
  truncated: boolean;
}

export interface ResultsOptions {
  /** Open this document in an editor (double-click, Enter, "Open"). */
  onOpen(document: number): void;
  onSelectionChange(): void;
  /** Scrolled near the last loaded document; `false`: not loading now (asked again on the next scroll). */
  onNearEnd(): boolean;
  onScroll(scrollTop: number): void;
}

const valueNode = (view: ValueView) => h('span', { className: `v v-${view.tone}`, text: view.text, attrs: { title: view.type } });

/** The tree's one cell: indentation, twistie, key, value. */
function treeCell(row: TreeRow): Node {
  const twistie = row.view.children ? icon(row.expanded ? 'chevron-down' : 'chevron-right') : h('span', { className: 'twistie-space' });
  const cell = h('span', { className: 'tree-cell' }, twistie, h('span', { className: row.depth === 0 ? 'tree-key doc-key' : 'tree-key', text: row.key }), row.depth === 0 ? null : h('span', { className: 'muted', text: ': ' }), row.depth === 0 && row.view.children ? h('span', { className: 'muted', text: ` ${row.view.text}` }) : row.depth === 0 ? null : valueNode(row.view));
  cssVar(cell, '--depth', String(row.depth));
  return cell;
}

/** A tree of documents in a virtualized grid: click or Enter toggles, → opens, ← closes. */
class DocumentTree {
  readonly list: VirtualList<TreeRow>;
  readonly expanded = new Set<string>();
  private documents: Record<string, unknown>[] = [];
  private rows: TreeRow[] = [];

  constructor(label: string, options: { onActivateDocument?(document: number): void; onNearEnd?(): boolean; onScroll?(top: number): void; onFocus?(row: TreeRow): void }) {
    this.list = new VirtualList<TreeRow>({
      label,
      empty: 'No documents',
      columns: [
        { id: 'value', title: 'Field', width: 'minmax(0, 1fr)', cell: treeCell },
        { id: 'type', title: 'Type', width: '9em', className: 'muted', cell: (row) => row.view.type },
      ],
      onActivate: (row) => {
        options.onFocus?.(row);
        if (row.view.children) this.toggle(row.path);
      },
      onNearEnd: options.onNearEnd,
      onScroll: options.onScroll,
    });
    this.list.element.addEventListener('keydown', (event) => {
      const row = this.list.rowAt(this.list.focused);
      if (!row || !row.view.children) return;
      if ((event.key === 'ArrowRight' && !row.expanded) || (event.key === 'ArrowLeft' && row.expanded)) {
        event.preventDefault();
        this.toggle(row.path);
      }
    });
    this.list.element.addEventListener('dblclick', () => {
      const row = this.list.rowAt(this.list.focused);
      if (row?.depth === 0) options.onActivateDocument?.(row.document);
    });
  }

  set(documents: Record<string, unknown>[]): void {
    this.documents = documents;
    this.render(false);
  }

  toggle(path: string): void {
    if (this.expanded.has(path)) this.expanded.delete(path);
    else this.expanded.add(path);
    this.render(true);
  }

  /** Expands the way to `path` and puts the focus there. */
  reveal(path: string): void {
    for (const p of [...ancestors(path), path]) this.expanded.add(p);
    this.render(true);
    const index = this.rows.findIndex((r) => r.path === path);
    if (index >= 0) this.list.setFocus(index);
  }

  private render(keep: boolean): void {
    const focused = this.list.rowAt(this.list.focused)?.path;
    this.rows = flattenTree(this.documents, this.expanded);
    this.list.setRows(this.rows, keep);
    if (keep && focused !== undefined) {
      const index = this.rows.findIndex((r) => r.path === focused);
      if (index >= 0) this.list.setFocus(index, { select: true, reveal: false });
    }
  }

  get focusedDocument(): number | undefined {
    return this.list.rowAt(this.list.focused)?.document;
  }
}

/**
 * The results of a query, as a table of top-level fields (nested values summarised; a click on
 * one shows the document's tree below, opened at that field) or as one expandable JSON tree of
 * every loaded document. Both are virtualized: 10,000 documents scroll like 20.
 */
export class Results {
  readonly element: HTMLElement;
  private readonly tablePane = h('div', { className: 'table-pane' });
  private readonly detail: DocumentTree;
  private readonly detailTitle = h('div', { className: 'detail-title muted', text: 'Select a document to see all of it here.' });
  private readonly tree: DocumentTree;
  private table: VirtualList<LoadedDocument> | undefined;
  private fields: string[] = [];
  private documents: LoadedDocument[] = [];
  private mode: 'table' | 'tree' = 'table';
  private detailDocument: number | undefined;

  constructor(private readonly options: ResultsOptions) {
    this.tree = new DocumentTree('Documents as a tree', {
      onActivateDocument: (i) => options.onOpen(i),
      // Only the list on screen loads more (the hidden one renders too).
      onNearEnd: () => this.mode === 'tree' && options.onNearEnd(),
      onScroll: (top) => options.onScroll(top),
      onFocus: () => options.onSelectionChange(),
    });
    this.detail = new DocumentTree('The selected document', {});
    const detailPane = h('div', { className: 'detail-pane' }, this.detailTitle, this.detail.list.element);
    this.element = h('div', { className: 'results' }, h('div', { className: 'table-view' }, this.tablePane, detailPane), h('div', { className: 'tree-view', attrs: { hidden: true } }, this.tree.list.element));
  }

  get view(): 'table' | 'tree' {
    return this.mode;
  }

  setView(mode: 'table' | 'tree'): void {
    this.mode = mode;
    (this.element.querySelector('.table-view') as HTMLElement).hidden = mode !== 'table';
    (this.element.querySelector('.tree-view') as HTMLElement).hidden = mode !== 'tree';
  }

  get length(): number {
    return this.documents.length;
  }

  document(index: number): LoadedDocument | undefined {
    return this.documents[index];
  }

  /** Replaces the documents (a new query), or adds a page (`append`). */
  set(documents: LoadedDocument[], append = false): void {
    this.documents = append ? [...this.documents, ...documents] : documents;
    const { fields, more } = columnsOf(this.documents.map((d) => d.doc));
    const next = more ? [...fields, '…'] : fields;
    if (!this.table || next.join('\u0000') !== this.fields.join('\u0000')) this.buildTable(next, append);
    else if (append) this.table.append(documents);
    else this.table.setRows(this.documents);
    this.tree.set(this.documents.map((d) => d.doc));
    if (!append) this.showDetail(undefined);
  }

  private buildTable(fields: string[], keep: boolean): void {
    const scroll = keep ? (this.table?.scrollTop ?? 0) : 0;
    const focus = keep ? (this.table?.focused ?? -1) : -1;
    this.fields = fields;
    const table = new VirtualList<LoadedDocument>({
      label: 'Documents as a table',
      multiSelect: true,
      empty: 'No documents match',
      columns: fields.map((field) => ({
        id: field,
        title: field,
        width: field === '_id' ? 'minmax(12em, 1.4fr)' : 'minmax(7em, 1fr)',
        cell: (row: LoadedDocument) => {
          if (field === '…') return h('span', { className: 'muted', text: 'more fields: see the tree' });
          if (!(field in row.doc)) return h('span', { className: 'v-missing', text: '—', attrs: { title: 'no such field in this document' } });
          const view = viewOf(row.doc[field]);
          const node = valueNode(view);
          node.dataset.field = field;
          if (view.children) node.classList.add('expandable');
          return node;
        },
      })),
      onActivate: (_row, index) => this.showDetail(index),
      onSelectionChange: () => this.options.onSelectionChange(),
      onNearEnd: () => this.mode === 'table' && this.options.onNearEnd(),
      onScroll: (top) => this.options.onScroll(top),
    });
    table.element.addEventListener('click', (event) => {
      const field = (event.target as HTMLElement).closest?.('[data-field]')?.getAttribute('data-field');
      if (field && this.detailDocument !== undefined) this.detail.reveal(pathOf(0, field));
    });
    table.element.addEventListener('dblclick', () => table.focused >= 0 && this.options.onOpen(table.focused));
    table.element.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && table.focused >= 0) this.options.onOpen(table.focused);
    });
    setContent(this.tablePane, table.element);
    this.table = table;
    table.setRows(this.documents);
    if (keep) {
      table.scrollTop = scroll;
      if (focus >= 0) table.setFocus(focus, { select: false, reveal: false });
    }
  }

  private showDetail(index: number | undefined): void {
    this.detailDocument = index;
    const loaded = index === undefined ? undefined : this.documents[index];
    this.detail.expanded.clear();
    if (!loaded) {
      this.detailTitle.textContent = 'Select a document to see all of it here.';
      this.detail.set([]);
      return;
    }
    this.detailTitle.textContent = loaded.truncated ? 'Large fields are cut here: open the document to see them.' : 'Double-click or Enter opens the document in an editor.';
    this.detail.expanded.add(pathOf(0));
    this.detail.set([loaded.doc]);
    this.options.onSelectionChange();
  }

  /** Documents the actions apply to: the table's selection, or the focused document. */
  selected(): number[] {
    if (this.mode === 'table' && this.table) return this.table.selection;
    const focused = this.tree.focusedDocument;
    return focused === undefined ? [] : [focused];
  }

  /** The list on screen was scrolled (not merely shown) to within half a screen of its last row. */
  nearBottom(): boolean {
    const el = this.mode === 'table' ? this.table?.element : this.tree.list.element;
    if (!el || el.scrollTop <= 0) return false;
    return el.scrollTop + el.clientHeight >= el.scrollHeight - el.clientHeight / 2;
  }

  get scrollTop(): number {
    return this.mode === 'table' ? (this.table?.scrollTop ?? 0) : this.tree.list.scrollTop;
  }

  set scrollTop(value: number) {
    if (this.mode === 'table' && this.table) this.table.scrollTop = value;
    else this.tree.list.scrollTop = value;
  }

  focus(): void {
    if (this.mode === 'table') this.table?.focus();
    else this.tree.list.focus();
  }
}
