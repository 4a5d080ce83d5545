import type { Cell, Column as PgColumn } from '../../core/engines/postgres/values';
import { isBytes, isNumericColumn, oneLine } from './cell-text';
import { h } from '../shared/dom';
import type { Column } from '../shared/virtual-list';

/*
 * How PostgreSQL values look in a grid cell (their text: cell-text.ts). Everything is text: a value
 * `<img src=x onerror=…>` shows those characters.
 */
export * from './cell-text';

/** The cell node: NULL and the empty string look different from each other and from the text "NULL". */
export function cellNode(value: Cell, extra = ''): HTMLElement {
  if (value === null) return h('span', { className: `value null ${extra}`, text: 'NULL' });
  if (value === '') return h('span', { className: `value empty ${extra}`, text: "''", attrs: { title: 'empty string' } });
  const kind = typeof value === 'number' || typeof value === 'boolean' ? 'number' : isBytes(value) ? 'bytes' : typeof value === 'object' ? 'structured' : 'text';
  return h('span', { className: `value ${kind} ${extra}`, text: oneLine(value) });
}

/** A px width for a column from its type: numbers narrow, text and JSON wide. */
export function columnWidth(column: PgColumn): number {
  if (column.typeOid === 16) return 70;
  if (isNumericColumn(column)) return 110;
  if (/timestamp|date|time/.test(column.type)) return 190;
  if (column.typeOid === 2950) return 290;
  return 200;
}

/** Read-only grid columns over rows of cells (the results panel's grid). */
export function resultColumns(columns: PgColumn[]): Column<Cell[]>[] {
  return [
    { id: '#', title: '#', width: '52px', className: 'rownum muted', cell: (_row, i) => String(i + 1) },
    ...columns.map((c, index) => ({
      id: `c${index}`,
      title: c.name,
      width: `${columnWidth(c)}px`,
      className: isNumericColumn(c) ? 'end' : '',
      header: () => h('span', { className: 'col-head' }, h('span', { className: 'col-name', text: c.name }), h('span', { className: 'col-type muted', text: c.type })),
      cell: (row: Cell[]) => cellNode(row[index] ?? null),
    })),
  ];
}

export const gridWidth = (columns: Column<unknown>[]) => columns.reduce((n, c) => n + (Number.parseInt(c.width, 10) || 0), 0);
