/**
 * The Redis operation table the server turns into routes: names and kinds, parameter schemas that
 * the OpenAPI document can describe, clear validation messages and hard caps, and results that are
 * plain JSON when run through the table against the real redis-server (OGELBASE_TEST_REDIS_URL).
 *
 *   node --import tsx node_modules/mocha/bin/mocha.js --timeout 120000 'test/engines/redis-operations.test.ts'
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { build } from 'esbuild';
import { z } from 'zod';
import { openHandle, type RedisEngine } from '../../src/core/engines/redis';
import { redisOperations } from '../../src/core/engines/redis/operations';
import { connectTestEngine, removeKeysUnder } from '../support/engines/redis-fixture';
import { defaultEngineSettings } from '../../src/core/engines/settings';

const url = process.env.OGELBASE_TEST_REDIS_URL;
const p = `ogtest:redis-ops:${randomBytes(4).toString('hex')}:`;
type Name = keyof typeof redisOperations;

const reads: Name[] = ['serverInfo', 'scanKeys', 'listNamespace', 'getKey', 'readString', 'readHash', 'readList', 'readSet', 'readZset', 'readZsetByScore', 'readStream', 'readJson', 'countMatching'];
const writes: Name[] = ['setString', 'hashSet', 'hashDelete', 'listPush', 'listSet', 'listRemove', 'setAdd', 'setReplace', 'setRemove', 'zsetAdd', 'zsetScore', 'zsetRemove', 'streamAdd', 'expire', 'rename', 'deleteKeys', 'deleteMatching'];

/** The first validation message for `params`, or undefined when they are accepted. */
function problem(name: Name, params: unknown): string | undefined {
  const result = redisOperations[name].params.safeParse(params);
  return result.success ? undefined : result.error.issues[0]!.message;
}

/** Parses and runs one entry as the server does, and checks the result survives JSON unchanged. */
async function run(engine: RedisEngine, name: Name, params: unknown): Promise<Record<string, unknown>> {
  const operation = redisOperations[name] as { params: z.ZodType; run(e: RedisEngine, p: unknown, c: object): Promise<unknown> };
  const result = (await operation.run(engine, operation.params.parse(params), {})) as Record<string, unknown>;
  assert.deepEqual(JSON.parse(JSON.stringify(result)), result, `${name} returns plain JSON`);
  return result;
}

describe('Redis operation table', function () {
  it('has every operation with its kind, each with an object schema OpenAPI can describe', function () {
    assert.deepEqual(Object.keys(redisOperations).sort(), [...reads, ...writes].sort());
    for (const name of reads) assert.equal(redisOperations[name].kind, 'read', name);
    for (const name of writes) assert.equal(redisOperations[name].kind, 'write', name);
    for (const [name, operation] of Object.entries(redisOperations)) {
      assert.ok(operation.params instanceof z.ZodObject, `${name}: the server reads .shape`);
      assert.ok(operation.summary.length > 10, name);
      const schema = z.toJSONSchema(operation.params, { io: 'input' }) as { type?: string };
      assert.equal(schema.type, 'object', name);
    }
  });

  it('applies defaults and hard caps with messages a person can act on', function () {
    const scan = redisOperations.scanKeys.params.parse({});
    assert.deepEqual([scan.count, scan.limit, scan.maxScanned], [500, 500, 10_000]);
    assert.match(problem('scanKeys', { limit: 5000 })!, /limit must be at most 2000/);
    assert.match(problem('scanKeys', { maxScanned: 10_000_000 })!, /maxScanned must be at most 100000/);
    assert.match(problem('scanKeys', { limt: 5 })!, /Unrecognized key/);
    assert.match(problem('readString', { key: 'k', maxBytes: 2 * 1024 * 1024 })!, /maxBytes must be at most 1048576/);
    assert.match(problem('readHash', { key: 'k', cursor: 'abc' })!, /cursor is the number/);
    assert.match(problem('getKey', { key: 42 })!, /a key is a string or \{ name, base64\? \}/);
    assert.match(problem('getKey', { key: '' })!, /key/);
    assert.match(problem('deleteMatching', {})!, /either match .* or prefix/);
    assert.match(problem('deleteMatching', { match: '*', prefix: 'a:' })!, /either match/);
    assert.match(problem('deleteKeys', { keys: Array.from({ length: 1001 }, (_, i) => `k${i}`) })!, /at most 1000 keys/);
    assert.match(problem('setString', { key: 'k', value: 'v', ttl: 5, keepTtl: true })!, /ttl or keepTtl/);
    assert.match(problem('expire', { key: 'k', ttl: 0 })!, /ttl must be at least 1/);
    assert.match(problem('zsetAdd', { key: 'k', members: [{ member: 'm', score: Number.NaN }] })!, /.+/);
    assert.match(problem('listPush', { key: 'k', values: ['a'], end: 'middle' })!, /head or tail/);
    assert.match(problem('streamAdd', { key: 'k', fields: [{ field: 'f', value: 'v' }], id: 'abc' })!, /stream ID/);
    assert.equal(problem('expire', { key: { name: 'k' }, ttl: null }), undefined);
    assert.equal(problem('listNamespace', { prefix: '' }), undefined);
    assert.equal(problem('listNamespace', { prefix: '', count: 50 }), undefined);
    assert.match(problem('listNamespace', { prefix: '', count: 0 })!, /count/);
  });

  it('bundles for the extension with its operation table, so direct calls validate like platform calls', async function () {
    const result = await build({ entryPoints: ['src/core/engines/redis/index.ts'], bundle: true, platform: 'node', write: false, metafile: true, logLevel: 'silent', outdir: 'out' });
    const inputs = Object.keys(result.metafile.inputs);
    assert.ok(inputs.some((i) => i.includes('node_modules/ioredis/')));
    assert.ok(inputs.some((i) => /redis\/operations\.ts/.test(i)));
    assert.ok(!inputs.some((i) => /node_modules\/(pg|mongodb)\//.test(i)), 'one engine bundle carries one driver');
  });

  describe('run against the real server', function () {
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

    it('opens a handle for the connection manager, read-only when the database is', async function () {
      const handle = await openHandle({ id: 'db1', name: 'cache', type: 'redis', connectionString: url!, readOnly: true }, 1, defaultEngineSettings);
      try {
        const opened = handle.engine as RedisEngine;
        assert.equal(opened.readOnly, true);
        assert.equal((await opened.serverInfo()).topology, 'standalone');
        assert.deepEqual(handle.figures(), { active: 0, idle: 1, waiting: 0 });
      } finally {
        await handle.close();
      }
    });

    it('answers every read and write with plain JSON', async function () {
      await run(engine, 'setString', { key: `${p}s`, value: 'v', ttl: 60 });
      await run(engine, 'hashSet', { key: `${p}h`, field: 'f', value: { value: '/w==', binary: true } });
      await run(engine, 'listPush', { key: `${p}l`, values: ['a', 'b'], end: 'tail' });
      await run(engine, 'setAdd', { key: `${p}set`, members: ['m'] });
      await run(engine, 'zsetAdd', { key: `${p}z`, members: [{ member: 'm', score: 'inf' }] });
      await run(engine, 'streamAdd', { key: `${p}x`, fields: [{ field: 'f', value: 'v' }] });
      // Paged to the end: the server is shared, and one call stops after maxScanned entries.
      let listedKeys = 0;
      for (let cursor: unknown; ; ) {
        const listed = await run(engine, 'scanKeys', { match: `${p}*`, maxScanned: 100_000, ...(cursor ? { cursor } : {}) });
        listedKeys += (listed.keys as unknown[]).length;
        if (listed.done) break;
        cursor = listed.cursor;
      }
      assert.equal(listedKeys, 6);
      await run(engine, 'listNamespace', { prefix: p, maxScanned: 100_000 });
      await run(engine, 'serverInfo', {});
      await run(engine, 'getKey', { key: `${p}s` });
      assert.equal((await run(engine, 'readHash', { key: `${p}h` })).length, 1);
      await run(engine, 'readString', { key: `${p}s` });
      await run(engine, 'readList', { key: `${p}l` });
      await run(engine, 'readSet', { key: `${p}set` });
      assert.equal(((await run(engine, 'readZset', { key: `${p}z` })).members as { score: unknown }[])[0]!.score, 'inf');
      await run(engine, 'readStream', { key: `${p}x` });
      await run(engine, 'listSet', { key: `${p}l`, index: 0, value: 'A' });
      await run(engine, 'listRemove', { key: `${p}l`, value: 'b' });
      await run(engine, 'hashDelete', { key: `${p}h`, fields: [{ value: 'f' }] });
      await run(engine, 'setRemove', { key: `${p}set`, members: ['m'] });
      await run(engine, 'zsetRemove', { key: `${p}z`, members: ['m'] });
      await run(engine, 'expire', { key: `${p}s`, ttl: null });
      await run(engine, 'rename', { key: `${p}s`, newKey: `${p}s2` });
      assert.ok(((await run(engine, 'countMatching', { prefix: p, maxScanned: 100_000 })).counted as number) >= 1);
      assert.deepEqual(await run(engine, 'deleteKeys', { keys: [`${p}s2`] }), { deleted: 1 });
    });
  });
});
