import type { EngineFactory } from '../connection-manager';
import { PostgresEngine } from './engine';

/**
 * Opens a PostgresEngine for the ConnectionManager: a pool of at most `capacity` connections,
 * read-only when the database is marked so. The pool connects lazily; the first operation shows
 * whether the database can be reached (and counts towards its circuit breaker).
 */
export const openPostgresHandle: EngineFactory = async (database, capacity, settings) => {
  const engine = new PostgresEngine(database.connectionString, { readOnly: database.readOnly, settings, max: capacity });
  return { engine, capacity, figures: () => engine.figures(), close: () => engine.close() };
};
