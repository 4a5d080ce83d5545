import { type Buffer, isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { EngineError } from '../errors';
import type { RedisClient } from './connect';
import { assertWritable, type RedisContext } from './context';
import { guarded } from './errors';
import { keyBytes, showKey, textBytes } from './keys';
import { parseScore } from './ranges';
import type { KeyInput, TextInput, ZsetScore } from './types';

/*
 * Edits that refuse to overwrite a change made elsewhere: the caller says what it saw (a string's
 * SHA-1, a field's, element's or score's old value, or that a field did not exist), and the write
 * runs as WATCH key → compare → MULTI … EXEC. A difference, or a change between the compare and
 * EXEC (EXEC then answers nil), is a `conflict` error that says so, and nothing is written.
 * WATCH state belongs to a connection, so these run on a connection of their own, one at a time per
 * engine, never on the shared one where another request's EXEC would clear the watch.
 */

export const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

interface TxState {
  client?: RedisClient;
  queue: Promise<unknown>;
}
const txStates = new WeakMap<RedisContext, TxState>();

async function txClient(ctx: RedisContext, state: TxState): Promise<RedisClient> {
  if (state.client && state.client.status === 'ready') return state.client;
  state.client?.disconnect();
  const client = (ctx.client as { duplicate(): RedisClient }).duplicate();
  state.client = client;
  if (client.status === 'wait') await client.connect();
  return client;
}

/**
 * The connection a transaction on `key` runs on: the watch client itself on a single server; on a
 * Cluster, the watch client's own connection to the master serving the key's slot, because a
 * keyless command (UNWATCH) sent through the Cluster client would go to any node and leave the
 * watch standing where it was set.
 */
async function connectionFor(client: RedisClient, key: Buffer): Promise<Redis> {
  if (!client.isCluster) return client as Redis;
  const cluster = client as Cluster;
  const slot = Number(await cluster.call('CLUSTER', 'KEYSLOT', key));
  const nodeKey = (cluster as unknown as { slots: string[][] }).slots[slot]?.[0];
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === nodeKey);
  if (!node) throw new EngineError('unreachable', 'Redis Cluster: the master serving this key is not known yet; try again');
  return node;
}

/** Closes the watch connection of an engine, if it made one. */
export async function closeChecked(ctx: RedisContext): Promise<void> {
  const state = txStates.get(ctx);
  await state?.client?.quit().catch(() => state.client?.disconnect());
}

const conflict = (key: Buffer, what: string) =>
  new EngineError('conflict', `Redis: key ${showKey(key)} changed since it was read (${what}): refresh to see the current value, then edit again`);

async function checked<T>(ctx: RedisContext, operation: string, input: KeyInput, compare: (tx: Redis, key: Buffer) => Promise<void>, write: (multi: ChainableCommander, key: Buffer) => void, result: (replies: [Error | null, unknown][]) => T): Promise<T> {
  assertWritable(ctx, operation);
  let state = txStates.get(ctx);
  if (!state) txStates.set(ctx, (state = { queue: Promise.resolve() }));
  const run = async () => {
    const key = keyBytes(input);
    const tx = await connectionFor(await txClient(ctx, state), key);
    await tx.watch(key);
    try {
      const type = await tx.type(key);
      if (type === 'none') throw new EngineError('not_found', `Redis: key ${showKey(key)} does not exist any more (deleted or expired): nothing was written`);
      await compare(tx, key);
      const multi = tx.multi();
      write(multi, key);
      const replies = await multi.exec();
      if (replies === null) throw conflict(key, 'it was written while this edit was being saved');
      for (const [error] of replies) if (error) throw error;
      return result(replies);
    } finally {
      await tx.unwatch().catch(() => undefined);
    }
  };
  const next = state.queue.then(run, run);
  state.queue = next.catch(() => undefined);
  return guarded(() => next, `${operation} ${showKey(input)}`);
}

const same = (current: Buffer | null, expected: TextInput | null) => (current === null || expected === null ? current === expected : current.equals(textBytes(expected)));
const describe = (bytes: Buffer | null) => (bytes === null ? 'gone' : isUtf8(bytes) && bytes.length <= 60 ? JSON.stringify(bytes.toString('utf8')) : `${bytes.length} bytes`);

/** SET keeping the TTL, only if the whole value still has the SHA-1 the caller read. */
export const setStringChecked = (ctx: RedisContext, p: { key: KeyInput; value: TextInput; expectedSha1: string }) =>
  checked(
    ctx,
    'setString',
    p.key,
    async (tx, key) => {
      const current = await tx.getBuffer(key).catch((error: Error): never => {
        throw /WRONGTYPE/.test(error.message) ? new EngineError('conflict', `Redis: key ${showKey(key)} holds another type now`) : error;
      });
      if (current === null || sha1(current) !== p.expectedSha1) throw conflict(key, 'the value is not the one that was read');
    },
    (multi, key) => multi.set(key, textBytes(p.value), 'KEEPTTL'),
    () => ({ written: true }),
  );

/** HSET of one field, only if the field still holds `expected` (null: only if it still does not exist). */
export const hashSetChecked = (ctx: RedisContext, p: { key: KeyInput; field: TextInput; value: TextInput; expected: TextInput | null }) =>
  checked(
    ctx,
    'hashSet',
    p.key,
    async (tx, key) => {
      const current = await tx.hgetBuffer(key, textBytes(p.field, 'field'));
      if (!same(current, p.expected)) throw conflict(key, `the field is now ${describe(current)}`);
    },
    (multi, key) => multi.hset(key, textBytes(p.field, 'field'), textBytes(p.value)),
    (replies) => ({ created: replies[0]?.[1] === 1 }),
  );

/** LSET, only if the element at `index` is still `expected` (lists shift when others push or pop). */
export const listSetChecked = (ctx: RedisContext, p: { key: KeyInput; index: number; value: TextInput; expected: TextInput }) =>
  checked(
    ctx,
    'listSet',
    p.key,
    async (tx, key) => {
      const current = await tx.lindexBuffer(key, p.index);
      if (!same(current, p.expected)) throw conflict(key, `element ${p.index} is now ${describe(current)}`);
    },
    (multi, key) => multi.lset(key, p.index, textBytes(p.value)),
    () => ({ index: p.index }),
  );

/** Replaces a set member (SREM + SADD in one transaction), only if the old member is still there. */
export const setReplace = (ctx: RedisContext, p: { key: KeyInput; member: TextInput; newMember: TextInput }) =>
  checked(
    ctx,
    'setReplace',
    p.key,
    async (tx, key) => {
      if ((await tx.sismember(key, textBytes(p.member, 'member'))) !== 1) throw conflict(key, 'the member is not in the set any more');
    },
    (multi, key) => multi.srem(key, textBytes(p.member, 'member')).sadd(key, textBytes(p.newMember, 'newMember')),
    (replies) => ({ replaced: true, added: Number(replies[1]?.[1] ?? 0) === 1 }),
  );

const scoreArg = (score: ZsetScore) => (score === 'inf' ? '+inf' : String(score));

/** Sets one member's score (ZADD), only if its score is still `expected` (null: only if it is not a member yet). */
export const zsetScoreChecked = (ctx: RedisContext, p: { key: KeyInput; member: TextInput; score: ZsetScore; expected: ZsetScore | null }) =>
  checked(
    ctx,
    'zsetScore',
    p.key,
    async (tx, key) => {
      const raw = await tx.zscore(key, textBytes(p.member, 'member'));
      const current = raw === null ? null : parseScore(raw);
      if (current !== p.expected) throw conflict(key, `the score is now ${current === null ? 'gone' : current}`);
    },
    (multi, key) => multi.call('ZADD', key, scoreArg(p.score), textBytes(p.member, 'member')),
    (replies) => ({ added: Number(replies[0]?.[1] ?? 0) }),
  );
