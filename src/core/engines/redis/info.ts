import type { Buffer } from 'node:buffer';
import type { Redis } from 'ioredis';
import { EngineError } from '../errors';
import { memoryOf, type RedisContext, replyOf, ttlSeconds } from './context';
import { guarded } from './errors';
import { keyBytes, showKey, toKeyRef, typeName } from './keys';
import { redisVersionOf } from './probe';
import { scanTargets } from './scan';
import type { KeyDetails, KeyInput, ServerInfo } from './types';

const infoField = (info: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();

/** MODULE LIST entries (flat `[name, x, ver, y, ...]` arrays in ioredis' legacy reply shape). */
function parseModules(reply: unknown): { name: string; version: string }[] {
  if (!Array.isArray(reply)) return [];
  return reply.flatMap((entry) => {
    const fields = Array.isArray(entry) ? entry : [];
    const get = (key: string) => {
      const i = fields.findIndex((v, index) => index % 2 === 0 && String(v).toLowerCase() === key);
      return i >= 0 ? String(fields[i + 1]) : undefined;
    };
    const name = get('name');
    return name === undefined ? [] : [{ name, version: get('ver') ?? '' }];
  });
}

const isJsonModule = (name: string) => /^(rejson|redisjson|json)$/i.test(name);

/** MODULE LIST, or none when the server refuses it (ACL, managed services that rename it). */
async function modulesOf(node: Redis): Promise<{ name: string; version: string }[]> {
  try {
    return parseModules(await node.module('LIST'));
  } catch {
    return [];
  }
}

/** Whether JSON.* commands exist, asked once per engine. */
export async function hasJson(ctx: RedisContext): Promise<boolean> {
  ctx.json ??= (await modulesOf(scanTargets(ctx.client)[0]!.node)).some((m) => isJsonModule(m.name));
  return ctx.json;
}

/** Version, topology and, summed over the masters, keys and used memory. */
export function serverInfo(ctx: RedisContext, topology: ServerInfo['topology']): Promise<ServerInfo> {
  return guarded(async () => {
    const targets = scanTargets(ctx.client);
    const figures = await Promise.all(
      targets.map(async ({ node }) => {
        const [server, memory, dbSize] = await Promise.all([node.info('server'), node.info('memory'), node.dbsize()]);
        return { version: redisVersionOf(server), usedMemory: Number(infoField(memory, 'used_memory') ?? 0), dbSize };
      }),
    );
    const modules = await modulesOf(targets[0]!.node);
    ctx.json = modules.some((m) => isJsonModule(m.name));
    return {
      version: figures[0]!.version,
      topology,
      masters: targets.length,
      dbSize: figures.reduce((sum, f) => sum + f.dbSize, 0),
      usedMemory: figures.reduce((sum, f) => sum + f.usedMemory, 0),
      json: ctx.json,
      modules,
    };
  });
}

/** The hash slot of a key and the master serving it (from the client's slot map). */
async function clusterPlace(ctx: RedisContext, key: Buffer): Promise<{ slot?: number; node?: string }> {
  const slot = Number(await ctx.client.call('CLUSTER', 'KEYSLOT', key));
  const node = (ctx.client as unknown as { slots: string[][] }).slots[slot]?.[0];
  return { slot, ...(node ? { node } : {}) };
}

const LENGTH_COMMAND: Record<string, string> = { string: 'STRLEN', hash: 'HLEN', list: 'LLEN', set: 'SCARD', zset: 'ZCARD', stream: 'XLEN' };

/** The root size of a JSON value: members of an object, elements of an array, characters of a string. */
async function jsonLength(ctx: RedisContext, key: Buffer): Promise<number | undefined> {
  try {
    const type = String(await ctx.client.call('JSON.TYPE', key));
    const command = { object: 'JSON.OBJLEN', array: 'JSON.ARRLEN', string: 'JSON.STRLEN' }[type];
    return command ? Number(await ctx.client.call(command, key)) : 1;
  } catch {
    return undefined;
  }
}

/** Type, TTL, size in memory, length and encoding of one key, in two round trips. */
export function getKey(ctx: RedisContext, input: KeyInput): Promise<KeyDetails> {
  return guarded(async () => {
    const key = keyBytes(input);
    const pipeline = ctx.client.pipeline().type(key).pttl(key).object('ENCODING', key);
    if (ctx.memoryUsage) pipeline.memory('USAGE', key);
    const replies = (await pipeline.exec()) ?? [];
    const type = typeName(replyOf<string>(replies[0]));
    if (type === 'none') throw new EngineError('not_found', `Redis: key ${showKey(key)} does not exist (deleted or expired)`);
    const encoding = replies[2]?.[0] ? undefined : (replies[2]?.[1] as string | null) ?? undefined;
    const memory = ctx.memoryUsage ? memoryOf(ctx, replies[3]) : undefined;
    const command = LENGTH_COMMAND[type];
    const length = command ? Number(await ctx.client.call(command, key)) : type === 'json' ? await jsonLength(ctx, key) : undefined;
    const cluster = ctx.client.isCluster ? await clusterPlace(ctx, key) : {};
    return {
      key: toKeyRef(key),
      type,
      ...cluster,
      ttl: ttlSeconds(replyOf<number>(replies[1])),
      ...(memory !== undefined ? { memory } : {}),
      ...(length !== undefined ? { length } : {}),
      ...(encoding !== undefined ? { encoding } : {}),
    };
  });
}
