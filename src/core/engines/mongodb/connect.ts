import { MongoClient, type MongoClientOptions } from 'mongodb';
import type { EngineSettings } from '../settings';

/**
 * A MongoClient with the seed's pool and timeout settings. The driver parses the connection string
 * itself (SRV lookups, replica sets, TLS options); ours only validated it first.
 *
 * `bsonRegExp: true`: every regular expression the server returns stays a BSONRegExp with its
 * options as stored. Without it the driver builds a JavaScript RegExp, which turns the `s` option into
 * the flag `g` (a later read fails: "The regular expression option [g] is not supported") and drops
 * `x`, `l` and `u`, so an edited document would lose them on the next replace.
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
    bsonRegExp: true,
    ...extra,
  });
}
