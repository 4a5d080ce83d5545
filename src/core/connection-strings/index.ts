import { type EngineType } from './errors';
import { parseMongo, type MongoConnection } from './mongodb';
import { isLibpqKeyword, looksLikeKeywordForm, parsePostgres, type PostgresConnection } from './postgres';
import { parseRedis, type RedisConnection } from './redis';
import { own, SCHEME_ENGINE, schemeOf } from './uri';

export { ConnectionStringError, ENGINE_LABEL, type ConnectionStringReason, type EngineType } from './errors';
export type { HostPort } from './uri';
export { parsePostgres, PG_SSL_MODES, PG_TARGET_SESSION_ATTRS, type PgSslMode, type PgTargetSessionAttrs, type PostgresConnection } from './postgres';
export {
  parseRedis,
  type RedisClusterConnection,
  type RedisConnection,
  type RedisSentinelConnection,
  type RedisStandaloneConnection,
  type RedisTopology,
} from './redis';
export {
  MONGO_AUTH_MECHANISMS,
  MONGO_READ_PREFERENCES,
  parseMongo,
  type MongoAuthMechanism,
  type MongoConnection,
  type MongoOptionValue,
  type MongoReadPreference,
} from './mongodb';
export { MASK, maskConnectionString, UNPARSEABLE } from './mask';
export { describeEndpoint, isPrivateHostName, isPrivateNetworkHost } from './describe';

/** A parsed connection string; `engine` tells which, and for Redis `topology` tells which form. */
export type ParsedConnection = PostgresConnection | RedisConnection | MongoConnection;

const PARSE = { postgres: parsePostgres, redis: parseRedis, mongodb: parseMongo } as const;

/**
 * Parses and validates a connection string for the given engine. Leading and trailing whitespace is
 * ignored (a paste artefact); anything malformed throws {@link ConnectionStringError}, whose message
 * names the problem and never contains the password.
 */
export function parseConnectionString(type: EngineType, value: string): ParsedConnection {
  const parse = own<(value: string) => ParsedConnection>(PARSE, type);
  if (parse === undefined) throw new TypeError(`unknown database type: expected postgres, redis or mongodb`);
  return parse(String(value));
}

/**
 * The engine a connection string is for, from its scheme (postgresql:// postgres:// redis:// rediss://
 * redis+sentinel:// redis-sentinel:// rediss+sentinel:// redis+cluster:// rediss+cluster:// mongodb://
 * mongodb+srv://, case-insensitive), or 'postgres' for libpq's keyword form starting with a libpq
 * keyword (`host=... dbname=...`); undefined otherwise. It does not validate the rest.
 */
export function detectEngine(value: string): EngineType | undefined {
  const raw = String(value).trim();
  const scheme = schemeOf(raw);
  if (scheme !== undefined) return own(SCHEME_ENGINE, scheme);
  return looksLikeKeywordForm(raw) && isLibpqKeyword(/^\s*([A-Za-z_]\w*)/.exec(raw)![1]!) ? 'postgres' : undefined;
}
