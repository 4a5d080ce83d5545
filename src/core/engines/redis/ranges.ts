import type { Buffer } from 'node:buffer';
import { readTyped, type RedisContext, replyOf } from './context';
import { guarded } from './errors';
import { keyBytes, toText } from './keys';
import type { HashEntry, KeyInput, StreamEntry, StreamGroup, ZsetEntry, ZsetScore } from './types';
import { VALUE_DEFAULTS, type WindowParams } from './values';

/** Sorted sets by rank and streams by ID range: windows of `count`, never the whole value. */

/** Redis' score text as JSON: a number, or 'inf' / '-inf' (which JSON cannot hold as numbers). */
export function parseScore(text: string): ZsetScore {
  const n = Number(text);
  if (Number.isFinite(n)) return n;
  return text.startsWith('-') ? '-inf' : 'inf';
}

export interface ReadZsetParams extends WindowParams {
  /** asc: lowest score first (ZRANGE); desc: highest first (ZREVRANGE). */
  order?: 'asc' | 'desc';
}

export function readZset(ctx: RedisContext, params: ReadZsetParams): Promise<{ members: ZsetEntry[]; length: number }> {
  return guarded(async () => {
    const key = keyBytes(params.key);
    const start = Math.max(0, params.start ?? 0);
    const count = params.count ?? VALUE_DEFAULTS.count;
    const cap = params.maxItemBytes ?? VALUE_DEFAULTS.maxItemBytes;
    // ZREVRANGE rather than ZRANGE ... REV, which needs Redis 6.2. The typed *Buffer methods, not
    // callBuffer: over RESP3 WITHSCORES answers [member, score] pairs, which only they flatten.
    const [lengthReply, rangeReply] = await readTyped(ctx, key, 'zset', (p) => {
      p.zcard(key);
      if (params.order === 'desc') p.zrevrangeBuffer(key, start, start + count - 1, 'WITHSCORES');
      else p.zrangeBuffer(key, start, String(start + count - 1), 'WITHSCORES'); // the typings want stop as text
    });
    const flat = replyOf<Buffer[]>(rangeReply);
    const members: ZsetEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) members.push({ rank: start + i / 2, member: toText(flat[i]!, cap), score: parseScore(flat[i + 1]!.toString('latin1')) });
    return { members, length: replyOf<number>(lengthReply) };
  });
}

export interface ReadZsetByScoreParams {
  key: KeyInput;
  /** ZRANGEBYSCORE bounds: a number, '-inf'/'+inf', '(' before a number for exclusive. */
  min: string;
  max: string;
  /** Members of the range to skip (LIMIT offset). */
  offset?: number;
  count?: number;
  order?: 'asc' | 'desc';
  maxItemBytes?: number;
}

/** A bound with its inclusiveness flipped: what lies outside `5` ends at `(5`, outside `(5` at `5`. */
const flip = (bound: string) => (bound.startsWith('(') ? bound.slice(1) : `(${bound}`);

/**
 * A window of the members whose scores fall in [min, max] (ZRANGEBYSCORE ... LIMIT), with their
 * ranks (ZCOUNT of what comes before the range), the count in range and the whole cardinality.
 */
export function readZsetByScore(ctx: RedisContext, params: ReadZsetByScoreParams): Promise<{ members: ZsetEntry[]; inRange: number; length: number }> {
  return guarded(async () => {
    const key = keyBytes(params.key);
    const offset = params.offset ?? 0;
    const count = params.count ?? VALUE_DEFAULTS.count;
    const cap = params.maxItemBytes ?? VALUE_DEFAULTS.maxItemBytes;
    const desc = params.order === 'desc';
    const [lengthReply, rangeReply, inRangeReply, beforeReply] = await readTyped(ctx, key, 'zset', (p) => {
      p.zcard(key);
      if (desc) p.zrevrangebyscoreBuffer(key, params.max, params.min, 'WITHSCORES', 'LIMIT', offset, count);
      else p.zrangebyscoreBuffer(key, params.min, params.max, 'WITHSCORES', 'LIMIT', offset, count);
      p.zcount(key, params.min, params.max);
      // Members ranked before the range: below min (ascending) or above max (descending).
      if (desc) p.zcount(key, flip(params.max), '+inf');
      else p.zcount(key, '-inf', flip(params.min));
    });
    const flat = replyOf<Buffer[]>(rangeReply);
    const first = replyOf<number>(beforeReply);
    const members: ZsetEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) members.push({ rank: first + offset + i / 2, member: toText(flat[i]!, cap), score: parseScore(flat[i + 1]!.toString('latin1')) });
    return { members, inRange: replyOf<number>(inRangeReply), length: replyOf<number>(lengthReply) };
  });
}

export interface ReadStreamParams {
  key: KeyInput;
  /** First ID (inclusive; '(' before it makes it exclusive); '-' for the oldest. */
  start?: string;
  /** Last ID; '+' for the newest. */
  end?: string;
  count?: number;
  /** Newest first (XREVRANGE). */
  reverse?: boolean;
  maxItemBytes?: number;
}
export interface ReadStreamResult {
  entries: StreamEntry[];
  /** XLEN. */
  length: number;
  groups: StreamGroup[];
  /** Pass as `start` (or `end` when reverse) for the next page; null when this page was the last. */
  next: string | null;
}

const MAX_GROUPS = 100;

/** XINFO GROUPS replies, flat `[name, value, ...]` per group in ioredis' legacy reply shape. */
function parseGroups(reply: unknown): StreamGroup[] {
  if (!Array.isArray(reply)) return [];
  return reply.slice(0, MAX_GROUPS).map((entry) => {
    const fields = new Map<string, unknown>();
    const flat = Array.isArray(entry) ? entry : [];
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(String(flat[i]), flat[i + 1]);
    const lag = fields.get('lag');
    return {
      name: String(fields.get('name') ?? ''),
      consumers: Number(fields.get('consumers') ?? 0),
      pending: Number(fields.get('pending') ?? 0),
      lastDeliveredId: String(fields.get('last-delivered-id') ?? ''),
      ...(fields.has('lag') ? { lag: lag === null ? null : Number(lag) } : {}),
    };
  });
}

export function readStream(ctx: RedisContext, params: ReadStreamParams): Promise<ReadStreamResult> {
  return guarded(async () => {
    const key = keyBytes(params.key);
    const count = params.count ?? VALUE_DEFAULTS.count;
    const cap = params.maxItemBytes ?? VALUE_DEFAULTS.maxItemBytes;
    const start = params.start ?? '-';
    const end = params.end ?? '+';
    const [lengthReply, rangeReply, groupsReply] = await readTyped(ctx, key, 'stream', (p) => {
      p.xlen(key);
      if (params.reverse) p.xrevrangeBuffer(key, end, start, 'COUNT', count);
      else p.xrangeBuffer(key, start, end, 'COUNT', count);
      p.xinfo('GROUPS', key);
    });
    const entries: StreamEntry[] = replyOf<[Buffer, Buffer[]][]>(rangeReply).map(([id, flat]) => {
      const fields: HashEntry[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) fields.push({ field: toText(flat[i]!, cap), value: toText(flat[i + 1]!, cap) });
      return { id: id.toString('latin1'), fields };
    });
    // Exclusive ranges ('(' + ID) need Redis 6.2; the last ID of a full page is where the next one starts.
    const last = entries.at(-1);
    return {
      entries,
      length: replyOf<number>(lengthReply),
      groups: groupsReply?.[0] ? [] : parseGroups(groupsReply?.[1]),
      next: entries.length === count && last ? `(${last.id}` : null,
    };
  });
}
