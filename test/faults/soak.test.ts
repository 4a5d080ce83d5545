/**
 * The soak: a server process under moderate, steady load for a few minutes (OGELBASE_SOAK_SECONDS,
 * 120 by default): six clients browsing the platform, PostgreSQL rows, Redis keys and MongoDB
 * documents through it, with some writes (databases added and removed, so pools and breakers come
 * and go). Every few seconds it samples the process's memory, its pools, the connections each
 * database server sees, open MongoDB cursors and the event-loop lag; then it waits for the pools to
 * idle out. The figures go to docs/reliability.md. Flat means: no 5xx, connections within their
 * caps and back to zero when idle, one breaker per registered database, memory not climbing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { faultsDir } from '../support/faults/record';
import { serverSide, type SoakSample } from '../support/faults/soak-sampling';
import { call, runServerCommand, startServerProcess, type ServerProcess } from '../support/faults/server-process';
import { createTestDatabase, type TestDatabase } from '../support/services/postgres';
import { registerSecret } from '../support/secrets';

const SECONDS = Number(process.env.OGELBASE_SOAK_SECONDS ?? 120);
const USERS = 6;
const SAMPLE_EVERY_MS = 5_000;
const IDLE_TIMEOUT_MS = 10_000;
const MIB = 1024 * 1024;

interface Metrics {
  memory: { rss: number; heapUsed: number };
  connections: Record<string, { active: number; idle: number; waiting: number }>;
  circuits: { name: string; state: string }[];
  eventLoop?: { lagMs: number; maxLagMs: number };
}

type Op = { name: string; weight: number; run: () => Promise<number> };

describe('soak: steady load for a few minutes, sampled', function () {
  this.timeout((SECONDS + 240) * 1000);
  let server: ServerProcess;
  let token: string;
  let shop: TestDatabase;
  const run = randomBytes(3).toString('hex');
  const mongoDb = `soak_${run}`;
  const ids: Record<'postgres' | 'redis' | 'mongodb', string> = { postgres: '', redis: '', mongodb: '' };

  before(async () => {
    shop = await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'soak');
    const client = new pg.Client({ connectionString: shop.url });
    await client.connect();
    await client.query(`CREATE TABLE orders (id bigserial PRIMARY KEY, customer int NOT NULL, total numeric(10,2) NOT NULL, status text NOT NULL, note text);
      INSERT INTO orders (customer, total, status, note) SELECT g % 500, g * 1.25, (ARRAY['open','paid','shipped'])[1 + g % 3], repeat('x', g % 40) FROM generate_series(1, 20000) g; ANALYZE orders;`);
    await client.end();
    const redis = new Redis(process.env.OGELBASE_TEST_REDIS_URL!);
    const fill = redis.pipeline();
    for (let i = 0; i < 2000; i++) fill.hset(`soak${run}:user:${i}`, { name: `user ${i}`, plan: i % 2 ? 'pro' : 'free' });
    await fill.exec();
    redis.disconnect();
    const mongo = new MongoClient(process.env.OGELBASE_TEST_MONGODB_URL!);
    await mongo.db(mongoDb).collection('events').insertMany(Array.from({ length: 2000 }, (_, i) => ({ i, kind: ['view', 'cart', 'buy'][i % 3], at: new Date(1_700_000_000_000 + i * 1000) })));
    await mongo.close();

    const encryptionKey = randomBytes(32).toString('hex');
    registerSecret(encryptionKey);
    const env = {
      DATABASE_URL: (await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'platform')).url,
      ENCRYPTION_KEY: encryptionKey,
      REDIS_URL: process.env.OGELBASE_TEST_REDIS_URL!,
      MONGODB_URL: process.env.OGELBASE_TEST_MONGODB_URL!,
      HEALTH_CHECK_INTERVAL: '5000',
      POOL_IDLE_TIMEOUT: String(IDLE_TIMEOUT_MS),
      RATE_LIMIT_PER_MINUTE: '1000000',
      // Every client of the soak comes from 127.0.0.1: the per-address limit (3,000 a minute) would
      // answer 429 on a fast machine, which is the limiter working, not the load being held.
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000',
    };
    const demo = await runServerCommand(['demo'], env);
    assert.equal(demo.code, 0, demo.stderr);
    token = String(demo.json().token);
    registerSecret(token);
    server = await startServerProcess('soak', env);
    const add = async (name: string, type: string, connectionString: string) =>
      (await call<{ id: string }>(server.url, '/api/platform/databases', { token, json: { projectRef: 'demo-project', name, type, connectionString } })).body.id;
    ids.postgres = await add('soak-pg', 'postgres', shop.url);
    ids.redis = await add('soak-redis', 'redis', process.env.OGELBASE_TEST_REDIS_URL!);
    ids.mongodb = await add('soak-mongo', 'mongodb', `${process.env.OGELBASE_TEST_MONGODB_URL!.replace(/\/?$/, '/')}${mongoDb}`);
  });
  after(async () => {
    await server?.stop();
    await shop?.drop().catch(() => undefined);
    const redis = new Redis(process.env.OGELBASE_TEST_REDIS_URL!);
    for (let cursor = '0'; ; ) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `soak${run}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
    redis.disconnect();
    const mongo = new MongoClient(process.env.OGELBASE_TEST_MONGODB_URL!);
    await mongo.db(mongoDb).dropDatabase().catch(() => undefined);
    await mongo.close();
  });

  it(`holds ${USERS} clients for ${SECONDS} s: no 5xx, pools within their caps and idle afterwards, one breaker per database, memory flat`, async () => {
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const latencies = new Map<string, number[]>();
    let requests = 0;
    const get = (path: string) => call(server.url, path, { token }).then((r) => r.status);
    const op = (id: string, engine: string, name: string, params: unknown) => call(server.url, `/api/platform/databases/${id}/${engine}/${name}`, { token, json: params });
    const cursors: { redis?: string; pg?: unknown } = {};
    const ops: Op[] = [
      { name: 'organizations', weight: 2, run: () => get('/api/platform/organizations') },
      { name: 'databases', weight: 2, run: () => get('/api/platform/databases?projectRef=demo-project') },
      { name: 'projects', weight: 1, run: () => get('/api/platform/organizations/demo/projects') },
      { name: 'health', weight: 1, run: () => get('/api/platform/health') },
      { name: 'metrics', weight: 0.5, run: () => get('/api/platform/metrics') },
      {
        name: 'redis scanKeys',
        weight: 3,
        run: async () => {
          const r = await op(ids.redis, 'redis', 'scanKeys', { match: `soak${run}:*`, limit: 100, ...(cursors.redis ? { cursor: cursors.redis } : {}) });
          const page = r.body as { cursor?: string; done?: boolean };
          cursors.redis = page.done ? undefined : page.cursor;
          return r.status;
        },
      },
      { name: 'redis readHash', weight: 1, run: async () => (await op(ids.redis, 'redis', 'readHash', { key: `soak${run}:user:${Math.floor(Math.random() * 2000)}` })).status },
      {
        name: 'postgres rowsPage',
        weight: 3,
        run: async () => {
          const r = await op(ids.postgres, 'postgres', 'rowsPage', { schema: 'public', name: 'orders', pageSize: 100, ...(cursors.pg ? { after: cursors.pg } : {}) });
          const next = (r.body as { nextCursor?: unknown }).nextCursor;
          cursors.pg = next && Math.random() > 0.05 ? next : undefined;
          return r.status;
        },
      },
      { name: 'postgres countRows', weight: 1, run: async () => (await op(ids.postgres, 'postgres', 'countRows', { schema: 'public', name: 'orders', filters: [{ column: 'status', op: '=', value: 'paid' }], exact: true })).status },
      { name: 'postgres query', weight: 1, run: async () => (await op(ids.postgres, 'postgres', 'query', { sql: 'SELECT status, count(*), sum(total) FROM orders GROUP BY status' })).status },
      { name: 'mongodb findPage', weight: 3, run: async () => (await op(ids.mongodb, 'mongodb', 'findPage', { db: mongoDb, collection: 'events', filter: '{"kind":"buy"}', skip: Math.floor(Math.random() * 600), limit: 50 })).status },
      { name: 'mongodb countDocuments', weight: 1, run: async () => (await op(ids.mongodb, 'mongodb', 'countDocuments', { db: mongoDb, collection: 'events', filter: '{"kind":"view"}' })).status },
      { name: 'mongodb sampleSchema', weight: 0.5, run: async () => (await op(ids.mongodb, 'mongodb', 'sampleSchema', { db: mongoDb, collection: 'events', size: 200 })).status },
      {
        // Pools and breakers that come and go: a database added, browsed once, removed.
        name: 'add, browse, remove a database',
        weight: 0.5,
        run: async () => {
          const created = await call<{ id: string }>(server.url, '/api/platform/databases', { token, json: { projectRef: 'demo-project', name: `churn-${randomBytes(4).toString('hex')}`, type: 'redis', connectionString: process.env.OGELBASE_TEST_REDIS_URL! } });
          if (created.status !== 201) return created.status;
          const scanned = await op(created.body.id, 'redis', 'scanKeys', { limit: 10 });
          const removed = await call(server.url, `/api/platform/databases/${created.body.id}`, { token, method: 'DELETE' });
          return scanned.status !== 200 ? scanned.status : removed.status === 204 ? 200 : removed.status;
        },
      },
    ];
    const total = ops.reduce((n, o) => n + o.weight, 0);
    const pick = () => {
      let x = Math.random() * total;
      for (const o of ops) if ((x -= o.weight) <= 0) return o;
      return ops[0]!;
    };

    const baseline = await serverSide();
    const started = performance.now();
    const stopAt = started + SECONDS * 1000;
    const samples: SoakSample[] = [];
    const sample = async () => {
      const answer = await call<Metrics>(server.url, '/api/platform/metrics', { token });
      assert.equal(answer.status, 200, `metrics: ${JSON.stringify(answer.body).slice(0, 300)}`);
      const metrics = answer.body;
      const pools = Object.fromEntries(Object.entries(metrics.connections).map(([name, f]) => [name, f.active + f.idle]));
      samples.push({
        atS: Math.round((performance.now() - started) / 1000),
        rssMiB: Math.round((metrics.memory.rss / MIB) * 10) / 10,
        heapMiB: Math.round((metrics.memory.heapUsed / MIB) * 10) / 10,
        pools,
        waiting: Object.values(metrics.connections).reduce((n, f) => n + f.waiting, 0),
        serverSide: await serverSide(),
        breakers: metrics.circuits.length,
        lagMs: metrics.eventLoop?.lagMs ?? 0,
        maxLagMs: metrics.eventLoop?.maxLagMs ?? 0,
        requests,
      });
    };
    const user = async () => {
      while (performance.now() < stopAt) {
        const chosen = pick();
        const t = performance.now();
        let status: number;
        try {
          status = await chosen.run();
        } catch (error) {
          status = 0;
          failures.push(`${chosen.name}: ${(error as Error).message}`);
        }
        requests++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status !== 200 && status !== 201 && status !== 204) failures.push(`${chosen.name}: ${status}`);
        const list = latencies.get(chosen.name) ?? [];
        list.push(performance.now() - t);
        latencies.set(chosen.name, list);
        await new Promise((r) => setTimeout(r, 10 + Math.random() * 20));
      }
    };
    const sampler = (async () => {
      await sample();
      while (performance.now() < stopAt) {
        await new Promise((r) => setTimeout(r, Math.min(SAMPLE_EVERY_MS, Math.max(0, stopAt - performance.now()))));
        await sample();
      }
    })();
    await Promise.all([...Array.from({ length: USERS }, user), sampler]);

    // Idle: every engine pool closes after POOL_IDLE_TIMEOUT (the sweeper runs every half of it).
    const idleStarted = performance.now();
    let idle: SoakSample;
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      await sample();
      idle = samples.at(-1)!;
      const engines = idle.pools.postgres! + idle.pools.redis! + idle.pools.mongodb!;
      if (engines === 0 || performance.now() - idleStarted > IDLE_TIMEOUT_MS * 3) break;
    }
    const idleAfterS = Math.round((performance.now() - idleStarted) / 1000);
    const circuits = (await call<Metrics>(server.url, '/api/platform/metrics', { token })).body.circuits;

    const percentile = (values: number[], p: number) => {
      const sorted = [...values].sort((x, y) => x - y);
      return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
    };
    const loaded = samples.filter((s) => s.atS <= SECONDS);
    const third = Math.max(1, Math.floor(loaded.length / 3));
    const median = (values: number[]) => percentile(values, 50);
    const rssMiddle = median(loaded.slice(third, 2 * third).map((s) => s.rssMiB));
    const rssLast = median(loaded.slice(-third).map((s) => s.rssMiB));
    const heapMiddle = median(loaded.slice(third, 2 * third).map((s) => s.heapMiB));
    const heapLast = median(loaded.slice(-third).map((s) => s.heapMiB));
    // The JS heap right after each major collection (a sample where it fell by a fifth): what is still
    // referenced. A leak raises these troughs; the sawtooth between them is garbage waiting to be collected.
    const troughs = samples.filter((s, i) => i > 0 && s.heapMiB < samples[i - 1]!.heapMiB * 0.8).map((s) => ({ atS: s.atS, heapMiB: s.heapMiB }));
    const report = {
      seconds: SECONDS,
      users: USERS,
      requests,
      perSecond: Math.round(requests / SECONDS),
      statuses: Object.fromEntries(statuses),
      latencyMs: Object.fromEntries([...latencies].map(([name, values]) => [name, { n: values.length, p50: percentile(values, 50), p95: percentile(values, 95), max: percentile(values, 100) }])),
      samples,
      idle: { afterS: idleAfterS, sample: idle },
      baseline,
      memory: { rssMiddleMiB: rssMiddle, rssLastMiB: rssLast, heapMiddleMiB: heapMiddle, heapLastMiB: heapLast, troughs },
      circuits,
    };
    mkdirSync(faultsDir, { recursive: true });
    writeFileSync(join(faultsDir, 'soak.json'), JSON.stringify(report, null, 2));

    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failed requests`);
    assert.ok(server.alive());
    // Pools within their caps while loaded (MAX_POSTGRES_CONNECTIONS 20 for the platform; per database 5, 1 and MONGODB_MAX_POOL_SIZE 10).
    // The figures are per engine, summed over its databases: Redis has the soak's database and the
    // churned ones being browsed at that moment, each with its breaker (the breakers besides soak-pg's and soak-mongo's).
    for (const s of loaded) {
      const redisDatabases = Math.max(1, s.breakers - 2);
      assert.ok(s.pools.platform! <= 20 && s.pools.postgres! <= 5 && s.pools.redis! <= redisDatabases && s.pools.mongodb! <= 10, JSON.stringify(s));
      assert.ok(s.serverSide.platformPg <= 20 && s.serverSide.enginePg <= 5, JSON.stringify(s.serverSide));
    }
    // Idle afterwards: no engine connection left open, on either side; no cursor left open on the server.
    assert.deepEqual([idle.pools.postgres, idle.pools.redis, idle.pools.mongodb], [0, 0, 0], JSON.stringify(idle));
    assert.equal(idle.serverSide.enginePg, 0);
    assert.equal(idle.serverSide.redis, 0);
    assert.ok(idle.serverSide.mongoCursors <= baseline.mongoCursors, `MongoDB cursors left open: ${idle.serverSide.mongoCursors} (before: ${baseline.mongoCursors})`);
    // Breakers: one per database still registered (the churned ones were forgotten), all closed.
    assert.deepEqual(circuits.map((c) => c.name).sort(), ['soak-mongo', 'soak-pg', 'soak-redis']);
    assert.ok(circuits.every((c) => c.state === 'closed'));
    // Memory: the last third of the run is not above the middle third by more than a quarter (and 64 MiB of slack for the allocator).
    assert.ok(rssLast <= rssMiddle * 1.25 + 64, `RSS climbed: ${rssMiddle} MiB → ${rssLast} MiB`);
    assert.ok(heapLast <= heapMiddle * 1.5 + 32, `heap climbed: ${heapMiddle} MiB → ${heapLast} MiB`);
    if (troughs.length >= 2) assert.ok(troughs.at(-1)!.heapMiB <= troughs[0]!.heapMiB * 1.25 + 8, `the heap after collections climbed: ${JSON.stringify(troughs)}`);
  });
});
