import type { Buffer } from 'node:buffer';
import { EngineError } from '../errors';
import { assertWritable, type RedisContext, ttlSeconds } from './context';
import { guarded } from './errors';
import { keyBytes, showKey, textBytes, toKeyRef } from './keys';
import type { KeyInput, KeyRef, TextInput, ZsetScore } from './types';

/*
 * Edits of one key. Each refuses at once on a read-only connection, sends one command (or one
 * round trip) and reports what changed; a wrong type, a missing key or a cross-slot rename on a
 * Cluster comes back as an EngineError that says so.
 */

/** Checks the connection is writable, then runs the edit with errors that name the key. */
async function write<T>(ctx: RedisContext, operation: string, key: KeyInput, work: (key: Buffer) => Promise<T>): Promise<T> {
  assertWritable(ctx, operation);
  return guarded(() => work(keyBytes(key)), `${operation} ${showKey(key)}`);
}

const values = (items: TextInput[], what: string) => items.map((item) => textBytes(item, what));

export interface SetStringParams {
  key: KeyInput;
  value: TextInput;
  /** Seconds to live; without it (and without keepTtl) the key no longer expires. */
  ttl?: number;
  /** Keep the key's current TTL (KEEPTTL). */
  keepTtl?: boolean;
  /** Only create: leave an existing key alone (NX). */
  ifMissing?: boolean;
}
export function setString(ctx: RedisContext, p: SetStringParams): Promise<{ written: boolean }> {
  return write(ctx, 'setString', p.key, async (key) => {
    if (p.ttl !== undefined && p.keepTtl) throw new EngineError('invalid_input', 'Redis: give ttl or keepTtl, not both');
    const args: (string | number | Buffer)[] = [key, textBytes(p.value)];
    if (p.ttl !== undefined) args.push('EX', p.ttl);
    if (p.keepTtl) args.push('KEEPTTL');
    if (p.ifMissing) args.push('NX');
    return { written: (await ctx.client.call('SET', args)) === 'OK' };
  });
}

export const hashSet = (ctx: RedisContext, p: { key: KeyInput; field: TextInput; value: TextInput }) =>
  write(ctx, 'hashSet', p.key, async (key) => ({ created: (await ctx.client.hset(key, textBytes(p.field, 'field'), textBytes(p.value))) === 1 }));

export const hashDelete = (ctx: RedisContext, p: { key: KeyInput; fields: TextInput[] }) =>
  write(ctx, 'hashDelete', p.key, async (key) => ({ removed: await ctx.client.hdel(key, ...values(p.fields, 'field')) }));

/** Pushes keep the given order at either end: [a, b] at the head reads a, b, then the old head. */
export const listPush = (ctx: RedisContext, p: { key: KeyInput; values: TextInput[]; end: 'head' | 'tail' }) =>
  write(ctx, 'listPush', p.key, async (key) => {
    const items = values(p.values, 'value');
    return { length: p.end === 'head' ? await ctx.client.lpush(key, ...items.reverse()) : await ctx.client.rpush(key, ...items) };
  });

export const listSet = (ctx: RedisContext, p: { key: KeyInput; index: number; value: TextInput }) =>
  write(ctx, 'listSet', p.key, async (key) => {
    await ctx.client.lset(key, p.index, textBytes(p.value));
    return { index: p.index };
  });

/** LREM: count 0 removes every equal element, n > 0 the first n from the head, n < 0 from the tail. */
export const listRemove = (ctx: RedisContext, p: { key: KeyInput; value: TextInput; count: number }) =>
  write(ctx, 'listRemove', p.key, async (key) => ({ removed: await ctx.client.lrem(key, p.count, textBytes(p.value)) }));

export const setAdd = (ctx: RedisContext, p: { key: KeyInput; members: TextInput[] }) =>
  write(ctx, 'setAdd', p.key, async (key) => ({ added: await ctx.client.sadd(key, ...values(p.members, 'member')) }));

export const setRemove = (ctx: RedisContext, p: { key: KeyInput; members: TextInput[] }) =>
  write(ctx, 'setRemove', p.key, async (key) => ({ removed: await ctx.client.srem(key, ...values(p.members, 'member')) }));

const scoreArg = (score: ZsetScore) => (score === 'inf' ? '+inf' : String(score));

export const zsetAdd = (ctx: RedisContext, p: { key: KeyInput; members: { member: TextInput; score: ZsetScore }[] }) =>
  write(ctx, 'zsetAdd', p.key, async (key) => ({
    added: Number(await ctx.client.call('ZADD', [key, ...p.members.flatMap((m) => [scoreArg(m.score), textBytes(m.member, 'member')])])),
  }));

export const zsetRemove = (ctx: RedisContext, p: { key: KeyInput; members: TextInput[] }) =>
  write(ctx, 'zsetRemove', p.key, async (key) => ({ removed: await ctx.client.zrem(key, ...values(p.members, 'member')) }));

export const streamAdd = (ctx: RedisContext, p: { key: KeyInput; fields: { field: TextInput; value: TextInput }[]; id?: string }) =>
  write(ctx, 'streamAdd', p.key, async (key) => {
    const args = p.fields.flatMap((f) => [textBytes(f.field, 'field'), textBytes(f.value)]);
    return { id: String(await ctx.client.call('XADD', [key, p.id ?? '*', ...args])) };
  });

/** Sets the TTL in seconds, or removes it (PERSIST) when ttl is null; answers the TTL now in force. */
export const expire = (ctx: RedisContext, p: { key: KeyInput; ttl: number | null }) =>
  write(ctx, 'expire', p.key, async (key) => {
    const pipeline = ctx.client.pipeline();
    if (p.ttl === null) pipeline.persist(key);
    else pipeline.expire(key, p.ttl);
    const replies = (await pipeline.pttl(key).exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    const pttl = Number(replies[1]?.[1] ?? -2);
    if (pttl === -2) throw new EngineError('not_found', `Redis: key ${showKey(key)} does not exist (deleted or expired)`);
    return { ttl: ttlSeconds(pttl) };
  });

/** RENAMENX unless `overwrite`; on a Cluster both names must hash to the same slot (Redis says CROSSSLOT). */
export const rename = (ctx: RedisContext, p: { key: KeyInput; newKey: KeyInput; overwrite?: boolean }) =>
  write(ctx, 'rename', p.key, async (key): Promise<{ key: KeyRef }> => {
    const target = keyBytes(p.newKey, 'newKey');
    if (p.overwrite) await ctx.client.rename(key, target);
    else if ((await ctx.client.renamenx(key, target)) === 0) {
      throw new EngineError('invalid_input', `Redis: key ${showKey(target)} already exists: choose another name, or overwrite it`);
    }
    return { key: toKeyRef(target) };
  });
