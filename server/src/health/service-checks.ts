import { parseConnectionString, type RedisConnection } from '../../../src/core/connection-strings';
import { describeDriverError } from '../../../src/core/engines/errors';
import { createMongoClient } from '../../../src/core/engines/mongodb/connect';
import { createRedisClient } from '../../../src/core/engines/redis/connect';
import { redisError } from '../../../src/core/engines/redis/errors';
import type { EngineSettings } from '../../../src/core/engines/settings';
import type { Config } from '../config';
import type { PlatformSql } from '../db/sql';
import type { HealthCheck } from './health-service';

export interface ServiceChecks {
  checks: Record<string, HealthCheck>;
  close(): Promise<void>;
}

/**
 * The seed's health checks: the platform database always, Redis, MongoDB and the Bun API when
 * their URL is configured. Redis and MongoDB keep one small client each between checks, so a
 * check costs one round trip, and a stopped service fails fast instead of queueing. The clients are
 * the engine layer's (so REDIS_URL may also be a Sentinel or Cluster string), with every timeout
 * cut to the health check's deadline.
 */
export function createServiceChecks(config: Config, sql: PlatformSql, settings: EngineSettings): ServiceChecks {
  const checks: Record<string, HealthCheck> = {
    postgres: async () => {
      await sql.query('SELECT 1');
    },
  };
  const closers: (() => Promise<unknown>)[] = [];
  const timeout = config.HEALTH_CHECK_TIMEOUT;

  // ENABLE_HEALTH_CHECKS=false keeps only the platform database's own check.
  const optional = config.ENABLE_HEALTH_CHECKS;

  if (optional && config.REDIS_URL) {
    const redis = createRedisClient(
      parseConnectionString('redis', config.REDIS_URL) as RedisConnection,
      { ...settings, redisConnectTimeoutMs: Math.min(timeout, settings.redisConnectTimeoutMs), redisCommandTimeoutMs: Math.min(timeout, settings.redisCommandTimeoutMs) },
      { connectionName: 'ogelbase-health' },
    );
    checks.redis = async () => {
      try {
        if (redis.status === 'wait' || redis.status === 'end') await redis.connect();
        await redis.ping();
      } catch (error) {
        throw redisError(error);
      }
    };
    closers.push(() => redis.quit().catch(() => redis.disconnect()));
  }

  if (optional && config.MONGODB_URL) {
    const mongo = createMongoClient(
      config.MONGODB_URL,
      { ...settings, mongoConnectTimeoutMs: timeout, mongoSocketTimeoutMs: Math.min(timeout, settings.mongoSocketTimeoutMs), mongoMinPoolSize: 0 },
      { maxPoolSize: 2, appName: 'ogelbase-health' },
    );
    checks.mongodb = async () => {
      try {
        await mongo.db('admin').command({ ping: 1 });
      } catch (error) {
        throw describeDriverError('mongodb', error);
      }
    };
    closers.push(() => mongo.close());
  }

  if (optional && config.ENABLE_BUN_API_MANAGEMENT && config.BUN_API_URL) {
    const url = new URL('/health', config.BUN_API_URL).toString();
    checks.bun_api = async (signal) => {
      const response = await fetch(url, {
        signal,
        headers: config.BUN_API_KEY ? { authorization: `Bearer ${config.BUN_API_KEY}` } : {},
      });
      if (!response.ok) throw new Error(`GET /health answered ${response.status}`);
    };
  }

  return {
    checks,
    close: async () => {
      await Promise.all(closers.map((close) => close().catch(() => undefined)));
    },
  };
}
