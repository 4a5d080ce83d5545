import pg from 'pg';
import type { PlatformSql, Queryable } from './sql';

/** The platform database on a real PostgreSQL server, through a `pg` pool. */
export function createPostgresSql(connectionString: string, options: { max: number; idleTimeoutMs: number; statementTimeoutMs: number }): PlatformSql {
  const pool = new pg.Pool({
    connectionString,
    max: options.max,
    idleTimeoutMillis: options.idleTimeoutMs,
    connectionTimeoutMillis: 10_000,
    statement_timeout: options.statementTimeoutMs,
    application_name: 'ogelbase-platform',
  });
  // An idle client that loses its server emits 'error' on the pool; without a listener it would crash the process.
  pool.on('error', () => undefined);
  const query: Queryable['query'] = async (text, params) => {
    const result = await pool.query(text, params);
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  };
  return {
    kind: 'postgres',
    query,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async (text, params) => {
            const r = await client.query(text, params);
            return { rows: r.rows, rowCount: r.rowCount ?? 0 };
          },
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async exec(script) {
      await pool.query(script);
    },
    poolFigures: () => ({ active: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}
