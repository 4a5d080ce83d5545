import type { Redis } from 'ioredis';
import type { RedisConnection } from '../../connection-strings';
import type { OperationContext } from '../operations';
import type { EngineSettings } from '../settings';
import { countMatching, deleteKeys, deleteMatching, type MatchParams } from './bulk';
import { createRedisClient, pinRedisHosts, redisPreflight, type RedisClient, type RedisReach } from './connect';
import type { RedisContext } from './context';
import { EngineError } from '../errors';
import { redisError } from './errors';
import { getKey, serverInfo } from './info';
import { readJson, type ReadJsonParams } from './json';
import { scanKeys } from './key-info';
import { listNamespace } from './namespaces';
import * as checked from './checked';
import { readStream, readZset, readZsetByScore, type ReadStreamParams, type ReadZsetByScoreParams, type ReadZsetParams } from './ranges';
import type { KeyInput, ListNamespaceParams, ScanKeysParams, ServerInfo, TextInput, ZsetScore } from './types';
import { readHash, readList, readSet, readString, type ReadStringParams, type ScanValueParams, type WindowParams } from './values';
import * as writes from './writes';

export interface RedisEngineOptions {
  /** Refuse every write before it reaches the server (a production database opened for reading). */
  readOnly?: boolean;
}

type Key = { key: KeyInput };

/**
 * Browsing and editing one Redis database (a single server, a Sentinel-managed master or a Cluster)
 * over a connected ioredis client. Every read is bounded (a page of keys, a window of a value) and
 * every result is plain JSON. The client stays the caller's: `close()` is there for convenience.
 */
export class RedisEngine {
  private readonly ctx: RedisContext;
  readonly topology: ServerInfo['topology'];

  constructor(
    readonly client: RedisClient,
    options: RedisEngineOptions = {},
  ) {
    this.ctx = { client, readOnly: options.readOnly ?? false, memoryUsage: true };
    this.topology = client.isCluster ? 'cluster' : (client as Redis).options.sentinels?.length ? 'sentinel' : 'standalone';
  }

  get readOnly(): boolean {
    return this.ctx.readOnly;
  }

  serverInfo = () => serverInfo(this.ctx, this.topology);
  scanKeys = (params: ScanKeysParams = {}, context: OperationContext = {}) => scanKeys(this.ctx, params, context.signal);
  listNamespace = (params: ListNamespaceParams, context: OperationContext = {}) => listNamespace(this.ctx, params, context.signal);
  getKey = (params: Key) => getKey(this.ctx, params.key);

  readString = (params: ReadStringParams) => readString(this.ctx, params);
  readHash = (params: ScanValueParams) => readHash(this.ctx, params);
  readList = (params: WindowParams) => readList(this.ctx, params);
  readSet = (params: ScanValueParams) => readSet(this.ctx, params);
  readZset = (params: ReadZsetParams) => readZset(this.ctx, params);
  readZsetByScore = (params: ReadZsetByScoreParams) => readZsetByScore(this.ctx, params);
  readStream = (params: ReadStreamParams) => readStream(this.ctx, params);
  readJson = (params: ReadJsonParams) => readJson(this.ctx, params);

  setString = (params: writes.SetStringParams & { expectedSha1?: string }) =>
    params.expectedSha1 === undefined ? writes.setString(this.ctx, params) : checked.setStringChecked(this.ctx, { ...params, expectedSha1: params.expectedSha1 });
  hashSet = (params: Key & { field: TextInput; value: TextInput; expected?: TextInput | null }) =>
    params.expected === undefined ? writes.hashSet(this.ctx, params) : checked.hashSetChecked(this.ctx, { ...params, expected: params.expected });
  hashDelete = (params: Key & { fields: TextInput[] }) => writes.hashDelete(this.ctx, params);
  listPush = (params: Key & { values: TextInput[]; end: 'head' | 'tail' }) => writes.listPush(this.ctx, params);
  listSet = (params: Key & { index: number; value: TextInput; expected?: TextInput }) =>
    params.expected === undefined ? writes.listSet(this.ctx, params) : checked.listSetChecked(this.ctx, { ...params, expected: params.expected });
  listRemove = (params: Key & { value: TextInput; count: number }) => writes.listRemove(this.ctx, params);
  setAdd = (params: Key & { members: TextInput[] }) => writes.setAdd(this.ctx, params);
  setReplace = (params: Key & { member: TextInput; newMember: TextInput }) => checked.setReplace(this.ctx, params);
  setRemove = (params: Key & { members: TextInput[] }) => writes.setRemove(this.ctx, params);
  zsetAdd = (params: Key & { members: { member: TextInput; score: ZsetScore }[] }) => writes.zsetAdd(this.ctx, params);
  zsetScore = (params: Key & { member: TextInput; score: ZsetScore; expected: ZsetScore | null }) => checked.zsetScoreChecked(this.ctx, params);
  zsetRemove = (params: Key & { members: TextInput[] }) => writes.zsetRemove(this.ctx, params);
  streamAdd = (params: Key & { fields: { field: TextInput; value: TextInput }[]; id?: string }) => writes.streamAdd(this.ctx, params);
  expire = (params: Key & { ttl: number | null }) => writes.expire(this.ctx, params);
  rename = (params: Key & { newKey: KeyInput; overwrite?: boolean }) => writes.rename(this.ctx, params);
  deleteKeys = (params: { keys: KeyInput[] }) => deleteKeys(this.ctx, params);

  countMatching = (params: MatchParams, context: OperationContext = {}) => countMatching(this.ctx, params, context.signal);
  deleteMatching = (params: MatchParams & { batch?: number }, context: OperationContext = {}) => deleteMatching(this.ctx, params, context.signal);

  /** QUIT, or a hard disconnect when the server does not answer. */
  async close(): Promise<void> {
    await checked.closeChecked(this.ctx);
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/**
 * Creates the client for a parsed connection string, connects it and wraps it in an engine. ioredis
 * rejects connect() with a bare "Connection is closed." and reports the cause as an 'error' event,
 * so that first error is what the caller sees (passwords masked by describeDriverError).
 */
export async function connectRedisEngine(connection: RedisConnection, settings: EngineSettings, options: RedisEngineOptions & { connectionName?: string } & RedisReach = {}): Promise<RedisEngine> {
  const addresses = options.addresses ?? (await pinRedisHosts(connection, options.guard));
  await redisPreflight(connection, settings.redisConnectTimeoutMs, addresses);
  const client = createRedisClient(connection, settings, { connectionName: options.connectionName, tls: options.tls, credentials: options.credentials, guard: options.guard, addresses });
  let cause: unknown;
  const remember = (error: unknown) => (cause ??= error);
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const failure = redisError(cause ?? error);
    // A time-out before the connection was ready (AUTH, SELECT or the ready check unanswered: a server
    // that accepts connections and stays silent) is a failure to connect, which the breaker counts.
    if (failure.code === 'timeout' && !failure.connecting) throw new EngineError('timeout', `${failure.message.replace(/\.$/, '')} while connecting`, undefined, true);
    throw failure;
  } finally {
    client.off('error', remember);
  }
  return new RedisEngine(client, options);
}
