import { MongoClient, type MongoClientOptions } from 'mongodb';
import type { EngineSettings } from '../settings';

/**
 * A MongoClient with the seed's pool and timeout settings. The driver parses the connection string
 * itself (SRV lookups, replica sets, TLS options); ours only validated it first.
 */
export function createMongoClient(connectionString: string, settings: EngineSettings, extra: MongoClientOptions = {}): MongoClient {
  return new MongoClient(connectionString, {
    maxPoolSize: settings.mongoMaxPoolSize,
    minPoolSize: Math.min(settings.mongoMinPoolSize, settings.mongoMaxPoolSize),
    connectTimeoutMS: settings.mongoConnectTimeoutMs,
    socketTimeoutMS: settings.mongoSocketTimeoutMs,
    serverSelectionTimeoutMS: settings.mongoConnectTimeoutMs,
    maxIdleTimeMS: settings.idleTimeoutMs,
    appName: 'ogelbase-explorer',
    ...extra,
  });
}
