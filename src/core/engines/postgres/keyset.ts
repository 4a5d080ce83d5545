import { EngineError } from '../errors';
import type { RelationShape } from './shape';
import { ident } from './sql-text';
import type { TypeCache } from './types';

export interface SortSpec {
  column: string;
  direction?: 'asc' | 'desc';
  /** PostgreSQL's default: NULLS LAST ascending, NULLS FIRST descending. */
  nulls?: 'first' | 'last';
}

/** How pages of a relation are cut. */
export type PagingMethod = 'primary_key' | 'unique_key' | 'ctid' | 'all_columns';

/** One term of the total order pages follow: the caller's sort columns, then a unique key. */
export interface OrderTerm {
  /** SQL over the relation aliased `t`. */
  expr: string;
  /** The type cursor values are cast to (`$n::type`). */
  cast: string;
  desc: boolean;
  nullsFirst: boolean;
  nullable: boolean;
}

export interface PageOrder {
  terms: OrderTerm[];
  paging: PagingMethod;
  /** The unique key after the sort columns (primary key, unique index, or ctid). */
  key: string[];
  note?: string;
}

/** Looks a column up by name, or says which columns exist. */
export function columnOf(desc: RelationShape, name: string) {
  const column = desc.columns.find((c) => c.name === name);
  if (!column) {
    const known = desc.columns.map((c) => c.name);
    const list = known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ');
    throw new EngineError('invalid_input', `PostgreSQL: ${desc.schema}.${desc.name} has no column ${JSON.stringify(name)} (its columns: ${list})`);
  }
  return column;
}

/**
 * How a column is compared and sorted: by itself when its type has a btree operator class, else
 * (json, xml, geometry) by its text, which still gives a total, repeatable order.
 */
export function comparable(desc: RelationShape, types: TypeCache, name: string): { expr: string; cast: string; nullable: boolean } {
  const column = columnOf(desc, name);
  const type = types.get(column.typeOid);
  return type.sortable ? { expr: `t.${ident(name)}`, cast: type.name, nullable: column.nullable } : { expr: `t.${ident(name)}::text`, cast: 'text', nullable: column.nullable };
}

/**
 * The total order of a page request: the caller's sort, then the relation's unique key in the same
 * direction as the first sort column (so `ORDER BY created DESC, id DESC` can walk one index
 * backwards). The key is the primary key, else a unique index over NOT NULL columns, else the
 * physical row address (ctid, with tableoid when child tables share ctids), else, for a view
 * without any of these, every column.
 */
export function pageOrder(desc: RelationShape, types: TypeCache, sort: SortSpec[]): PageOrder {
  const terms: OrderTerm[] = [];
  const seen = new Set<string>();
  for (const s of sort) {
    if (seen.has(s.column)) throw new EngineError('invalid_input', `PostgreSQL: the sort names column ${JSON.stringify(s.column)} twice`);
    seen.add(s.column);
    const c = comparable(desc, types, s.column);
    const desc_ = s.direction === 'desc';
    terms.push({ ...c, desc: desc_, nullsFirst: c.nullable && s.nulls ? s.nulls === 'first' : desc_ });
  }
  const keyDesc = terms[0]?.desc ?? false;
  const addKey = (expr: string, cast: string, nullable = false) => terms.push({ expr, cast, desc: keyDesc, nullsFirst: keyDesc, nullable });
  const addColumns = (names: string[]) => {
    for (const name of names) {
      if (seen.has(name)) continue;
      const c = comparable(desc, types, name);
      addKey(c.expr, c.cast, c.nullable);
    }
  };
  const physical = desc.kind === 'table' || desc.kind === 'materialized_view' || desc.kind === 'partitioned_table';
  const children = desc.hasChildren || desc.kind === 'partitioned_table';
  const addCtid = () => {
    if (children) addKey('t.tableoid', 'oid');
    addKey('t.ctid', 'tid');
    return children ? ['tableoid', 'ctid'] : ['ctid'];
  };

  if (desc.primaryKey.length > 0) {
    addColumns(desc.primaryKey);
    return { terms, paging: 'primary_key', key: desc.primaryKey };
  }
  // A unique index over NOT NULL columns is a key; over nullable ones (a materialized view's columns
  // always are) NULLs may repeat, so ctid breaks those ties.
  const notNull = (cols: string[]) => cols.every((n) => !columnOf(desc, n).nullable);
  const candidates = desc.indexes.filter((i) => i.unique && i.valid && !i.partial && !i.expressions && i.columns.length > 0);
  const unique = candidates.find((i) => notNull(i.columns)) ?? (physical ? candidates[0] : undefined);
  if (unique) {
    addColumns(unique.columns);
    return { terms, paging: 'unique_key', key: notNull(unique.columns) ? unique.columns : [...unique.columns, ...addCtid()] };
  }
  if (physical) {
    return {
      terms,
      paging: 'ctid',
      key: addCtid(),
      note: 'no primary key or unique index: pages follow the physical row order (ctid), each page reads the table from the cursor on, and a row updated while paging may move',
    };
  }
  for (const column of desc.columns) {
    if (seen.has(column.name)) continue;
    const c = comparable(desc, types, column.name);
    terms.push({ ...c, desc: keyDesc, nullsFirst: keyDesc });
  }
  return {
    terms,
    paging: 'all_columns',
    key: desc.columns.map((c) => c.name),
    note: 'no key: pages are ordered by every column, and identical rows are counted across pages so none is lost or repeated',
  };
}

export const orderBy = (terms: OrderTerm[]): string =>
  terms.map((t) => `${t.expr} ${t.desc ? 'DESC' : 'ASC'}${t.nullable ? (t.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST') : ''}`).join(', ');

/**
 * The WHERE condition "comes after the cursor row" (or "after or equal" with `inclusive`), over raw
 * text values cast back to each term's type. A row-value comparison `(a, b) > ($1, $2)` when every
 * term goes the same way and none can be NULL (an index serves it directly); otherwise the expanded
 * form `a > $1 OR (a = $1 AND b > $2) …` with NULLs placed where ORDER BY puts them, led by a
 * plain bound on the first term when one exists so an index on it can still narrow the scan.
 */
export function afterCursor(terms: OrderTerm[], values: (string | null)[], param: (value: string | null, cast: string) => string, inclusive = false): string {
  const p = values.map((v, i) => (v === null ? 'NULL' : param(v, terms[i]!.cast)));
  const uniform = terms.every((t) => t.desc === terms[0]!.desc && !t.nullable);
  if (uniform && values.every((v) => v !== null)) {
    const op = (terms[0]!.desc ? '<' : '>') + (inclusive ? '=' : '');
    return `(${terms.map((t) => t.expr).join(', ')}) ${op} (${p.join(', ')})`;
  }
  const equal = (i: number) => (values[i] === null ? `${terms[i]!.expr} IS NULL` : `${terms[i]!.expr} = ${p[i]}`);
  const after = (i: number): string | undefined => {
    const t = terms[i]!;
    if (values[i] === null) return t.nullsFirst ? `${t.expr} IS NOT NULL` : undefined;
    const strict = `${t.expr} ${t.desc ? '<' : '>'} ${p[i]}`;
    return t.nullable && !t.nullsFirst ? `(${strict} OR ${t.expr} IS NULL)` : strict;
  };
  const branches: string[] = [];
  for (let i = 0; i < terms.length; i++) {
    const step = after(i);
    if (step) branches.push([...terms.slice(0, i).map((_, j) => equal(j)), step].join(' AND '));
  }
  if (inclusive) branches.push(terms.map((_, j) => equal(j)).join(' AND '));
  const or = branches.length > 0 ? `(${branches.map((b) => `(${b})`).join(' OR ')})` : 'false';
  const first = terms[0]!;
  if (values[0] !== null && !(first.nullable && !first.nullsFirst)) return `${first.expr} ${first.desc ? '<=' : '>='} ${p[0]} AND ${or}`;
  return or;
}

interface CursorBody {
  /** Raw text of each order term of the last row. */
  v: (string | null)[];
  /** Signature of the order and filters the cursor was made for. */
  s: string;
  /** all_columns paging: rows equal to `v` already shown. */
  k?: number;
}

/** FNV-1a: a short signature so a cursor from another sort or filter is refused instead of misread. */
function signature(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

export function encodeCursor(values: (string | null)[], shape: string, repeats?: number): string {
  const body: CursorBody = { v: values, s: signature(shape), ...(repeats ? { k: repeats } : {}) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: string, terms: number): { values: (string | null)[]; repeats: number } {
  let body: Partial<CursorBody> | undefined;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorBody>;
  } catch {
    body = undefined;
  }
  const valid = body && Array.isArray(body.v) && body.v.length === terms && body.v.every((x) => x === null || typeof x === 'string');
  if (body && typeof body.s === 'string' && body.s !== signature(shape)) {
    throw new EngineError('invalid_input', 'PostgreSQL: the page cursor belongs to another sort, filter or table layout; start again from the first page');
  }
  if (!valid) throw new EngineError('invalid_input', 'PostgreSQL: the page cursor is not one this explorer made; start again from the first page');
  return { values: body!.v!, repeats: Number.isSafeInteger(body!.k) && body!.k! > 0 && body!.k! <= 1e9 ? body!.k! : 0 };
}
