import { EngineError } from '../errors';
import type { PostgresEngine } from './engine';

export type RelationKind = 'table' | 'view' | 'materialized_view' | 'foreign_table' | 'partitioned_table';
const KINDS: Record<string, RelationKind> = { r: 'table', v: 'view', m: 'materialized_view', f: 'foreign_table', p: 'partitioned_table' };
const ACTIONS: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

export interface ServerInfo {
  version: string;
  serverVersion: string;
  database: string;
  user: string;
  /** True when writes are refused: the engine is read-only, the session defaults to read-only, or the server is a standby. */
  readOnly: boolean;
  inRecovery: boolean;
  sizeBytes: number | null;
}

export async function serverInfo(engine: PostgresEngine): Promise<ServerInfo> {
  const [row] = await engine.catalog<Omit<ServerInfo, 'readOnly'> & { sessionReadOnly: boolean }>(
    `SELECT version() AS version, current_setting('server_version') AS "serverVersion", current_database() AS database,
            current_user AS "user", current_setting('default_transaction_read_only') = 'on' AS "sessionReadOnly",
            pg_is_in_recovery() AS "inRecovery",
            CASE WHEN has_database_privilege(current_database(), 'CONNECT') THEN pg_database_size(current_database())::float8 END AS "sizeBytes"`,
  );
  const { sessionReadOnly, ...info } = row!;
  return { ...info, readOnly: engine.readOnly || sessionReadOnly || info.inRecovery };
}

export interface SchemaInfo {
  name: string;
  owner: string;
  /** Whether the current user may look inside (USAGE). */
  usable: boolean;
  tables: number;
  views: number;
  materializedViews: number;
  foreignTables: number;
  sequences: number;
  functions: number;
  comment: string | null;
}

/** Schemas of the database, without PostgreSQL's own (pg_catalog, information_schema, pg_toast*, pg_temp_*). */
export async function listSchemas(engine: PostgresEngine, params: { limit?: number } = {}): Promise<{ schemas: SchemaInfo[]; truncated: boolean }> {
  const limit = params.limit ?? 1000;
  const rows = await engine.catalog<SchemaInfo>(
    `SELECT n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner, has_schema_privilege(n.oid, 'USAGE') AS usable,
            count(*) FILTER (WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition)::int AS tables,
            count(*) FILTER (WHERE c.relkind = 'v')::int AS views, count(*) FILTER (WHERE c.relkind = 'm')::int AS "materializedViews",
            count(*) FILTER (WHERE c.relkind = 'f')::int AS "foreignTables", count(*) FILTER (WHERE c.relkind = 'S')::int AS sequences,
            (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = n.oid)::int AS functions,
            obj_description(n.oid, 'pg_namespace') AS comment
     FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
     GROUP BY n.oid ORDER BY n.nspname LIMIT $1`,
    [limit + 1],
  );
  return { schemas: rows.slice(0, limit), truncated: rows.length > limit };
}

export interface RelationInfo {
  name: string;
  kind: RelationKind;
  /** pg_class.reltuples: the planner's estimate after the last ANALYZE/VACUUM; null when never analysed or a view. */
  rowEstimate: number | null;
  /** Table, indexes and TOAST together (all partitions for a partitioned table); null for views and foreign tables. */
  totalBytes: number | null;
  /** A partition of a partitioned table (listed too, so it can be opened on its own). */
  isPartition: boolean;
  comment: string | null;
}

export async function listRelations(
  engine: PostgresEngine,
  params: { schema: string; search?: string; limit?: number },
): Promise<{ relations: RelationInfo[]; truncated: boolean }> {
  const limit = params.limit ?? 1000;
  const rows = await engine.catalog<Omit<RelationInfo, 'kind'> & { kind: string }>(
    `SELECT c.relname AS name, c.relkind AS kind, c.relispartition AS "isPartition", obj_description(c.oid, 'pg_class') AS comment,
            CASE WHEN c.relkind = 'p' THEN (SELECT sum(greatest(t.reltuples, 0)) FROM pg_partition_tree(c.oid) p JOIN pg_class t ON t.oid = p.relid WHERE p.isleaf)::float8
                 WHEN c.relkind IN ('r', 'm') AND c.reltuples >= 0 THEN c.reltuples::float8 END AS "rowEstimate",
            CASE WHEN c.relkind = 'p' THEN (SELECT sum(pg_total_relation_size(p.relid)) FROM pg_partition_tree(c.oid) p)::float8
                 WHEN c.relkind IN ('r', 'm') THEN pg_total_relation_size(c.oid)::float8 END AS "totalBytes"
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'f', 'p') AND ($2::text IS NULL OR strpos(lower(c.relname), lower($2)) > 0)
     ORDER BY c.relname LIMIT $3`,
    [params.schema, params.search ?? null, limit + 1],
  );
  if (rows.length === 0) {
    const [exists] = await engine.catalog('SELECT 1 FROM pg_namespace WHERE nspname = $1', [params.schema]);
    if (!exists) throw new EngineError('not_found', `PostgreSQL: there is no schema ${JSON.stringify(params.schema)}`);
  }
  return { relations: rows.slice(0, limit).map((r) => ({ ...r, kind: KINDS[r.kind]! })), truncated: rows.length > limit };
}

export interface ColumnInfo {
  name: string;
  /** With its modifier, as declared: `character varying(20)`, `numeric(12,2)`. */
  type: string;
  typeOid: number;
  nullable: boolean;
  /** The default expression; null for none and for generated columns. */
  default: string | null;
  identity: 'always' | 'by default' | null;
  /** The expression of a generated (stored) column. */
  generated: string | null;
  comment: string | null;
}
export interface IndexInfo {
  name: string;
  definition: string;
  unique: boolean;
  primary: boolean;
  /** Key columns (expression keys are left out; `expressions` says whether there are any). */
  columns: string[];
  expressions: boolean;
  partial: boolean;
  valid: boolean;
}
export interface ForeignKeyInfo {
  name: string;
  columns: string[];
  references: { schema: string; table: string; columns: string[] };
  onDelete: string;
  onUpdate: string;
}
export interface RelationDescription {
  schema: string;
  name: string;
  kind: RelationKind;
  rowEstimate: number | null;
  /** Has inheritance children or partitions: its ctids are not unique. */
  hasChildren: boolean;
  columns: ColumnInfo[];
  primaryKey: string[];
  indexes: IndexInfo[];
  foreignKeys: ForeignKeyInfo[];
  checks: { name: string; definition: string }[];
  uniqueConstraints: { name: string; columns: string[] }[];
  /** The query of a view or materialized view. */
  definition: string | null;
  comment: string | null;
}

const cols = (rel: string, keys: string, extra = '') =>
  `(SELECT coalesce(json_agg(a.attname ORDER BY u.n), '[]') FROM unnest(${keys}) WITH ORDINALITY u(attnum, n) JOIN pg_attribute a ON a.attrelid = ${rel} AND a.attnum = u.attnum ${extra})`;

const DESCRIBE_SQL = `
SELECT c.relkind AS kind, c.relhassubclass AS "hasChildren", obj_description(c.oid, 'pg_class') AS comment,
  CASE WHEN c.relkind IN ('r', 'm', 'p') AND c.reltuples >= 0 THEN c.reltuples::float8 END AS "rowEstimate",
  CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS definition,
  (SELECT coalesce(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'typeOid', a.atttypid::int,
      'nullable', NOT a.attnotnull, 'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
      'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
      'generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END,
      'comment', col_description(c.oid, a.attnum)) ORDER BY a.attnum), '[]')
   FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
  (SELECT coalesce(json_agg(json_build_object('name', i.relname, 'definition', pg_get_indexdef(x.indexrelid), 'unique', x.indisunique,
      'primary', x.indisprimary, 'columns', ${cols('c.oid', 'x.indkey', 'WHERE u.n <= x.indnkeyatts')}, 'expressions', x.indexprs IS NOT NULL,
      'partial', x.indpred IS NOT NULL, 'valid', x.indisvalid) ORDER BY i.relname), '[]')
   FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid) AS indexes,
  (SELECT coalesce(json_agg(json_build_object('name', k.conname, 'type', k.contype, 'columns', ${cols('k.conrelid', 'k.conkey')},
      'refSchema', rn.nspname, 'refTable', rc.relname, 'refColumns', ${cols('k.confrelid', 'k.confkey')},
      'onDelete', k.confdeltype, 'onUpdate', k.confupdtype, 'definition', pg_get_constraintdef(k.oid)) ORDER BY k.conname), '[]')
   FROM pg_constraint k LEFT JOIN pg_class rc ON rc.oid = k.confrelid LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
   WHERE k.conrelid = c.oid AND k.contype IN ('p', 'f', 'c', 'u')) AS constraints
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'm', 'f', 'p')`;

interface ConstraintRow {
  name: string;
  type: string;
  columns: string[];
  refSchema: string | null;
  refTable: string | null;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
  definition: string;
}

export async function describeRelation(engine: PostgresEngine, params: { schema: string; name: string }): Promise<RelationDescription> {
  const [row] = await engine.catalog<Omit<RelationDescription, 'schema' | 'name' | 'kind' | 'primaryKey' | 'foreignKeys' | 'checks' | 'uniqueConstraints'> & { kind: string; constraints: ConstraintRow[] }>(
    DESCRIBE_SQL,
    [params.schema, params.name],
  );
  if (!row) throw new EngineError('not_found', `PostgreSQL: there is no table or view ${JSON.stringify(params.name)} in schema ${JSON.stringify(params.schema)}`);
  const { constraints, kind, ...rest } = row;
  const ofType = (t: string) => constraints.filter((k) => k.type === t);
  return {
    schema: params.schema,
    name: params.name,
    kind: KINDS[kind]!,
    ...rest,
    primaryKey: ofType('p')[0]?.columns ?? [],
    foreignKeys: ofType('f').map((k) => ({
      name: k.name,
      columns: k.columns,
      references: { schema: k.refSchema!, table: k.refTable!, columns: k.refColumns },
      onDelete: ACTIONS[k.onDelete] ?? k.onDelete,
      onUpdate: ACTIONS[k.onUpdate] ?? k.onUpdate,
    })),
    checks: ofType('c').map((k) => ({ name: k.name, definition: k.definition })),
    uniqueConstraints: ofType('u').map((k) => ({ name: k.name, columns: k.columns })),
  };
}
