import { EngineError } from '../errors';
import type { ColumnInfo, IndexInfo, RelationDescription, RelationKind } from './catalog';
import type { PostgresEngine } from './engine';

/**
 * What reading and editing rows needs to know about a relation: its columns (to check every name
 * the caller gives), its keys (to page and to edit) and its kind. A subset of describeRelation,
 * fetched by a lean query: every page asks for it afresh, so a column added or dropped meanwhile is
 * seen at once, and it must cost next to nothing beside the page itself.
 */
export type RelationShape = Pick<RelationDescription, 'schema' | 'name' | 'kind' | 'rowEstimate' | 'hasChildren' | 'primaryKey'> & {
  columns: Pick<ColumnInfo, 'name' | 'type' | 'typeOid' | 'nullable' | 'generated'>[];
  /** Unique indexes only. */
  indexes: Pick<IndexInfo, 'unique' | 'valid' | 'partial' | 'expressions' | 'columns' | 'primary'>[];
};

const KINDS: Record<string, RelationKind> = { r: 'table', v: 'view', m: 'materialized_view', f: 'foreign_table', p: 'partitioned_table' };

const SHAPE_SQL = `
SELECT c.relkind AS kind, c.relhassubclass AS "hasChildren",
  CASE WHEN c.relkind IN ('r', 'm', 'p') AND c.reltuples >= 0 THEN c.reltuples::float8 END AS "rowEstimate",
  (SELECT json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'typeOid', a.atttypid::int,
      'nullable', NOT a.attnotnull, 'generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END) ORDER BY a.attnum)
   FROM pg_attribute a LEFT JOIN pg_attrdef d ON a.attgenerated <> '' AND d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
  (SELECT coalesce(json_agg(json_build_object('primary', x.indisprimary, 'unique', true, 'valid', x.indisvalid, 'partial', x.indpred IS NOT NULL,
      'expressions', x.indexprs IS NOT NULL,
      'columns', (SELECT json_agg(a.attname ORDER BY k.n) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum WHERE k.n <= x.indnkeyatts))), '[]')
   FROM pg_index x WHERE x.indrelid = c.oid AND x.indisunique) AS indexes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'm', 'f', 'p')`;

export async function relationShape(engine: PostgresEngine, params: { schema: string; name: string }, signal?: AbortSignal): Promise<RelationShape> {
  const [row] = await engine.catalog<Omit<RelationShape, 'schema' | 'name' | 'kind' | 'primaryKey'> & { kind: string }>(SHAPE_SQL, [params.schema, params.name], signal);
  if (!row) throw new EngineError('not_found', `PostgreSQL: there is no table or view ${JSON.stringify(params.name)} in schema ${JSON.stringify(params.schema)}`);
  const primary = row.indexes.find((i) => i.primary);
  return { ...row, schema: params.schema, name: params.name, kind: KINDS[row.kind]!, primaryKey: primary?.columns ?? [] };
}
