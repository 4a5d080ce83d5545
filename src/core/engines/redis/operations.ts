import { z } from 'zod';
import { defineOperation } from '../operations';
import type { RedisEngine } from './engine';
import { BULK_DEFAULTS } from './bulk';
import {
  between,
  bulkBounds,
  Cursor,
  Delimiter,
  Glob,
  index,
  JsonPath,
  Key,
  MAX_ITEMS,
  maxBytes,
  offset,
  Prefix,
  scanBounds,
  Score,
  ScoreBound,
  Sha1,
  StreamBound,
  StreamId,
  Text,
  Texts,
  ttl,
  typeName,
  ValueCursor,
  valueBounds,
} from './schemas';

/**
 * The Redis operation table: each entry becomes `POST /api/platform/databases/{id}/redis/{name}` on
 * the server, and the extension calls the same names on RedisEngine. Server-only (imports zod).
 */
const op = defineOperation<RedisEngine>();
const object = z.strictObject;
const bulkCheck = (p: { match?: unknown; prefix?: unknown }) => (p.match === undefined) !== (p.prefix === undefined);
const bulkMessage = { message: 'give either match (a glob) or prefix (a namespace), not both' };

export const redisOperations = {
  serverInfo: op({ kind: 'read', summary: 'Version, topology, keys and memory summed over the masters, RedisJSON presence', params: object({}), run: (e) => e.serverInfo() }),
  scanKeys: op({
    kind: 'read',
    summary: 'One bounded page of keys (SCAN MATCH/TYPE over every master) with type, TTL and memory',
    params: object({ ...scanBounds, match: Glob.optional(), type: typeName.optional() }),
    run: (e, p, c) => e.scanKeys(p, c),
  }),
  listNamespace: op({
    kind: 'read',
    summary: 'One level of the key tree under a prefix, folded on a delimiter, one bounded page at a time',
    params: object({ prefix: Prefix, delimiter: Delimiter.default(':'), cursor: Cursor.optional(), count: scanBounds.count, limit: scanBounds.limit, maxScanned: scanBounds.maxScanned }),
    run: (e, p, c) => e.listNamespace(p, c),
  }),
  getKey: op({ kind: 'read', summary: 'Type, TTL, memory, length and encoding of one key', params: object({ key: Key }), run: (e, p) => e.getKey(p) }),

  readString: op({ kind: 'read', summary: 'A byte window of a string (GETRANGE)', params: object({ key: Key, offset, maxBytes }), run: (e, p) => e.readString(p) }),
  readHash: op({
    kind: 'read',
    summary: 'A page of hash fields (HSCAN) and the field count',
    params: object({ key: Key, cursor: ValueCursor.default('0'), match: Glob.optional(), ...valueBounds }),
    run: (e, p) => e.readHash(p),
  }),
  readList: op({ kind: 'read', summary: 'A window of list elements (LRANGE) and the length', params: object({ key: Key, start: index.default(0), ...valueBounds }), run: (e, p) => e.readList(p) }),
  readSet: op({
    kind: 'read',
    summary: 'A page of set members (SSCAN) and the member count',
    params: object({ key: Key, cursor: ValueCursor.default('0'), match: Glob.optional(), ...valueBounds }),
    run: (e, p) => e.readSet(p),
  }),
  readZset: op({
    kind: 'read',
    summary: 'A window of sorted-set members with scores, by rank, and the member count',
    params: object({ key: Key, start: index.min(0, 'start is a rank from 0').default(0), order: z.enum(['asc', 'desc']).default('asc'), ...valueBounds }),
    run: (e, p) => e.readZset(p),
  }),
  readZsetByScore: op({
    kind: 'read',
    summary: 'A window of sorted-set members whose scores are in [min, max] (ZRANGEBYSCORE LIMIT), with ranks and the count in range',
    params: object({ key: Key, min: ScoreBound.default('-inf'), max: ScoreBound.default('+inf'), offset: between('offset', 0, 2 ** 31 - 1).default(0), order: z.enum(['asc', 'desc']).default('asc'), ...valueBounds }),
    run: (e, p) => e.readZsetByScore(p),
  }),
  readStream: op({
    kind: 'read',
    summary: 'A range of stream entries (XRANGE/XREVRANGE), the length and the consumer groups',
    params: object({ key: Key, start: StreamBound.default('-'), end: StreamBound.default('+'), reverse: z.boolean().default(false), ...valueBounds }),
    run: (e, p) => e.readStream(p),
  }),
  readJson: op({ kind: 'read', summary: 'A RedisJSON value at a path (JSON.GET), bounded', params: object({ key: Key, path: JsonPath.default('$'), maxBytes }), run: (e, p) => e.readJson(p) }),

  setString: op({
    kind: 'write',
    summary: 'Set a string value (SET), with a TTL, keeping the TTL, or only if missing; with expectedSha1, only if the value is still the one read (WATCH)',
    params: object({ key: Key, value: Text, ttl: ttl.optional(), keepTtl: z.boolean().optional(), ifMissing: z.boolean().optional(), expectedSha1: Sha1.optional() })
      .refine((p) => !(p.ttl !== undefined && p.keepTtl), { message: 'give ttl or keepTtl, not both' })
      .refine((p) => p.expectedSha1 === undefined || (p.ttl === undefined && !p.ifMissing), { message: 'an edit checked by expectedSha1 keeps the TTL: give no ttl or ifMissing with it' }),
    run: (e, p) => e.setString(p),
  }),
  hashSet: op({
    kind: 'write',
    summary: 'Set one hash field (HSET); with expected, only if the field still holds it (null: still absent), checked with WATCH',
    params: object({ key: Key, field: Text, value: Text, expected: Text.nullable().optional() }),
    run: (e, p) => e.hashSet(p),
  }),
  hashDelete: op({ kind: 'write', summary: 'Delete hash fields (HDEL)', params: object({ key: Key, fields: Texts('field') }), run: (e, p) => e.hashDelete(p) }),
  listPush: op({
    kind: 'write',
    summary: 'Add elements at the head or tail of a list, in the order given',
    params: object({ key: Key, values: Texts('value'), end: z.enum(['head', 'tail'], { error: 'end is head or tail' }) }),
    run: (e, p) => e.listPush(p),
  }),
  listSet: op({
    kind: 'write',
    summary: 'Replace the list element at an index (LSET); with expected, only if the element is still it (WATCH)',
    params: object({ key: Key, index, value: Text, expected: Text.optional() }),
    run: (e, p) => e.listSet(p),
  }),
  listRemove: op({
    kind: 'write',
    summary: 'Remove elements equal to a value (LREM: count 0 all, >0 from the head, <0 from the tail)',
    params: object({ key: Key, value: Text, count: index.default(0) }),
    run: (e, p) => e.listRemove(p),
  }),
  setAdd: op({ kind: 'write', summary: 'Add set members (SADD)', params: object({ key: Key, members: Texts('member') }), run: (e, p) => e.setAdd(p) }),
  setReplace: op({
    kind: 'write',
    summary: 'Replace a set member by another (SREM + SADD in one transaction), only if it is still a member (WATCH)',
    params: object({ key: Key, member: Text, newMember: Text }),
    run: (e, p) => e.setReplace(p),
  }),
  setRemove: op({ kind: 'write', summary: 'Remove set members (SREM)', params: object({ key: Key, members: Texts('member') }), run: (e, p) => e.setRemove(p) }),
  zsetAdd: op({
    kind: 'write',
    summary: 'Add or re-score sorted-set members (ZADD)',
    params: object({ key: Key, members: z.array(object({ member: Text, score: Score })).min(1, 'give at least one member').max(MAX_ITEMS, `at most ${MAX_ITEMS} members per request`) }),
    run: (e, p) => e.zsetAdd(p),
  }),
  zsetScore: op({
    kind: 'write',
    summary: "Set one member's score (ZADD), only if its score is still `expected` (null: not a member yet), checked with WATCH",
    params: object({ key: Key, member: Text, score: Score, expected: Score.nullable() }),
    run: (e, p) => e.zsetScore(p),
  }),
  zsetRemove: op({ kind: 'write', summary: 'Remove sorted-set members (ZREM)', params: object({ key: Key, members: Texts('member') }), run: (e, p) => e.zsetRemove(p) }),
  streamAdd: op({
    kind: 'write',
    summary: 'Append a stream entry (XADD)',
    params: object({ key: Key, fields: z.array(object({ field: Text, value: Text })).min(1, 'a stream entry needs at least one field').max(MAX_ITEMS), id: StreamId.default('*') }),
    run: (e, p) => e.streamAdd(p),
  }),
  expire: op({
    kind: 'write',
    summary: 'Set the TTL in seconds (EXPIRE), or remove it with null (PERSIST)',
    params: object({ key: Key, ttl: ttl.nullable() }),
    run: (e, p) => e.expire(p),
  }),
  rename: op({
    kind: 'write',
    summary: 'Rename a key (RENAMENX, or RENAME with overwrite); same slot required on a Cluster',
    params: object({ key: Key, newKey: Key, overwrite: z.boolean().default(false) }),
    run: (e, p) => e.rename(p),
  }),
  deleteKeys: op({
    kind: 'write',
    summary: 'Delete keys (UNLINK)',
    params: object({ keys: z.array(Key).min(1, 'give at least one key').max(MAX_ITEMS, `at most ${MAX_ITEMS} keys per request`) }),
    run: (e, p) => e.deleteKeys(p),
  }),

  countMatching: op({
    kind: 'read',
    summary: 'Count keys matching a glob or prefix, one bounded, resumable step at a time',
    params: object(bulkBounds).refine(bulkCheck, bulkMessage),
    run: (e, p, c) => e.countMatching(p, c),
  }),
  deleteMatching: op({
    kind: 'write',
    summary: 'Delete keys matching a glob or prefix (SCAN + UNLINK), one bounded, resumable step at a time',
    params: object({ ...bulkBounds, batch: between('batch', 1, 1000).default(BULK_DEFAULTS.batch) }).refine(bulkCheck, bulkMessage),
    run: (e, p, c) => e.deleteMatching(p, c),
  }),
};

export type RedisOperations = typeof redisOperations;
