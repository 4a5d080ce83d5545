import * as z from 'zod/mini';
import type { ResultOf } from '../../core/engines/operations';
import type { PostgresOperations } from '../../core/engines/postgres/operations';
import { command, notification, readyRequest, request } from './base';

/*
 * The query results panel's protocol (src/host/postgres/results-panel.ts ↔ src/webviews/pg-results):
 * the SQL editor's runs are driven by the host, which posts what each statement gave; the webview
 * asks for more rows, cancels, and exports.
 */

export type QueryResult = ResultOf<PostgresOperations, 'query'>;

/** One statement of a run, as the panel lists it. */
export interface RunStatement {
  index: number;
  /** The statement's text (at most 2,000 characters, for the header). */
  sql: string;
  /** 1-based line of the document where it starts. */
  line: number;
}

export interface RunStarted {
  runId: number;
  mode: 'run' | 'explain' | 'analyze';
  document: string;
  statements: RunStatement[];
  /** The statement timeout and row cap in force. */
  timeoutMs: number;
  maxRows: number;
}
export interface PlanResult {
  /** EXPLAIN (FORMAT JSON) output: `[{ Plan, Planning Time?, Execution Time? }]`. */
  json: unknown;
  /** The plan as PostgreSQL's text format (for EXPLAIN ANALYZE, rebuilt from the JSON, which ran it once). */
  text: string;
  analyzed: boolean;
}
export type StatementOutcome =
  | { kind: 'rows'; result: QueryResult; canFetchMore: boolean }
  | { kind: 'plan'; plan: PlanResult; durationMs: number }
  | { kind: 'error'; code: string; message: string; line?: number; column?: number }
  | { kind: 'skipped' };

export interface StatementDone {
  runId: number;
  index: number;
  outcome: StatementOutcome;
}
export interface RunFinished {
  runId: number;
  cancelled: boolean;
  durationMs: number;
}

export interface ResultsInit {
  maxRows: number;
}

export const Ready = readyRequest<ResultsInit>();
export const RunStartedNote = notification<RunStarted>()('results/started');
export const StatementDoneNote = notification<StatementDone>()('results/statement');
export const RunFinishedNote = notification<RunFinished>()('results/finished');
/** Cancels the run: the running statement is cancelled on the server (pg_cancel_backend). */
export const CancelRun = command('results/cancel', z.strictObject({ runId: z.number().check(z.int()) }));
/** The next rows of a statement's result: it runs again and skips the rows already shown (queries only). */
export const FetchMore = request<QueryResult>()('results/fetchMore', z.strictObject({ runId: z.number().check(z.int()), index: z.number().check(z.int(), z.minimum(0)), offset: z.number().check(z.int(), z.minimum(0)) }));
/** Exports a statement's whole result to a file (streamed from the database, progress and cancel). */
export const ExportResult = command('results/export', z.strictObject({ runId: z.number().check(z.int()), index: z.number().check(z.int(), z.minimum(0)), format: z.enum(['csv', 'json']) }));
export const ShowHistory = command('results/history', z.strictObject({}));
