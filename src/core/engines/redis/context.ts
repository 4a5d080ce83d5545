import type { Buffer } from 'node:buffer';
import type { ChainableCommander } from 'ioredis';
import { EngineError } from '../errors';
import type { RedisClient } from './connect';
import { redisError } from './errors';
import { showKey, typeName } from './keys';

/** What the engine's functions share: the client and what has been learned about the server. */
export interface RedisContext {
  client: RedisClient;
  readOnly: boolean;
  /** Cleared the first time MEMORY USAGE is refused (ACL, managed services), so it is not sent again. */
  memoryUsage: boolean;
  /** Whether RedisJSON is loaded; undefined until asked. */
  json?: boolean;
}

/** Refuses a write on a read-only connection before anything reaches the server. */
export function assertWritable(ctx: RedisContext, operation: string): void {
  if (ctx.readOnly) throw new EngineError('read_only', `Redis: this connection is read-only: ${operation} was refused`);
}

/** `[error, reply]` of a pipeline entry, reply returned or error thrown as an EngineError. */
export function replyOf<T>(entry: [Error | null, unknown] | undefined, what?: string): T {
  if (!entry) throw new EngineError('server', 'Redis: a pipelined command got no reply');
  if (entry[0]) throw redisError(entry[0], what);
  return entry[1] as T;
}

/** A MEMORY USAGE reply, remembering when the server refuses the command. */
export function memoryOf(ctx: RedisContext, entry: [Error | null, unknown] | undefined): number | undefined {
  if (!entry) return undefined;
  if (entry[0]) {
    if (/unknown command|NOPERM|not allowed|disabled/i.test(entry[0].message)) ctx.memoryUsage = false;
    return undefined;
  }
  return typeof entry[1] === 'number' ? entry[1] : undefined;
}

/** PTTL in milliseconds as whole seconds, rounded up so a live key never shows 0. */
export const ttlSeconds = (pttl: number) => (pttl < 0 ? pttl : Math.ceil(pttl / 1000));

/**
 * Runs TYPE plus the commands that read one key, in one round trip (one key means one slot, so this
 * works on a Cluster too), and checks the type before anything else so a missing key or a key of
 * another type gets a clear error instead of Redis' WRONGTYPE.
 */
export async function readTyped(ctx: RedisContext, key: Buffer, expected: string, add: (pipeline: ChainableCommander) => void): Promise<[Error | null, unknown][]> {
  const pipeline = ctx.client.pipeline();
  pipeline.type(key);
  add(pipeline);
  let replies: [Error | null, unknown][];
  try {
    replies = (await pipeline.exec()) ?? [];
  } catch (error) {
    throw redisError(error);
  }
  const type = replyOf<string>(replies[0]);
  if (type === 'none') throw new EngineError('not_found', `Redis: key ${showKey(key)} does not exist (deleted or expired)`);
  if (type !== expected) {
    throw new EngineError('invalid_input', `Redis: key ${showKey(key)} holds a ${typeName(type)}, not a ${typeName(expected)}: open it with the ${typeName(type)} viewer`);
  }
  return replies.slice(1);
}
