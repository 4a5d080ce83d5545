import type pg from 'pg';
import { EngineError } from '../errors';
import type { PostgresEngine } from './engine';
import type { FailureContext } from './failure';
import { isCursorCandidate, qualified, singleStatement, wholeNumber } from './sql-text';
import type { TypeCache, TypeInfo } from './types';
import { parseArray } from './values';

export interface ExportParams {
  /** One query whose whole result is exported (no row cap): SELECT, VALUES, TABLE or a WITH that does not write. */
  sql?: string;
  /** Or a whole table, view or materialized view. */
  schema?: string;
  name?: string;
  format: 'csv' | 'json';
  /** Rows per FETCH from the server-side cursor. */
  batchSize?: number;
  /** statement_timeout of each statement (DECLARE, each FETCH): a slow query is stopped, a long export is not. */
  timeoutMs?: number;
  /** Run inside BEGIN READ ONLY (set by the server for read_only members). */
  readOnly?: boolean;
}
export interface ExportSummary {
  rows: number;
  /** Characters written (UTF-16 units of the chunks handed to `write`). */
  chars: number;
  columns: string[];
}
/** Takes the next piece of the file; resolves when the next may follow (the reader's pace sets the export's). */
export type ExportWriter = (chunk: string) => Promise<void>;

const CURSOR = 'ogelbase_export';
const DECLARE = `DECLARE ${CURSOR} NO SCROLL CURSOR FOR `;
const NUMERIC = new Set([20, 21, 23, 26, 700, 701, 1700]);
const JSON_TYPES = new Set([114, 3802]);

/** A CSV field (RFC 4180): NULL is an empty field, the empty string is `""` (as COPY … CSV writes them). */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return value === '' || /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One value as JSON text: numbers and booleans as such, json as itself, arrays as lists, the rest as PostgreSQL's text. */
export function jsonValue(value: string | null, type: TypeInfo, types: TypeCache): string {
  if (value === null) return 'null';
  if (type.oid === 16) return value === 't' ? 'true' : 'false';
  if (NUMERIC.has(type.oid) && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value)) return value;
  if (JSON_TYPES.has(type.oid)) return value;
  if (type.category === 'A' && type.elem && /^[{[]/.test(value)) {
    const elem = types.get(type.elem);
    const list = (items: ReturnType<typeof parseArray>): string => `[${items.map((v) => (Array.isArray(v) ? list(v) : jsonValue(v, elem, types))).join(',')}]`;
    return list(parseArray(value, elem.delim));
  }
  return JSON.stringify(value);
}

/**
 * Streams a query's whole result (or a whole relation) as CSV or JSON to `write`, from a server-side
 * cursor (DECLARE … NO SCROLL CURSOR, then FETCH batchSize at a time inside one transaction): no
 * more than one batch is ever held here, and the next FETCH waits until the reader took the last
 * chunk, so memory stays flat however large the result. The first chunk is written only once the
 * first FETCH succeeded, so a bad query fails before anything was written. Cancelling (signal)
 * cancels the running statement on the server (pg_cancel_backend) and drops the connection.
 */
export async function exportRows(engine: PostgresEngine, params: ExportParams, write: ExportWriter, signal?: AbortSignal): Promise<ExportSummary> {
  let text: string;
  const failure: FailureContext = {};
  if (params.sql !== undefined) {
    if (params.schema !== undefined || params.name !== undefined) throw new EngineError('invalid_input', 'PostgreSQL: export either a query (sql) or a table (schema and name), not both');
    const statement = singleStatement(params.sql);
    if (!isCursorCandidate(statement)) {
      throw new EngineError('invalid_input', 'PostgreSQL: only a query (SELECT, VALUES, TABLE, or WITH without INSERT/UPDATE/DELETE) can be exported; run other statements in the editor');
    }
    text = statement.text;
    Object.assign(failure, { sql: params.sql, offset: DECLARE.length - statement.start });
  } else if (params.schema !== undefined && params.name !== undefined) {
    const desc = await engine.relationShape({ schema: params.schema, name: params.name }, signal);
    text = `SELECT * FROM ${qualified(desc.schema, desc.name)}`;
  } else throw new EngineError('invalid_input', 'PostgreSQL: name what to export: sql, or schema and name');
  const readOnly = engine.readOnly || params.readOnly === true;
  const batchSize = wholeNumber(params.batchSize, 2000, 1, 10_000, 'batchSize');
  const timeoutMs = wholeNumber(params.timeoutMs, 30_000, 100, 300_000, 'timeoutMs');
  const json = params.format === 'json';
  if (!json && params.format !== 'csv') throw new EngineError('invalid_input', 'PostgreSQL: format is csv or json');

  return engine.session({ signal, discard: true, failure }, (s) =>
    s.transaction({ readOnly, timeoutMs }, async () => {
      await s.client.query({ text: DECLARE + text, queryMode: 'extended' } as pg.QueryConfig);
      const summary: ExportSummary = { rows: 0, chars: 0, columns: [] };
      let types: TypeInfo[] = [];
      let names: string[] = [];
      const emit = async (chunk: string) => {
        summary.chars += chunk.length;
        await write(chunk);
      };
      for (let first = true; ; first = false) {
        if (signal?.aborted) throw new EngineError('cancelled', 'PostgreSQL: the export was cancelled');
        const r = await s.client.query<(string | null)[]>({ text: `FETCH ${batchSize} FROM ${CURSOR}`, rowMode: 'array' });
        const parts: string[] = [];
        if (first) {
          await engine.loadTypes(r.fields.map((f) => f.dataTypeID));
          types = r.fields.map((f) => engine.types.get(f.dataTypeID));
          summary.columns = r.fields.map((f) => f.name);
          names = summary.columns.map((n) => JSON.stringify(n));
          parts.push(json ? '[' : `${summary.columns.map(csvField).join(',')}\r\n`);
        }
        for (const row of r.rows) {
          if (json) parts.push(`${summary.rows === 0 ? '\n' : ',\n'}{${row.map((v, i) => `${names[i]}:${jsonValue(v, types[i]!, engine.types)}`).join(',')}}`);
          else parts.push(`${row.map(csvField).join(',')}\r\n`);
          summary.rows++;
        }
        const last = r.rows.length < batchSize;
        if (last && json) parts.push(summary.rows === 0 ? ']\n' : '\n]\n');
        if (parts.length > 0) await emit(parts.join(''));
        if (last) break;
      }
      await s.client.query(`CLOSE ${CURSOR}`);
      return summary;
    }),
  );
}
