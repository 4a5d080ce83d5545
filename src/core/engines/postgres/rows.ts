import { EngineError } from '../errors';
import type { RelationShape } from './shape';
import type { PostgresEngine } from './engine';
import { afterCursor, columnOf, comparable, decodeCursor, encodeCursor, orderBy, pageOrder, type PagingMethod, type SortSpec } from './keyset';
import { ident, Params, qualified, wholeNumber } from './sql-text';
import { driverTypes, type TypeCache } from './types';
import { bytesOf, CELL_CAP, encodeBytes, encodeValue, toPgText, truncatedText, type Cell, type Column } from './values';

export const FILTER_OPS = ['=', '<>', '<', '<=', '>', '>=', 'like', 'ilike', 'contains', 'is null', 'is not null', 'in'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export interface FilterSpec {
  column: string;
  op: FilterOp;
  /** In the JSON encoding of values.ts; a list for `in`; none for `is null` / `is not null`. */
  value?: unknown;
}

export interface RowsPageParams {
  schema: string;
  name: string;
  pageSize?: number;
  /** The `nextCursor` of the previous page; absent for the first page. */
  after?: string | null;
  /** The `prevCursor` of the page after: reads the page before it (keyset paging backwards). */
  before?: string | null;
  /** With neither cursor: the last page instead of the first. */
  fromEnd?: boolean;
  sort?: SortSpec[];
  filters?: FilterSpec[];
}

export interface RowsPage {
  columns: Column[];
  /** One array per row, in the order of `columns`. */
  rows: Cell[][];
  /** Opaque; pass it as `after` for the next page. Null on the last page. */
  nextCursor: string | null;
  /** Opaque; pass it as `before` for the page before this one. Null on the first page (and for views without any key, which page forwards only). */
  prevCursor: string | null;
  primaryKey: string[];
  paging: PagingMethod;
  /** Why paging is not by key, when it is not. */
  note?: string;
}

/** `a AND b AND …` over the relation aliased `t`; every column checked against the relation, every value a parameter. */
export function filterSql(desc: RelationShape, types: TypeCache, filters: FilterSpec[], params: Params): string {
  const parts = filters.map((f) => {
    const column = columnOf(desc, f.column);
    const what = `the filter value for column ${JSON.stringify(f.column)}`;
    if (f.op === 'is null' || f.op === 'is not null') return `t.${ident(f.column)} ${f.op.toUpperCase()}`;
    if (f.op === 'contains') {
      if (typeof f.value !== 'string') throw new EngineError('invalid_input', `PostgreSQL: ${what} (contains) must be text`);
      // The text is matched literally: LIKE's own wildcards in it are escaped.
      return `t.${ident(f.column)}::text ILIKE ${params.add(`%${f.value.replace(/[\\%_]/g, '\\$&')}%`, 'text')}`;
    }
    if (f.op === 'like' || f.op === 'ilike') {
      if (typeof f.value !== 'string') throw new EngineError('invalid_input', `PostgreSQL: ${what} (${f.op}) must be a text pattern such as '%abc%'`);
      return `t.${ident(f.column)}::text ${f.op.toUpperCase()} ${params.add(f.value, 'text')}`;
    }
    const c = comparable(desc, types, f.column);
    const type = types.get(column.typeOid);
    const text = (value: unknown) => {
      const t = value === null || value === undefined ? null : toPgText(value, type, types, what);
      if (t === null) throw new EngineError('invalid_input', `PostgreSQL: ${what} is missing; to match NULL use the 'is null' operator`);
      return params.add(t, c.cast);
    };
    if (f.op === 'in') {
      if (!Array.isArray(f.value) || f.value.length === 0 || f.value.length > 1000) throw new EngineError('invalid_input', `PostgreSQL: ${what} ('in') must be a list of 1 to 1000 values`);
      return `${c.expr} IN (${f.value.map(text).join(', ')})`;
    }
    return `${c.expr} ${f.op} ${text(f.value)}`;
  });
  return parts.length > 0 ? parts.join(' AND ') : 'true';
}

/**
 * The select list of a page: every column, large variable-length values cut on the server (so a
 * page of 1,000 rows of megabyte documents stays small on the wire too), then the order terms of
 * each row, raw, for the cursor.
 */
function selectList(desc: RelationShape, types: TypeCache, orderExprs: string[]): { sql: string; capped: Map<number, number> } {
  const items: string[] = [];
  const extra: string[] = [];
  const capped = new Map<number, number>(); // column index → index of its "$p" preview; "$n" size follows it
  desc.columns.forEach((column, i) => {
    const type = types.get(column.typeOid);
    const col = `t.${ident(column.name)}`;
    if (type.length !== -1 || type.category === 'N') return items.push(col);
    // octet_length reads the stored size without detoasting text and bytea; other types are measured as text.
    const direct = type.category === 'S' || type.oid === 17;
    const size = direct ? `octet_length(${col})` : `octet_length(${col}::text)`;
    const preview = type.oid === 17 ? `substring(${col} FROM 1 FOR ${CELL_CAP})` : `left(${col}::text, ${CELL_CAP})`;
    items.push(`CASE WHEN ${size} > ${CELL_CAP} THEN NULL ELSE ${col} END`);
    capped.set(i, desc.columns.length + extra.length);
    extra.push(`CASE WHEN ${size} > ${CELL_CAP} THEN ${preview} END`, `CASE WHEN ${size} > ${CELL_CAP} THEN ${size} END`);
  });
  return { sql: [...items, ...extra, ...orderExprs].join(', '), capped };
}

export async function rowsPage(engine: PostgresEngine, params: RowsPageParams, signal?: AbortSignal): Promise<RowsPage> {
  const desc = await engine.relationShape(params, signal);
  await engine.loadTypes(desc.columns.map((c) => c.typeOid));
  const order = pageOrder(desc, engine.types, params.sort ?? []);
  const pageSize = wholeNumber(params.pageSize, 100, 1, 1000, 'pageSize');
  const sql = new Params();
  const conditions = [filterSql(desc, engine.types, params.filters ?? [], sql)];
  // The cursor is valid only for the same relation layout, order and filters.
  const shape = JSON.stringify([desc.schema, desc.name, order.terms, params.filters ?? []]);
  if (params.after && params.before) throw new EngineError('invalid_input', 'PostgreSQL: give either after or before, not both');
  // Backwards (the page before a cursor, or the last page): the same order reversed, then the rows turned round.
  const backward = Boolean(params.before) || (!params.after && params.fromEnd === true);
  if (backward && order.paging === 'all_columns') {
    throw new EngineError('invalid_input', `PostgreSQL: ${desc.schema}.${desc.name} has no key, so its pages are read forwards only; start again from the first page`);
  }
  const walk = backward ? order.terms.map((t) => ({ ...t, desc: !t.desc, nullsFirst: !t.nullsFirst })) : order.terms;
  let cursor: { values: (string | null)[]; repeats: number } | undefined;
  const given = params.after ?? params.before;
  if (given) {
    cursor = decodeCursor(given, shape, order.terms.length);
    conditions.push(afterCursor(walk, cursor.values, sql.add, order.paging === 'all_columns'));
  }
  // all_columns paging: the page starts at the cursor row's values (inclusive), and the identical
  // rows among them that earlier pages showed are skipped on the server.
  const skip = order.paging === 'all_columns' ? (cursor?.repeats ?? 0) : 0;
  const select = selectList(desc, engine.types, order.terms.map((t) => t.expr));
  const text = `SELECT ${select.sql} FROM ${qualified(desc.schema, desc.name)} t WHERE ${conditions.join(' AND ')} ORDER BY ${orderBy(walk)}${skip ? ` OFFSET ${skip}` : ''} LIMIT ${pageSize + 1}`;
  const result = await engine.session({ signal }, (s) => s.client.query<(string | null)[]>({ text, values: sql.values, rowMode: 'array' }));

  const width = desc.columns.length + select.capped.size * 2;
  const keyOf = (row: (string | null)[]) => row.slice(width);
  const sameKey = (a: (string | null)[], b: (string | null)[]) => a.every((v, i) => v === b[i]);
  const raw = result.rows.slice(0, pageSize);
  const more = result.rows.length > pageSize;
  if (backward) raw.reverse();

  let nextCursor: string | null = null;
  let prevCursor: string | null = null;
  if (backward) {
    // Rows after this page exist when it was read before a cursor; rows before it when the query found more.
    if (params.before && raw.length > 0) nextCursor = encodeCursor(keyOf(raw.at(-1)!), shape);
    if (more && raw.length > 0) prevCursor = encodeCursor(keyOf(raw[0]!), shape);
  } else {
    if (more && raw.length > 0) {
      const last = keyOf(raw.at(-1)!);
      let repeats = 0;
      if (order.paging === 'all_columns') {
        while (repeats < raw.length && sameKey(keyOf(raw[raw.length - 1 - repeats]!), last)) repeats++;
        if (repeats === raw.length && cursor && sameKey(last, cursor.values)) repeats += skip;
      }
      nextCursor = encodeCursor(last, shape, repeats);
    }
    if (params.after && raw.length > 0 && order.paging !== 'all_columns') prevCursor = encodeCursor(keyOf(raw[0]!), shape);
  }
  const rows = raw.map((row) =>
    desc.columns.map((column, i): Cell => {
      const type = engine.types.get(column.typeOid);
      const at = select.capped.get(i);
      const size = at === undefined ? null : row[at + 1];
      if (size === null || size === undefined) return encodeValue(row[i] ?? null, type, engine.types);
      const preview = row[at!] ?? '';
      return (type.oid === 17 ? encodeBytes(bytesOf(preview), Number(size)) : truncatedText(preview, Number(size))) as unknown as Cell;
    }),
  );
  return {
    columns: desc.columns.map((c) => ({ name: c.name, type: c.type, typeOid: c.typeOid, nullable: c.nullable })),
    rows,
    nextCursor,
    prevCursor,
    primaryKey: desc.primaryKey,
    paging: order.paging,
    ...(order.note ? { note: order.note } : {}),
  };
}

export interface CountRowsParams {
  schema: string;
  name: string;
  filters?: FilterSpec[];
  /** Also run count(*), which reads every matching row: cancellable, and bounded by `timeoutMs`. */
  exact?: boolean;
  timeoutMs?: number;
}
export interface RowCount {
  /** From the statistics (no filters) or the planner's estimate for the filters; null when unknown. */
  estimate: number | null;
  exact: number | null;
}

export async function countRows(engine: PostgresEngine, params: CountRowsParams, signal?: AbortSignal): Promise<RowCount> {
  const desc = await engine.relationShape(params, signal);
  await engine.loadTypes(desc.columns.map((c) => c.typeOid));
  const sql = new Params();
  const where = filterSql(desc, engine.types, params.filters ?? [], sql);
  const from = `FROM ${qualified(desc.schema, desc.name)} t WHERE ${where}`;
  let estimate = (params.filters ?? []).length === 0 ? desc.rowEstimate : null;
  if (estimate === null) {
    const [plan] = await engine.catalog<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(`EXPLAIN (FORMAT JSON) SELECT 1 ${from}`, sql.values, signal);
    estimate = plan?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? null;
  }
  if (!params.exact) return { estimate, exact: null };
  const timeoutMs = wholeNumber(params.timeoutMs, 30_000, 100, 300_000, 'timeoutMs');
  // The server's statement_timeout normally ends it; the client-side deadline is the backstop.
  const exact = await engine.session({ signal, timeoutMs: timeoutMs + 2_000 }, (s) =>
    s.transaction({ readOnly: true, timeoutMs }, () => s.client.query<{ n: string }>({ text: `SELECT count(*) AS n ${from}`, values: sql.values, types: driverTypes })),
  );
  return { estimate, exact: Number(exact.rows[0]!.n) };
}
