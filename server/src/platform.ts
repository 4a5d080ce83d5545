import type { Hono } from 'hono';
import type { Redis } from 'ioredis';
import type { EngineType, MetricsReport } from '../../src/core/api/types';
import { parseConnectionString, type RedisConnection } from '../../src/core/connection-strings';
import type { ProbeTarget } from '../../src/core/engines/probe-result';
import { createRedisClient } from '../../src/core/engines/redis/connect';
import type { Keyring } from '../../src/core/crypto';
import { ConnectionManager } from '../../src/core/engines/connection-manager';
import { openHandle as openMongoHandle, operations as mongoOperations } from '../../src/core/engines/mongodb';
import { openHandle as openPostgresHandle, operations as postgresOperations } from '../../src/core/engines/postgres';
import { listMongoDatabases, probeConnection } from '../../src/core/engines/probe';
import { openHandle as openRedisHandle, operations as redisOperations } from '../../src/core/engines/redis';
import type { EngineSettings } from '../../src/core/engines/settings';
import { createApp } from './app';
import type { Config } from './config';
import { DataDirLock, type LockRole } from './db/data-dir-lock';
import { createPgliteSql } from './db/pglite-sql';
import { migrate } from './db/migrations';
import { createPostgresSql } from './db/postgres-sql';
import type { PlatformSql } from './db/sql';
import type { AppEnv } from './env';
import { EventLoopMonitor } from './health/event-loop';
import { HealthService } from './health/health-service';
import { memoryFigures } from './health/memory-figures';
import { createServiceChecks } from './health/service-checks';
import { createLogger, type Logger } from './logger';
import { badRequest } from './errors';
import { BoundedMemoryStore } from './middleware/rate-limit';
import { checkTlsMaterial } from './security/connection-checks';
import { HostPolicy } from './security/host-policy';
import { loadJwtSecret, loadKeyring } from './security/key-material';
import { DatabaseService } from './services/databases';
import { ReadCredentials } from './services/read-credential-flow';
import { RedisRateLimitStore, SharedCircuitBreaker } from './services/shared-state';
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
  /** Who opens the embedded database, for its lock (default: an administration command). */
  owner?: { role: LockRole; command?: string };
}

/**
 * Opens the platform database: a pool on DATABASE_URL, or the embedded PGlite in DATA_DIR after
 * taking the folder's lock (DataDirBusy when a live process holds it).
 */
export async function openPlatformSql(config: Config, log: Logger, owner: PlatformOptions['owner'] = { role: 'command' }): Promise<PlatformSql> {
  if (config.DATABASE_URL) {
    return createPostgresSql(config.DATABASE_URL, {
      max: Math.min(config.MAX_POSTGRES_CONNECTIONS, config.MAX_TOTAL_CONNECTIONS),
      idleTimeoutMs: config.POOL_IDLE_TIMEOUT,
      statementTimeoutMs: config.POSTGRES_STATEMENT_TIMEOUT,
      connectTimeoutMs: config.POSTGRES_CONNECT_TIMEOUT,
      log,
    });
  }
  const lock = await DataDirLock.acquire(config.dataDir, owner);
  if (lock.replaced) log.warn(`took over the lock of ${config.dataDir} left by process ${lock.replaced.pid}, which is no longer running`);
  log.info(`DATABASE_URL is not set: using the embedded PostgreSQL (PGlite) in ${config.dataDir}`);
  return createPgliteSql(config.dataDir, { lock, log });
}

/**
 * The platform's own Redis as the place processes share rate-limit counters and circuit breakers.
 * Waits (bounded) for it to be ready, so the first requests are counted there; a Redis that is
 * down at start only means each process counts alone until it is back.
 */
async function openCoordination(url: string, settings: EngineSettings, log: Logger, waitMs: number): Promise<Redis> {
  const client = createRedisClient(parseConnectionString('redis', url) as RedisConnection, settings, { connectionName: 'ogelbase-coordination', lazyConnect: false }) as Redis;
  client.on('error', (error: Error) => log.debug('coordination redis', { error: error.message }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([new Promise((resolve) => client.once('ready', resolve)), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
  clearTimeout(timer);
  if (client.status !== 'ready') log.warn('REDIS_URL did not answer at start: rate limits and circuit breakers are per process until it does');
  return client;
}

export async function createPlatform(config: Config, options: PlatformOptions = {}): Promise<Platform> {
  const secrets = [config.encryptionKey, config.JWT_SECRET, config.PG_META_CRYPTO_KEY, config.BUN_API_KEY].filter((s): s is string => !!s);
  const log = options.log ?? createLogger({ level: config.LOG_LEVEL, secrets });
  const ownsSql = !options.sql;
  // The folder's lock first: the key files below live in DATA_DIR too, and only its owner may create them.
  const sql = options.sql ?? (await openPlatformSql(config, log, options.owner));
  let keyring: Keyring;
  let jwtSecret: string | undefined;
  try {
    keyring = loadKeyring(config, log);
    jwtSecret = loadJwtSecret(config, log);
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
  const probeTimeoutMs = config.HEALTH_CHECK_TIMEOUT * 3;
  const probe = (type: EngineType, connectionString: string, target: ProbeTarget) => probeConnection(type, connectionString, { timeoutMs: probeTimeoutMs, settings, target });
  const hostPolicy = HostPolicy.parse(config.hostPolicy);
  // With REDIS_URL, rate-limit counters and circuit breakers are shared by every process through it.
  const coordination = config.REDIS_URL ? await openCoordination(config.REDIS_URL, settings, log, config.HEALTH_CHECK_TIMEOUT) : undefined;
  const connections = new ConnectionManager(
    settings,
    { postgres: openPostgresHandle, redis: openRedisHandle, mongodb: openMongoHandle },
    Date.now,
    coordination ? (id, name) => new SharedCircuitBreaker(coordination, id, name, { threshold: settings.breakerThreshold, resetTimeoutMs: settings.breakerResetMs }, log) : undefined,
  );
  const databaseService = new DatabaseService({
    sql,
    databases,
    organizations,
    audit,
    keyring,
    probe,
    hostPolicy,
    readCredentials: new ReadCredentials({ databases, audit, hostPolicy, settings, timeoutMs: probeTimeoutMs, log }),
    log,
    onChanged: (id) => void connections.forget(id),
  });
  const serviceChecks = createServiceChecks(config, sql, settings);
  const health = new HealthService({ checks: serviceChecks.checks, timeoutMs: config.HEALTH_CHECK_TIMEOUT, cacheMs: config.HEALTH_CHECK_INTERVAL });
  const started = Date.now();
  const eventLoop = new EventLoopMonitor();

  const metrics = (include?: (id: string) => boolean): MetricsReport => {
    const engines = connections.figures(include);
    return {
      timestamp: new Date().toISOString(),
      uptime: (Date.now() - started) / 1000,
      ...memoryFigures(),
      connections: { platform: sql.poolFigures(), ...engines },
      circuits: connections.circuits(include),
      eventLoop: eventLoop.read(),
    };
  };
  const limitStore = (scope: string) => (coordination ? new RedisRateLimitStore(coordination, new BoundedMemoryStore(), log, scope) : new BoundedMemoryStore());

  const app = createApp({
    log,
    serverVersion: SERVER_VERSION,
    now: () => new Date(),
    uptime: () => (Date.now() - started) / 1000,
    maxBodyBytes: config.MAX_BODY_BYTES,
    rateLimits: {
      perUser: config.RATE_LIMIT_PER_MINUTE,
      perAddress: config.RATE_LIMIT_PER_ADDRESS_PER_MINUTE,
      addressHeader: config.CLIENT_ADDRESS_HEADER,
      userStore: limitStore('user'),
      addressStore: limitStore('address'),
    },
    auth: { users, tokens, jwtSecret, now: () => new Date() },
    organizations,
    databases: databaseService,
    health,
    metrics: config.ENABLE_CONNECTION_METRICS ? metrics : undefined,
    metricsToken: config.METRICS_TOKEN,
    databaseIdsOf: (userId) => databases.idsForUser(userId),
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
      probe,
      listMongoDatabases: (connectionString) => listMongoDatabases(connectionString, { timeoutMs: probeTimeoutMs, settings }),
      operators: config.operators,
      checkConnection: (type, connectionString) => databaseService.checkConnection(type, connectionString),
      callerTarget: (tls) => {
        if (tls) {
          try {
            checkTlsMaterial(tls);
          } catch (error) {
            throw badRequest(`body.${(error as Error).message}`, [{ field: 'body.tls', message: (error as Error).message }]);
          }
        }
        return { tls, localFiles: false, guard: hostPolicy.guard() };
      },
      ownTarget: { localFiles: false },
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
      eventLoop.stop();
      await connections.closeAll();
      await serviceChecks.close();
      if (coordination) await coordination.quit().catch(() => coordination.disconnect());
      if (ownsSql) await sql.close();
    },
  };
}
