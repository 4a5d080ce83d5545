import { z } from 'zod';
import { defineOperation, type OperationTable } from '../operations';
import { completionCatalog, relationDetails } from './ddl';
import { deleteRows, insertRow } from './edit';
import type { PostgresEngine } from './engine';
import { exportRows } from './export';
import { previewEdit } from './preview';
import { FILTER_OPS } from './rows';

/**
 * The PostgreSQL operation table: each entry becomes `POST /api/platform/databases/{id}/postgres/{name}`
 * on the server, and the extension calls the same names on PostgresEngine. Server-only (imports zod);
 * the engine bundle does not include it. Every bound is a hard cap.
 */
const op = defineOperation<PostgresEngine>();
const object = z.strictObject;

const Name = z.string().min(1, 'a name cannot be empty').max(128, 'PostgreSQL names are at most 63 bytes');
const relation = { schema: Name, name: Name };
const TimeoutMs = z.number().int().min(100, 'timeoutMs is at least 100').max(300_000, 'timeoutMs is at most 300000 (5 minutes)');
const Sql = z.string().min(1, 'sql cannot be empty').max(1_000_000, 'sql is at most 1,000,000 characters');
/** A cell value in the engine's JSON encoding; bounded so one edit cannot carry a huge body. */
const Value = z.unknown().refine((v) => v !== undefined && JSON.stringify(v).length <= 10_000_000, 'value is required (null stores NULL) and at most 10 MB as JSON');
const Key = z
  .record(Name, z.unknown())
  .refine((k) => Object.keys(k).length > 0 && Object.keys(k).length <= 32, 'key names the primary key columns and their values, e.g. {"id": 5}');
const Filter = object({
  column: Name,
  op: z.enum(FILTER_OPS, { error: `op is one of ${FILTER_OPS.join(', ')}` }),
  value: z.unknown().optional(),
}).refine((f) => f.op !== 'in' || (Array.isArray(f.value) && f.value.length >= 1 && f.value.length <= 1000), 'an "in" filter takes a list of 1 to 1000 values');
const Filters = z.array(Filter).max(50, 'at most 50 filters');
const Sort = object({
  column: Name,
  direction: z.enum(['asc', 'desc'], { error: 'direction is asc or desc' }).default('asc'),
  nulls: z.enum(['first', 'last'], { error: 'nulls is first or last' }).optional(),
});

export const postgresOperations = {
  serverInfo: op({ kind: 'read', summary: 'Version, current database and user, read-only state, database size', params: object({}), run: (e) => e.serverInfo() }),
  listSchemas: op({
    kind: 'read',
    summary: 'Schemas (without pg_catalog, information_schema, pg_toast*) with counts of tables, views and functions',
    params: object({ limit: z.number().int().min(1).max(5000, 'limit is at most 5000').default(1000) }),
    run: (e, p) => e.listSchemas(p),
  }),
  listRelations: op({
    kind: 'read',
    summary: 'Tables, views, materialized views, foreign and partitioned tables of a schema, with row estimate and size',
    params: object({ schema: Name, search: z.string().max(128).optional(), limit: z.number().int().min(1).max(5000, 'limit is at most 5000').default(1000) }),
    run: (e, p) => e.listRelations(p),
  }),
  describeRelation: op({
    kind: 'read',
    summary: 'Columns, primary key, indexes, foreign keys, checks and row estimate of a table or view',
    params: object(relation),
    run: (e, p) => e.describeRelation(p),
  }),
  rowsPage: op({
    kind: 'read',
    summary: 'One page of rows by keyset pagination (primary key, else unique key, ctid or every column), with sort and filters',
    params: object({
      ...relation,
      pageSize: z.number().int().min(1).max(1000, 'pageSize is at most 1000').default(100),
      after: z.string().max(4_000_000, 'the cursor is too long').nullish(),
      before: z.string().max(4_000_000, 'the cursor is too long').nullish(),
      fromEnd: z.boolean().default(false),
      sort: z.array(Sort).max(16, 'at most 16 sort columns').default([]),
      filters: Filters.default([]),
    }),
    run: (e, p, c) => e.rowsPage(p, c.signal),
  }),
  countRows: op({
    kind: 'read',
    summary: 'Row count: the estimate at once, and on request the exact count(*) (cancellable, time-limited)',
    params: object({ ...relation, filters: Filters.default([]), exact: z.boolean().default(false), timeoutMs: TimeoutMs.default(30_000) }),
    run: (e, p, c) => e.countRows(p, c.signal),
  }),
  query: op({
    kind: 'read',
    summary: 'Runs one SQL statement (rows capped, time-limited, cancellable); readOnly runs it in a read-only transaction',
    params: object({
      sql: Sql,
      maxRows: z.number().int().min(1).max(10_000, 'maxRows is at most 10000').default(1000),
      timeoutMs: TimeoutMs.default(30_000),
      batchSize: z.number().int().min(1).max(5000, 'batchSize is at most 5000').default(200),
      readOnly: z.boolean().optional(),
      offset: z.number().int().min(0).max(100_000_000, 'offset is at most 100000000').default(0),
    }),
    run: (e, p, c) => e.query(p, c.signal),
  }),
  explain: op({
    kind: 'read',
    summary: 'EXPLAIN of one statement (ANALYZE only on request, always rolled back)',
    params: object({
      sql: Sql,
      analyze: z.boolean().default(false),
      buffers: z.boolean().default(false),
      format: z.enum(['json', 'text'], { error: 'format is json or text' }).default('json'),
      timeoutMs: TimeoutMs.default(30_000),
      readOnly: z.boolean().optional(),
    }),
    run: (e, p, c) => e.explain(p, c.signal),
  }),
  updateCell: op({
    kind: 'write',
    summary: 'Sets one column of one row, found by its primary key; returns the row as stored',
    params: object({ ...relation, key: Key, column: Name, value: Value }),
    run: (e, p, c) => e.updateCell(p, c.signal),
  }),
  deleteRow: op({
    kind: 'write',
    summary: 'Deletes one row, found by its primary key',
    params: object({ ...relation, key: Key }),
    run: (e, p, c) => e.deleteRow(p, c.signal),
  }),
  deleteRows: op({
    kind: 'write',
    summary: 'Deletes rows by primary key in one transaction: each key must match exactly one row, or nothing is deleted',
    params: object({ ...relation, keys: z.array(Key).min(1, 'keys lists at least one row').max(1000, 'at most 1000 rows at a time') }),
    run: (e, p, c) => deleteRows(e, p, c.signal),
  }),
  insertRow: op({
    kind: 'write',
    summary: 'Inserts one row; columns left out take their defaults. Returns the row as stored',
    params: object({ ...relation, values: z.record(Name, z.unknown()).refine((v) => Object.keys(v).length <= 1600 && JSON.stringify(v).length <= 10_000_000, 'values is at most 10 MB as JSON') }),
    run: (e, p, c) => insertRow(e, p, c.signal),
  }),
  previewEdit: op({
    kind: 'read',
    summary: 'The statements updateCell, deleteRows or insertRow would run, with their values written in; runs nothing',
    params: object({
      action: z.enum(['update', 'delete', 'insert'], { error: 'action is update, delete or insert' }),
      ...relation,
      key: Key.optional(),
      column: Name.optional(),
      value: z.unknown().optional(),
      keys: z.array(Key).min(1).max(1000, 'at most 1000 rows at a time').optional(),
      values: z.record(Name, z.unknown()).optional(),
    }).refine(
      (p) => (p.action === 'update' ? p.key !== undefined && p.column !== undefined && p.value !== undefined : p.action === 'delete' ? p.keys !== undefined : p.values !== undefined),
      'update takes key, column and value; delete takes keys; insert takes values',
    ),
    run: (e, p, c) =>
      previewEdit(
        e,
        p.action === 'update'
          ? { action: 'update', schema: p.schema, name: p.name, key: p.key!, column: p.column!, value: p.value }
          : p.action === 'delete'
            ? { action: 'delete', schema: p.schema, name: p.name, keys: p.keys! }
            : { action: 'insert', schema: p.schema, name: p.name, values: p.values! },
        c.signal,
      ),
  }),
  relationDetails: op({
    kind: 'read',
    summary: "Triggers of a table, and its DDL rebuilt from the catalog (CREATE, constraints, indexes, triggers, comments)",
    params: object(relation),
    run: (e, p, c) => relationDetails(e, p, c.signal),
  }),
  completionCatalog: op({
    kind: 'read',
    summary: 'Schemas, relations and their columns for SQL completion, in one bounded answer',
    params: object({ limit: z.number().int().min(1).max(5000, 'limit is at most 5000').default(2000) }),
    run: (e, p, c) => completionCatalog(e, p, c.signal),
  }),
  exportRows: op({
    kind: 'read',
    summary: "Streams a query's whole result, or a whole table, as CSV or JSON from a server-side cursor (memory stays flat); readOnly runs it in a read-only transaction",
    params: object({
      sql: Sql.optional(),
      schema: Name.optional(),
      name: Name.optional(),
      format: z.enum(['csv', 'json'], { error: 'format is csv or json' }).default('csv'),
      batchSize: z.number().int().min(1).max(10_000, 'batchSize is at most 10000').default(2000),
      timeoutMs: TimeoutMs.default(30_000),
      readOnly: z.boolean().optional(),
    }).refine((p) => (p.sql === undefined) === (p.schema !== undefined && p.name !== undefined), 'give sql, or schema and name'),
    stream: { contentType: (p) => (p.format === 'json' ? 'application/json; charset=utf-8' : 'text/csv; charset=utf-8') },
    run: (e, p, c) => {
      if (!c.write) throw new Error('exportRows streams its output: call it with a writer');
      return exportRows(e, p, c.write, c.signal);
    },
  }),
} satisfies OperationTable<PostgresEngine>;

export type PostgresOperations = typeof postgresOperations;
