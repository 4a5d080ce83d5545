import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defaultHostPolicy, HostPolicy } from './security/host-policy';

/**
 * The server's configuration, read once from the environment variables that the seed's
 * `.env.production` lists (see server/.env.example for each one). Anything malformed stops the
 * server at start with a message naming the variable, never at the first request that needs it.
 */
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));
const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const EnvSchema = z.object({
  PORT: int(3001, 0, 65535),
  // Loopback unless told otherwise: a server started by hand is not on the network by accident.
  HOST: z.string().default('127.0.0.1'),
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),

  DATABASE_URL: optionalText,
  DATA_DIR: optionalText,

  ENCRYPTION_KEY: optionalText,
  MULTI_DB_CRYPTO_KEY: optionalText,
  ENCRYPTION_KEY_PREVIOUS: optionalText,
  REDIS_CRYPTO_KEY: optionalText,
  MONGODB_CRYPTO_KEY: optionalText,
  JWT_SECRET: optionalText,
  PG_META_CRYPTO_KEY: optionalText,
  STUDIO_PG_META_URL: optionalText,

  REDIS_URL: optionalText,
  REDIS_MAX_CONNECTIONS: int(10, 1, 1000),
  REDIS_COMMAND_TIMEOUT: int(5000, 1),
  REDIS_CONNECT_TIMEOUT: int(10000, 1),
  ENABLE_REDIS_MANAGEMENT: flag(true),

  MONGODB_URL: optionalText,
  MONGODB_MAX_POOL_SIZE: int(10, 1, 1000),
  MONGODB_MIN_POOL_SIZE: int(2, 0, 1000),
  MONGODB_CONNECT_TIMEOUT: int(10000, 1),
  MONGODB_SOCKET_TIMEOUT: int(45000, 1),
  ENABLE_MONGODB_MANAGEMENT: flag(true),

  BUN_API_URL: optionalText,
  BUN_API_KEY: optionalText,
  BUN_API_TIMEOUT: int(30000, 1),
  ENABLE_BUN_API_MANAGEMENT: flag(true),

  MAX_TOTAL_CONNECTIONS: int(40, 1, 10000),
  MAX_POSTGRES_CONNECTIONS: int(20, 1, 1000),
  MAX_REDIS_CONNECTIONS: int(10, 1, 1000),
  MAX_MONGODB_CONNECTIONS: int(10, 1, 1000),
  POSTGRES_STATEMENT_TIMEOUT: int(30000, 1),
  POSTGRES_CONNECT_TIMEOUT: int(10000, 1),
  POOL_IDLE_TIMEOUT: int(30000, 1000),

  RAILWAY_ENVIRONMENT: optionalText,
  RAILWAY_PROJECT_ID: optionalText,
  RAILWAY_SERVICE_NAME: optionalText,

  ENABLE_HEALTH_CHECKS: flag(true),
  HEALTH_CHECK_INTERVAL: int(60000, 0),
  HEALTH_CHECK_TIMEOUT: int(3000, 100, 60000),
  ENABLE_CONNECTION_METRICS: flag(true),
  ENABLE_QUERY_LOGGING: flag(false),

  RATE_LIMIT_PER_MINUTE: int(600, 1),
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: int(3000, 1),
  CLIENT_ADDRESS_HEADER: optionalText,

  DATABASE_HOST_POLICY: optionalText,
  METRICS_TOKEN: optionalText,
  PLATFORM_OPERATORS: optionalText,
  ALLOW_EMBEDDED_STORAGE_IN_PRODUCTION: flag(false),
  RAILWAY_ENVIRONMENT_NAME: optionalText,
  RAILWAY_SERVICE_ID: optionalText,
  MAX_BODY_BYTES: int(1024 * 1024, 1024),
  MAX_RESPONSE_BYTES: int(8 * 1024 * 1024, 64 * 1024),
  CIRCUIT_BREAKER_THRESHOLD: int(5, 1, 1000),
  CIRCUIT_BREAKER_RESET_TIMEOUT: int(60000, 100),
});

export type Config = z.infer<typeof EnvSchema> & {
  /** Folder of the embedded database and of generated secrets when DATABASE_URL is unset. */
  dataDir: string;
  /** The encryption key as configured (ENCRYPTION_KEY, or its seed alias MULTI_DB_CRYPTO_KEY). */
  encryptionKey: string | undefined;
  /** Deployed: NODE_ENV=production, or Railway's variables are present. */
  production: boolean;
  /** DATABASE_HOST_POLICY, or the default for local and deployed servers. */
  hostPolicy: string;
  /** PLATFORM_OPERATORS, lower-cased: who may use the routes about the platform's own Redis and MongoDB. */
  operators: string[];
};

export class ConfigError extends Error {}

function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'ogelbase-server');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const config = parsed.data;
  const production = config.NODE_ENV === 'production' || [config.RAILWAY_ENVIRONMENT, config.RAILWAY_ENVIRONMENT_NAME, config.RAILWAY_PROJECT_ID, config.RAILWAY_SERVICE_ID, config.RAILWAY_SERVICE_NAME].some(Boolean);
  const encryptionKey = config.ENCRYPTION_KEY ?? config.MULTI_DB_CRYPTO_KEY;
  if (production && !config.ALLOW_EMBEDDED_STORAGE_IN_PRODUCTION) {
    // A container's disk goes with each deploy, and a key kept beside the data it seals protects nothing.
    const problems = [
      ...(config.DATABASE_URL ? [] : ['DATABASE_URL is not set, so the platform data would live in the embedded database on this machine\'s disk']),
      ...(encryptionKey ? [] : ['ENCRYPTION_KEY is not set, so a key would be generated into DATA_DIR, beside the data it seals']),
    ];
    if (problems.length > 0) {
      throw new ConfigError(
        `refusing to start in production (${config.NODE_ENV === 'production' ? 'NODE_ENV=production' : "Railway's environment"}): ${problems.join('; ')}. Set DATABASE_URL and ENCRYPTION_KEY, or ALLOW_EMBEDDED_STORAGE_IN_PRODUCTION=true to accept that`,
      );
    }
  }
  const hostPolicy = config.DATABASE_HOST_POLICY ?? defaultHostPolicy(production);
  try {
    HostPolicy.parse(hostPolicy);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return {
    ...config,
    dataDir: config.DATA_DIR ?? defaultDataDir(env),
    encryptionKey,
    production,
    hostPolicy,
    operators: (config.PLATFORM_OPERATORS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
  };
}
