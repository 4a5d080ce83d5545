/**
 * Limits and timeouts of database connections, named after the seed's environment variables
 * (the server reads them from its environment; the extension uses these defaults).
 */
export interface EngineSettings {
  /** REDIS_MAX_CONNECTIONS / MAX_REDIS_CONNECTIONS: open Redis connections per process. */
  redisMaxConnections: number;
  /** REDIS_CONNECT_TIMEOUT (ms). */
  redisConnectTimeoutMs: number;
  /** REDIS_COMMAND_TIMEOUT (ms): a command without an answer by then fails. */
  redisCommandTimeoutMs: number;
  /** MONGODB_MAX_POOL_SIZE / MONGODB_MIN_POOL_SIZE: connections per MongoDB client. */
  mongoMaxPoolSize: number;
  mongoMinPoolSize: number;
  /** MONGODB_CONNECT_TIMEOUT / MONGODB_SOCKET_TIMEOUT (ms). */
  mongoConnectTimeoutMs: number;
  mongoSocketTimeoutMs: number;
  /** MAX_POSTGRES_CONNECTIONS: connections per PostgreSQL pool. */
  postgresMaxConnections: number;
  postgresConnectTimeoutMs: number;
  /** Default statement_timeout of ad-hoc SQL (ms). */
  postgresStatementTimeoutMs: number;
  /** MAX_TOTAL_CONNECTIONS: every engine together. */
  maxTotalConnections: number;
  /** A database's clients are closed after this long without use (ms). */
  idleTimeoutMs: number;
  /** Circuit breaker: consecutive failures that open it, and how long it stays open (ms). */
  breakerThreshold: number;
  breakerResetMs: number;
}

export const defaultEngineSettings: EngineSettings = {
  redisMaxConnections: 10,
  redisConnectTimeoutMs: 10_000,
  redisCommandTimeoutMs: 5_000,
  mongoMaxPoolSize: 10,
  mongoMinPoolSize: 2,
  mongoConnectTimeoutMs: 10_000,
  mongoSocketTimeoutMs: 45_000,
  postgresMaxConnections: 20,
  postgresConnectTimeoutMs: 10_000,
  postgresStatementTimeoutMs: 30_000,
  maxTotalConnections: 40,
  idleTimeoutMs: 30_000,
  breakerThreshold: 5,
  breakerResetMs: 60_000,
};
