/**
 * What the Redis engine takes and returns. Everything is plain JSON, because the server sends these
 * over HTTP unchanged and the extension calls the engine directly with the same shapes.
 */

/**
 * A key as JSON. Redis keys are bytes: `name` is always there for display (with U+FFFD where the
 * bytes are not UTF-8); `base64` holds the exact bytes and is present only when they are not valid
 * UTF-8. Operations take this shape back (or a plain string for a UTF-8 key).
 */
export interface KeyRef {
  name: string;
  base64?: string;
}
export type KeyInput = string | KeyRef;

/**
 * A string, field, member or element as JSON: the UTF-8 text, or, when the bytes are not valid
 * UTF-8, their base64 with `binary: true`, never a mangled string.
 */
export interface RedisText {
  value: string;
  binary?: true;
  /** Present when the element was cut at `maxItemBytes`; `bytes` is then its full size. */
  truncated?: true;
  bytes?: number;
}
/** A value to write: plain text, or `{ value: base64, binary: true }` for exact bytes. */
export type TextInput = string | { value: string; binary?: boolean };

/** Redis' type names, with RedisJSON's `ReJSON-RL` shown as `json`; other module types keep their names. */
export type RedisType = 'string' | 'hash' | 'list' | 'set' | 'zset' | 'stream' | 'json' | 'none' | (string & {});

export interface KeyInfo {
  key: KeyRef;
  type: RedisType;
  /** Seconds to live (rounded up); -1 when the key never expires, -2 when it is gone. */
  ttl: number;
  /** Bytes, from MEMORY USAGE; absent when the server does not allow that command. */
  memory?: number;
  /** On a Cluster: the master (`host:port`) the key lives on. */
  node?: string;
}

/** A resumable, bounded walk over the keyspace. `cursor` is opaque: pass it back as is. */
export interface ScanPage {
  cursor: string;
  /** True when every key (of every master) has been visited; `cursor` is then '0'. */
  done: boolean;
  /** SCAN work spent by this call: the sum of COUNT hints, about the number of keys Redis examined. */
  scanned: number;
}

export interface ScanKeysParams {
  cursor?: string;
  /** A SCAN MATCH glob. */
  match?: string;
  type?: string;
  /** The SCAN COUNT hint. */
  count?: number;
  /** At most this many keys are returned. */
  limit?: number;
  /** At most this many keys are examined (sum of COUNT hints). */
  maxScanned?: number;
}
export interface ScanKeysResult extends ScanPage {
  keys: KeyInfo[];
}

export interface Namespace {
  /** The segment between the parent prefix and the delimiter, for display. */
  name: string;
  /** The prefix to pass back to list this namespace: parent prefix + name + delimiter. */
  prefix: KeyRef;
  /** Keys of this namespace met by this call (sum over pages for a total). */
  keysSeen: number;
}
export interface ListNamespaceParams {
  prefix: KeyInput;
  delimiter?: string;
  cursor?: string;
  /** The SCAN COUNT hint of each call. */
  count?: number;
  /** Namespaces plus keys returned at most. */
  limit?: number;
  maxScanned?: number;
}
export interface ListNamespaceResult extends ScanPage {
  namespaces: Namespace[];
  keys: KeyInfo[];
}

export interface ServerInfo {
  version: string;
  topology: 'standalone' | 'sentinel' | 'cluster';
  /** Masters whose figures are summed (1 unless a cluster). */
  masters: number;
  dbSize: number;
  usedMemory: number;
  /** Whether the RedisJSON module is loaded; false also when MODULE LIST is refused. */
  json: boolean;
  modules: { name: string; version: string }[];
}

export interface KeyDetails extends KeyInfo {
  /** Bytes of a string, fields, elements, members or entries, or the root size of a JSON value. */
  length?: number;
  /** OBJECT ENCODING (listpack, hashtable, int, ...). */
  encoding?: string;
  /** On a Cluster: the key's hash slot. */
  slot?: number;
}

export interface HashEntry {
  field: RedisText;
  value: RedisText;
}
export interface StreamEntry {
  id: string;
  fields: HashEntry[];
}
export interface StreamGroup {
  name: string;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  lag?: number | null;
}
export type ZsetScore = number | 'inf' | '-inf';
export interface ZsetEntry {
  rank: number;
  member: RedisText;
  score: ZsetScore;
}
