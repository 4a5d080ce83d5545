import type { Hono } from 'hono';
import type { MetricsReport } from '../../src/core/api/types';
import type { Keyring } from '../../src/core/crypto';
import { ConnectionManager } from '../../src/core/engines/connection-manager';
import { openHandle as openMongoHandle, operations as mongoOperations } from '../../src/core/engines/mongodb';
import { openHandle as openPostgresHandle, operations as postgresOperations } from '../../src/core/engines/postgres';
import { listMongoDatabases, probeConnection } from '../../src/core/engines/probe';
import { openHandle as openRedisHandle, operations as redisOperations } from '../../src/core/engines/redis';
import type { EngineSettings } from '../../src/core/engines/settings';
import { createApp } from './app';
import type { Config } from './config';
import { createPgliteSql } from './db/pglite-sql';
import { migrate } from './db/migrations';
import { createPostgresSql } from './db/postgres-sql';
import type { PlatformSql } from './db/sql';
import type { AppEnv } from './env';
import { HealthService } from './health/health-service';
import { memoryFigures } from './health/memory-figures';
import { createServiceChecks } from './health/service-checks';
import { createLogger, type Logger } from './logger';
import { loadJwtSecret, loadKeyring } from './security/key-material';
import { DatabaseService } from './services/databases';
import { AuditStore } from './store/audit';
import { DatabaseStore } from './store/databases';
import { OrganizationStore } from './store/organizations';
import { TokenStore } from './store/tokens';
import { UserStore } from './store/users';
import { SERVER_VERSION } from './version';

/** Everything the server is made of, built from the configuration; `close()` releases it all. */
export interface Platform {
  app: Hono<AppEnv>;
  config: Config;
  log: Logger;
  sql: PlatformSql;
  keyring: Keyring;
  /** HS256 secret of platform JWTs; undefined when JWTs are disabled. */
  jwtSecret: string | undefined;
  users: UserStore;
  organizations: OrganizationStore;
  databases: DatabaseStore;
  databaseService: DatabaseService;
  tokens: TokenStore;
  audit: AuditStore;
  health: HealthService;
  /** Open engines of the managed databases (the pg-meta-style proxy), with their breakers. */
  connections: ConnectionManager;
  close(): Promise<void>;
}

/** The engine layer's limits and timeouts from the seed's variables. */
export function engineSettingsFrom(config: Config): EngineSettings {
  return {
    redisMaxConnections: Math.min(config.REDIS_MAX_CONNECTIONS, config.MAX_REDIS_CONNECTIONS),
    redisConnectTimeoutMs: config.REDIS_CONNECT_TIMEOUT,
    redisCommandTimeoutMs: config.REDIS_COMMAND_TIMEOUT,
    mongoMaxPoolSize: Math.min(config.MONGODB_MAX_POOL_SIZE, config.MAX_MONGODB_CONNECTIONS),
    mongoMinPoolSize: config.MONGODB_MIN_POOL_SIZE,
    mongoConnectTimeoutMs: config.MONGODB_CONNECT_TIMEOUT,
    mongoSocketTimeoutMs: config.MONGODB_SOCKET_TIMEOUT,
    postgresMaxConnections: config.MAX_POSTGRES_CONNECTIONS,
    postgresConnectTimeoutMs: config.POSTGRES_CONNECT_TIMEOUT,
    postgresStatementTimeoutMs: config.POSTGRES_STATEMENT_TIMEOUT,
    maxTotalConnections: config.MAX_TOTAL_CONNECTIONS,
    idleTimeoutMs: config.POOL_IDLE_TIMEOUT,
    breakerThreshold: config.CIRCUIT_BREAKER_THRESHOLD,
    breakerResetMs: config.CIRCUIT_BREAKER_RESET_TIMEOUT,
  };
}

export interface PlatformOptions {
  log?: Logger;
  /** Reuse an already-open platform database (tests share one embedded instance per process). */
  sql?: PlatformSql;
}

export async function openPlatformSql(config: Config, log: Logger): Promise<PlatformSql> {
  if (config.DATABASE_URL) {
    return createPostgresSql(config.DATABASE_URL, {
      max: Math.min(config.MAX_POSTGRES_CONNECTIONS, config.MAX_TOTAL_CONNECTIONS),
      idleTimeoutMs: config.POOL_IDLE_TIMEOUT,
      statementTimeoutMs: config.POSTGRES_STATEMENT_TIMEOUT,
    });
  }
  log.info(`DATABASE_URL is not set: using the embedded PostgreSQL (PGlite) in ${config.dataDir}`);
  return createPgliteSql(config.dataDir);
}

export async function createPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const secrets = [config.encryptionKey, config.JWT_SECRET, config.PG_META_CRYPTO_KEY, config.BUN_API_KEY].filter((s): s is string => !!s);
  const log = options.log ?? createLogger({ level: config.LOG_LEVEL, secrets });
  const keyring = loadKeyring(config, log);
  const jwtSecret = loadJwtSecret(config, log);
  const ownsSql = !options.sql;
  const sql = options.sql ?? (await openPlatformSql(config, log));
  try {
    await migrate(sql, log.child('migrations'));
  } catch (error) {
    if (ownsSql) await sql.close();
    throw error;
  }

  const users = new UserStore(sql);
  const organizations = new OrganizationStore(sql);
  const databases = new DatabaseStore(sql);
  const tokens = new TokenStore(sql);
  const audit = new AuditStore(sql);
  const settings = engineSettingsFrom(config);
  const probeOptions = { timeoutMs: config.HEALTH_CHECK_TIMEOUT * 3, settings };
  const connections = new ConnectionManager(settings, { postgres: openPostgresHandle, redis: openRedisHandle, mongodb: openMongoHandle });
  const databaseService = new DatabaseService({
    sql,
    databases,
    organizations,
    audit,
    keyring,
    probe: (type, connectionString) => probeConnection(type, connectionString, probeOptions),
    onChanged: (id) => void connections.forget(id),
  });
  const serviceChecks = createServiceChecks(config, sql, settings);
  const health = new HealthService({ checks: serviceChecks.checks, timeoutMs: config.HEALTH_CHECK_TIMEOUT, cacheMs: config.HEALTH_CHECK_INTERVAL });
  const started = Date.now();

  const metrics = (): MetricsReport => {
    const engines = connections.figures();
    return {
      timestamp: new Date().toISOString(),
      uptime: (Date.now() - started) / 1000,
      ...memoryFigures(),
      connections: { platform: sql.poolFigures(), ...engines },
      circuits: connections.circuits(),
    };
  };

  const app = createApp({
    log,
    serverVersion: SERVER_VERSION,
    now: () => new Date(),
    uptime: () => (Date.now() - started) / 1000,
    maxBodyBytes: config.MAX_BODY_BYTES,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    auth: { users, tokens, jwtSecret, now: () => new Date() },
    organizations,
    databases: databaseService,
    health,
    metrics: config.ENABLE_CONNECTION_METRICS ? metrics : undefined,
    engineOperations: {
      manager: connections,
      tables: { postgres: postgresOperations, redis: redisOperations, mongodb: mongoOperations },
      queryLogging: config.ENABLE_QUERY_LOGGING,
      maxResponseBytes: config.MAX_RESPONSE_BYTES,
    },
    seedEngines: {
      redisUrl: config.REDIS_URL,
      mongodbUrl: config.MONGODB_URL,
      redisManagement: config.ENABLE_REDIS_MANAGEMENT,
      mongodbManagement: config.ENABLE_MONGODB_MANAGEMENT,
      probe: (type, connectionString) => probeConnection(type, connectionString, probeOptions),
      listMongoDatabases: (connectionString) => listMongoDatabases(connectionString, probeOptions),
    },
  });

  return {
    app,
    config,
    log,
    sql,
    keyring,
    jwtSecret,
    users,
    organizations,
    databases,
    databaseService,
    tokens,
    audit,
    health,
    connections,
    close: async () => {
      await connections.closeAll();
      await serviceChecks.close();
      if (ownsSql) await sql.close();
    },
  };
}
