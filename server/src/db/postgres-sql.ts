import pg from 'pg';
import type { Logger } from '../logger';
import { Availability, unavailabilityReason } from './availability';
import type { PlatformSql, Queryable } from './sql';

export interface PostgresSqlOptions {
  max: number;
  idleTimeoutMs: number;
  statementTimeoutMs: number;
  /** How long a new connection may take (POSTGRES_CONNECT_TIMEOUT). */
  connectTimeoutMs?: number;
  log?: Logger;
}

/** Beyond the server's statement_timeout, how long the client waits before it gives a silent server up. */
const CLIENT_GRACE_MS = 5_000;

/**
 * The platform database on a real PostgreSQL server, through a `pg` pool. Every client, idle or
 * lent out, has an 'error' listener (an unhandled one would end the process); a client whose
 * connection broke is destroyed instead of going back to the pool; connection-level failures answer
 * `503 platform_unavailable`, and the pool reconnects by itself once the database is back.
 */
export function createPostgresSql(connectionString: string, options: PostgresSqlOptions): PlatformSql {
  const availability = new Availability(options.log?.child('platform-db'));
  const pool = new pg.Pool({
    connectionString,
    max: options.max,
    idleTimeoutMillis: options.idleTimeoutMs,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    statement_timeout: options.statementTimeoutMs,
    // A server that accepts connections and never answers must not hold a request forever.
    query_timeout: options.statementTimeoutMs + CLIENT_GRACE_MS,
    keepAlive: true,
    application_name: 'ogelbase-platform',
  });
  // An idle client that loses its server emits 'error' on the pool; the pool then drops it.
  pool.on('error', (error) => void availability.fail(error));

  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      availability.ok();
      return result;
    } catch (error) {
      throw availability.fail(error);
    }
  };
  const query: Queryable['query'] = (text, params) =>
    guarded(async () => {
      const result = await pool.query(text, params);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    });

  return {
    kind: 'postgres',
    query,
    async transaction(work) {
      const client = await guarded(() => pool.connect());
      // While lent out, the pool's own listener is off: a connection that drops now (terminated
      // backend, restarted server) emits 'error' here, and the statement's rejection reports it.
      let lost: unknown;
      const onError = (error: unknown) => (lost ??= error);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work({
          query: async (text, params) => {
            const r = await client.query(text, params);
            return { rows: r.rows, rowCount: r.rowCount ?? 0 };
          },
        });
        await client.query('COMMIT');
        availability.ok();
        return result;
      } catch (error) {
        // A connection that is gone (or silent) cannot roll back: destroying it rolls back on the server.
        if (lost === undefined && unavailabilityReason(error) === undefined) {
          await client.query('ROLLBACK').catch((rollbackError: unknown) => (lost = rollbackError));
        } else lost ??= error;
        throw availability.fail(error);
      } finally {
        client.off('error', onError);
        client.release(lost === undefined ? undefined : lost instanceof Error ? lost : new Error(String(lost)));
      }
    },
    async exec(script) {
      await guarded(() => pool.query(script));
    },
    poolFigures: () => ({ active: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}
