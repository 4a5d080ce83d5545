import { EngineError } from '../errors';
import type { PostgresEngine } from './engine';
import { ident, qualified } from './sql-text';

export interface TriggerInfo {
  name: string;
  /** `CREATE TRIGGER …` as pg_get_triggerdef writes it (timing, events, level, function). */
  definition: string;
  /** origin (fires normally), disabled, replica or always (session_replication_role). */
  enabled: 'origin' | 'disabled' | 'replica' | 'always';
  function: string;
}
export interface RelationDetails {
  triggers: TriggerInfo[];
  /** A CREATE statement of the relation, its constraints, indexes, triggers and comments, rebuilt from the catalog. */
  ddl: string;
}

interface DdlRow {
  kind: string;
  parent: string | null;
  bound: string | null;
  partkey: string | null;
  viewdef: string | null;
  comment: string | null;
  server: string | null;
  columns: { name: string; type: string; notnull: boolean; default: string | null; generated: string | null; identity: string; collation: string | null; comment: string | null }[];
  constraints: { name: string; def: string }[];
  indexes: string[];
  triggers: { name: string; definition: string; enabled: string; function: string }[];
}

const DDL_SQL = `
SELECT c.relkind AS kind,
  (SELECT format('%I.%I', pn.nspname, pc.relname) FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
   WHERE i.inhrelid = c.oid AND c.relispartition) AS parent,
  pg_get_expr(c.relpartbound, c.oid) AS bound,
  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
  CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS viewdef,
  obj_description(c.oid, 'pg_class') AS comment,
  (SELECT s.srvname FROM pg_foreign_table ft JOIN pg_foreign_server s ON s.oid = ft.ftserver WHERE ft.ftrelid = c.oid) AS server,
  (SELECT coalesce(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notnull', a.attnotnull,
      'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
      'generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END, 'identity', a.attidentity,
      'collation', (SELECT format('%I.%I', cn.nspname, co.collname) FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
                    WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation AND a.attcollation <> 0),
      'comment', col_description(c.oid, a.attnum)) ORDER BY a.attnum), '[]')
   FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
  (SELECT coalesce(json_agg(json_build_object('name', k.conname, 'def', pg_get_constraintdef(k.oid, true))
      ORDER BY position(k.contype IN 'pucfx'), k.conname), '[]')
   FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u', 'c', 'f', 'x') AND k.conislocal) AS constraints,
  (SELECT coalesce(json_agg(pg_get_indexdef(x.indexrelid) ORDER BY i.relname), '[]') FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
   WHERE x.indrelid = c.oid AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = c.oid)) AS indexes,
  (SELECT coalesce(json_agg(json_build_object('name', g.tgname, 'definition', pg_get_triggerdef(g.oid, true), 'enabled', g.tgenabled,
      'function', g.tgfoid::regprocedure::text) ORDER BY g.tgname), '[]')
   FROM pg_trigger g WHERE g.tgrelid = c.oid AND NOT g.tgisinternal) AS triggers
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'v', 'm', 'f', 'p')`;

const ENABLED: Record<string, TriggerInfo['enabled']> = { O: 'origin', D: 'disabled', R: 'replica', A: 'always' };
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

function columnLine(c: DdlRow['columns'][number]): string {
  const parts = [`    ${ident(c.name)} ${c.type}`];
  if (c.collation) parts.push(`COLLATE ${c.collation}`);
  if (c.identity === 'a' || c.identity === 'd') parts.push(`GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  if (c.generated) parts.push(`GENERATED ALWAYS AS (${c.generated}) STORED`);
  if (c.default) parts.push(`DEFAULT ${c.default}`);
  if (c.notnull) parts.push('NOT NULL');
  return parts.join(' ');
}

/** Triggers and a rebuilt CREATE statement of a table, view or materialized view (PostgreSQL has no pg_get_tabledef). */
export async function relationDetails(engine: PostgresEngine, params: { schema: string; name: string }, signal?: AbortSignal): Promise<RelationDetails> {
  const [row] = await engine.catalog<DdlRow>(DDL_SQL, [params.schema, params.name], signal);
  if (!row) throw new EngineError('not_found', `PostgreSQL: there is no table or view ${JSON.stringify(params.name)} in schema ${JSON.stringify(params.schema)}`);
  const name = qualified(params.schema, params.name);
  const out: string[] = [];
  if (row.kind === 'v') out.push(`CREATE VIEW ${name} AS\n${row.viewdef?.trimEnd().replace(/;$/, '')};`);
  else if (row.kind === 'm') out.push(`CREATE MATERIALIZED VIEW ${name} AS\n${row.viewdef?.trimEnd().replace(/;$/, '')}\nWITH DATA;`);
  else if (row.parent) {
    out.push(`CREATE TABLE ${name} PARTITION OF ${row.parent}\n    ${row.bound ?? 'DEFAULT'}${row.partkey ? `\n    PARTITION BY ${row.partkey}` : ''};`);
  } else {
    const lines = [...row.columns.map(columnLine), ...row.constraints.map((k) => `    CONSTRAINT ${ident(k.name)} ${k.def}`)];
    const foreign = row.kind === 'f';
    out.push(`CREATE ${foreign ? 'FOREIGN ' : ''}TABLE ${name} (\n${lines.join(',\n')}\n)${row.partkey ? ` PARTITION BY ${row.partkey}` : ''}${foreign && row.server ? ` SERVER ${ident(row.server)}` : ''};`);
  }
  if (row.parent) for (const k of row.constraints) out.push(`ALTER TABLE ${name} ADD CONSTRAINT ${ident(k.name)} ${k.def};`);
  for (const index of row.indexes) out.push(`${index};`);
  for (const trigger of row.triggers) {
    out.push(`${trigger.definition};`);
    if (trigger.enabled === 'D') out.push(`ALTER TABLE ${name} DISABLE TRIGGER ${ident(trigger.name)};`);
  }
  const kind = row.kind === 'v' ? 'VIEW' : row.kind === 'm' ? 'MATERIALIZED VIEW' : row.kind === 'f' ? 'FOREIGN TABLE' : 'TABLE';
  if (row.comment !== null) out.push(`COMMENT ON ${kind} ${name} IS ${literal(row.comment)};`);
  for (const c of row.columns) if (c.comment !== null) out.push(`COMMENT ON COLUMN ${name}.${ident(c.name)} IS ${literal(c.comment)};`);
  return {
    triggers: row.triggers.map((t) => ({ name: t.name, definition: t.definition, enabled: ENABLED[t.enabled] ?? 'origin', function: t.function })),
    ddl: out.join('\n\n'),
  };
}

export interface CompletionCatalog {
  schemas: string[];
  /** Tables, views, materialized views, foreign and partitioned tables, with their columns (name and type). */
  relations: { schema: string; name: string; kind: string; columns: [string, string][] }[];
  /** More relations exist than `limit`. */
  truncated: boolean;
}

/** Names for SQL completion, in one bounded query: schemas the user may use, their relations and columns. */
export async function completionCatalog(engine: PostgresEngine, params: { limit?: number }, signal?: AbortSignal): Promise<CompletionCatalog> {
  const limit = params.limit ?? 2000;
  const visible = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND has_schema_privilege(n.oid, 'USAGE')`;
  const [schemas, relations] = await Promise.all([
    engine.catalog<{ name: string }>(`SELECT n.nspname AS name FROM pg_namespace n WHERE ${visible} ORDER BY 1 LIMIT 1000`, [], signal),
    engine.catalog<CompletionCatalog['relations'][number]>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind AS kind,
              (SELECT coalesce(json_agg(json_build_array(a.attname, format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum), '[]')
               FROM (SELECT * FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum LIMIT 300) a) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p') AND NOT c.relispartition AND ${visible}
       ORDER BY n.nspname = 'public' DESC, n.nspname, c.relname LIMIT $1`,
      [limit + 1],
      signal,
    ),
  ]);
  return { schemas: schemas.map((s) => s.name), relations: relations.slice(0, limit), truncated: relations.length > limit };
}
