import { EngineError } from '../errors';
import type { RelationShape } from './shape';
import type { PostgresEngine } from './engine';
import { columnOf } from './keyset';
import { ident, Params, qualified } from './sql-text';
import { encodeValue, toPgText, type Cell, type Column } from './values';

export interface UpdateCellParams {
  schema: string;
  name: string;
  /** Every primary key column and its current value (JSON encoding), nothing else. */
  key: Record<string, unknown>;
  column: string;
  /** The new value in the JSON encoding of values.ts; null stores NULL. */
  value: unknown;
}
export interface DeleteRowParams {
  schema: string;
  name: string;
  key: Record<string, unknown>;
}
export interface DeleteRowsParams {
  schema: string;
  name: string;
  /** One primary key per row (each naming exactly the primary key columns). */
  keys: Record<string, unknown>[];
}
export interface InsertRowParams {
  schema: string;
  name: string;
  /** The columns to set (JSON encoding); every column left out takes its default. */
  values: Record<string, unknown>;
}
export interface UpdatedRow {
  columns: Column[];
  /** The row as stored after the update (defaults, triggers and casts applied). */
  row: Cell[];
}

/** A statement ready to run: its text with `$n` parameters, their values, and the relation it works on. */
export interface EditStatement {
  desc: RelationShape;
  text: string;
  values: (string | null)[];
  /** The key the statement is limited to (update and delete), for messages. */
  key?: Record<string, unknown>;
}

function assertEditable(desc: RelationShape, needsKey: boolean): void {
  const where = `${desc.schema}.${desc.name}`;
  if (desc.kind !== 'table' && desc.kind !== 'partitioned_table') {
    throw new EngineError('invalid_input', `PostgreSQL: ${where} is a ${desc.kind.replace('_', ' ')}; only table rows can be edited here`);
  }
  if (needsKey && desc.primaryKey.length === 0) {
    throw new EngineError('invalid_input', `PostgreSQL: ${where} has no primary key; rows are edited only by primary key, so add one (or use a SQL query)`);
  }
}

/** Checks the key names exactly the primary key, and returns `t.pk1 = $n::type AND …`. */
async function keyCondition(engine: PostgresEngine, desc: RelationShape, key: Record<string, unknown>, params: Params): Promise<string> {
  assertEditable(desc, true);
  const given = Object.keys(key);
  const missing = desc.primaryKey.filter((k) => !given.includes(k));
  const extra = given.filter((k) => !desc.primaryKey.includes(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new EngineError(
      'invalid_input',
      `PostgreSQL: the row key must name exactly the primary key of ${desc.schema}.${desc.name} (${desc.primaryKey.join(', ')})${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; not in the key: ${extra.join(', ')}` : ''}`,
    );
  }
  await engine.loadTypes(desc.columns.map((c) => c.typeOid));
  return desc.primaryKey
    .map((k) => {
      const type = engine.types.get(columnOf(desc, k).typeOid);
      const text = toPgText(key[k], type, engine.types, `the key value of ${JSON.stringify(k)}`);
      if (text === null) throw new EngineError('invalid_input', `PostgreSQL: the key value of ${JSON.stringify(k)} is missing (a primary key is never NULL)`);
      return `t.${ident(k)} = ${params.add(text, type.name)}`;
    })
    .join(' AND ');
}

const describeKey = (key: Record<string, unknown>) =>
  Object.entries(key)
    .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
    .join(', ');

const returning = (desc: RelationShape) => desc.columns.map((c) => `t.${ident(c.name)}`).join(', ');

export async function buildUpdate(engine: PostgresEngine, params: UpdateCellParams, signal?: AbortSignal): Promise<EditStatement> {
  const desc = await engine.relationShape(params, signal);
  const sql = new Params();
  const column = columnOf(desc, params.column);
  if (column.generated !== null) throw new EngineError('invalid_input', `PostgreSQL: ${column.name} is a generated column; its value is computed, not written`);
  // keyCondition also loads the column types the value's cast needs.
  const where = await keyCondition(engine, desc, params.key, sql);
  const type = engine.types.get(column.typeOid);
  const set = `${ident(column.name)} = ${sql.add(toPgText(params.value, type, engine.types, `the new value of ${JSON.stringify(column.name)}`), type.name)}`;
  return { desc, key: params.key, text: `UPDATE ${qualified(desc.schema, desc.name)} AS t SET ${set} WHERE ${where} RETURNING ${returning(desc)}`, values: sql.values };
}

export async function buildDeletes(engine: PostgresEngine, params: DeleteRowsParams, signal?: AbortSignal): Promise<EditStatement[]> {
  const desc = await engine.relationShape(params, signal);
  if (params.keys.length === 0) throw new EngineError('invalid_input', 'PostgreSQL: no row to delete');
  return Promise.all(
    params.keys.map(async (key) => {
      const sql = new Params();
      const where = await keyCondition(engine, desc, key, sql);
      return { desc, key, text: `DELETE FROM ${qualified(desc.schema, desc.name)} AS t WHERE ${where}`, values: sql.values };
    }),
  );
}

export async function buildInsert(engine: PostgresEngine, params: InsertRowParams, signal?: AbortSignal): Promise<EditStatement> {
  const desc = await engine.relationShape(params, signal);
  assertEditable(desc, false);
  await engine.loadTypes(desc.columns.map((c) => c.typeOid));
  const sql = new Params();
  const names = Object.keys(params.values);
  const values = names.map((name) => {
    const column = columnOf(desc, name);
    if (column.generated !== null) throw new EngineError('invalid_input', `PostgreSQL: ${name} is a generated column; its value is computed, not written`);
    const type = engine.types.get(column.typeOid);
    return sql.add(toPgText(params.values[name], type, engine.types, `the value of ${JSON.stringify(name)}`), type.name);
  });
  const target = `${qualified(desc.schema, desc.name)} AS t`;
  const text = names.length === 0 ? `INSERT INTO ${target} DEFAULT VALUES` : `INSERT INTO ${target} (${names.map(ident).join(', ')}) VALUES (${values.join(', ')})`;
  return { desc, text: `${text} RETURNING ${returning(desc)}`, values: sql.values };
}

/**
 * Runs keyed writes in one transaction, each of which must touch exactly one row: when one finds
 * none (deleted or re-keyed meanwhile) or several, everything is rolled back and the error says which.
 */
async function writeRows(engine: PostgresEngine, statements: EditStatement[], signal?: AbortSignal) {
  return engine.session({ signal }, (s) =>
    s.transaction({}, async () => {
      const results = [];
      for (const { desc, key, text, values } of statements) {
        const result = await s.client.query<(string | null)[]>({ text, values, rowMode: 'array' });
        const which = key ? ` has ${describeKey(key)}` : '';
        if (result.rowCount === 0) {
          throw new EngineError('not_found', `PostgreSQL: no row of ${desc.schema}.${desc.name}${which} (deleted, or its key changed, since it was read); nothing was changed`);
        }
        if (result.rowCount !== 1) throw new EngineError('server', `PostgreSQL: the key${which ? ` ${describeKey(key!)}` : ''} matched ${result.rowCount} rows; nothing was changed`);
        results.push(result);
      }
      return results;
    }),
  );
}

function storedRow(engine: PostgresEngine, desc: RelationShape, row: (string | null)[]): UpdatedRow {
  return {
    columns: desc.columns.map((c) => ({ name: c.name, type: c.type, typeOid: c.typeOid, nullable: c.nullable })),
    row: desc.columns.map((c, i) => encodeValue(row[i] ?? null, engine.types.get(c.typeOid), engine.types)),
  };
}

export async function updateCell(engine: PostgresEngine, params: UpdateCellParams, signal?: AbortSignal): Promise<UpdatedRow> {
  engine.assertWritable('updating a cell');
  const statement = await buildUpdate(engine, params, signal);
  const [result] = await writeRows(engine, [statement], signal);
  return storedRow(engine, statement.desc, result!.rows[0]!);
}

export async function deleteRow(engine: PostgresEngine, params: DeleteRowParams, signal?: AbortSignal): Promise<{ deleted: number }> {
  return deleteRows(engine, { schema: params.schema, name: params.name, keys: [params.key] }, signal);
}

export async function deleteRows(engine: PostgresEngine, params: DeleteRowsParams, signal?: AbortSignal): Promise<{ deleted: number }> {
  engine.assertWritable('deleting rows');
  const statements = await buildDeletes(engine, params, signal);
  await writeRows(engine, statements, signal);
  return { deleted: statements.length };
}

export async function insertRow(engine: PostgresEngine, params: InsertRowParams, signal?: AbortSignal): Promise<UpdatedRow> {
  engine.assertWritable('inserting a row');
  const statement = await buildInsert(engine, params, signal);
  const [result] = await writeRows(engine, [statement], signal);
  return storedRow(engine, statement.desc, result!.rows[0]!);
}
