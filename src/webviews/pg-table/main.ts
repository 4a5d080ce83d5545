import '../shared/base.css';
import '../pg-shared/style.css';
import './style.css';
import '../shared/elements';
import type { ResultOf } from '../../core/engines/operations';
import type { PostgresOperations } from '../../core/engines/postgres/operations';
import type { Cell } from '../../core/engines/postgres/values';
import { cellNode, columnWidth, gridWidth, isCut, isNumericColumn } from '../pg-shared/cells';
import { button } from '../pg-shared/ui';
import { isCancelled } from '../shared/client';
import { boot } from './boot';
import { announce, cssVar, h, icon, setContent } from '../shared/dom';
import { PanelState } from '../shared/state';
import { VirtualList, type Column } from '../shared/virtual-list';
import { Count, DeleteRows, Describe, Details, EditCell, ExportTable, InsertRow, Navigate, OpenSql, Page, type FilterSpec, type SortSpec, type TableTarget } from '../protocol/pg-table';
import { FilterBar } from './filters';
import { SidePanel, type Description } from './side';

type RowsPage = ResultOf<PostgresOperations, 'rowsPage'>;
interface PageRequest {
  after?: string;
  before?: string;
  fromEnd?: boolean;
}
interface View {
  target: TableTarget | null;
  sort: SortSpec[];
  filters: FilterSpec[];
  page: PageRequest;
  /** Row number of the page's first row (1-based), null when unknown (the page was reached from the end). */
  first: number | null;
  tab: string;
  scrollTop: number;
  back: TableTarget[];
}

const sanitize = (raw: unknown): View => {
  const v = (raw ?? {}) as Partial<View>;
  return {
    target: v.target && typeof v.target.schema === 'string' && typeof v.target.name === 'string' ? v.target : null,
    sort: Array.isArray(v.sort) ? v.sort : [],
    filters: Array.isArray(v.filters) ? v.filters : [],
    page: typeof v.page === 'object' && v.page ? v.page : {},
    first: typeof v.first === 'number' ? v.first : 1,
    tab: typeof v.tab === 'string' ? v.tab : 'value',
    scrollTop: typeof v.scrollTop === 'number' ? v.scrollTop : 0,
    back: Array.isArray(v.back) ? v.back.slice(-20) : [],
  };
};

/** The panel: built once the handshake says which database it shows. */
async function main(): Promise<void> {
  const { client, database, init, kept } = await boot();
  // With the client, the view also goes to the host, which hands it to the next panel of this database once this one is closed.
  const state = new PanelState<View>(sanitize, client);
  const restored = state.restored || kept !== undefined;
  state.setDatabase(database.persisted, kept);
  const root = document.getElementById('root')!;
  const pageSize = init.pageSize;

  let view = state.get() as View;
  let description: Description | undefined;
  let page: RowsPage | undefined;
  let rows: Cell[][] = [];
  let activeColumn = 0;
  let list: VirtualList<Cell[]> | undefined;

  const title = h('h1', { className: 'title', text: 'No table open' });
  const counts = h('span', { className: 'counts muted', attrs: { 'aria-live': 'polite' } });
  const banner = h('div', { className: 'banner', attrs: { role: 'note' } });
  const status = h('div', { className: 'status', attrs: { role: 'status' } });
  const position = h('span', { className: 'position muted' });
  const gridWrap = h('div', { className: 'grid-wrap' });
  const filters = new FilterBar((f) => void openTable(view.target!, { filters: f }));
  const side = new SidePanel(
    {
      save: (value) => void saveCell(value),
      insert: (values) => void insertRow(values),
      loadDetails: () => client.request(Details, { schema: view.target!.schema, name: view.target!.name }),
      openReference: (fk) => navigate({ schema: fk.references.schema, name: fk.references.table }),
    },
    view.tab,
    (tab) => state.update({ tab }),
  );
  const writeButtons = [button('Add Row', () => side.showInsert(), { icon: 'add', secondary: true }), button('Delete Rows', () => void deleteSelected(), { icon: 'trash', secondary: true })];
  const countButton = button('Count Rows', () => void countExactly(), { icon: 'symbol-number', secondary: true, title: 'Count the rows exactly (count(*), cancellable)' });
  const nav = {
    first: button('First Page', () => void loadPage({}, 1), { icon: 'debug-step-back', secondary: true }),
    prev: button('Previous Page', () => page?.prevCursor && void loadPage({ before: page.prevCursor }, view.first !== null ? Math.max(1, view.first - pageSize) : null), { icon: 'chevron-left', secondary: true }),
    next: button('Next Page', () => page?.nextCursor && void loadPage({ after: page.nextCursor }, view.first !== null ? view.first + rows.length : null), { icon: 'chevron-right', secondary: true }),
    last: button('Last Page', () => void loadPage({ fromEnd: true }, null), { icon: 'debug-step-over', secondary: true }),
  };
  const backButton = button('Back', () => goBack(), { icon: 'arrow-left', secondary: true });

  root.append(
    h('div', { className: 'toolbar' }, backButton, title, counts, countButton, h('span', { className: 'grow' }), button('Filter', () => filters.toggle(), { icon: 'filter', secondary: true }), ...writeButtons, button('Refresh', () => void loadPage(view.page, view.first), { icon: 'refresh', secondary: true }), button('SQL', () => openSql(), { icon: 'go-to-file', secondary: true, title: 'Open a SELECT of this table in a SQL editor' }), button('Export CSV', () => exportAs('csv'), { icon: 'export', secondary: true }), button('Export JSON', () => exportAs('json'), { icon: 'json', secondary: true })),
    banner,
    filters.element,
    h('div', { className: 'main' }, gridWrap, side.element),
    h('div', { className: 'toolbar footer' }, nav.first, nav.prev, position, nav.next, nav.last, status),
  );
  filters.element.hidden = true;

  const fail = (error: unknown) => !isCancelled(error) && announce(status, (error as Error).message, 'error');
  const save = (patch: Partial<View>) => {
    view = { ...view, ...patch };
    state.update(patch);
  };
  const editableReason = (): string | null => {
    if (!description) return 'Loading…';
    if (database.readOnly) return 'Read-only: this database is read-only for you.';
    if (description.kind !== 'table' && description.kind !== 'partitioned_table') return `Read-only: a ${description.kind.replace('_', ' ')} is not edited here.`;
    if (description.primaryKey.length === 0) return 'Read-only: this table has no primary key, so its rows cannot be told apart safely. Add one, or use SQL.';
    return null;
  };
  const keyOf = (row: Cell[]) => Object.fromEntries(description!.primaryKey.map((k) => [k, row[description!.columns.findIndex((c) => c.name === k)]]));

  function navigate(target: TableTarget): void {
    if (view.target) save({ back: [...view.back, view.target].slice(-20) });
    void openTable(target, { filters: target.filters ?? [] });
  }

  function goBack(): void {
    const previous = view.back.at(-1);
    if (!previous) return;
    save({ back: view.back.slice(0, -1) });
    void openTable(previous, { filters: previous.filters ?? [] });
  }

  function sortBy(column: string, add: boolean): void {
    const current = view.sort.find((s) => s.column === column);
    const next: SortSpec[] = current ? (current.direction === 'asc' ? view.sort.map((s) => (s.column === column ? { column, direction: 'desc' as const } : s)) : view.sort.filter((s) => s.column !== column)) : [...(add ? view.sort : []), { column, direction: 'asc' as const }];
    save({ sort: next });
    buildGrid();
    void loadPage({}, 1);
  }

  function buildGrid(): void {
    const d = description!;
    const fkColumns = new Set(d.foreignKeys.flatMap((fk) => fk.columns));
    const columns: Column<Cell[]>[] = [
      { id: '#', title: '#', width: '56px', className: 'rownum muted', cell: (_r, i) => (view.first !== null ? String(view.first + i) : '') },
      ...d.columns.map((c, index): Column<Cell[]> => {
        const sorted = view.sort.findIndex((s) => s.column === c.name);
        const key = d.primaryKey.includes(c.name);
        return {
          id: `c${index}`,
          title: `${c.name} ${c.type}${key ? ' primary key' : ''}${fkColumns.has(c.name) ? ' foreign key' : ''}`,
          width: `${columnWidth(c)}px`,
          className: isNumericColumn(c) ? 'end' : '',
          header: () =>
            h(
              'span',
              { className: 'col-head sortable', attrs: { 'data-column': c.name, title: `${c.name} ${c.type}${c.nullable ? '' : ' NOT NULL'}${c.default ? ` DEFAULT ${c.default}` : ''}. Click to sort, Shift+click to add.` } },
              key ? icon('key') : null,
              fkColumns.has(c.name) ? icon('references') : null,
              h('span', { className: 'col-name', text: c.name }),
              h('span', { className: 'col-type muted', text: c.type }),
              sorted >= 0 ? h('span', { className: 'sort', text: `${view.sort[sorted]!.direction === 'asc' ? '▲' : '▼'}${view.sort.length > 1 ? sorted + 1 : ''}` }) : null,
            ),
          cell: (row, i) => {
            const node = cellNode(row[index] ?? null, list && i === list.focused && index === activeColumn ? 'active-cell' : '');
            if (fkColumns.has(c.name) && row[index] !== null) return h('span', { className: 'fk-cell' }, node, h('button', { className: 'link fk', attrs: { 'aria-label': `Open the ${c.name} row it references`, 'data-column': c.name }, text: '→' }));
            return node;
          },
        };
      }),
    ];
    list = new VirtualList<Cell[]>({
      label: `Rows of ${d.schema}.${d.name}`,
      columns,
      multiSelect: true,
      empty: 'No rows',
      onActivate: (_row, i) => showCell(i),
      onScroll: (top) => state.update({ scrollTop: top }),
    });
    cssVar(list.element, '--grid-width', `${gridWidth(columns as Column<unknown>[])}px`);
    list.element.addEventListener('click', onGridClick);
    list.element.addEventListener('dblclick', () => side.select('value'));
    list.element.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
      activeColumn = Math.max(0, Math.min(d.columns.length - 1, activeColumn + (e.key === 'ArrowLeft' ? -1 : 1)));
      list!.refresh();
      if (list!.focused >= 0) showCell(list!.focused);
    });
    setContent(gridWrap, list.element);
  }

  function onGridClick(event: MouseEvent): void {
    const target = event.target as HTMLElement;
    const header = target.closest('.vlist-header [data-column]') as HTMLElement | null;
    if (header) return sortBy(header.dataset.column!, event.shiftKey);
    const cell = target.closest('.vlist-row .vlist-cell');
    if (!cell) return;
    const index = Array.prototype.indexOf.call(cell.parentElement!.children, cell) - 1;
    if (index >= 0) activeColumn = index;
    // aria-rowindex (header = 1, first row = 2), not data-index: the grid's own click handler has
    // already refreshed the rows, which clears data-index until the next frame (it read as row 0).
    const rowIndex = Number((cell.parentElement as HTMLElement).getAttribute('aria-rowindex')) - 2;
    if (!(rowIndex >= 0)) return;
    const fk = target.closest('button.fk') as HTMLElement | null;
    if (fk) return followForeignKey(rowIndex, fk.dataset.column!);
    list?.refresh();
    // The grid's own click handler ran first (focus, selection): now the clicked column is known.
    if (!event.shiftKey && !event.ctrlKey && !event.metaKey) showCell(rowIndex);
  }

  function followForeignKey(rowIndex: number, column: string): void {
    const d = description!;
    const fk = d.foreignKeys.find((f) => f.columns.includes(column));
    const row = rows[rowIndex];
    if (!fk || !row) return;
    const filtersTo = fk.columns.map((c, i) => ({ column: fk.references.columns[i]!, op: '=' as const, value: row[d.columns.findIndex((x) => x.name === c)] }));
    navigate({ schema: fk.references.schema, name: fk.references.table, filters: filtersTo });
  }

  function showCell(rowIndex: number): void {
    const row = rows[rowIndex];
    const column = description?.columns[activeColumn];
    if (!row || !column) return;
    const reason = editableReason() ?? (column.generated ? 'A generated column: its value is computed.' : isCut(row[activeColumn] ?? null) ? null : null);
    side.showValue(column, row[activeColumn] ?? null, reason);
  }

  async function openTable(target: TableTarget, options: { filters?: FilterSpec[]; restore?: boolean } = {}): Promise<void> {
    const restoring = options.restore === true;
    if (!restoring) save({ target: { schema: target.schema, name: target.name }, filters: options.filters ?? [], sort: [], page: {}, first: 1, scrollTop: 0 });
    title.textContent = `${target.schema}.${target.name}`;
    backButton.hidden = view.back.length === 0;
    announce(status, 'Loading…');
    try {
      description = await client.request(Describe, { schema: target.schema, name: target.name }, { lane: 'describe' });
    } catch (error) {
      return void fail(error);
    }
    activeColumn = 0;
    filters.show(description.columns, view.filters);
    side.setRelation(description);
    const reason = editableReason();
    for (const b of writeButtons) b.hidden = reason !== null;
    setContent(banner, reason ?? '');
    banner.hidden = reason === null;
    buildGrid();
    await loadPage(view.page, view.first, restoring ? view.scrollTop : 0);
    void estimate();
  }

  async function loadPage(request: PageRequest, first: number | null, scrollTop = 0): Promise<void> {
    const target = view.target;
    if (!target || !description) return;
    announce(status, 'Loading…');
    try {
      page = await client.request(Page, { schema: target.schema, name: target.name, pageSize, sort: view.sort, filters: view.filters, ...request }, { lane: 'page' });
    } catch (error) {
      return void fail(error);
    }
    // Reached backwards from the end, the first page shows as such.
    const firstRow = request.fromEnd || request.before ? (page.prevCursor === null ? 1 : first) : first;
    save({ page: request, first: firstRow });
    rows = page.rows;
    list!.setRows(rows);
    list!.scrollTop = scrollTop;
    position.textContent = rows.length === 0 ? 'No rows' : firstRow !== null ? `Rows ${(firstRow).toLocaleString('en-US')}–${(firstRow + rows.length - 1).toLocaleString('en-US')}` : `Last ${rows.length} rows`;
    for (const b of [nav.first, nav.prev]) b.toggleAttribute('disabled', page.prevCursor === null && !(page.paging === 'all_columns' && (request.after ?? null) !== null));
    nav.next.toggleAttribute('disabled', page.nextCursor === null);
    nav.last.toggleAttribute('disabled', page.nextCursor === null || page.paging === 'all_columns');
    const note = [editableReason(), page.note].filter(Boolean).join(' · ');
    banner.textContent = note;
    banner.hidden = note === '';
    announce(status, '');
  }

  async function estimate(): Promise<void> {
    const target = view.target!;
    counts.textContent = '';
    try {
      const count = await client.request(Count, { schema: target.schema, name: target.name, filters: view.filters, exact: false }, { lane: 'count' });
      counts.textContent = count.estimate === null ? 'rows: unknown' : `≈ ${Math.round(count.estimate).toLocaleString('en-US')} rows`;
    } catch (error) {
      if (!isCancelled(error)) counts.textContent = '';
    }
  }

  async function countExactly(): Promise<void> {
    const target = view.target;
    if (!target) return;
    const cancel = button('Cancel Count', () => client.cancelLane('count'), { icon: 'debug-stop', secondary: true });
    setContent(counts, h('span', { className: 'codicon codicon-loading spin', attrs: { 'aria-hidden': 'true' } }), ' Counting… ', cancel);
    try {
      const count = await client.request(Count, { schema: target.schema, name: target.name, filters: view.filters, exact: true }, { lane: 'count' });
      setContent(counts, `${(count.exact ?? 0).toLocaleString('en-US')} rows`);
    } catch (error) {
      setContent(counts, isCancelled(error) ? 'Count cancelled' : '');
      fail(error);
    }
  }

  async function saveCell(value: unknown): Promise<void> {
    const index = list?.focused ?? -1;
    const row = rows[index];
    const column = description?.columns[activeColumn];
    if (!row || !column || !view.target) return;
    try {
      const updated = await client.request(EditCell, { ...view.target, key: keyOf(row), column: column.name, value });
      if (!updated) return void announce(status, 'Not changed: the update was not confirmed.');
      rows[index] = description!.columns.map((c) => updated.row[updated.columns.findIndex((u) => u.name === c.name)] ?? null);
      list!.refresh();
      showCell(index);
      announce(status, `Updated ${column.name} of 1 row.`);
    } catch (error) {
      fail(error);
    }
  }

  async function deleteSelected(): Promise<void> {
    const selected = list?.selection ?? [];
    if (selected.length === 0 || !view.target) return void announce(status, 'Select the rows to delete first (click, Shift+click, Ctrl/Cmd+click).');
    try {
      const result = await client.request(DeleteRows, { ...view.target, keys: selected.map((i) => keyOf(rows[i]!)) });
      if (!result) return void announce(status, 'Nothing deleted: the deletion was not confirmed.');
      rows = rows.filter((_r, i) => !selected.includes(i));
      list!.setRows(rows);
      announce(status, `Deleted ${result.deleted} row${result.deleted === 1 ? '' : 's'}.`);
    } catch (error) {
      fail(error);
    }
  }

  async function insertRow(values: Record<string, unknown>): Promise<void> {
    if (!view.target) return;
    try {
      const inserted = await client.request(InsertRow, { ...view.target, values });
      if (!inserted) return void announce(status, 'Nothing inserted: the insert was not confirmed.');
      await loadPage(view.page, view.first);
      announce(status, 'Inserted 1 row.');
    } catch (error) {
      fail(error);
    }
  }

  function exportAs(format: 'csv' | 'json'): void {
    if (view.target) client.command(ExportTable, { ...view.target, format });
  }

  function openSql(): void {
    const t = view.target;
    if (!t) return;
    const q = (s: string) => (/^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`);
    client.command(OpenSql, { sql: `SELECT *\nFROM ${q(t.schema)}.${q(t.name)}\nLIMIT 100;\n` });
  }

  client.on(Navigate, (target) => navigate(target));
  // Opened again on the table it showed (after a reload, or closed and clicked again in the tree): as it was left.
  const last = view.target;
  const sameTable = !!last && (!init.target || (init.target.schema === last.schema && init.target.name === last.name && !init.target.filters?.length));
  if (restored && last && sameTable) void openTable(last, { restore: true });
  else if (init.target) void openTable(init.target, { filters: init.target.filters ?? [] });
  else announce(status, 'Open a table, view or materialized view from the OgelBase explorer.');
}

void main();
