import { afterAll, beforeAll, describe, test } from 'bun:test';
import { MongoClient } from 'mongodb';
import { answer, held, type Attack } from './support/record';
import { createWorld, mongoUrl, servicesReady, type World } from './support/world';

const MONGO = (attack: string, who: string, expected: string): Attack => ({ area: 'MongoDB', attack, who, expected });
const run = `attack${Math.random().toString(36).slice(2, 8)}`;

describe.skipIf(!servicesReady)('attacks on MongoDB through the platform', () => {
  let w: World;
  let client: MongoClient;
  beforeAll(async () => {
    client = new MongoClient(mongoUrl!);
    await client.db(run).collection('orders').insertMany([{ _id: 1, total: 5 } as never, { _id: 2, total: 7 } as never]);
    // What admin.system.users holds on a real server: user names and password hashes.
    await client.db('admin').collection('system.users').insertOne({ _id: `${run}.root`, user: 'root', db: 'admin', credentials: { 'SCRAM-SHA-256': { storedKey: 'hash' } } } as never).catch(() => undefined);
    w = await createWorld('mongo');
  });
  afterAll(async () => {
    await client.db(run).dropDatabase().catch(() => undefined);
    await client.db('admin').collection('system.users').deleteOne({ _id: `${run}.root` } as never).catch(() => undefined);
    await client.close();
    await w?.close();
  });

  const refusedByPlatform = (reply: { status: number; body: { error?: { code: string; message: string } } }, operator: string) =>
    reply.status === 400 && reply.body.error?.code === 'invalid_input' && reply.body.error.message.includes(operator);

  test("read_only members cannot read MongoDB's admin, local and config databases (admin.system.users)", async () => {
    for (const db of ['admin', 'local', 'config']) {
      const reply = await w.op('mongodb', 'findPage', { db, collection: 'system.users', limit: 5 }, w.who.readOnly);
      held(MONGO(`findPage ${db}.system.users`, 'read_only member', '403'), answer(reply, false), reply.status === 403);
    }
    const count = await w.op('mongodb', 'countDocuments', { db: 'admin', collection: 'system.users' }, w.who.readOnly);
    held(MONGO('countDocuments admin.system.users', 'read_only member', '403'), answer(count, false), count.status === 403);
    const listed = await w.op('mongodb', 'listDatabases', {}, w.who.readOnly);
    const names = Array.isArray(listed.body) ? (listed.body as { name: string }[]).map((d) => d.name) : [];
    held(MONGO('listDatabases', 'read_only member', 'admin, local and config left out'), `${listed.status}: ${names.filter((n) => ['admin', 'local', 'config'].includes(n)).join(', ') || 'none of them listed'}`, listed.status === 200 && !names.some((n) => ['admin', 'local', 'config'].includes(n)));
    const own = await w.op('mongodb', 'findPage', { db: run, collection: 'orders', limit: 5 }, w.who.readOnly);
    held(MONGO('findPage <its own database>.orders', 'read_only member', 'allowed'), `${own.status}, ${(own.body.documents as unknown[] | undefined)?.length ?? 0} documents`, own.status === 200);
    const asDeveloper = await w.op('mongodb', 'findPage', { db: 'admin', collection: 'system.users', limit: 5 }, w.who.developer);
    held(MONGO('findPage admin.system.users', 'developer', 'not refused by the platform (the stored login decides)'), answer(asDeveloper, false), asDeveloper.status !== 403);
  });

  test('server-side JavaScript and writing stages are refused in every filter-, projection- and sort-taking operation', async () => {
    const ns = { db: run, collection: 'orders' };
    const payloads: [string, string, Record<string, string>][] = [
      ['$where', 'filter', { filter: '{"$where": "sleep(10000) || true"}' }],
      ['$where', 'nested filter', { filter: '{"$and": [{"total": 5}, {"$or": [{"$where": "true"}]}]}' }],
      ['$function', 'filter $expr', { filter: '{"$expr": {"$function": {"body": "function() { return true }", "args": [], "lang": "js"}}}' }],
      ['$function', 'projection', { projection: '{"x": {"$function": {"body": "function() { return 1 }", "args": [], "lang": "js"}}}' }],
      ['$accumulator', 'filter', { filter: '{"$expr": {"$accumulator": {"init": "function() {}", "accumulate": "function() {}", "accumulateArgs": [], "merge": "function() {}", "lang": "js"}}}' }],
      ['$out', 'filter', { filter: '{"$out": "stolen"}' }],
      ['$merge', 'sort', { sort: '{"$merge": {"into": "stolen"}}' }],
    ];
    const operations: [string, (p: Record<string, string>) => Record<string, unknown>, string][] = [
      ['findPage', (p) => ({ ...ns, ...p }), 'read_only member'],
      ['countDocuments', (p) => ({ ...ns, ...(p.filter ? { filter: p.filter } : {}) }), 'read_only member'],
      ['explain', (p) => ({ ...ns, ...p }), 'read_only member'],
      ['deleteMany', (p) => ({ ...ns, filter: p.filter ?? '{}', expectedCount: 0 }), 'developer'],
    ];
    for (const [operator, where, payload] of payloads) {
      for (const [name, params, who] of operations) {
        if (name === 'countDocuments' && !payload.filter) continue;
        if (name === 'deleteMany' && !payload.filter) continue;
        const token = who === 'developer' ? w.who.developer : w.who.readOnly;
        const reply = await w.op('mongodb', name, params(payload), token);
        held(MONGO(`${name} with ${operator} in the ${where}`, who, `400 refused by the platform (${operator})`), answer(reply), refusedByPlatform(reply, operator));
      }
    }
    const left = await client.db(run).collection('orders').countDocuments();
    const stolen = (await client.db(run).listCollections({ name: 'stolen' }).toArray()).length;
    held(MONGO('after every attempt above', 'the test', 'both documents still there, no collection written'), `${left} documents, ${stolen} new collections`, left === 2 && stolen === 0);
  });

  test('server-side JavaScript is allowed only once an owner or admin enables it for the database', async () => {
    const byDeveloper = await w.call('PATCH', `/api/platform/databases/${w.ids.mongo}`, w.who.developer, { serverJavaScript: true });
    held(MONGO('PATCH serverJavaScript: true', 'developer', '403'), answer(byDeveloper, false), byDeveloper.status === 403);
    const byOwner = await w.call('PATCH', `/api/platform/databases/${w.ids.mongo}`, w.who.owner, { serverJavaScript: true });
    const reply = await w.op('mongodb', 'findPage', { db: run, collection: 'orders', filter: '{"$where": "true"}' }, w.who.developer);
    held(
      MONGO('findPage with $where once enabled', 'developer', 'passed on to the server (no refusal by the platform)'),
      `${answer(byOwner, false)} then ${answer(reply)}`,
      byOwner.status === 200 && !(reply.body.error?.message ?? '').includes('does not allow'),
    );
    const stillOut = await w.op('mongodb', 'findPage', { db: run, collection: 'orders', filter: '{"$out": "stolen"}' }, w.who.developer);
    held(MONGO('findPage with $out once JavaScript is enabled', 'developer', '400: writing stages are refused whatever the setting'), answer(stillOut, false), refusedByPlatform(stillOut, '$out'));
    await w.call('PATCH', `/api/platform/databases/${w.ids.mongo}`, w.who.owner, { serverJavaScript: false });
  });

  test('writes stay refused for read_only members', async () => {
    for (const [name, params] of [
      ['insertDocument', { db: run, collection: 'orders', document: '{"_id": 3}' }],
      ['deleteDocument', { db: run, collection: 'orders', id: '1' }],
      ['deleteMany', { db: run, collection: 'orders', filter: '{}', expectedCount: 2 }],
      ['createIndex', { db: run, collection: 'orders', keys: '{"total": 1}' }],
      ['dropIndex', { db: run, collection: 'orders', name: 'total_1' }],
    ] as const) {
      const reply = await w.op('mongodb', name, params, w.who.readOnly);
      held(MONGO(name, 'read_only member', '403'), answer(reply, false), reply.status === 403);
    }
    held(MONGO('after the writes above', 'the test', 'both documents still there'), `${await client.db(run).collection('orders').countDocuments()} documents`, (await client.db(run).collection('orders').countDocuments()) === 2);
  });
});
