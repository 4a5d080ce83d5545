import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite, Results } from '@electric-sql/pglite';
import type { Logger } from '../logger';
import { Availability } from './availability';
import type { DataDirLock } from './data-dir-lock';
import { loadPglite } from './pglite-module';
import type { PlatformSql } from './sql';

/** The entries of a data folder that are PostgreSQL's (not the lock, the key files, backups or the administration socket). */
export const isPostgresEntry = (name: string) => /^(PG_VERSION|base|global|pg_[a-z_]+(\.conf)?|postgresql(\.auto)?\.conf|postmaster\.(opts|pid))$/.test(name);

/** PGlite counts only written rows in `affectedRows`; a SELECT's count is its number of rows. */
const toResult = (result: Results<Record<string, unknown>>) => ({
  rows: result.rows as never[],
  rowCount: result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0),
});

/** A statement's own error carries a SQLSTATE; anything else from a closed or aborted instance means it is gone. */
const isFatal = (db: PGlite, error: unknown) =>
  db.closed || (!/^[0-9A-Z]{5}$/.test(String((error as { code?: unknown })?.code ?? '')) && /PGlite is clos|Aborted|RuntimeError|unreachable|memory access/i.test(String((error as Error)?.message ?? error)));

export interface PgliteSqlOptions {
  /** The lock on `dataDir`, held by the caller; released when the database is closed. */
  lock?: DataDirLock;
  log?: Logger;
  /** Called with each instance opened (the first one and any re-opened after a failure). */
  onOpen?: (db: PGlite) => void;
  /** A PGlite package folder to load instead of the installed one (PGLITE_PACKAGE_DIR). */
  packageDir?: string;
}

/**
 * The platform database embedded in the process (PostgreSQL compiled to WebAssembly), kept in a
 * folder so that `bun run` with no configuration gives a working platform. PGlite runs one query
 * at a time; its start takes seconds, so there is one instance per process, and one process per
 * folder (the caller holds the folder's lock). An instance that stops (closed, or its WebAssembly
 * aborted) answers 503 platform_unavailable while a fresh one is opened on the same folder.
 */
export async function createPgliteSql(dataDir: string | undefined, options: PgliteSqlOptions = {}): Promise<PlatformSql> {
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const availability = new Availability(options.log?.child('platform-db'));
  let PGliteClass: typeof PGlite;
  try {
    PGliteClass = (await loadPglite(options.packageDir)).PGlite;
  } catch (error) {
    options.lock?.release();
    throw new Error(`could not load the embedded PostgreSQL (PGlite${options.packageDir ? ` from ${options.packageDir}` : ''}): ${(error as Error).message}`, { cause: error });
  }
  const open = async () => {
    const instance = await PGliteClass.create(dataDir ? { dataDir } : {});
    options.onOpen?.(instance);
    return instance;
  };
  let db: PGlite;
  try {
    db = await open();
  } catch (error) {
    options.lock?.release();
    throw error;
  }
  let reopening: Promise<PGlite> | undefined;
  let closing = false;
  const reopen = (broken: PGlite) => {
    reopening ??= (async () => {
      await broken.close().catch(() => undefined);
      db = await open();
      options.log?.info('re-opened the embedded platform database');
      return db;
    })().finally(() => {
      reopening = undefined;
    });
    reopening.catch(() => undefined);
  };

  let busy = 0;
  const run = async <T>(work: (instance: PGlite) => Promise<T>): Promise<T> => {
    const instance = reopening ? await reopening.catch(() => db) : db;
    busy++;
    try {
      const result = await work(instance);
      availability.ok();
      return result;
    } catch (error) {
      if (closing || !isFatal(instance, error)) throw error;
      if (instance === db) reopen(instance);
      throw availability.fail(Object.assign(new Error(`PGlite is closed: ${(error as Error)?.message ?? error}`), { cause: error }));
    } finally {
      busy--;
    }
  };
  return {
    kind: 'pglite',
    lock: options.lock,
    query: (text, params) => run(async (instance) => toResult(await instance.query<Record<string, unknown>>(text, params))),
    transaction: (work) =>
      run((instance) =>
        instance.transaction((tx) =>
          work({
            query: async (text, params) => toResult(await tx.query<Record<string, unknown>>(text, params)),
          }),
        ),
      ),
    exec: async (script) => {
      await run((instance) => instance.exec(script));
    },
    dumpDataDir: async () => {
      if (!dataDir) return run(async (instance) => new Uint8Array(await (await instance.dumpDataDir('gzip')).arrayBuffer()));
      // PGlite's dump walks the whole mounted folder, which also holds the lock, the key files and
      // the administration socket (which it cannot read). So: a checkpoint, a copy of PostgreSQL's
      // own files taken while no query runs (the copy is synchronous), and PGlite's dump of that
      // copy, opened on its own (which also proves it opens).
      const copy = mkdtempSync(join(tmpdir(), 'ogelbase-pglite-copy-'));
      try {
        await run(async (instance) => {
          await instance.exec('CHECKPOINT');
          for (const name of readdirSync(dataDir)) if (isPostgresEntry(name)) cpSync(join(dataDir, name), join(copy, name), { recursive: true });
        });
        const snapshot = await PGliteClass.create({ dataDir: copy });
        try {
          return new Uint8Array(await (await snapshot.dumpDataDir('gzip')).arrayBuffer());
        } finally {
          await snapshot.close();
        }
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
    // One embedded connection: busy while a query runs; PGlite queues the others itself.
    poolFigures: () => ({ active: Math.min(busy, 1), idle: busy === 0 ? 1 : 0, waiting: Math.max(busy - 1, 0) }),
    close: async () => {
      closing = true;
      try {
        await (reopening ?? Promise.resolve(db)).catch(() => db);
        if (!db.closed) await db.close();
      } finally {
        options.lock?.release();
      }
    },
  };
}
