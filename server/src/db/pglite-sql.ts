import { mkdirSync } from 'node:fs';
import { PGlite, type Results } from '@electric-sql/pglite';
import type { PlatformSql } from './sql';

/**
 * The platform database embedded in the process (PostgreSQL compiled to WebAssembly), kept in a
 * folder so that `bun run` with no configuration gives a working platform. PGlite runs one query
 * at a time; its start takes seconds, so there is one instance per process.
 */
/** PGlite counts only written rows in `affectedRows`; a SELECT's count is its number of rows. */
const toResult = (result: Results<Record<string, unknown>>) => ({
  rows: result.rows as never[],
  rowCount: result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0),
});

export async function createPgliteSql(dataDir: string | undefined): Promise<PlatformSql> {
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  let busy = 0;
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    busy++;
    try {
      return await work();
    } finally {
      busy--;
    }
  };
  return {
    kind: 'pglite',
    query: (text, params) =>
      track(async () => {
        return toResult(await db.query<Record<string, unknown>>(text, params));
      }),
    transaction: (work) =>
      track(() =>
        db.transaction((tx) =>
          work({
            query: async (text, params) => {
              return toResult(await tx.query<Record<string, unknown>>(text, params));
            },
          }),
        ),
      ),
    exec: async (script) => {
      await track(() => db.exec(script));
    },
    // One embedded connection: busy while a query runs; PGlite queues the others itself.
    poolFigures: () => ({ active: Math.min(busy, 1), idle: busy === 0 ? 1 : 0, waiting: Math.max(busy - 1, 0) }),
    close: () => db.close(),
  };
}
