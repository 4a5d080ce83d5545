import pg from 'pg';
import type { ConnectionFigures } from '../../api/types';
import { parseConnectionString, type PostgresConnection } from '../../connection-strings';
import { EngineError } from '../errors';
import { defaultEngineSettings, type EngineSettings } from '../settings';
import * as catalog from './catalog';
import { postgresPoolConfig, type PostgresPoolExtra } from './connect';
import * as edit from './edit';
import { pgFailure } from './failure';
import * as query from './query';
import * as rows from './rows';
import { relationShape, type RelationShape } from './shape';
import { runSession, type RunOptions, type Session } from './session';
import { driverTypes, rawTypes, TypeCache } from './types';

/** Beyond a time limit the server enforces itself, how long the client waits for a server that stays silent. */
const SILENT_SERVER_GRACE_MS = 5_000;

/** node-postgres' per-query client-side time limit (a real option its typings leave out). */
const bounded = (config: pg.QueryConfig, ms: number) => ({ ...config, query_timeout: ms }) as pg.QueryConfig;

export interface PostgresEngineOptions {
  /**
   * Refuse writes twice: the engine's write methods throw `read_only`, and every connection runs
   * with default_transaction_read_only=on (and ad-hoc SQL inside BEGIN READ ONLY), so PostgreSQL
   * refuses the rest. For a hard guarantee, connect as a role that has only SELECT grants.
   */
  readOnly?: boolean;
  settings?: EngineSettings;
  /** Pool size (default: settings.postgresMaxConnections). */
  max?: number;
  /** Certificates as PEM text, the pinned address and another login: see postgresPoolConfig. */
  tls?: PostgresPoolExtra['tls'];
  address?: string;
  credentials?: PostgresPoolExtra['credentials'];
}

/**
 * One PostgreSQL database: a pool of connections and the operations the explorer runs on it.
 * Runtime-agnostic (Node in the extension host, Bun in the server); results are plain JSON.
 */
export class PostgresEngine {
  readonly readOnly: boolean;
  readonly types = new TypeCache();
  private readonly pool: pg.Pool;
  /** For the short-lived connection that cancels a running statement. */
  private readonly clientConfig: pg.ClientConfig;
  /** The server-side default time limit of a statement (statement_timeout). */
  private readonly statementTimeoutMs: number;

  constructor(connection: PostgresConnection | string, options: PostgresEngineOptions = {}) {
    const parsed = typeof connection === 'string' ? (parseConnectionString('postgres', connection) as PostgresConnection) : connection;
    this.readOnly = options.readOnly ?? false;
    const settings = options.settings ?? defaultEngineSettings;
    this.statementTimeoutMs = settings.postgresStatementTimeoutMs;
    const config = postgresPoolConfig(parsed, settings, {
      readOnly: this.readOnly,
      max: options.max,
      tls: options.tls,
      address: options.address,
      credentials: options.credentials,
    });
    this.clientConfig = { ...config, statement_timeout: undefined, max: undefined } as pg.ClientConfig;
    this.pool = new pg.Pool({ ...config, types: rawTypes });
    // An idle connection that the server drops must not crash the process; the next checkout reconnects.
    this.pool.on('error', () => undefined);
  }

  /** Runs `work` on one pooled connection with cancellation and an overall time limit (see runSession). */
  session<T>(options: RunOptions, work: (session: Session) => Promise<T>): Promise<T> {
    // A silent server gets the operation's (or the statement's) time limit and a little more.
    return runSession(this.pool, this.clientConfig, { deadlineMs: (options.timeoutMs ?? this.statementTimeoutMs) + SILENT_SERVER_GRACE_MS, ...options }, work);
  }

  /** Pool queries outside a session: node-postgres gives a silent server up after this (and drops the connection). */
  private get silenceMs(): number {
    return this.statementTimeoutMs + SILENT_SERVER_GRACE_MS;
  }

  /** A catalog query with node-postgres' ordinary parsing (booleans, numbers, json). */
  async catalog<R extends object>(text: string, values: unknown[] = [], signal?: AbortSignal): Promise<R[]> {
    if (signal?.aborted) throw new EngineError('cancelled', 'PostgreSQL: the operation was cancelled');
    try {
      return (await this.pool.query<R>(bounded({ text, values, types: driverTypes }, this.silenceMs))).rows;
    } catch (error) {
      throw pgFailure(error, { signal });
    }
  }

  /** Makes sure the type cache knows these OIDs (one catalog query for the unknown ones). */
  async loadTypes(oids: Iterable<number>): Promise<void> {
    try {
      const pool = { query: (config: pg.QueryConfig) => this.pool.query(bounded(config, this.silenceMs)) } as unknown as pg.Pool;
      await this.types.load(pool, oids);
    } catch (error) {
      throw pgFailure(error);
    }
  }

  /** The engine's write methods call this first. */
  assertWritable(what: string): void {
    if (this.readOnly) throw new EngineError('read_only', `PostgreSQL: this connection is read-only; ${what} was refused`);
  }

  serverInfo(): Promise<catalog.ServerInfo> {
    return catalog.serverInfo(this);
  }
  listSchemas(params?: { limit?: number }) {
    return catalog.listSchemas(this, params);
  }
  listRelations(params: { schema: string; search?: string; limit?: number }) {
    return catalog.listRelations(this, params);
  }
  describeRelation(params: { schema: string; name: string }): Promise<catalog.RelationDescription> {
    return catalog.describeRelation(this, params);
  }
  /** The lean description rowsPage, countRows and the edits work from. */
  relationShape(params: { schema: string; name: string }, signal?: AbortSignal): Promise<RelationShape> {
    return relationShape(this, params, signal);
  }
  rowsPage(params: rows.RowsPageParams, signal?: AbortSignal): Promise<rows.RowsPage> {
    return rows.rowsPage(this, params, signal);
  }
  countRows(params: rows.CountRowsParams, signal?: AbortSignal): Promise<rows.RowCount> {
    return rows.countRows(this, params, signal);
  }
  query(params: query.QueryParams, signal?: AbortSignal): Promise<query.QueryResult> {
    return query.runQuery(this, params, signal);
  }
  /** Like {@link query}, with rows delivered in batches as they arrive; resolves with the summary (its `rows` empty). */
  queryStream(params: query.QueryParams, onBatch: (batch: query.QueryBatch) => void | Promise<void>, signal?: AbortSignal): Promise<query.QueryResult> {
    return query.queryStream(this, params, onBatch, signal);
  }
  explain(params: query.ExplainParams, signal?: AbortSignal): Promise<query.ExplainResult> {
    return query.explain(this, params, signal);
  }
  updateCell(params: edit.UpdateCellParams, signal?: AbortSignal): Promise<edit.UpdatedRow> {
    return edit.updateCell(this, params, signal);
  }
  deleteRow(params: edit.DeleteRowParams, signal?: AbortSignal): Promise<{ deleted: number }> {
    return edit.deleteRow(this, params, signal);
  }

  /** Connections in use, idle, and callers waiting for one (the server's connection figures). */
  figures(): ConnectionFigures {
    return { active: this.pool.totalCount - this.pool.idleCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
