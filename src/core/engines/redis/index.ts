/**
 * The Redis engine bundle (dist/engines/redis.js), loaded by the extension on first use: ioredis,
 * the engine, and its operation table, so a direct call is validated by the same schemas as a
 * call through the platform and the two paths cannot drift apart.
 */
import type { EngineModule } from '../engine-module';
import { openRedisHandle } from './handle';
import { redisOperations } from './operations';
import { probeRedis } from './probe';

export { RedisEngine, connectRedisEngine, type RedisEngineOptions } from './engine';
export { createRedisClient, type RedisClient } from './connect';
export { openRedisHandle, probeRedis };
export type { MatchParams } from './bulk';
export type { ReadJsonParams, ReadJsonResult } from './json';
export type { ReadStreamParams, ReadStreamResult, ReadZsetByScoreParams, ReadZsetParams } from './ranges';
export type { ReadStringParams, ReadStringResult, ScanValueParams, WindowParams } from './values';
export type { SetStringParams } from './writes';
export type * from './types';

/** The EngineModule entries the ConnectionManager and the host use. */
export const openHandle: EngineModule['openHandle'] = openRedisHandle;
export const operations = redisOperations as EngineModule['operations'];
export const probe: EngineModule['probe'] = probeRedis;
