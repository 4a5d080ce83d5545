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
export interface UpdatedRow {
  columns: Column[];
  /** The row as stored after the update (defaults, triggers and casts applied). */
  row: Cell[];
}

/** Checks the key names exactly the primary key, and returns `t.pk1 = $n::type AND …`. */
async function keyCondition(engine: PostgresEngine, desc: RelationShape, key: Record<string, unknown>, params: Params): Promise<string> {
  const where = `${desc.schema}.${desc.name}`;
  if (desc.kind !== 'table' && desc.kind !== 'partitioned_table') {
    throw new EngineError('invalid_input', `PostgreSQL: ${where} is a ${desc.kind.replace('_', ' ')}; only table rows can be edited here`);
  }
  if (desc.primaryKey.length === 0) {
    throw new EngineError('invalid_input', `PostgreSQL: ${where} has no primary key; rows are edited only by primary key, so add one (or use a SQL query)`);
  }
  const given = Object.keys(key);
  const missing = desc.primaryKey.filter((k) => !given.includes(k));
  const extra = given.filter((k) => !desc.primaryKey.includes(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new EngineError(
      'invalid_input',
      `PostgreSQL: the row key must name exactly the primary key of ${where} (${desc.primaryKey.join(', ')})${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; not in the key: ${extra.join(', ')}` : ''}`,
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

/** Runs one keyed write in a transaction, rolling back unless exactly one row was affected. */
async function writeOneRow(engine: PostgresEngine, desc: RelationShape, key: Record<string, unknown>, text: string, values: (string | null)[], signal?: AbortSignal) {
  return engine.session({ signal }, (s) =>
    s.transaction({}, async () => {
      const result = await s.client.query<(string | null)[]>({ text, values, rowMode: 'array' });
      if (result.rowCount === 0) {
        throw new EngineError('not_found', `PostgreSQL: no row of ${desc.schema}.${desc.name} has ${describeKey(key)} (deleted, or its key changed, since it was read); nothing was changed`);
      }
      if (result.rowCount !== 1) throw new EngineError('server', `PostgreSQL: the key matched ${result.rowCount} rows; nothing was changed`);
      return result;
    }),
  );
}

export async function updateCell(engine: PostgresEngine, params: UpdateCellParams, signal?: AbortSignal): Promise<UpdatedRow> {
  engine.assertWritable('updating a cell');
  const desc = await engine.relationShape(params, signal);
  const sql = new Params();
  const column = columnOf(desc, params.column);
  if (column.generated !== null) throw new EngineError('invalid_input', `PostgreSQL: ${column.name} is a generated column; its value is computed, not written`);
  // keyCondition also loads the column types the value's cast needs.
  const where = await keyCondition(engine, desc, params.key, sql);
  const type = engine.types.get(column.typeOid);
  const set = `${ident(column.name)} = ${sql.add(toPgText(params.value, type, engine.types, `the new value of ${JSON.stringify(column.name)}`), type.name)}`;
  const returning = desc.columns.map((c) => `t.${ident(c.name)}`).join(', ');
  const result = await writeOneRow(engine, desc, params.key, `UPDATE ${qualified(desc.schema, desc.name)} AS t SET ${set} WHERE ${where} RETURNING ${returning}`, sql.values, signal);
  const row = result.rows[0]!;
  return {
    columns: desc.columns.map((c) => ({ name: c.name, type: c.type, typeOid: c.typeOid, nullable: c.nullable })),
    row: desc.columns.map((c, i) => encodeValue(row[i] ?? null, engine.types.get(c.typeOid), engine.types)),
  };
}

export async function deleteRow(engine: PostgresEngine, params: DeleteRowParams, signal?: AbortSignal): Promise<{ deleted: number }> {
  engine.assertWritable('deleting a row');
  const desc = await engine.relationShape(params, signal);
  const sql = new Params();
  const where = await keyCondition(engine, desc, params.key, sql);
  await writeOneRow(engine, desc, params.key, `DELETE FROM ${qualified(desc.schema, desc.name)} AS t WHERE ${where}`, sql.values, signal);
  return { deleted: 1 };
}
