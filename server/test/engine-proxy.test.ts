import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { EngineType } from '../../src/core/api/types';
import type { EngineModule } from '../../src/core/engines/engine-module';
import * as mongodb from '../../src/core/engines/mongodb';
import * as postgres from '../../src/core/engines/postgres';
import * as redis from '../../src/core/engines/redis';
import { defaultEngineSettings } from '../../src/core/engines/settings';
import { createTestDatabase, type TestDatabase } from '../../test/support/services/postgres';
import { createFixture, type Fixture, seedOrganization } from './support/fixture';

const pgUrl = process.env.OGELBASE_TEST_PG_URL;
const redisUrl = process.env.OGELBASE_TEST_REDIS_URL;
const mongoUrl = process.env.OGELBASE_TEST_MONGODB_URL;
const modules: Record<EngineType, EngineModule> = { postgres, redis, mongodb };
const run = `proxy${Math.random().toString(36).slice(2, 8)}`;

/** Calls an operation directly on the engine, the way the extension does for databases it can reach. */
async function direct(type: EngineType, connectionString: string, name: string, params: unknown) {
  const module = modules[type];
  const handle = await module.openHandle({ id: 'direct', name: 'direct', type, connectionString, readOnly: false }, 2, defaultEngineSettings);
  try {
    const operation = module.operations[name]!;
    return JSON.parse(JSON.stringify(await operation.run(handle.engine as never, operation.params.parse(params), {})));
  } finally {
    await handle.close();
  }
}

describe.skipIf(!pgUrl || !redisUrl || !mongoUrl)('engine operations through the platform (the pg-meta pattern)', () => {
  let f: Fixture;
  let owner: string;
  let org: Awaited<ReturnType<typeof seedOrganization>>;
  const ids: Partial<Record<EngineType, string>> = {};
  let pgDatabase: TestDatabase;
  let pgDatabaseUrl: string;

  const op = async (type: EngineType, name: string, params: unknown, token = owner, id = ids[type]!) => {
    const response = await f.request(`/api/platform/databases/${id}/${type}/${name}`, { method: 'POST', token, json: params });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { error?: { code: string; message: string } }, headers: response.headers };
  };

  beforeAll(async () => {
    // Data to browse: a table, some keys, a collection.
    pgDatabase = await createTestDatabase(pgUrl!, 'proxy');
    pgDatabaseUrl = pgDatabase.url;
    const db = new pg.Client({ connectionString: pgDatabaseUrl });
    await db.connect();
    await db.query('CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2))');
    await db.query("INSERT INTO items SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, 250) g");
    await db.end();
    const r = new Redis(redisUrl!);
    await r.set(`${run}:a`, 'one');
    await r.hset(`${run}:h`, { f1: 'v1', f2: 'v2' });
    await r.rpush(`${run}:l`, 'x', 'y', 'z');
    r.disconnect();
    const m = new MongoClient(mongoUrl!);
    await m.db(run).collection('people').insertMany([{ _id: 1, name: 'Ada' } as never, { _id: 2, name: 'Grace' } as never]);
    await m.close();

    f = await createFixture('pglite', { CIRCUIT_BREAKER_RESET_TIMEOUT: '60000' });
    org = await seedOrganization(f, 'proxy');
    owner = org.owner.token;
    for (const [type, connectionString] of [['postgres', pgDatabaseUrl], ['redis', redisUrl!], ['mongodb', mongoUrl!]] as const) {
      const created = await f.request('/api/platform/databases', { method: 'POST', token: owner, json: { projectRef: org.projectRef, name: `${type}-data`, type, connectionString } });
      ids[type] = ((await created.json()) as { id: string }).id;
    }
  });
  afterAll(async () => {
    await f.close();
    const r = new Redis(redisUrl!);
    await r.del(`${run}:a`, `${run}:b`, `${run}:h`, `${run}:l`);
    r.disconnect();
    const m = new MongoClient(mongoUrl!);
    await m.db(run).dropDatabase();
    await m.close();
    await pgDatabase.drop();
  });

  test('every engine answers through the platform exactly what it answers directly', async () => {
    const cases: [EngineType, string, Record<string, unknown>][] = [
      ['postgres', 'listSchemas', {}],
      ['postgres', 'describeRelation', { schema: 'public', name: 'items' }],
      ['postgres', 'rowsPage', { schema: 'public', name: 'items', pageSize: 50, sort: [{ column: 'price', direction: 'desc' }] }],
      ['redis', 'scanKeys', { match: `${run}:*`, limit: 100 }],
      ['redis', 'readHash', { key: `${run}:h` }],
      ['redis', 'readList', { key: `${run}:l`, start: 0, count: 10 }],
      ['redis', 'listNamespace', { prefix: `${run}:` }],
      ['mongodb', 'listCollections', { db: run }],
      ['mongodb', 'findPage', { db: run, collection: 'people', filter: '{"name": {"$regex": "a"}}', sort: '{"_id": -1}', limit: 10 }],
      ['mongodb', 'listIndexes', { db: run, collection: 'people' }],
    ];
    const connectionStrings = { postgres: pgDatabaseUrl, redis: redisUrl!, mongodb: mongoUrl! };
    for (const [type, name, params] of cases) {
      const proxied = await op(type, name, params);
      expect({ case: `${type}.${name}`, status: proxied.status }).toEqual({ case: `${type}.${name}`, status: 200 });
      const sortKeys = (value: { keys?: { key: { name: string } }[] }) => value.keys?.sort((a, b) => a.key.name.localeCompare(b.key.name));
      const expected = await direct(type, connectionStrings[type], name, params);
      if (type === 'redis') {
        sortKeys(proxied.body as never);
        sortKeys(expected);
      }
      expect({ case: `${type}.${name}`, result: proxied.body }).toEqual({ case: `${type}.${name}`, result: expected });
    }
  });

  test('pages through 250 rows by cursor, as the tree does', async () => {
    let after: unknown;
    const seen: string[] = [];
    do {
      const { body } = await op('postgres', 'rowsPage', { schema: 'public', name: 'items', pageSize: 100, ...(after ? { after } : {}) });
      seen.push(...(body.rows as unknown[][]).map((row) => String(row[0])));
      after = body.nextCursor;
    } while (after);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
  });

  test('writes need a writer role and a database that is not read-only; SQL from read_only members runs read-only', async () => {
    const viewer = await f.member(org.slug, 'read_only');
    const refused = await op('redis', 'setString', { key: `${run}:b`, value: 'two' }, viewer.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error!.message).toContain('read_only');
    expect((await op('redis', 'readString', { key: `${run}:a` }, viewer.token)).body.value).toBe('one');
    const sql = await op('postgres', 'query', { sql: "UPDATE items SET name = 'changed' WHERE id = 1" }, viewer.token);
    expect(sql.status).toBe(403);
    expect(sql.body.error!.code).toBe('read_only');

    expect((await op('redis', 'setString', { key: `${run}:b`, value: 'two' })).status).toBe(200);
    await f.request(`/api/platform/databases/${ids.redis}`, { method: 'PATCH', token: owner, json: { readOnly: true } });
    const locked = await op('redis', 'deleteKeys', { keys: [`${run}:a`] });
    expect(locked.status).toBe(403);
    expect(locked.body.error!.message).toContain('read-only');
    await f.request(`/api/platform/databases/${ids.redis}`, { method: 'PATCH', token: owner, json: { readOnly: false } });
    const audit = await f.platform.audit.list({ action: 'redis.setString' });
    expect(audit.length).toBe(1);
  });

  test('checked edits of the key browser: a stale overwrite is 409 conflict, read_only members get 403, bad bounds 400', async () => {
    const read = await op('redis', 'readString', { key: `${run}:a` });
    const sha1 = read.body.sha1 as string;
    expect(sha1).toMatch(/^[0-9a-f]{40}$/);
    const viewer = await f.member(org.slug, 'read_only');
    for (const [name, params] of [
      ['setString', { key: `${run}:a`, value: 'x', expectedSha1: sha1 }],
      ['zsetScore', { key: `${run}:z`, member: 'm', score: 1, expected: null }],
      ['setReplace', { key: `${run}:s`, member: 'a', newMember: 'b' }],
    ] as const) {
      const refused = await op('redis', name, params, viewer.token);
      expect(refused.status).toBe(403);
    }
    expect((await op('redis', 'setString', { key: `${run}:a`, value: 'edited', expectedSha1: sha1 })).status).toBe(200);
    const stale = await op('redis', 'setString', { key: `${run}:a`, value: 'stale', expectedSha1: sha1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error!.code).toBe('conflict');
    expect(stale.body.error!.message).toMatch(/changed since it was read/);
    expect((await op('redis', 'readString', { key: `${run}:a` })).body.value).toBe('edited');
    await op('redis', 'setString', { key: `${run}:a`, value: 'one' });
    const bound = await op('redis', 'readZsetByScore', { key: `${run}:z`, min: 'low', max: '+inf' });
    expect(bound.status).toBe(400);
    expect(bound.body.error!.message).toMatch(/a score bound is a number/);
    const glob = await op('redis', 'scanKeys', { match: 'user:[abc' });
    expect(glob.status).toBe(400);
    expect(glob.body.error!.message).toMatch(/without its closing/);
  });

  test('bad input, a wrong engine and a database of another organization are refused with clear errors', async () => {
    const badFilter = await op('mongodb', 'findPage', { db: run, collection: 'people', filter: '{"name": }' });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error!.message).toMatch(/filter is not valid Extended JSON/);
    const badParam = await op('postgres', 'rowsPage', { schema: 'public', name: 'items', pageSize: 100000 });
    expect(badParam.status).toBe(400);
    expect(badParam.body.error!.message).toContain('body.pageSize');
    const wrongEngine = await f.request(`/api/platform/databases/${ids.redis}/postgres/listSchemas`, { method: 'POST', token: owner, json: {} });
    expect(wrongEngine.status).toBe(400);
    const outsider = await seedOrganization(f, 'outsider');
    expect((await op('redis', 'scanKeys', {}, outsider.owner.token)).status).toBe(404);
  });

  test('an unreachable database answers 502, and its circuit opens after five failures (503 with Retry-After)', async () => {
    const created = await f.request('/api/platform/databases', { method: 'POST', token: owner, json: { projectRef: org.projectRef, name: 'gone', type: 'redis', connectionString: 'redis://default:x@127.0.0.1:1/0' } });
    const id = ((await created.json()) as { id: string }).id;
    for (let i = 0; i < 5; i++) {
      const failed = await op('redis', 'scanKeys', {}, owner, id);
      expect(failed.status).toBe(502);
      expect(failed.body.error!.code).toBe('unreachable');
    }
    const open = await op('redis', 'scanKeys', {}, owner, id);
    expect(open.status).toBe(503);
    expect(open.body.error!.message).toMatch(/^circuit open for gone, retry in \d+ s$/);
    expect(Number(open.headers.get('retry-after'))).toBeGreaterThan(0);
    const metrics = (await (await f.request('/api/platform/metrics', { token: owner })).json()) as { circuits: { name: string; state: string }[] };
    expect(metrics.circuits.find((c) => c.name === 'gone')?.state).toBe('open');
  });
});
