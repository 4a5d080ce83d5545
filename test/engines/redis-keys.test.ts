/**
 * The Redis engine's keyspace walks against a real, password-protected redis-server (the harness's
 * OGELBASE_TEST_REDIS_URL): key pages, the namespace tree on 100,000 keys, bulk delete by pattern,
 * binary keys and cancellation. Every key lives under a prefix unique to this run, deleted at the end.
 *
 *   node --import tsx node_modules/mocha/bin/mocha.js --timeout 120000 'test/engines/redis-keys.test.ts'
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { EngineError } from '../../src/core/engines/errors';
import { type KeyInfo, type RedisEngine } from '../../src/core/engines/redis';
import { connectTestEngine, removeKeysUnder, wholeLevel } from '../support/engines/redis-fixture';

const url = process.env.OGELBASE_TEST_REDIS_URL;
const p = `ogtest:redis-keys:${randomBytes(4).toString('hex')}:`;

/** Pages until done, checking the work bound of every call; returns every key name met. */
async function pageAll(next: (cursor: string | undefined) => Promise<{ keys: KeyInfo[]; cursor: string; done: boolean; scanned: number }>, maxScanned: number, limit: number) {
  const names: string[] = [];
  const infos: KeyInfo[] = [];
  let cursor: string | undefined;
  let calls = 0;
  for (;;) {
    const page = await next(cursor);
    calls++;
    assert.ok(page.scanned <= maxScanned, `call ${calls} examined ${page.scanned} > ${maxScanned}`);
    assert.ok(page.keys.length <= limit, `call ${calls} returned ${page.keys.length} > ${limit}`);
    names.push(...page.keys.map((k) => k.key.name));
    infos.push(...page.keys);
    if (page.done) return { names, infos, calls };
    cursor = page.cursor;
  }
}

/** countMatching looped to the end. */
async function countAll(engine: RedisEngine, params: { match?: string; prefix?: string }) {
  let counted = 0;
  for (let cursor: string | undefined; ; ) {
    const step = await engine.countMatching({ ...params, cursor, maxScanned: 100_000 });
    counted += step.counted;
    if (step.done) return counted;
    cursor = step.cursor;
  }
}

async function rejectsWith(work: Promise<unknown>, code: EngineError['code'], message?: RegExp) {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof EngineError, `expected an EngineError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('Redis engine: keys, namespaces and bulk delete (standalone)', function () {
  let engine: RedisEngine;

  before(async function () {
    if (!url) this.skip();
    engine = await connectTestEngine(url);
  });

  after(async function () {
    if (!engine) return;
    await removeKeysUnder(engine, p);
    assert.equal(await countAll(engine, { prefix: p }), 0);
    await engine.close();
  });

  it('lists keys of every type with TTL and memory, filtered by pattern and type', async function () {
    const c = engine.client;
    await c.set(`${p}t:str`, 'v', 'EX', 300);
    await c.hset(`${p}t:hash`, 'f', 'v');
    await c.rpush(`${p}t:list`, 'a');
    await c.sadd(`${p}t:set`, 'm');
    await c.zadd(`${p}t:zset`, 1, 'm');
    await c.xadd(`${p}t:stream`, '*', 'f', 'v');
    const { infos } = await pageAll((cursor) => engine.scanKeys({ match: `${p}t:*`, cursor }), 10_000, 500);
    assert.equal(infos.length, 6);
    const byName = new Map(infos.map((k) => [k.key.name, k]));
    for (const type of ['string', 'hash', 'list', 'set', 'zset', 'stream']) {
      const info = byName.get(`${p}t:${type === 'string' ? 'str' : type}`);
      assert.equal(info?.type, type);
      assert.ok((info.memory ?? 0) > 0, 'MEMORY USAGE is reported');
      if (type === 'string') assert.ok(info.ttl > 0 && info.ttl <= 300, `ttl ${info.ttl}`);
      else assert.equal(info.ttl, -1);
    }
    const hashes = await pageAll((cursor) => engine.scanKeys({ match: `${p}t:*`, type: 'hash', cursor }), 10_000, 500);
    assert.deepEqual(hashes.names, [`${p}t:hash`]);
    const str = (await engine.getKey({ key: `${p}t:str` }));
    assert.equal(str.type, 'string');
    assert.ok(str.ttl > 0 && str.ttl <= 300);
    assert.equal(str.length, 1);
  });

  it('returns exactly `limit` keys per page and every key exactly once, carrying the rest in the cursor', async function () {
    const pipeline = engine.client.pipeline();
    for (let i = 0; i < 1234; i++) pipeline.set(`${p}lim:${i}`, i);
    await pipeline.exec();
    const pages: number[] = [];
    const { names } = await pageAll(async (cursor) => {
      const page = await engine.scanKeys({ match: `${p}lim:*`, cursor, limit: 100, count: 500, maxScanned: 100_000 });
      pages.push(page.keys.length);
      return page;
    }, 100_000, 100);
    assert.equal(names.length, 1234);
    assert.equal(new Set(names).size, 1234);
    assert.ok(pages.slice(0, -1).every((n) => n === 100), `full pages: ${pages.join(',')}`);
  });

  it('pages a namespace of 100,000 keys with bounded work, reaching every key exactly once', async function () {
    const total = 100_000;
    for (let i = 0; i < total; i += 1000) {
      const args: string[] = [];
      for (let j = i; j < i + 1000; j++) args.push(`${p}big:${j}`, 'x');
      await engine.client.mset(...args);
    }
    const maxScanned = 5000;
    const { names, calls } = await pageAll(async (cursor) => {
      const page = await engine.listNamespace({ prefix: `${p}big:`, cursor, limit: 500, maxScanned });
      assert.equal(page.namespaces.length, 0);
      return page;
    }, maxScanned, 500);
    assert.equal(names.length, total, 'each key once');
    assert.equal(new Set(names).size, total, 'no key twice');
    assert.ok(calls >= total / 500, `${calls} calls`);

    // One level up the 100,000 keys fold into one namespace, counted over the pages.
    let seen = 0;
    let cursor: string | undefined;
    for (;;) {
      const page = await engine.listNamespace({ prefix: p, cursor, maxScanned: 20_000 });
      assert.ok(page.scanned <= 20_000);
      seen += page.namespaces.find((n) => n.name === 'big')?.keysSeen ?? 0;
      if (page.done) break;
      cursor = page.cursor;
    }
    assert.equal(seen, total);
  });

  it('folds one level of the tree on the delimiter, escaping glob characters in the prefix', async function () {
    await engine.client.mset(`${p}tree:user:1:profile`, 'a', `${p}tree:user:1:cart`, 'b', `${p}tree:user:2:profile`, 'c', `${p}tree:user:top`, 'd', `${p}tree:[x]*?:k`, 'e', `${p}tree:[x]*?:j`, 'f');
    const users = await wholeLevel(engine, { prefix: `${p}tree:user:`, maxScanned: 100_000 });
    assert.deepEqual(users.namespaces.map((n) => [n.name, n.prefix.name, n.keysSeen]), [['1', `${p}tree:user:1:`, 2], ['2', `${p}tree:user:2:`, 1]]);
    assert.deepEqual(users.keys.map((k) => k.key.name), [`${p}tree:user:top`]);
    const glob = await wholeLevel(engine, { prefix: `${p}tree:[x]*?:`, maxScanned: 100_000 });
    assert.deepEqual(glob.keys.map((k) => k.key.name).sort(), [`${p}tree:[x]*?:j`, `${p}tree:[x]*?:k`]);
    const slash = await wholeLevel(engine, { prefix: `${p}tree:user:`, delimiter: '/', maxScanned: 100_000 });
    assert.equal(slash.namespaces.length, 0);
    assert.equal(slash.keys.length, 4);
  });

  it('round-trips binary key names as base64, through the tree, reads and deletes', async function () {
    const raw = Buffer.concat([Buffer.from(`${p}bin:`), Buffer.from([0xff, 0xfe, 0x3a, 0x00, 0x80])]);
    await engine.client.set(raw, Buffer.from([0xc3, 0x28]));
    const { infos } = await pageAll((cursor) => engine.scanKeys({ match: `${p}bin:*`, cursor, maxScanned: 100_000 }), 100_000, 1000);
    const key = infos.find((k) => k.key.base64 !== undefined);
    assert.ok(key, 'the binary key is listed');
    assert.equal(Buffer.from(key.key.base64!, 'base64').compare(raw), 0);
    const level = await wholeLevel(engine, { prefix: `${p}bin:`, maxScanned: 100_000 });
    assert.equal(level.namespaces.length, 1);
    const inner = await wholeLevel(engine, { prefix: level.namespaces[0]!.prefix, maxScanned: 100_000 });
    assert.equal(Buffer.from(inner.keys[0]!.key.base64!, 'base64').compare(raw), 0);
    const value = await engine.readString({ key: key.key });
    assert.deepEqual([value.binary, value.value], [true, Buffer.from([0xc3, 0x28]).toString('base64')]);
    assert.equal((await engine.deleteKeys({ keys: [key.key] })).deleted, 1);
  });

  it('counts, then deletes by pattern and by prefix in bounded, resumable steps', async function () {
    const pipeline = engine.client.pipeline();
    for (let i = 0; i < 5000; i++) pipeline.set(`${p}bulk:${i}`, i);
    for (let i = 0; i < 300; i++) pipeline.set(`${p}keep:${i}`, i);
    await pipeline.exec();
    const loop = async <T extends { cursor: string; done: boolean; scanned: number }>(step: (cursor?: string) => Promise<T>, add: (r: T) => number) => {
      let sum = 0;
      let steps = 0;
      for (let cursor: string | undefined; ; steps++) {
        const r = await step(cursor);
        assert.ok(r.scanned <= 3000);
        sum += add(r);
        if (r.done) return { sum, steps };
        cursor = r.cursor;
      }
    };
    const counted = await loop((cursor) => engine.countMatching({ match: `${p}bulk:*`, cursor, maxScanned: 3000 }), (r) => r.counted);
    assert.equal(counted.sum, 5000);
    assert.ok(counted.steps > 1, 'more than one bounded step');
    const deleted = await loop((cursor) => engine.deleteMatching({ match: `${p}bulk:*`, cursor, maxScanned: 3000, batch: 100 }), (r) => r.deleted);
    assert.equal(deleted.sum, 5000);
    assert.equal(await countAll(engine, { match: `${p}bulk:*` }), 0);
    assert.equal(await countAll(engine, { prefix: `${p}keep:` }), 300, 'other keys untouched');
    await rejectsWith(engine.countMatching({ cursor: 'not-a-cursor', match: '*' }), 'invalid_input', /cursor/);
    await rejectsWith(engine.countMatching({}), 'invalid_input', /match|prefix/);
  });

  it('stops between SCAN calls when cancelled, deleting nothing', async function () {
    const pipeline = engine.client.pipeline();
    for (let i = 0; i < 2000; i++) pipeline.set(`${p}cancel:${i}`, i);
    await pipeline.exec();
    // A signal that turns aborted after a few looks: cancellation lands between two SCAN calls.
    const abortAfter = (looks: number) => ({ get aborted() { return --looks < 0; } }) as AbortSignal;
    await rejectsWith(engine.scanKeys({ match: `${p}nothing-matches:*`, maxScanned: 100_000, count: 100 }, { signal: abortAfter(3) }), 'cancelled');
    await rejectsWith(engine.deleteMatching({ prefix: `${p}cancel:`, maxScanned: 100_000 }, { signal: abortAfter(3) }), 'cancelled');
    await rejectsWith(engine.listNamespace({ prefix: p, maxScanned: 100_000 }, { signal: AbortSignal.abort() }), 'cancelled');
    assert.equal(await countAll(engine, { prefix: `${p}cancel:` }), 2000, 'nothing was deleted');
  });
});
