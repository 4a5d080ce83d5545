/**
 * Redis backup and restore against the harness's real Redis (standalone and the 3-master Cluster):
 * the RDB taken over the replication protocol and its DUMP fallback, each loaded by a fresh
 * redis-server started on it; round trips comparing every key's type, value and TTL; the
 * pre-check refusing a damaged RDB even when its manifest was rewritten to match; a cancelled
 * restore's report.
 *
 *   node --import tsx node_modules/mocha/bin/mocha.js --timeout 120000 test/engines/backup-redis.test.ts
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { hashFile } from '../../src/core/backup/files';
import { redisBackup } from '../../src/core/backup/redis';
import type { BackupTarget } from '../../src/core/backup/types';
import { rejectsWith } from '../support/engines/assertions';
import { freePort, waitForPort } from '../support/services/ports';
import { requireBinary, startDetached, stopPid } from '../support/services/processes';

const env = process.env;
const tools = { where: 'extension' as const };
const DB = 5;

/** Type, value and TTL of every key under `prefix`: what a round trip must keep. */
async function snapshot(client: Redis | Cluster, keys: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) {
    const type = await client.type(key);
    // The absolute expiry (Redis 7): what a backup keeps, whatever time the restore took.
    const expireAt = Number(await client.call('PEXPIRETIME', key));
    const value =
      type === 'string' ? (await client.getBuffer(key))?.toString('base64')
      : type === 'hash' ? await client.hgetall(key)
      : type === 'list' ? await client.lrange(key, 0, -1)
      : type === 'set' ? (await client.smembers(key)).sort()
      : type === 'zset' ? await client.zrange(key, '0', '-1', 'WITHSCORES')
      : type === 'stream' ? JSON.stringify(await client.xrange(key, '-', '+'))
      : null;
    out[key] = { type, value, expireAt };
  }
  return out;
}

/** Equal keys, types and values, with expiries within a second of each other. */
function sameKeys(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  const strip = (s: Record<string, unknown>) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { ...(v as object), expireAt: undefined }]));
  assert.deepEqual(strip(actual), strip(expected));
  for (const [key, value] of Object.entries(expected)) {
    const want = (value as { expireAt: number }).expireAt;
    const got = (actual[key] as { expireAt: number }).expireAt;
    assert.ok(want < 0 ? got === want : Math.abs(got - want) <= 1000, `${key}: expires at ${got}, the backup says ${want}`);
  }
}

async function fill(client: Redis | Cluster, p: string): Promise<string[]> {
  await client.set(`${p}str`, 'hello');
  await client.set(`${p}int`, '123456');
  await client.set(`${p}big`, 'x'.repeat(70_000) + randomBytes(64).toString('hex'));
  await client.set(Buffer.from(`${p}bin\xff`, 'latin1'), Buffer.from([0, 1, 2, 255]));
  await client.set(`${p}ttl`, 'soon', 'EX', 3600);
  await client.hset(`${p}hash`, { a: '1', b: 'two', 'ünï': 'çödé' });
  await client.hset(`${p}bighash`, Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`])));
  await client.rpush(`${p}list`, 'a', 'b', 'c');
  await client.rpush(`${p}biglist`, ...Array.from({ length: 2000 }, (_, i) => `item-${i}`));
  await client.sadd(`${p}set`, 'x', 'y');
  await client.sadd(`${p}intset`, '1', '2', '3');
  await client.zadd(`${p}zset`, 1.5, 'm', -2, 'n', 3e10, 'o');
  await client.xadd(`${p}stream`, '1700000000000-0', 'f', 'v');
  await client.xgroup('CREATE', `${p}stream`, 'g1', '0');
  return [`${p}str`, `${p}int`, `${p}big`, `${p}ttl`, `${p}hash`, `${p}bighash`, `${p}list`, `${p}biglist`, `${p}set`, `${p}intset`, `${p}zset`, `${p}stream`];
}

/** Starts redis-server on an RDB file (its own port, no password) and gives a client to it. */
async function loadInFreshServer(dir: string, file: string): Promise<{ client: Redis; stop(): Promise<void> }> {
  const port = await freePort();
  const pid = startDetached(requireBinary('redis-server', 'redis-server'), ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', file, '--save', '', '--appendonly', 'no']);
  await waitForPort(port, 15_000);
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await client.connect();
  for (let i = 0; i < 100 && (await client.info('persistence')).includes('loading:1'); i++) await new Promise((r) => setTimeout(r, 50));
  return {
    client,
    stop: async () => {
      client.disconnect();
      await stopPid(pid);
    },
  };
}

describe('Redis backups (RDB over the replication protocol, DUMP fallback)', function () {
  let client: Redis;
  let target: BackupTarget;
  let work: string;
  let keys: string[];
  const p = `ogtest:bk:${randomBytes(3).toString('hex')}:`;

  before(async function () {
    if (!env.OGELBASE_TEST_REDIS_URL) this.skip();
    const url = env.OGELBASE_TEST_REDIS_URL.replace(/\/0$/, `/${DB}`);
    client = new Redis(url);
    await client.flushdb();
    // The harness's servers: no 5 s wait for more replicas before a diskless transfer.
    await client.config('SET', 'repl-diskless-sync-delay', '0');
    keys = await fill(client, p);
    target = { id: randomUUID(), name: 'cache', type: 'redis', connectionString: url, localFiles: true };
    work = mkdtempSync(join(tmpdir(), 'ogelbase-bkredis-'));
  });

  after(async () => {
    await client?.flushdb();
    client?.disconnect();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('takes an RDB over SYNC that a fresh redis-server loads, with the manifest counting keys by type', async () => {
    const dir = join(work, 'sync');
    const manifest = await redisBackup.create(target, dir, { id: randomUUID(), tools });
    assert.equal(manifest.method, 'redis-sync');
    assert.ok(manifest.contents.engine === 'redis');
    if (manifest.contents.engine !== 'redis') return;
    assert.equal(manifest.contents.keys, keys.length + 1);
    assert.equal(manifest.contents.byType.string, 5);
    assert.equal(manifest.contents.expiring, 1);
    assert.equal(manifest.contents.pointInTime, true);
    assert.ok(manifest.checks.some((c) => c.startsWith('redis-check-rdb')), 'checked with redis-check-rdb');
    assert.equal(readFileSync(join(dir, 'dump.rdb')).subarray(0, 5).toString(), 'REDIS');
    const fresh = await loadInFreshServer(dir, 'dump.rdb');
    try {
      await fresh.client.select(DB);
      sameKeys(await snapshot(fresh.client, keys), await snapshot(client, keys));
    } finally {
      await fresh.stop();
    }
  });

  it('falls back to DUMP where SYNC is refused, and that RDB loads in redis-server too', async () => {
    const user = `nosync${randomBytes(3).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await client.call('ACL', 'SETUSER', user, 'on', `>${password}`, '~*', '+@all', '-sync', '-psync');
    try {
      const limited = { ...target, connectionString: target.connectionString.replace(/\/\/[^@]*@/, `//${user}:${password}@`) };
      const dir = join(work, 'dump');
      const manifest = await redisBackup.create(limited, dir, { id: randomUUID(), tools });
      assert.equal(manifest.method, 'redis-dump');
      assert.equal(manifest.contents.engine === 'redis' && manifest.contents.pointInTime, false);
      const fresh = await loadInFreshServer(dir, 'dump.rdb');
      try {
        await fresh.client.select(DB);
        sameKeys(await snapshot(fresh.client, keys), await snapshot(client, keys));
      } finally {
        await fresh.stop();
      }
    } finally {
      await client.call('ACL', 'DELUSER', user);
    }
  });

  it('restores key by key into the running server: changed and deleted keys come back, others are left alone', async () => {
    const dir = join(work, 'round');
    await redisBackup.create(target, dir, { id: randomUUID(), tools });
    const before = await snapshot(client, keys);
    await client.del(`${p}hash`, `${p}list`, `${p}stream`);
    await client.set(`${p}str`, 'changed');
    await client.persist(`${p}ttl`);
    await client.set(`${p}newer`, 'stays');
    const { plan } = await redisBackup.precheck(target, dir, { tools });
    assert.equal(plan.add.count, 3);
    assert.deepEqual(plan.add.items.map((i) => i.name).sort(), ['hash keys', 'list keys', 'stream keys']);
    assert.ok(plan.add.items.every((i) => i.inBackup === 1));
    assert.equal(plan.overwrite.count, keys.length + 1 - 3);
    assert.equal(plan.overwrite.items.reduce((n, i) => n + (i.inBackup ?? 0), 0), plan.overwrite.count);
    assert.deepEqual(plan.leaveAlone.items, [{ name: 'keys not in the backup', now: 1 }]);
    const report = await redisBackup.restoreFrom(target, dir, { tools });
    assert.equal(report.outcome, 'completed', report.message);
    assert.equal(report.verification?.ok, true);
    sameKeys(await snapshot(client, keys), before);
    assert.equal(await client.get(`${p}newer`), 'stays');
  });

  it('refuses a damaged RDB in the pre-check, even when its manifest was rewritten to match', async () => {
    const dir = join(work, 'damaged');
    const manifest = await redisBackup.create(target, dir, { id: randomUUID(), tools });
    const file = join(dir, 'dump.rdb');
    const bytes = readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(file, bytes);
    await rejectsWith(redisBackup.precheck(target, dir, { tools }), 'invalid_input', /SHA-256 of dump\.rdb does not match/);
    const { sha256 } = await hashFile(file);
    manifest.files[0]!.sha256 = sha256;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    await rejectsWith(redisBackup.precheck(target, dir, { tools }), 'invalid_input', /RDB file is damaged/);
    writeFileSync(file, bytes.subarray(0, 100));
    await rejectsWith(redisBackup.precheck(target, dir, { tools }), 'invalid_input', /has 100 bytes, the manifest says \d+ \(truncated or changed\)/);
  });

  it('a cancelled restore reports how many keys it restored', async () => {
    const many = `${p}many:`;
    for (let i = 0; i < 5000; i += 500) await client.mset(Object.fromEntries(Array.from({ length: 500 }, (_, j) => [`${many}${i + j}`, String(i + j)])));
    const dir = join(work, 'cancel');
    await redisBackup.create(target, dir, { id: randomUUID(), tools });
    const controller = new AbortController();
    const report = await redisBackup.restoreFrom(target, dir, { tools, signal: controller.signal, onProgress: (pr) => pr.phase === 'restoring' && pr.done > 0 && controller.abort() });
    assert.equal(report.outcome, 'cancelled');
    assert.ok(report.restored > 0 && report.restored < report.total, `${report.restored} of ${report.total}`);
    assert.match(report.message, /Cancelled after [\d,]+ of [\d,]+ keys/);
    assert.ok(report.items.some((i) => i.state === 'partial' || i.state === 'not started'));
  });

  it('restores big values a bounded number of bytes at a time', async () => {
    await client.flushdb();
    const MiB = 1024 * 1024;
    for (let i = 0; i < 40; i++) await client.set(`${p}big:${i}`, randomBytes(MiB));
    const dir = join(work, 'big');
    await redisBackup.create(target, dir, { id: randomUUID(), tools });
    await client.flushdb();
    const seen: number[] = [];
    const report = await redisBackup.restoreFrom(target, dir, { tools, onProgress: (pr) => pr.phase === 'restoring' && seen.push(pr.bytes) });
    assert.equal(report.outcome, 'completed', report.message);
    assert.equal(await client.dbsize(), 40);
    const steps = seen.slice(1).map((b, i) => b - seen[i]!);
    // 40 MiB in batches that end at 16 MiB: three or more, none above 16 MiB plus the value that crossed the line.
    assert.ok(steps.filter((b) => b > 0).length >= 3, `batches of ${steps.map((b) => (b / MiB).toFixed(1)).join(', ')} MiB`);
    assert.ok(steps.every((b) => b <= 17 * MiB + 4096), `batches of ${steps.map((b) => (b / MiB).toFixed(1)).join(', ')} MiB`);
  });
});

describe('Redis Cluster backups: one RDB per master', function () {
  let cluster: Cluster;
  let target: BackupTarget;
  let work: string;
  const p = `ogtest:bkc:${randomBytes(3).toString('hex')}:`;

  before(async function () {
    if (!env.OGELBASE_TEST_REDIS_CLUSTER_NODES) this.skip();
    const nodes = env.OGELBASE_TEST_REDIS_CLUSTER_NODES.split(',');
    const password = env.OGELBASE_TEST_REDIS_CLUSTER_PASSWORD ?? '';
    cluster = new Cluster(nodes.map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })), { redisOptions: { password } });
    for (const master of cluster.nodes('master')) await master.config('SET', 'repl-diskless-sync-delay', '0');
    target = { id: randomUUID(), name: 'cluster', type: 'redis', connectionString: `redis+cluster://:${encodeURIComponent(password)}@${nodes.join(',')}`, localFiles: true };
    work = mkdtempSync(join(tmpdir(), 'ogelbase-bkcluster-'));
  });

  after(async () => {
    for (const master of cluster?.nodes('master') ?? []) {
      for (let cursor = '0'; ; ) {
        const [next, found] = await master.scan(cursor, 'MATCH', `${p}*`, 'COUNT', 500);
        if (found.length) await Promise.all(found.map((k) => cluster.del(k)));
        cursor = next;
        if (cursor === '0') break;
      }
    }
    cluster?.disconnect();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes one RDB per master and restores every key across slots', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `${p}k${i}`);
    await Promise.all(keys.map((k, i) => (i % 10 === 0 ? cluster.set(k, `v${i}`, 'EX', 900) : cluster.set(k, `v${i}`))));
    const listed = [...keys, ...(await fill(cluster, `{${p}}`))];
    const before = await snapshot(cluster, listed);
    const dir = join(work, 'all');
    const manifest = await redisBackup.create(target, dir, { id: randomUUID(), tools });
    assert.equal(manifest.files.length, 3);
    assert.ok(manifest.files.every((f) => /^node-\d-127\.0\.0\.1_\d+\.rdb$/.test(f.path) && f.node));
    if (manifest.contents.engine !== 'redis') assert.fail('not a redis manifest');
    assert.equal(manifest.contents.topology, 'cluster');
    assert.ok(manifest.contents.nodes.every((n) => n.keys > 0), 'keys on every master');
    const fresh = await loadInFreshServer(dir, manifest.files[0]!.path);
    try {
      assert.equal(await fresh.client.dbsize(), manifest.contents.nodes[0]!.keys, 'a master\'s RDB loads in a plain redis-server');
    } finally {
      await fresh.stop();
    }
    // The pre-check looks keys up across slots (one EXISTS per key on a Cluster).
    const kept = new Set(keys.slice(0, 150));
    await Promise.all(listed.filter((k) => !kept.has(k)).map((k) => cluster.del(k)));
    const { plan } = await redisBackup.precheck(target, dir, { tools });
    // The Cluster is shared: the backup also holds other files' keys, which are still there.
    const others = manifest.contents.keys - listed.length;
    assert.deepEqual([plan.add.count, plan.overwrite.count], [listed.length - 150, 150 + others]);
    assert.ok((plan.overwrite.items.find((i) => i.name === 'string keys')?.inBackup ?? 0) >= 150, JSON.stringify(plan.overwrite.items));
    await Promise.all([...kept].map((k) => cluster.del(k)));
    const report = await redisBackup.restoreFrom(target, dir, { tools });
    assert.equal(report.outcome, 'completed', report.message);
    assert.equal(report.verification?.ok, true);
    sameKeys(await snapshot(cluster, listed), before);
  });
});
