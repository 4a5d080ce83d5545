import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { describeDriverError } from '../../../src/core/engines/errors';
import { redisError } from '../../../src/core/engines/redis/errors';
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
 * check costs one round trip, and a stopped service fails fast instead of queueing.
 */
export function createServiceChecks(config: Config, sql: PlatformSql): ServiceChecks {
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
    const redis = new Redis(config.REDIS_URL, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: Math.min(timeout, config.REDIS_CONNECT_TIMEOUT),
      commandTimeout: Math.min(timeout, config.REDIS_COMMAND_TIMEOUT),
      retryStrategy: (attempt) => Math.min(attempt * 250, 2000),
      connectionName: 'ogelbase-health',
    });
    // Errors surface through the failing ping; the event only needs a listener.
    redis.on('error', () => undefined);
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
    const mongo = new MongoClient(config.MONGODB_URL, {
      serverSelectionTimeoutMS: timeout,
      connectTimeoutMS: Math.min(timeout, config.MONGODB_CONNECT_TIMEOUT),
      socketTimeoutMS: Math.min(timeout, config.MONGODB_SOCKET_TIMEOUT),
      maxPoolSize: 2,
      minPoolSize: 0,
      appName: 'ogelbase-health',
    });
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
