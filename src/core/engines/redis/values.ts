import { type Buffer, isUtf8 } from 'node:buffer';
import { sha1 } from './checked';
import { readTyped, type RedisContext, replyOf } from './context';
import { guarded } from './errors';
import { keyBytes, toText, utf8Prefix } from './keys';
import type { HashEntry, KeyInput, RedisText } from './types';

/*
 * Values are read a window at a time: GETRANGE for strings, HSCAN/SSCAN cursors for hashes and
 * sets, LRANGE windows for lists; never HGETALL, SMEMBERS or a whole LRANGE, which freeze the UI (and
 * the server) on a hash of 500,000 fields. Each element is also cut at `maxItemBytes`.
 */

export const VALUE_DEFAULTS = { maxBytes: 64 * 1024, count: 100, maxItemBytes: 16 * 1024 } as const;

export interface ReadStringParams {
  key: KeyInput;
  offset?: number;
  maxBytes?: number;
}
export interface ReadStringResult {
  /** UTF-8 text, or base64 when `binary`. */
  value: string;
  binary: boolean;
  offset: number;
  /** Bytes of the value this page covers: the next page starts at offset + bytes. */
  bytes: number;
  /** Total length in bytes. */
  length: number;
  truncated: boolean;
  /** SHA-1 of the whole value, when this page holds all of it: pass it back as `expectedSha1` to edit without overwriting a change made since. */
  sha1?: string;
}

export function readString(ctx: RedisContext, params: ReadStringParams): Promise<ReadStringResult> {
  return guarded(async () => {
    const key = keyBytes(params.key);
    const offset = params.offset ?? 0;
    const maxBytes = params.maxBytes ?? VALUE_DEFAULTS.maxBytes;
    const [lengthReply, chunkReply] = await readTyped(ctx, key, 'string', (p) => p.strlen(key).getrangeBuffer(key, offset, offset + maxBytes - 1));
    const length = replyOf<number>(lengthReply);
    const chunk = replyOf<Buffer>(chunkReply);
    // A page that ends inside a UTF-8 character stops before it rather than being shown as binary;
    // at the true end of the value an incomplete character is simply not UTF-8.
    const { text, used } = offset + chunk.length < length ? utf8Prefix(chunk) : isUtf8(chunk) ? { text: chunk.toString('utf8'), used: chunk.length } : { used: chunk.length };
    const binary = text === undefined;
    const whole = offset === 0 && chunk.length === length;
    return { value: binary ? chunk.toString('base64') : text, binary, offset, bytes: used, length, truncated: offset + used < length, ...(whole ? { sha1: sha1(chunk) } : {}) };
  });
}

export interface ScanValueParams {
  key: KeyInput;
  cursor?: string;
  /** HSCAN/SSCAN COUNT hint. */
  count?: number;
  match?: string;
  maxItemBytes?: number;
}
interface CursorPage {
  /** Pass back to continue; '0' when `done`. */
  cursor: string;
  done: boolean;
  /** HLEN / SCARD. */
  length: number;
}

const scanArgs = (params: ScanValueParams) => [
  params.cursor || '0',
  ...(params.match !== undefined ? ['MATCH', params.match] : []),
  'COUNT',
  params.count ?? VALUE_DEFAULTS.count,
];

export function readHash(ctx: RedisContext, params: ScanValueParams): Promise<CursorPage & { entries: HashEntry[] }> {
  return guarded(async () => {
    const key = keyBytes(params.key);
    const cap = params.maxItemBytes ?? VALUE_DEFAULTS.maxItemBytes;
    const [lengthReply, pageReply] = await readTyped(ctx, key, 'hash', (p) => p.hlen(key).callBuffer('HSCAN', key, ...scanArgs(params)));
    const [next, flat] = replyOf<[Buffer, Buffer[]]>(pageReply);
    const entries: HashEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ field: toText(flat[i]!, cap), value: toText(flat[i + 1]!, cap) });
    const cursor = next.toString('latin1');
    return { entries, cursor, done: cursor === '0', length: replyOf<number>(lengthReply) };
  });
}

export function readSet(ctx: RedisContext, params: ScanValueParams): Promise<CursorPage & { members: RedisText[] }> {
  return guarded(async () => {
    const key = keyBytes(params.key);
    const cap = params.maxItemBytes ?? VALUE_DEFAULTS.maxItemBytes;
    const [lengthReply, pageReply] = await readTyped(ctx, key, 'set', (p) => p.scard(key).callBuffer('SSCAN', key, ...scanArgs(params)));
    const [next, members] = replyOf<[Buffer, Buffer[]]>(pageReply);
    const cursor = next.toString('latin1');
    return { members: members.map((m) => toText(m, cap)), cursor, done: cursor === '0', length: replyOf<number>(lengthReply) };
  });
}

export interface WindowParams {
  key: KeyInput;
  /** Index of the first element (negative counts from the end, as in Redis). */
  start?: number;
  count?: number;
  maxItemBytes?: number;
}

export function readList(ctx: RedisContext, params: WindowParams): Promise<{ items: { index: number; value: RedisText }[]; length: number }> {
  return guarded(async () => {
    const key = keyBytes(params.key);
    const start = params.start ?? 0;
    const count = params.count ?? VALUE_DEFAULTS.count;
    const cap = params.maxItemBytes ?? VALUE_DEFAULTS.maxItemBytes;
    // A negative start keeps its window inside the negative range (stop -1 at most).
    const stop = start < 0 ? Math.min(-1, start + count - 1) : start + count - 1;
    const [lengthReply, itemsReply] = await readTyped(ctx, key, 'list', (p) => p.llen(key).lrangeBuffer(key, start, stop));
    const length = replyOf<number>(lengthReply);
    const first = start < 0 ? Math.max(0, length + start) : start;
    return { items: replyOf<Buffer[]>(itemsReply).map((item, i) => ({ index: first + i, value: toText(item, cap) })), length };
  });
}
