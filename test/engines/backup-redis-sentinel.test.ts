/**
 * A Redis backup through Sentinel (the harness's master and Sentinel): the master the sentinels
 * name is snapshotted over the replication protocol, one RDB, and a restore through the same
 * connection string brings back every key with its type, value and TTL.
 *
 *   node --import tsx node_modules/mocha/bin/mocha.js --timeout 120000 test/engines/backup-redis-sentinel.test.ts
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisBackup } from '../../src/core/backup/redis';
import type { BackupTarget } from '../../src/core/backup/types';

const env = process.env;

describe('Redis backups through Sentinel', function () {
  let client: Redis;
  let target: BackupTarget;
  let work: string;
  const p = `ogtest:bks:${randomBytes(3).toString('hex')}:`;
  const keys = [`${p}s`, `${p}h`, `${p}l`, `${p}z`, `${p}ttl`];

  const state = async () =>
    Promise.all([
      client.get(`${p}s`),
      client.hgetall(`${p}h`),
      client.lrange(`${p}l`, 0, -1),
      client.zrange(`${p}z`, '0', '-1', 'WITHSCORES'),
      client.get(`${p}ttl`),
      client.call('PEXPIRETIME', `${p}ttl`),
    ]);

  before(async function () {
    if (!env.OGELBASE_TEST_REDIS_SENTINELS) this.skip();
    const [host, port] = env.OGELBASE_TEST_REDIS_SENTINELS.split(',')[0]!.split(':');
    const password = env.OGELBASE_TEST_REDIS_SENTINEL_PASSWORD ?? '';
    client = new Redis({ sentinels: [{ host: host!, port: Number(port) }], name: env.OGELBASE_TEST_REDIS_SENTINEL_MASTER, password });
    await client.config('SET', 'repl-diskless-sync-delay', '0');
    await client.set(`${p}s`, 'hello');
    await client.hset(`${p}h`, { a: '1', b: '2' });
    await client.rpush(`${p}l`, 'x', 'y', 'z');
    await client.zadd(`${p}z`, 1.5, 'one', 2, 'two');
    await client.set(`${p}ttl`, 'soon', 'EX', 900);
    target = {
      id: randomUUID(),
      name: 'sentinel-cache',
      type: 'redis',
      connectionString: `redis+sentinel://:${encodeURIComponent(password)}@${env.OGELBASE_TEST_REDIS_SENTINELS}/${env.OGELBASE_TEST_REDIS_SENTINEL_MASTER}`,
      localFiles: true,
    };
    work = mkdtempSync(join(tmpdir(), 'ogelbase-bksentinel-'));
  });

  after(async () => {
    if (client) await client.del(...keys);
    client?.disconnect();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('snapshots the master the sentinels name and restores every key with its TTL', async () => {
    const before = await state();
    const dir = join(work, 'backup');
    const manifest = await redisBackup.create(target, dir, { id: randomUUID(), tools: { where: 'extension' } });
    assert.equal(manifest.method, 'redis-sync');
    if (manifest.contents.engine !== 'redis') assert.fail('not a redis manifest');
    assert.equal(manifest.contents.topology, 'sentinel');
    assert.deepEqual(manifest.files.map((f) => f.path), ['dump.rdb']);
    assert.ok(manifest.contents.keys >= keys.length);
    assert.ok(!JSON.stringify(manifest).includes(env.OGELBASE_TEST_REDIS_SENTINEL_PASSWORD ?? '\u0000'), 'no password in the manifest');

    await client.del(`${p}h`, `${p}ttl`);
    await client.set(`${p}s`, 'changed');
    const report = await redisBackup.restoreFrom(target, dir, { tools: { where: 'extension' } });
    assert.equal(report.outcome, 'completed', report.message);
    assert.deepEqual(await state(), before);
  });
});
