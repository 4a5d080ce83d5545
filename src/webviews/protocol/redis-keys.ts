import * as z from 'zod/mini';
import type { ResultOf } from '../../core/engines/operations';
import type { RedisOperations } from '../../core/engines/redis/operations';
import type { KeyRef, ServerInfo } from '../../core/engines/redis/types';
import { notification, readyRequest, request } from './base';

/*
 * The Redis key browser's messages (host: src/host/redis/key-browser.ts, webview:
 * src/webviews/redis-keys/). Shapes are checked here; the engine's operation table then checks the
 * meaning (a glob, a TTL range, a score) on either path, direct or through the platform.
 */

type Redis<K extends keyof RedisOperations> = ResultOf<RedisOperations, K>;

const KiB = 1024;
const str = (max: number) => z.string().check(z.maxLength(max));
/** A key as listed: a string, or `{ name, base64? }` for exact (binary) bytes. */
const Key = z.union([str(64 * KiB), z.strictObject({ name: str(64 * KiB), base64: z.optional(str(90 * KiB)) })]);
const Cursor = str(4 * 1024 * KiB);
const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

/** Where a panel opens: a key (clicked in the tree), or a pattern (a namespace's `prefix*`). */
export interface KeyTarget {
  key?: KeyRef;
  pattern?: string;
}

export interface RedisKeysInit {
  /** `ogelbase.redis.keyDelimiter`: namespaces fold on it. */
  delimiter: string;
  /** `ogelbase.redis.scanCount`: the COUNT hint of each SCAN. */
  scanCount: number;
  /** Keys per "scan more" page. */
  pageSize: number;
  /** Version, topology, key count; undefined when the server could not say. */
  server?: ServerInfo;
  /** The key or pattern the panel was first opened on (first handshake only). */
  target?: KeyTarget;
}

export const Ready = readyRequest<RedisKeysInit>();

export const ScanKeys = request<Redis<'scanKeys'>>()(
  'redis/scanKeys',
  z.strictObject({ match: z.optional(str(16 * KiB)), type: z.optional(str(64)), cursor: z.optional(Cursor), limit: z.optional(int(1, 2000)), maxScanned: z.optional(int(1, 100_000)) }),
);
export const GetKey = request<Redis<'getKey'>>()('redis/getKey', z.strictObject({ key: Key }));
export const ReadString = request<Redis<'readString'>>()('redis/readString', z.strictObject({ key: Key, offset: int(0, 512 * 1024 * KiB), maxBytes: int(1, 1024 * KiB) }));
export const ReadHash = request<Redis<'readHash'>>()('redis/readHash', z.strictObject({ key: Key, cursor: str(24), match: z.optional(str(16 * KiB)) }));
export const ReadList = request<Redis<'readList'>>()('redis/readList', z.strictObject({ key: Key, start: z.number().check(z.int()) }));
export const ReadSet = request<Redis<'readSet'>>()('redis/readSet', z.strictObject({ key: Key, cursor: str(24), match: z.optional(str(16 * KiB)) }));
export const ReadZset = request<Redis<'readZset'>>()('redis/readZset', z.strictObject({ key: Key, start: int(0, Number.MAX_SAFE_INTEGER), order: z.enum(['asc', 'desc']) }));
export const ReadZsetByScore = request<Redis<'readZsetByScore'>>()(
  'redis/readZsetByScore',
  z.strictObject({ key: Key, min: str(64), max: str(64), offset: int(0, 2 ** 31 - 1), order: z.enum(['asc', 'desc']) }),
);
export const ReadStream = request<Redis<'readStream'>>()('redis/readStream', z.strictObject({ key: Key, start: str(48), end: str(48), reverse: z.boolean() }));
export const ReadJson = request<Redis<'readJson'>>()('redis/readJson', z.strictObject({ key: Key, path: str(4 * KiB) }));
export const ServerInfoRequest = request<Redis<'serverInfo'>>()('redis/serverInfo', z.strictObject({}));

/**
 * Edits of one key, by the engine operation's own name and parameters (validated by the operation
 * table). Removals (`hashDelete`, `listRemove`, `setRemove`, `zsetRemove`) are confirmed by the host
 * first; a refused confirmation answers `cancelled`.
 */
export const EDIT_OPERATIONS = ['setString', 'hashSet', 'hashDelete', 'listPush', 'listSet', 'listRemove', 'setAdd', 'setReplace', 'setRemove', 'zsetAdd', 'zsetScore', 'zsetRemove', 'streamAdd', 'expire', 'rename'] as const;
export type EditOperation = (typeof EDIT_OPERATIONS)[number];
export const Edit = request<Redis<EditOperation>>()('redis/edit', z.strictObject({ operation: z.enum(EDIT_OPERATIONS), params: z.record(z.string(), z.unknown()) }));

/** A new key of any type with its first value; refused when the name is taken. */
export const CreateKey = request<{ key: KeyRef }>()(
  'redis/createKey',
  z.strictObject({
    type: z.enum(['string', 'hash', 'list', 'set', 'zset', 'stream']),
    key: str(64 * KiB),
    /** Seconds, or absent for no TTL. */
    ttl: z.optional(z.number()),
    /** string: the value; hash and stream: the first field's value; list, set, zset: the first element. */
    value: str(4 * 1024 * KiB),
    /** hash and stream: the field name. */
    field: z.optional(str(64 * KiB)),
    /** zset: the score as typed. */
    score: z.optional(str(64)),
  }),
);

/** Deletes keys after the host's confirmation naming them (a modal dialog). */
export const DeleteKeys = request<{ deleted: number }>()('redis/deleteKeys', z.strictObject({ keys: z.array(Key).check(z.minLength(1), z.maxLength(1000)) }));
/** Counts the keys matching a glob (progress with Cancel), asks to confirm with the count, then deletes them in bounded steps. */
export const DeleteMatching = request<{ deleted: number; counted: number }>()('redis/deleteMatching', z.strictObject({ match: str(16 * KiB) }));

/** Host → webview: the panel was opened again on another key or pattern. */
export const Navigate = notification<KeyTarget>()('redis/navigate');
