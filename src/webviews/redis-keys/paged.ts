import { announce, h, setDisabled } from '../shared/dom';
import { formatCount } from '../shared/bytes';
import { VirtualList, type Column } from '../shared/virtual-list';
import { button } from './ui';

export interface Page<T> {
  rows: T[];
  done: boolean;
  /** The whole size (fields, elements, members, entries) when known. */
  total?: number;
}

/**
 * A viewer's table of one value, filled a bounded page at a time (HSCAN/SSCAN cursors, LRANGE
 * windows, ZRANGE ranks, XRANGE IDs): "Load more" and scrolling near the end fetch the next page;
 * nothing loads the whole value.
 */
export class PagedTable<T> {
  readonly element: HTMLElement;
  readonly list: VirtualList<T>;
  private readonly status = h('div', { className: 'status', attrs: { role: 'status' } });
  private readonly more: HTMLElement;
  private rows: T[] = [];
  private done = false;
  private loading = false;

  constructor(
    label: string,
    columns: Column<T>[],
    private readonly next: (loaded: number) => Promise<Page<T>>,
    options: { onActivate?(row: T, index: number): void; what: string },
  ) {
    this.list = new VirtualList<T>({ label, columns, empty: `No ${options.what}`, onActivate: options.onActivate, onNearEnd: () => void this.load() });
    this.more = button('Load more', () => void this.load(), { secondary: true });
    this.what = options.what;
    this.element = h('div', { className: 'paged' }, this.list.element, h('div', { className: 'toolbar' }, this.status, this.more));
  }
  private readonly what: string;

  async load(): Promise<void> {
    if (this.done || this.loading) return;
    this.loading = true;
    try {
      const page = await this.next(this.rows.length);
      this.rows = [...this.rows, ...page.rows];
      this.done = page.done;
      this.list.setRows(this.rows, true);
      const total = page.total === undefined ? '' : ` of ${formatCount(page.total)}`;
      announce(this.status, `${formatCount(this.rows.length)}${total} ${this.what} loaded${this.done ? '' : ' · more to load'}`);
    } catch (error) {
      announce(this.status, (error as Error).message, 'error');
      this.done = true;
    } finally {
      this.loading = false;
      setDisabled(this.more, this.done);
    }
  }

  get loaded(): readonly T[] {
    return this.rows;
  }
}
