import { parseConnectionString, type PostgresConnection } from '../../connection-strings';
import type { EngineFactory } from '../connection-manager';
import { postgresTlsMaterial } from './connect';
import { PostgresEngine } from './engine';

/**
 * Opens a PostgresEngine for the ConnectionManager: a pool of at most `capacity` connections,
 * read-only when the database is marked so. Certificates come as PEM text (or, in the extension,
 * from the files the connection string names, read asynchronously); on the server the first host
 * is resolved and checked by its host policy and the pool connects to that address. The pool
 * connects lazily; the first operation shows whether the database can be reached (and counts
 * towards its circuit breaker).
 */
export const openPostgresHandle: EngineFactory = async (database, capacity, settings) => {
  const parsed = parseConnectionString('postgres', database.connectionString) as PostgresConnection;
  const tls = await postgresTlsMaterial(parsed, database.tls, database.localFiles ?? false);
  const address = database.guard ? await database.guard.pin(parsed.hosts[0]!.host) : undefined;
  const engine = new PostgresEngine(parsed, { readOnly: database.readOnly, settings, max: capacity, tls, address, credentials: database.credentials });
  return { engine, capacity, figures: () => engine.figures(), close: () => engine.close() };
};
