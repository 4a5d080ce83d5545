import pg from 'pg';
import { describeDriverError, EngineError, type EngineErrorCode } from '../errors';
import { lineColumn } from './sql-text';

export interface FailureContext {
  /** The caller's SQL, to turn the server's error position into a line and column of it. */
  sql?: string;
  /** Characters the engine put before the caller's SQL in the text it sent (`DECLARE c CURSOR FOR `, `EXPLAIN (…) `). */
  offset?: number;
  signal?: AbortSignal;
}

/**
 * SQLSTATE classes describeDriverError does not sort, all the caller's SQL: 23 (integrity: duplicate
 * key, not-null, foreign key), 0A (not supported), 2F/38/39 (a routine refused or failed: dblink
 * without a password, a function that raised), P0 (PL/pgSQL RAISE), 0L/0P (grantor, role).
 */
const byClass: Record<string, EngineErrorCode> = Object.fromEntries(['22', '23', '42', '0A', '25', '2F', '38', '39', 'P0', '0L', '0P'].map((c) => [c, 'invalid_input' as const]));

/**
 * Every PostgreSQL failure as an EngineError: the server's message, where in the caller's SQL it
 * points (line and column), its detail and hint, passed through describeDriverError (which maps
 * codes and masks secrets). A cancelled caller gets `cancelled`, whatever the driver said.
 */
export function pgFailure(error: unknown, context: FailureContext = {}): EngineError {
  if (context.signal?.aborted) return new EngineError('cancelled', 'PostgreSQL: the operation was cancelled');
  if (error instanceof EngineError) return error;
  if (!(error instanceof pg.DatabaseError)) return describeDriverError('postgres', error);
  let message = error.message;
  const position = Number(error.position);
  if (context.sql && position > 0) {
    const at = position - 1 - (context.offset ?? 0);
    if (at >= 0 && at <= context.sql.length) {
      const { line, column } = lineColumn(context.sql, at);
      message += ` (line ${line}, column ${column})`;
    }
  }
  if (error.detail) message += `. ${error.detail}`;
  if (error.hint) message += ` Hint: ${error.hint}`;
  const described = describeDriverError('postgres', { code: error.code, message });
  const code = error.code ?? '';
  // describeDriverError reads "timeout" in any message as a time-out, e.g. `column "timeout" does not exist`.
  if (described.code === 'timeout' && code !== '57014') return new EngineError(byClass[code.slice(0, 2)] ?? 'server', described.message);
  if (described.code === 'server' && byClass[code.slice(0, 2)]) return new EngineError(byClass[code.slice(0, 2)]!, described.message);
  return described;
}
