import type { Redis } from 'ioredis';
import type { ConnectionFigures } from '../../api/types';
import { parseConnectionString, type RedisConnection } from '../../connection-strings';
import type { EngineFactory } from '../connection-manager';
import type { RedisClient } from './connect';
import { connectRedisEngine } from './engine';

/**
 * ioredis has no pool: one connection per server (per node on a Cluster). A connection is active
 * while it has commands waiting for replies; there is no offline queue, so nothing ever waits.
 */
function figuresOf(client: RedisClient): ConnectionFigures {
  const connections: Redis[] = client.isCluster ? (client as Exclude<RedisClient, Redis>).nodes() : [client as Redis];
  let active = 0;
  let idle = 0;
  for (const connection of connections) {
    if (connection.status !== 'ready') continue;
    if (connection.commandQueue.length > 0) active++;
    else idle++;
  }
  return { active, idle, waiting: 0 };
}

/** Opens a RedisEngine for the ConnectionManager (read-only when the database is marked so). */
export const openRedisHandle: EngineFactory = async (database, capacity, settings) => {
  const connection = parseConnectionString('redis', database.connectionString) as RedisConnection;
  const engine = await connectRedisEngine(connection, settings, { readOnly: database.readOnly, tls: database.tls, credentials: database.credentials, guard: database.guard });
  return { engine, capacity, figures: () => figuresOf(engine.client), close: () => engine.close() };
};
