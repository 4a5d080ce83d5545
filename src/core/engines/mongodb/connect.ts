import { MongoClient, type MongoClientOptions } from 'mongodb';
import { parseConnectionString, type MongoConnection } from '../../connection-strings';
import { assertHostsResolve, assertSpeaksTls } from '../preflight';
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

/** A host-name lookup that takes longer than this is left to the driver (it may be a slow resolver, not a missing name). */
const RESOLVE_BOUND_MS = 3_000;

/**
 * Before the driver connects: host names that do not exist and a plain server behind tls=true end
 * at once with their cause, instead of the driver's server-selection timeout and a bare "timed out".
 * mongodb+srv:// is left to the driver (its SRV lookup fails at once by itself). `gate` (the
 * platform's host policy) runs after the names are looked up and before anything connects, so the
 * TLS check never opens a socket to a host the policy refuses.
 */
export async function mongoPreflight(connectionString: string, connectTimeoutMs: number, gate?: () => Promise<void>): Promise<void> {
  let parsed: MongoConnection | undefined;
  try {
    parsed = parseConnectionString('mongodb', connectionString) as MongoConnection;
  } catch {
    // the driver's parser reports it in its own words
  }
  if (parsed && !parsed.srv) await assertHostsResolve('mongodb', parsed.hosts, Math.min(RESOLVE_BOUND_MS, connectTimeoutMs));
  await gate?.();
  if (parsed && !parsed.srv && parsed.tls) await assertSpeaksTls('mongodb', parsed.hosts[0]!.host, parsed.hosts[0]!.port, connectTimeoutMs);
}
