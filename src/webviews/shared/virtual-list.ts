import { cssVar, h, uniqueId } from './dom';
import { moveFocus, rowWindow, scrollToReveal } from './range';

export interface Column<T> {
  id: string;
  title: string;
  /** A CSS grid track: `1fr`, `6em`, `minmax(8em, 2fr)`. */
  width: string;
  /** The cell's content: a string (set as text) or a node built with dom.ts. */
  cell(row: T, index: number): string | Node;
  className?: string;
  /** The header cell's content when more than the title (a type, key markers, a sort arrow); `title` stays its accessible name. */
  header?(): Node;
}

export interface VirtualListOptions<T> {
  /** Accessible name of the grid. */
  label: string;
  columns: Column<T>[];
  /** Pixels; every row has this height (what makes 100,000 rows cheap). */
  rowHeight?: number;
  /** Space, Ctrl/Cmd+click and Shift+click select several rows. */
  multiSelect?: boolean;
  /** Shown when there is no row. */
  empty?: string;
  /** A click or Enter on a row. */
  onActivate?(row: T, index: number): void;
  onSelectionChange?(indices: number[]): void;
  /**
   * Scrolled to within a screen of the last row: load more if there is more. Returning `false`
   * means "not now" (e.g. the list is hidden): it is asked again on the next render.
   */
  onNearEnd?(): void | boolean;
  onScroll?(scrollTop: number): void;
}

/**
 * A virtualized grid: only the rows in view (plus a few) exist in the DOM, recycled while
 * scrolling, positioned through the CSSOM (no style attribute, so the strict CSP holds). It keeps
 * 100,000 rows scrolling in short frames and is what every inspector's lists, grids and the hex
 * viewer are made of. Keyboard: arrows, Page Up/Down, Home/End move the focused row (announced
 * through aria-activedescendant), Enter activates it, Space (multiSelect) toggles its selection,
 * Ctrl/Cmd+A selects every row. ARIA: role=grid with aria-rowcount/aria-rowindex/aria-selected.
 */
export class VirtualList<T> {
  readonly element: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly emptyNote: HTMLDivElement;
  private readonly id = uniqueId('vlist');
  private readonly rowHeight: number;
  private rows: readonly T[] = [];
  private pool: HTMLDivElement[] = [];
  private focusIndex = -1;
  private readonly selected = new Set<number>();
  private anchor = -1;
  private frame = 0;
  private nearEndAsked = false;

  constructor(private readonly options: VirtualListOptions<T>) {
    this.rowHeight = options.rowHeight ?? 22;
    const header = h(
      'div',
      { className: 'vlist-header', attrs: { role: 'row', 'aria-rowindex': 1 } },
      ...options.columns.map((c) =>
        c.header
          ? h('div', { className: `vlist-cell ${c.className ?? ''}`, attrs: { role: 'columnheader', 'aria-label': c.title } }, c.header())
          : h('div', { className: `vlist-cell ${c.className ?? ''}`, attrs: { role: 'columnheader' }, text: c.title }),
      ),
    );
    this.body = h('div', { className: 'vlist-body', attrs: { role: 'rowgroup' } });
    this.emptyNote = h('div', { className: 'vlist-empty muted', text: options.empty ?? 'Nothing to show' });
    this.element = h('div', {
      className: 'vlist',
      attrs: { role: 'grid', tabindex: 0, 'aria-label': options.label, 'aria-colcount': options.columns.length, 'aria-multiselectable': options.multiSelect ? 'true' : undefined },
      on: { scroll: () => this.schedule(), keydown: (e) => this.onKey(e), click: (e) => this.onClick(e) },
    }, header, this.body, this.emptyNote);
    cssVar(this.element, '--vlist-columns', options.columns.map((c) => c.width).join(' '));
    cssVar(this.element, '--vlist-row-height', `${this.rowHeight}px`);
    new ResizeObserver(() => this.schedule()).observe(this.element);
    this.setRows([]);
  }

  get length(): number {
    return this.rows.length;
  }
  get focused(): number {
    return this.focusIndex;
  }
  rowAt(index: number): T | undefined {
    return this.rows[index];
  }
  get selection(): number[] {
    return [...this.selected].sort((a, b) => a - b);
  }
  get scrollTop(): number {
    return this.element.scrollTop;
  }
  set scrollTop(value: number) {
    this.element.scrollTop = value;
    this.schedule();
  }

  /** Replaces every row (selection and focus are cleared unless `keep`). */
  setRows(rows: readonly T[], keep = false): void {
    this.rows = rows;
    if (!keep) {
      this.selected.clear();
      this.focusIndex = -1;
      this.anchor = -1;
    } else {
      for (const i of this.selected) if (i >= rows.length) this.selected.delete(i);
      if (this.focusIndex >= rows.length) this.focusIndex = rows.length - 1;
    }
    this.nearEndAsked = false;
    for (const row of this.pool) row.dataset.index = '';
    cssVar(this.body, '--vlist-count', String(rows.length));
    this.body.style.height = `${rows.length * this.rowHeight}px`;
    this.element.setAttribute('aria-rowcount', String(rows.length + 1));
    this.emptyNote.hidden = rows.length > 0;
    this.schedule();
  }

  /** Adds rows at the end (a further page), keeping focus, selection and scroll. */
  append(rows: readonly T[]): void {
    this.setRows([...this.rows, ...rows], true);
  }

  /** Re-renders one row (its data changed in place). */
  refresh(): void {
    for (const row of this.pool) row.dataset.index = '';
    this.schedule();
  }

  setFocus(index: number, options: { select?: boolean; reveal?: boolean } = {}): void {
    if (index < 0 || index >= this.rows.length) return;
    this.focusIndex = index;
    if (options.select ?? true) {
      this.selected.clear();
      this.selected.add(index);
      this.anchor = index;
      this.options.onSelectionChange?.(this.selection);
    }
    if (options.reveal ?? true) {
      const viewport = this.element.clientHeight - this.rowHeight; // less the sticky header
      this.element.scrollTop = scrollToReveal(index, this.element.scrollTop, viewport, this.rowHeight);
    }
    this.element.setAttribute('aria-activedescendant', `${this.id}-r${index}`);
    this.refresh();
  }

  selectAll(): void {
    if (!this.options.multiSelect) return;
    this.rows.forEach((_, i) => this.selected.add(i));
    this.options.onSelectionChange?.(this.selection);
    this.refresh();
  }

  clearSelection(): void {
    this.selected.clear();
    this.options.onSelectionChange?.([]);
    this.refresh();
  }

  focus(): void {
    this.element.focus();
  }

  private schedule(): void {
    this.frame ||= requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this.frame = 0;
    const height = this.element.clientHeight;
    const { first, end } = rowWindow(Math.max(0, this.element.scrollTop - this.rowHeight), height, this.rowHeight, this.rows.length);
    const needed = end - first;
    if (this.pool.length < needed) {
      while (this.pool.length < needed) {
        const row = h('div', { className: 'vlist-row', attrs: { role: 'row' } }, ...this.options.columns.map((c) => h('div', { className: `vlist-cell ${c.className ?? ''}`, attrs: { role: 'gridcell' } })));
        this.pool.push(row);
        this.body.appendChild(row);
      }
      for (const row of this.pool) row.dataset.index = '';
    }
    const size = this.pool.length;
    const used = new Set<number>();
    for (let i = first; i < end; i++) {
      const slot = i % size;
      used.add(slot);
      const row = this.pool[slot]!;
      row.hidden = false;
      if (row.dataset.index !== String(i)) {
        row.dataset.index = String(i);
        row.id = `${this.id}-r${i}`;
        row.setAttribute('aria-rowindex', String(i + 2));
        row.style.transform = `translateY(${i * this.rowHeight}px)`;
        const data = this.rows[i]!;
        this.options.columns.forEach((column, c) => {
          const cell = row.children[c]!;
          const content = column.cell(data, i);
          if (typeof content === 'string') cell.textContent = content;
          else cell.replaceChildren(content);
        });
      }
      row.setAttribute('aria-selected', this.selected.has(i) ? 'true' : 'false');
      row.classList.toggle('focused', i === this.focusIndex);
    }
    this.pool.forEach((row, slot) => {
      if (!used.has(slot)) row.hidden = true;
    });
    this.options.onScroll?.(this.element.scrollTop);
    if (!this.nearEndAsked && this.rows.length > 0 && end >= this.rows.length - Math.ceil(height / this.rowHeight)) {
      this.nearEndAsked = true;
      if (this.options.onNearEnd?.() === false) this.nearEndAsked = false;
    }
  }

  private indexOf(target: EventTarget | null): number {
    const row = (target as HTMLElement | null)?.closest?.('.vlist-row') as HTMLElement | null;
    const index = row ? Number(row.dataset.index) : NaN;
    return Number.isInteger(index) ? index : -1;
  }

  private onClick(event: MouseEvent): void {
    const index = this.indexOf(event.target);
    if (index < 0) return;
    if (this.options.multiSelect && (event.ctrlKey || event.metaKey)) {
      if (this.selected.has(index)) this.selected.delete(index);
      else this.selected.add(index);
      this.focusIndex = this.anchor = index;
      this.options.onSelectionChange?.(this.selection);
      this.refresh();
      return;
    }
    if (this.options.multiSelect && event.shiftKey && this.anchor >= 0) {
      this.selected.clear();
      for (let i = Math.min(this.anchor, index); i <= Math.max(this.anchor, index); i++) this.selected.add(i);
      this.focusIndex = index;
      this.options.onSelectionChange?.(this.selection);
      this.refresh();
      return;
    }
    this.setFocus(index, { reveal: false });
    this.options.onActivate?.(this.rows[index]!, index);
  }

  private onKey(event: KeyboardEvent): void {
    const page = Math.max(1, Math.floor(this.element.clientHeight / this.rowHeight) - 1);
    if ((event.ctrlKey || event.metaKey) && event.key === 'a' && this.options.multiSelect) {
      event.preventDefault();
      this.selectAll();
      return;
    }
    if (event.key === 'Enter' && this.focusIndex >= 0) {
      event.preventDefault();
      this.options.onActivate?.(this.rows[this.focusIndex]!, this.focusIndex);
      return;
    }
    if (event.key === ' ' && this.options.multiSelect && this.focusIndex >= 0) {
      event.preventDefault();
      if (this.selected.has(this.focusIndex)) this.selected.delete(this.focusIndex);
      else this.selected.add(this.focusIndex);
      this.options.onSelectionChange?.(this.selection);
      this.refresh();
      return;
    }
    const next = moveFocus(event.key, this.focusIndex < 0 ? -1 : this.focusIndex, this.rows.length, page);
    if (next === undefined) return;
    event.preventDefault();
    this.setFocus(event.key === 'ArrowDown' && this.focusIndex < 0 ? 0 : next, { select: !(event.shiftKey && this.options.multiSelect) });
  }
}
