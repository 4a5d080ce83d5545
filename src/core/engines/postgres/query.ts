import pg from 'pg';
import { EngineError } from '../errors';
import type { PostgresEngine } from './engine';
import type { FailureContext } from './failure';
import type { Session } from './session';
import { isCursorCandidate, looksLikeWrite, singleStatement, wholeNumber, type Statement } from './sql-text';
import { encodeValue, type Cell, type Column } from './values';

export interface QueryParams {
  /** One statement (a trailing semicolon and comments are fine); several are refused, see singleStatement. */
  sql: string;
  maxRows?: number;
  timeoutMs?: number;
  batchSize?: number;
  /** Run inside BEGIN READ ONLY, so PostgreSQL refuses any write (the server sets it for read_only members). */
  readOnly?: boolean;
}
export interface QueryBatch {
  columns: Column[];
  rows: Cell[][];
  /** 0, 1, 2, … in delivery order; batch 0 always comes, even without rows, to carry the columns. */
  index: number;
}
export interface QueryResult {
  columns: Column[];
  rows: Cell[][];
  /** Rows returned (at most maxRows), or rows affected by INSERT/UPDATE/DELETE/MERGE. */
  rowCount: number;
  /** More rows existed than maxRows. */
  truncated: boolean;
  /** The command tag's first word, as node-postgres reports it: SELECT, INSERT, CREATE, VACUUM, … */
  command: string;
  durationMs: number;
  /** The server's NOTICE/WARNING messages (first 50). */
  notices?: string[];
}

const CURSOR = 'ogelbase_rows';
const DECLARE = `DECLARE ${CURSOR} NO SCROLL CURSOR FOR `;
type Deliver = (fields: pg.FieldDef[], rows: (string | null)[][]) => Promise<void>;

/**
 * Runs one statement and hands its rows over in batches as they arrive. Queries (SELECT, VALUES,
 * TABLE, WITH) run through a server-side cursor (DECLARE … NO SCROLL CURSOR, then FETCH batchSize),
 * so no more than maxRows + 1 rows ever leave the server; anything else (INSERT … RETURNING, SHOW,
 * DDL) runs directly and its rows are cut to maxRows here. Everything runs in one transaction with
 * SET LOCAL statement_timeout; a statement PostgreSQL refuses inside a transaction block (VACUUM,
 * CREATE DATABASE, … CONCURRENTLY) runs again on its own with a session statement_timeout, unless
 * the query is read-only.
 */
export async function queryStream(engine: PostgresEngine, params: QueryParams, onBatch: (batch: QueryBatch) => void | Promise<void>, signal?: AbortSignal): Promise<QueryResult> {
  const statement = singleStatement(params.sql);
  const readOnly = engine.readOnly || params.readOnly === true;
  const maxRows = wholeNumber(params.maxRows, 1000, 1, 10_000, 'maxRows');
  const batchSize = Math.min(wholeNumber(params.batchSize, 200, 1, 5000, 'batchSize'), maxRows);
  const timeoutMs = wholeNumber(params.timeoutMs, 30_000, 100, 300_000, 'timeoutMs');
  const started = performance.now();
  const notices: string[] = [];
  const failure: FailureContext = { sql: params.sql };
  let columns: Column[] = [];
  let index = 0;
  let delivered = 0;
  let truncated = false;

  const summary = await engine.session({ signal, timeoutMs: timeoutMs + 1_000, discard: true, failure }, async (s) => {
    const deliver: Deliver = async (fields, raw) => {
      if (index === 0) columns = await engine.types.columnsOf(s.client, fields);
      const room = maxRows - delivered;
      if (raw.length > room) truncated = true;
      const kept = raw.slice(0, room);
      if (kept.length === 0 && index > 0) return;
      const types = columns.map((c) => engine.types.get(c.typeOid));
      const rows = kept.map((row) => row.map((v, i) => encodeValue(v, types[i]!, engine.types)));
      delivered += rows.length;
      await onBatch({ columns, rows, index: index++ });
    };
    const onNotice = (n: { message?: string; severity?: string }) => void (notices.length < 50 && notices.push(`${n.severity ?? 'NOTICE'}: ${n.message}`));
    s.client.on('notice', onNotice);
    try {
      const run = () => (isCursorCandidate(statement) ? viaCursor(s, statement, failure, batchSize, maxRows, deliver) : direct(s, statement, failure, batchSize, deliver));
      try {
        return await s.transaction({ readOnly, timeoutMs }, run);
      } catch (error) {
        if (!(error instanceof pg.DatabaseError) || error.routine !== 'PreventInTransactionBlock' || index > 0) throw error;
        if (readOnly) throw new EngineError('read_only', `PostgreSQL: ${statement.words[0]?.toUpperCase()} cannot run inside a transaction, and read-only queries always run in one`);
        await s.client.query(`SET statement_timeout = ${Math.floor(timeoutMs)}`);
        return await direct(s, statement, failure, batchSize, deliver);
      }
    } finally {
      s.client.off('notice', onNotice);
    }
  });
  return {
    columns,
    rows: [],
    rowCount: summary.rowCount ?? delivered,
    truncated,
    command: summary.command,
    durationMs: Math.round(performance.now() - started),
    ...(notices.length > 0 ? { notices } : {}),
  };
}

async function viaCursor(s: Session, statement: Statement, failure: FailureContext, batchSize: number, maxRows: number, deliver: Deliver) {
  // Error positions count from the start of the DECLARE text, at DECLARE and at every FETCH.
  failure.offset = DECLARE.length - statement.start;
  await s.client.query({ text: DECLARE + statement.text, queryMode: 'extended' } as pg.QueryConfig);
  let fetched = 0;
  for (;;) {
    // One row past maxRows tells "truncated" from "exactly maxRows".
    const want = Math.min(batchSize, maxRows - fetched + 1);
    const r = await s.client.query<(string | null)[]>({ text: `FETCH ${want} FROM ${CURSOR}`, rowMode: 'array' });
    fetched += r.rows.length;
    await deliver(r.fields, r.rows);
    if (r.rows.length < want || fetched > maxRows) break;
  }
  await s.client.query(`CLOSE ${CURSOR}`);
  return { command: 'SELECT', rowCount: null as number | null };
}

async function direct(s: Session, statement: Statement, failure: FailureContext, batchSize: number, deliver: Deliver) {
  failure.offset = -statement.start;
  // The extended protocol also makes the server refuse a second statement the splitter missed.
  const r = await s.client.query<(string | null)[]>({ text: statement.text, rowMode: 'array', queryMode: 'extended' } as pg.QueryArrayConfig);
  const fields = r.fields ?? [];
  for (let i = 0; i === 0 || i < r.rows.length; i += batchSize) await deliver(fields, r.rows.slice(i, i + batchSize));
  const command = r.command ?? '';
  // Writes report the rows they touched (all of them, even past maxRows); other statements the rows returned.
  const affected = fields.length === 0 || /^(INSERT|UPDATE|DELETE|MERGE)$/.test(command);
  return { command, rowCount: affected ? r.rowCount : null };
}

/** {@link queryStream}, collected. */
export async function runQuery(engine: PostgresEngine, params: QueryParams, signal?: AbortSignal): Promise<QueryResult> {
  const rows: Cell[][] = [];
  const result = await queryStream(engine, params, (batch) => void rows.push(...batch.rows), signal);
  return { ...result, rows };
}

export interface ExplainParams {
  sql: string;
  analyze?: boolean;
  buffers?: boolean;
  format?: 'json' | 'text';
  timeoutMs?: number;
  readOnly?: boolean;
}
export interface ExplainResult {
  format: 'json' | 'text';
  /** The JSON plan (`[{ Plan: … }]`) or the text plan's lines joined. */
  plan: unknown;
  analyzed: boolean;
}

/**
 * EXPLAIN of one statement. With `analyze` the statement really runs, so it always runs inside a
 * transaction that is rolled back; on a read-only connection an ANALYZE of a write is refused.
 */
export async function explain(engine: PostgresEngine, params: ExplainParams, signal?: AbortSignal): Promise<ExplainResult> {
  const statement = singleStatement(params.sql);
  if (statement.words[0] === 'explain') throw new EngineError('invalid_input', 'PostgreSQL: give the statement to explain without EXPLAIN in front');
  const readOnly = engine.readOnly || params.readOnly === true;
  const analyze = params.analyze === true;
  if (analyze && readOnly && looksLikeWrite(statement)) {
    throw new EngineError('read_only', 'PostgreSQL: EXPLAIN ANALYZE runs the statement, and this one writes: refused on a read-only connection');
  }
  const format = params.format ?? 'json';
  const prefix = `EXPLAIN (FORMAT ${format.toUpperCase()}, ANALYZE ${analyze}, BUFFERS ${params.buffers === true}) `;
  const timeoutMs = wholeNumber(params.timeoutMs, 30_000, 100, 300_000, 'timeoutMs');
  const failure: FailureContext = { sql: params.sql, offset: prefix.length - statement.start };
  const result = await engine.session({ signal, timeoutMs: timeoutMs + 1_000, discard: true, failure }, (s) =>
    // The extended protocol: the server itself refuses a second statement, whatever the splitter saw.
    s.transaction({ readOnly, timeoutMs, rollback: true }, () => s.client.query<(string | null)[]>({ text: prefix + statement.text, rowMode: 'array', queryMode: 'extended' } as pg.QueryArrayConfig)),
  );
  const lines = result.rows.map((r) => r[0] ?? '');
  return { format, plan: format === 'json' ? JSON.parse(lines.join('\n')) : lines.join('\n'), analyzed: analyze };
}
