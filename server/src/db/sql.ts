import type { DataDirLock } from './data-dir-lock';

/**
 * The platform database as the rest of the server sees it: parameterised queries and transactions,
 * whether it is a real PostgreSQL (DATABASE_URL) or the embedded PGlite. Repositories depend on
 * this interface only.
 */
export interface Queryable {
  query<Row extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
}

export interface PoolFigures {
  active: number;
  idle: number;
  waiting: number;
}

export interface PlatformSql extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** The embedded database's folder lock, when this process holds one (released by `close()`). */
  readonly lock?: DataDirLock;
  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs a multi-statement script (migrations). */
  exec(script: string): Promise<void>;
  poolFigures(): PoolFigures;
  close(): Promise<void>;
  /** The embedded database only: PGlite's own dump of its data directory (a gzipped tarball), taken between queries. */
  dumpDataDir?(): Promise<Uint8Array>;
}
