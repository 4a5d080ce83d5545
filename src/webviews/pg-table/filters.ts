import type { Column as PgColumn } from '../../core/engines/postgres/values';
import { isJsonColumn } from '../pg-shared/cells';
import { button, input, select } from '../pg-shared/ui';
import { h, setContent } from '../shared/dom';
import { FILTER_OPS, type FilterSpec } from '../protocol/pg-table';

const LABEL: Record<string, string> = { '=': '=', '<>': '≠', '<': '<', '<=': '≤', '>': '>', '>=': '≥', contains: 'contains', like: 'like', ilike: 'ilike', 'is null': 'is null', 'is not null': 'is not null', in: 'in (a, b, …)' };

/** A value typed in a filter, in the engine's JSON encoding: JSON for json columns, a list for `in`, else the text. */
function parseValue(text: string, column: PgColumn | undefined, op: string): unknown {
  const one = (t: string) => {
    if (column && isJsonColumn(column)) {
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return t;
      }
    }
    return t;
  };
  return op === 'in' ? text.split(',').map((t) => one(t.trim())) : one(text);
}

const showValue = (value: unknown) => (Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ') : value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The filter bar: one row per condition (column, operator, value), combined with AND. Apply hands
 * the conditions over; the engine checks every column name and casts every value on the server.
 */
export class FilterBar {
  readonly element = h('div', { className: 'filters', attrs: { role: 'group', 'aria-label': 'Filters' } });
  private rows: { column: HTMLSelectElement; op: HTMLSelectElement; value: HTMLInputElement }[] = [];
  private columns: PgColumn[] = [];

  constructor(private readonly apply: (filters: FilterSpec[]) => void) {}

  show(columns: PgColumn[], filters: FilterSpec[]): void {
    this.columns = columns;
    this.rows = [];
    setContent(this.element);
    for (const f of filters) this.addRow(f);
    this.element.hidden = filters.length === 0;
    this.element.append(h('div', { className: 'filter-actions' }, button('Add Filter', () => this.addRow(), { icon: 'add', secondary: true }), button('Apply', () => this.apply(this.collect()), { icon: 'filter' }), button('Clear', () => this.apply([]), { icon: 'clear-all', secondary: true })));
  }

  toggle(): void {
    this.element.hidden = !this.element.hidden;
    if (!this.element.hidden && this.rows.length === 0) this.addRow();
  }

  addRow(filter?: FilterSpec): void {
    const column = select('Filter column', this.columns.map((c) => [c.name, c.name]), filter?.column ?? this.columns[0]?.name ?? '');
    const op = select('Filter operator', FILTER_OPS.map((o) => [o, LABEL[o] ?? o]), filter?.op ?? '=', (v) => (value.hidden = v === 'is null' || v === 'is not null'));
    const value = input('Filter value', showValue(filter?.value), 'value');
    value.hidden = op.value === 'is null' || op.value === 'is not null';
    value.addEventListener('keydown', (e) => e.key === 'Enter' && this.apply(this.collect()));
    const entry = { column, op, value };
    this.rows.push(entry);
    const row = h('div', { className: 'filter-row' }, column, op, value);
    row.append(button('Remove Filter', () => {
      this.rows = this.rows.filter((r) => r !== entry);
      row.remove();
    }, { icon: 'close', secondary: true }));
    this.element.insertBefore(row, this.element.querySelector('.filter-actions'));
    this.element.hidden = false;
  }

  private collect(): FilterSpec[] {
    return this.rows.map(({ column, op, value }) => {
      const o = op.value as FilterSpec['op'];
      const spec: FilterSpec = { column: column.value, op: o };
      if (o !== 'is null' && o !== 'is not null') spec.value = parseValue(value.value, this.columns.find((c) => c.name === column.value), o);
      return spec;
    });
  }
}
