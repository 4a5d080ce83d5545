/**
 * The Redis engine's value viewers and editors against a real redis-server (OGELBASE_TEST_REDIS_URL):
 * paged reads of every type (a hash of 500,000 fields included), binary values, writes, TTLs,
 * read-only refusal and the errors a person sees. Keys live under a prefix unique to this run.
 *
 *   node --import tsx node_modules/mocha/bin/mocha.js --timeout 120000 'test/engines/redis-values.test.ts'
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { parseConnectionString, type RedisConnection } from '../../src/core/connection-strings';
import { EngineError } from '../../src/core/engines/errors';
import { connectRedisEngine, RedisEngine } from '../../src/core/engines/redis';
import { connectTestEngine, removeKeysUnder } from '../support/engines/redis-fixture';
import { defaultEngineSettings } from '../../src/core/engines/settings';

const url = process.env.OGELBASE_TEST_REDIS_URL;
const p = `ogtest:redis-values:${randomBytes(4).toString('hex')}:`;

async function rejectsWith(work: Promise<unknown>, code: EngineError['code'], message?: RegExp) {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof EngineError, `expected an EngineError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** HSCAN calls the server has answered so far (INFO commandstats), to prove how a hash was read. */
async function commandCalls(engine: RedisEngine, command: string): Promise<number> {
  const stats = await engine.client.info('commandstats');
  return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
}

describe('Redis engine: values and edits (standalone)', function () {
  let engine: RedisEngine;

  before(async function () {
    if (!url) this.skip();
    engine = await connectTestEngine(url);
  });

  after(async function () {
    if (!engine) return;
    await removeKeysUnder(engine, p);
    await engine.close();
  });

  it('reads a string in byte windows without splitting UTF-8 characters, and binary as base64', async function () {
    const text = 'é'.repeat(3000) + 'end';
    await engine.setString({ key: `${p}str`, value: text });
    let offset = 0;
    let whole = '';
    for (;;) {
      const page = await engine.readString({ key: `${p}str`, offset, maxBytes: 1001 });
      assert.equal(page.binary, false);
      assert.equal(page.length, 6003);
      whole += page.value;
      offset += page.bytes;
      if (!page.truncated) break;
    }
    assert.equal(whole, text);
    const bytes = Buffer.from([0, 0xff, 0xfe, 0x80, 0x41]);
    await engine.setString({ key: `${p}bin`, value: { value: bytes.toString('base64'), binary: true } });
    const binary = await engine.readString({ key: `${p}bin` });
    assert.deepEqual([binary.binary, binary.value, binary.length, binary.truncated], [true, bytes.toString('base64'), 5, false]);
    assert.equal((await engine.getKey({ key: `${p}bin` })).length, 5);
  });

  it('reads a hash of 500,000 fields page by page with HSCAN, never the whole value', async function () {
    const key = `${p}hash:big`;
    for (let i = 0; i < 500_000; i += 10_000) {
      const args: string[] = [];
      for (let j = i; j < i + 10_000; j++) args.push(`f${j}`, `v${j}`);
      await engine.client.hset(key, ...args);
    }
    const hgetallBefore = await commandCalls(engine, 'hgetall');
    const fields = new Set<string>();
    let cursor = '0';
    let pages = 0;
    for (;;) {
      const page = await engine.readHash({ key, cursor, count: 1000 });
      pages++;
      assert.equal(page.length, 500_000);
      assert.ok(page.entries.length <= 2000, `page of ${page.entries.length} entries`);
      for (const { field, value } of page.entries) {
        assert.equal(value.value, `v${field.value.slice(1)}`);
        fields.add(field.value);
      }
      if (page.done) break;
      cursor = page.cursor;
    }
    assert.equal(fields.size, 500_000);
    assert.ok(pages >= 250, `${pages} pages`);
    assert.equal(await commandCalls(engine, 'hgetall'), hgetallBefore, 'no HGETALL was sent');
    const filtered = await engine.readHash({ key, match: 'f49999?', count: 1000 });
    assert.ok(filtered.entries.every((e) => e.field.value.startsWith('f49999')));
  });

  it('edits a hash with binary fields and values', async function () {
    const key = `${p}hash:small`;
    const field = { value: Buffer.from([0xff, 0x00]).toString('base64'), binary: true };
    assert.deepEqual(await engine.hashSet({ key, field, value: { value: Buffer.from([0xc3]).toString('base64'), binary: true } }), { created: true });
    assert.deepEqual(await engine.hashSet({ key, field: 'plain', value: 'x'.repeat(40_000) }), { created: true });
    const page = await engine.readHash({ key, maxItemBytes: 1000 });
    const binary = page.entries.find((e) => e.field.binary);
    assert.deepEqual(binary, { field: { value: field.value, binary: true }, value: { value: 'ww==', binary: true } });
    const long = page.entries.find((e) => e.field.value === 'plain')!;
    assert.deepEqual([long.value.value.length, long.value.truncated, long.value.bytes], [1000, true, 40_000]);
    assert.deepEqual(await engine.hashDelete({ key, fields: [binary!.field, 'plain', 'missing'] }), { removed: 2 });
  });

  it('reads lists by index windows and edits them in order', async function () {
    const key = `${p}list`;
    await engine.listPush({ key, values: Array.from({ length: 1000 }, (_, i) => `item${i}`), end: 'tail' });
    assert.deepEqual(await engine.listPush({ key, values: ['a', 'b'], end: 'head' }), { length: 1002 });
    const head = await engine.readList({ key, start: 0, count: 3 });
    assert.deepEqual(head.items.map((i) => [i.index, i.value.value]), [[0, 'a'], [1, 'b'], [2, 'item0']]);
    assert.equal(head.length, 1002);
    const tail = await engine.readList({ key, start: -2, count: 10 });
    assert.deepEqual(tail.items.map((i) => [i.index, i.value.value]), [[1000, 'item998'], [1001, 'item999']]);
    await engine.listSet({ key, index: 1, value: 'B' });
    assert.deepEqual(await engine.listRemove({ key, value: 'a', count: 0 }), { removed: 1 });
    assert.equal((await engine.readList({ key, start: 0, count: 1 })).items[0]!.value.value, 'B');
    await rejectsWith(engine.listSet({ key, index: 5000, value: 'x' }), 'invalid_input', /index out of range/);
    await rejectsWith(engine.listSet({ key: `${p}nolist`, index: 0, value: 'x' }), 'not_found');
  });

  it('reads sets by SSCAN pages and sorted sets by rank with scores', async function () {
    await engine.setAdd({ key: `${p}set`, members: Array.from({ length: 300 }, (_, i) => `m${i}`) });
    const members = new Set<string>();
    for (let cursor = '0'; ; ) {
      const page = await engine.readSet({ key: `${p}set`, cursor, count: 50 });
      page.members.forEach((m) => members.add(m.value));
      if (page.done) break;
      cursor = page.cursor;
    }
    assert.equal(members.size, 300);
    assert.deepEqual(await engine.setRemove({ key: `${p}set`, members: ['m0', 'nope'] }), { removed: 1 });

    const zkey = `${p}zset`;
    assert.deepEqual(await engine.zsetAdd({ key: zkey, members: [{ member: 'low', score: '-inf' }, { member: 'a', score: 1.5 }, { member: 'b', score: 2 }, { member: 'top', score: 'inf' }] }), { added: 4 });
    const asc = await engine.readZset({ key: zkey, start: 0, count: 3 });
    assert.deepEqual(asc.members.map((m) => [m.rank, m.member.value, m.score]), [[0, 'low', '-inf'], [1, 'a', 1.5], [2, 'b', 2]]);
    assert.equal(asc.length, 4);
    const desc = await engine.readZset({ key: zkey, start: 0, count: 1, order: 'desc' });
    assert.deepEqual(desc.members.map((m) => [m.member.value, m.score]), [['top', 'inf']]);
    assert.deepEqual(await engine.zsetRemove({ key: zkey, members: ['a'] }), { removed: 1 });
  });

  it('reads streams by ID range with consumer groups, forwards and backwards', async function () {
    const key = `${p}stream`;
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await engine.streamAdd({ key, fields: [{ field: 'n', value: String(i) }] })).id);
    await engine.client.xgroup('CREATE', key, 'workers', '0');
    await engine.client.xreadgroup('GROUP', 'workers', 'w1', 'COUNT', 5, 'STREAMS', key, '>');
    const seen: string[] = [];
    let start: string | undefined;
    for (;;) {
      const page = await engine.readStream({ key, start, count: 10 });
      assert.equal(page.length, 25);
      assert.deepEqual(page.groups.map((g) => [g.name, g.consumers, g.pending]), [['workers', 1, 5]]);
      seen.push(...page.entries.map((e) => e.id));
      if (page.next === null) break;
      start = page.next;
    }
    assert.deepEqual(seen, ids);
    const newest = await engine.readStream({ key, count: 2, reverse: true });
    assert.deepEqual(newest.entries.map((e) => [e.id, e.fields[0]!.value.value]), [[ids[24], '24'], [ids[23], '23']]);
    const older = await engine.readStream({ key, end: newest.next!, count: 1, reverse: true });
    assert.equal(older.entries[0]!.id, ids[22]);
    await rejectsWith(engine.streamAdd({ key, fields: [{ field: 'n', value: 'x' }], id: '1-1' }), 'invalid_input');
  });

  it('sets, keeps and removes TTLs', async function () {
    const key = `${p}ttl`;
    await engine.setString({ key, value: 'v', ttl: 1000 });
    assert.ok((await engine.getKey({ key })).ttl > 900);
    await engine.setString({ key, value: 'w', keepTtl: true });
    assert.ok((await engine.getKey({ key })).ttl > 900, 'KEEPTTL kept it');
    assert.deepEqual(await engine.expire({ key, ttl: null }), { ttl: -1 });
    const { ttl } = await engine.expire({ key, ttl: 50 });
    assert.ok(ttl > 0 && ttl <= 50);
    await engine.setString({ key, value: 'x' });
    assert.equal((await engine.getKey({ key })).ttl, -1, 'SET without ttl clears it');
    assert.deepEqual(await engine.setString({ key, value: 'y', ifMissing: true }), { written: false });
    await rejectsWith(engine.expire({ key: `${p}gone`, ttl: 5 }), 'not_found');
  });

  it('renames without overwriting unless asked', async function () {
    await engine.setString({ key: `${p}r1`, value: '1' });
    await engine.setString({ key: `${p}r2`, value: '2' });
    await rejectsWith(engine.rename({ key: `${p}r1`, newKey: `${p}r2` }), 'invalid_input', /already exists/);
    assert.deepEqual(await engine.rename({ key: `${p}r1`, newKey: `${p}r2`, overwrite: true }), { key: { name: `${p}r2` } });
    assert.equal((await engine.readString({ key: `${p}r2` })).value, '1');
    await rejectsWith(engine.rename({ key: `${p}r1`, newKey: `${p}r3` }), 'not_found');
  });

  it('says clearly when a key is missing or of another type', async function () {
    await engine.listPush({ key: `${p}typed`, values: ['a'], end: 'tail' });
    await rejectsWith(engine.readHash({ key: `${p}typed` }), 'invalid_input', /holds a list, not a hash/);
    await rejectsWith(engine.readString({ key: `${p}missing` }), 'not_found', /does not exist/);
    await rejectsWith(engine.getKey({ key: `${p}missing` }), 'not_found');
    await rejectsWith(engine.hashSet({ key: `${p}typed`, field: 'f', value: 'v' }), 'invalid_input', /another type/);
    await rejectsWith(engine.readJson({ key: `${p}typed` }), 'invalid_input', /RedisJSON module is not loaded/);
    await rejectsWith(engine.getKey({ key: { name: 'x', base64: 'not base64!' } }), 'invalid_input', /base64/);
  });

  it('refuses every write on a read-only connection, before it reaches the server', async function () {
    const readOnly = new RedisEngine(engine.client, { readOnly: true });
    const key = `${p}ro`;
    await engine.setString({ key, value: 'kept' });
    const writes: Promise<unknown>[] = [
      readOnly.setString({ key, value: 'x' }),
      readOnly.hashSet({ key, field: 'f', value: 'v' }),
      readOnly.hashDelete({ key, fields: ['f'] }),
      readOnly.listPush({ key, values: ['v'], end: 'head' }),
      readOnly.listSet({ key, index: 0, value: 'v' }),
      readOnly.listRemove({ key, value: 'v', count: 0 }),
      readOnly.setAdd({ key, members: ['m'] }),
      readOnly.setRemove({ key, members: ['m'] }),
      readOnly.zsetAdd({ key, members: [{ member: 'm', score: 1 }] }),
      readOnly.zsetRemove({ key, members: ['m'] }),
      readOnly.streamAdd({ key, fields: [{ field: 'f', value: 'v' }] }),
      readOnly.expire({ key, ttl: 1 }),
      readOnly.rename({ key, newKey: `${key}2` }),
      readOnly.deleteKeys({ keys: [key] }),
      readOnly.deleteMatching({ prefix: p }),
    ];
    for (const write of writes) await rejectsWith(write, 'read_only', /read-only/);
    assert.equal((await readOnly.readString({ key })).value, 'kept', 'reads still work, nothing changed');
    assert.equal((await readOnly.getKey({ key })).ttl, -1);
  });

  it('reports the server, and never shows a password in an error', async function () {
    const info = await engine.serverInfo();
    assert.match(info.version, /^\d+\.\d+/);
    assert.deepEqual([info.topology, info.masters, info.json], ['standalone', 1, false]);
    assert.ok(info.dbSize >= 1 && info.usedMemory > 0);
    const parsed = parseConnectionString('redis', url!) as RedisConnection;
    const wrong = 'Wr0ng-pa55word-x';
    const error = await connectRedisEngine({ ...parsed, password: wrong }, defaultEngineSettings).then(
      () => assert.fail('connected with a wrong password'),
      (e: unknown) => e as EngineError,
    );
    assert.equal(error.code, 'auth');
    assert.ok(!error.message.includes(wrong) && !error.message.includes(parsed.password!), error.message);
    // Nothing listens on port 1: refused at once, for a single server and for a Cluster's seed nodes.
    for (const unreachable of [`redis://:${wrong}@127.0.0.1:1/0`, `redis+cluster://:${wrong}@127.0.0.1:1`]) {
      const refused = await connectRedisEngine(parseConnectionString('redis', unreachable) as RedisConnection, defaultEngineSettings).then(
        () => assert.fail('connected to a closed port'),
        (e: unknown) => e as EngineError,
      );
      assert.equal(refused.code, 'unreachable', refused.message);
      assert.ok(!refused.message.includes(wrong), refused.message);
    }
  });
});
