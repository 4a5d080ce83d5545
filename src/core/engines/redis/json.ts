import { Buffer } from 'node:buffer';
import { EngineError } from '../errors';
import { readTyped, type RedisContext } from './context';
import { guarded } from './errors';
import { hasJson } from './info';
import { keyBytes, utf8Prefix } from './keys';
import type { KeyInput } from './types';
import { VALUE_DEFAULTS } from './values';

export interface ReadJsonParams {
  key: KeyInput;
  /** A JSONPath ('$', '$.user.name') or a legacy path ('.'); default '$' (the reply is then an array of matches). */
  path?: string;
  maxBytes?: number;
}
export interface ReadJsonResult {
  /** The JSON text as RedisJSON serialises it (kept as text so big numbers survive); cut when `truncated`. */
  json: string;
  truncated: boolean;
  /** Bytes of the whole serialised value. */
  bytes: number;
}

/** Values at least this many times the page size in memory are refused before JSON.GET sends them. */
const MEMORY_FACTOR = 8;

const sum = (reply: unknown): number => (Array.isArray(reply) ? reply.reduce((total: number, n) => total + Number(n ?? 0), 0) : Number(reply ?? 0));

/**
 * JSON.GET of a RedisJSON value, bounded: JSON.DEBUG MEMORY first, so a huge document is refused
 * (with the advice to read a narrower path) instead of being sent whole, then the text cut at maxBytes.
 */
export function readJson(ctx: RedisContext, params: ReadJsonParams): Promise<ReadJsonResult> {
  return guarded(async () => {
    if (!(await hasJson(ctx))) {
      throw new EngineError('invalid_input', 'Redis: the RedisJSON module is not loaded on this server, so JSON values cannot be read (MODULE LIST shows no ReJSON)');
    }
    const key = keyBytes(params.key);
    const path = params.path ?? '$';
    const maxBytes = params.maxBytes ?? VALUE_DEFAULTS.maxBytes;
    const [memoryReply] = await readTyped(ctx, key, 'ReJSON-RL', (p) => p.call('JSON.DEBUG', 'MEMORY', key, path));
    const memory = memoryReply?.[0] ? 0 : sum(memoryReply?.[1]);
    if (memory > maxBytes * MEMORY_FACTOR) {
      throw new EngineError('limit', `Redis: the JSON at ${path} takes ${memory} bytes in memory, too much for one page of ${maxBytes} bytes: read a narrower path (such as $.field or $[0:10])`);
    }
    const reply = await ctx.client.callBuffer('JSON.GET', key, path);
    // A path that matches nothing answers nil.
    const text = Buffer.isBuffer(reply) ? reply : Buffer.from('null');
    if (text.length <= maxBytes) return { json: text.toString('utf8'), truncated: false, bytes: text.length };
    return { json: utf8Prefix(text.subarray(0, maxBytes)).text ?? '', truncated: true, bytes: text.length };
  });
}
