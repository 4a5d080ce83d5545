import * as z from 'zod/mini';
import type { ResultOf } from '../../core/engines/operations';
import type { PostgresOperations } from '../../core/engines/postgres/operations';
import { command, notification, readyRequest, request } from './base';

/*
 * The table inspector's protocol (src/host/postgres/table-inspector.ts ↔ src/webviews/pg-table):
 * one panel per database showing one table, view or materialized view at a time. Shape checks
 * only: the engine's operation table validates the rest (on the direct path and on the platform).
 */

const Name = z.string().check(z.minLength(1), z.maxLength(128));
const relation = { schema: Name, name: Name };
/** A cell value in the engine's JSON encoding (bounded by the message size limit). */
const Value = z.unknown();
const Key = z.record(Name, Value);
const FilterOps = ['=', '<>', '<', '<=', '>', '>=', 'like', 'ilike', 'contains', 'is null', 'is not null', 'in'] as const;
export const FilterSchema = z.strictObject({ column: Name, op: z.enum(FilterOps), value: z.optional(Value) });
export const SortSchema = z.strictObject({ column: Name, direction: z.enum(['asc', 'desc']) });
export type FilterSpec = z.infer<typeof FilterSchema>;
export type SortSpec = z.infer<typeof SortSchema>;
export const FILTER_OPS = FilterOps;

/** What a panel is asked to show: a relation, optionally filtered (a foreign key followed to its row). */
export interface TableTarget {
  schema: string;
  name: string;
  filters?: FilterSpec[];
}

export interface TableInit {
  /** Where the panel was opened (null when restored: the webview's state says). */
  target: TableTarget | null;
  /** Rows per page (ogelbase.postgres.pageSize). */
  pageSize: number;
}

export const Ready = readyRequest<TableInit>();
export const Describe = request<ResultOf<PostgresOperations, 'describeRelation'>>()('table/describe', z.strictObject(relation));
export const Details = request<ResultOf<PostgresOperations, 'relationDetails'>>()('table/details', z.strictObject(relation));
export const Page = request<ResultOf<PostgresOperations, 'rowsPage'>>()(
  'table/page',
  z.strictObject({
    ...relation,
    pageSize: z.number().check(z.int(), z.minimum(1), z.maximum(1000)),
    after: z.optional(z.string().check(z.maxLength(4_000_000))),
    before: z.optional(z.string().check(z.maxLength(4_000_000))),
    fromEnd: z.optional(z.boolean()),
    sort: z.array(SortSchema).check(z.maxLength(16)),
    filters: z.array(FilterSchema).check(z.maxLength(50)),
  }),
);
export const Count = request<ResultOf<PostgresOperations, 'countRows'>>()(
  'table/count',
  z.strictObject({ ...relation, filters: z.array(FilterSchema).check(z.maxLength(50)), exact: z.boolean() }),
);
/** Edits resolve to null when the user declined the statement preview. */
export const EditCell = request<ResultOf<PostgresOperations, 'updateCell'> | null>()('table/editCell', z.strictObject({ ...relation, key: Key, column: Name, value: Value }));
export const DeleteRows = request<ResultOf<PostgresOperations, 'deleteRows'> | null>()(
  'table/deleteRows',
  z.strictObject({ ...relation, keys: z.array(Key).check(z.minLength(1), z.maxLength(1000)) }),
);
export const InsertRow = request<ResultOf<PostgresOperations, 'insertRow'> | null>()('table/insertRow', z.strictObject({ ...relation, values: z.record(Name, Value) }));
/** Export the whole relation to a file the host asks for (streamed, with progress and cancel). */
export const ExportTable = command('table/export', z.strictObject({ ...relation, format: z.enum(['csv', 'json']) }));
/** Opens a SQL editor on this database with a statement (e.g. the table's SELECT). */
export const OpenSql = command('table/openSql', z.strictObject({ sql: z.string().check(z.maxLength(100_000)) }));
/** The panel was asked to show another relation (tree click, palette). */
export const Navigate = notification<TableTarget>()('table/navigate');
