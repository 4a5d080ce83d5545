/**
 * The Redis engine on the harness's 3-master Cluster (OGELBASE_TEST_REDIS_CLUSTER_*) and through
 * Sentinel (OGELBASE_TEST_REDIS_SENTINEL*), connected with our connection-string formats:
 * keys on every master are found, the composite cursor walks master after master, and values,
 * writes and bulk delete work across slots.
 *
 *   node --import tsx node_modules/mocha/bin/mocha.js --timeout 120000 'test/engines/redis-topologies.test.ts'
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { EngineError } from '../../src/core/engines/errors';
import type { RedisEngine } from '../../src/core/engines/redis';
import { connectTestEngine, removeKeysUnder, wholeLevel } from '../support/engines/redis-fixture';

const env = process.env;
const p = `ogtest:redis-topo:${randomBytes(4).toString('hex')}:`;

const connect = connectTestEngine;

async function cleanUp(engine: RedisEngine | undefined) {
  if (!engine) return;
  await removeKeysUnder(engine, p);
  await engine.close();
}

describe('Redis engine on a 3-master Cluster', function () {
  let engine: RedisEngine;
  const total = 600;

  before(async function () {
    if (!env.OGELBASE_TEST_REDIS_CLUSTER_NODES) this.skip();
    engine = await connect(`redis+cluster://:${encodeURIComponent(env.OGELBASE_TEST_REDIS_CLUSTER_PASSWORD ?? '')}@${env.OGELBASE_TEST_REDIS_CLUSTER_NODES}`);
    // No hash tags: the keys spread over the slots of every master.
    await Promise.all(Array.from({ length: total }, (_, i) => engine.setString({ key: `${p}k:${i}`, value: String(i) })));
  });

  after(() => cleanUp(engine));

  it('reports the cluster with figures summed over its masters', async function () {
    const info = await engine.serverInfo();
    assert.deepEqual([info.topology, info.masters, info.json], ['cluster', 3, false]);
    assert.ok(info.dbSize >= total);
  });

  it('finds the keys of every master, page by page, each exactly once', async function () {
    const masters = (engine.client as Cluster).nodes('master');
    assert.equal(masters.length, 3);
    const perMaster: string[][] = [];
    for (const node of masters) {
      const names: string[] = [];
      for (let cursor = '0'; ; ) {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${p}k:*`, 'COUNT', 1000);
        names.push(...keys);
        if (next === '0') break;
        cursor = next;
      }
      assert.ok(names.length > 0, 'every master holds some of the keys');
      perMaster.push(names);
    }
    const found: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await engine.scanKeys({ match: `${p}k:*`, cursor, limit: 100, count: 100, maxScanned: 1000 });
      assert.ok(page.scanned <= 1000 && page.keys.length <= 100);
      for (const k of page.keys) {
        assert.equal(k.type, 'string');
        found.push(k.key.name);
      }
      if (page.done) break;
      cursor = page.cursor;
    }
    assert.equal(found.length, total);
    assert.deepEqual(new Set(found), new Set(perMaster.flat()));
  });

  it('folds namespaces and reads values across slots', async function () {
    await engine.hashSet({ key: `${p}ns:user:1`, field: 'name', value: 'Ada' });
    await engine.listPush({ key: `${p}ns:queue:jobs`, values: ['a', 'b'], end: 'tail' });
    await engine.zsetAdd({ key: `${p}ns:board`, members: [{ member: 'x', score: 3 }] });
    const level = await wholeLevel(engine, { prefix: `${p}ns:`, maxScanned: 100_000 });
    assert.deepEqual(level.namespaces.map((n) => [n.name, n.keysSeen]), [['queue', 1], ['user', 1]]);
    assert.deepEqual(level.keys.map((k) => [k.key.name, k.type]), [[`${p}ns:board`, 'zset']]);
    assert.equal((await engine.readHash({ key: `${p}ns:user:1` })).entries[0]!.value.value, 'Ada');
    assert.deepEqual((await engine.readList({ key: `${p}ns:queue:jobs` })).items.map((i) => i.value.value), ['a', 'b']);
    assert.equal((await engine.getKey({ key: `${p}ns:board` })).length, 1);
  });

  it('renames within a slot, and says why it cannot across slots', async function () {
    await engine.setString({ key: `${p}{tag}a`, value: '1' });
    assert.deepEqual(await engine.rename({ key: `${p}{tag}a`, newKey: `${p}{tag}b` }), { key: { name: `${p}{tag}b` } });
    await assert.rejects(engine.rename({ key: `${p}k:1`, newKey: `${p}k:2-renamed`, overwrite: true }), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, 'invalid_input');
      assert.match(error.message, /hash tag/);
      return true;
    });
  });

  it('deletes keys of different slots, and counts then deletes by pattern on every master', async function () {
    assert.deepEqual(await engine.deleteKeys({ keys: [`${p}k:0`, `${p}k:1`, `${p}k:2`, `${p}missing`] }), { deleted: 3 });
    let counted = 0;
    for (let cursor: string | undefined; ; ) {
      const step = await engine.countMatching({ match: `${p}k:*`, cursor, maxScanned: 500 });
      assert.ok(step.scanned <= 500);
      counted += step.counted;
      if (step.done) break;
      cursor = step.cursor;
    }
    assert.equal(counted, total - 3);
    let deleted = 0;
    for (let cursor: string | undefined; ; ) {
      const step = await engine.deleteMatching({ match: `${p}k:*`, cursor, maxScanned: 500, batch: 50 });
      deleted += step.deleted;
      if (step.done) break;
      cursor = step.cursor;
    }
    assert.equal(deleted, total - 3);
    const rest = await engine.scanKeys({ match: `${p}k:*`, maxScanned: 100_000 });
    assert.deepEqual([rest.keys.length, rest.done], [0, true]);
  });
});

describe('Redis engine through Sentinel', function () {
  let engine: RedisEngine;

  before(async function () {
    if (!env.OGELBASE_TEST_REDIS_SENTINELS) this.skip();
    const password = encodeURIComponent(env.OGELBASE_TEST_REDIS_SENTINEL_PASSWORD ?? '');
    engine = await connect(`redis+sentinel://:${password}@${env.OGELBASE_TEST_REDIS_SENTINELS}/${env.OGELBASE_TEST_REDIS_SENTINEL_MASTER}`);
  });

  after(() => cleanUp(engine));

  it('reads and writes the master it was pointed to', async function () {
    const info = await engine.serverInfo();
    assert.deepEqual([info.topology, info.masters], ['sentinel', 1]);
    await engine.setString({ key: `${p}s:greeting`, value: 'hello', ttl: 600 });
    await engine.hashSet({ key: `${p}s:hash`, field: 'f', value: 'v' });
    const page = await engine.scanKeys({ match: `${p}s:*`, maxScanned: 100_000 });
    assert.deepEqual(page.keys.map((k) => [k.key.name, k.type]).sort(), [[`${p}s:greeting`, 'string'], [`${p}s:hash`, 'hash']]);
    assert.equal((await engine.readString({ key: `${p}s:greeting` })).value, 'hello');
    assert.ok((await engine.getKey({ key: `${p}s:greeting` })).ttl > 0);
    assert.deepEqual(await engine.deleteKeys({ keys: [`${p}s:greeting`, `${p}s:hash`] }), { deleted: 2 });
  });
});
