/**
 * MongoDB backup and restore through the driver, in mongodump's layouts, against the wire test
 * server (or MONGODB_URL): the directory layout, --gzip, --archive and both; every document's BSON
 * compared byte for byte after a round trip; indexes, options and views restored; the file names and
 * metadata.json exactly as mongodump writes them; a truncated .bson refused; a cancelled restore's report.
 *
 *   node --import tsx node_modules/mocha/bin/mocha.js --timeout 120000 test/engines/backup-mongodb.test.ts
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Binary, BSONRegExp, Code, Decimal128, Double, Int32, Long, MaxKey, MinKey, MongoClient, ObjectId, Timestamp, UUID, type Db } from 'mongodb';
import { mongoBackup } from '../../src/core/backup/mongodb';
import { collectionFileBase } from '../../src/core/backup/mongodb/layout';
import type { BackupTarget } from '../../src/core/backup/types';
import { rejectsWith } from '../support/engines/assertions';

const url = process.env.OGELBASE_TEST_MONGODB_URL;
const tools = { where: 'extension' as const };

/** Every document of a collection as raw BSON, in _id order: byte-for-byte what a round trip must keep. */
async function rawDocs(db: Db, name: string): Promise<string[]> {
  const docs = await db.collection(name).find({}, { raw: true, sort: { _id: 1 } }).toArray();
  return docs.map((d) => Buffer.from(d as unknown as Uint8Array).toString('hex'));
}

function typedDoc(i: number) {
  return {
    _id: i,
    int32: new Int32(i),
    long: Long.fromString('9007199254740993'),
    double: new Double(1.5),
    wholeDouble: new Double(2),
    negativeZero: new Double(-0),
    decimal: Decimal128.fromString('1.10'),
    binary: new Binary(Buffer.from([1, 2, 3]), 0x80),
    uuid: new UUID('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
    oid: new ObjectId('65a1f0c2b3d4e5f6a7b8c9d0'),
    ts: new Timestamp({ t: 1700000000, i: 7 }),
    regex: new BSONRegExp('^a.b$', 'im'),
    code: new Code('function () { return 1 }'),
    min: new MinKey(),
    max: new MaxKey(),
    date: new Date(Date.UTC(2024, 1, 29, 12)),
    nested: { list: [1, 'two', null, { deep: true }], text: 'ünïcödé "quotes" \u0000-free' },
  };
}

describe('MongoDB backups (mongodump layouts through the driver)', function () {
  let client: MongoClient;
  let db: Db;
  let dbName: string;
  let target: BackupTarget;
  let work: string;
  const longName = `c${'x'.repeat(250)}`;

  before(async function () {
    if (!url) this.skip();
    dbName = `bk${randomBytes(4).toString('hex')}`;
    client = new MongoClient(url);
    await client.connect();
    db = client.db(dbName);
    await db.createCollection('orders', { validator: { total: { $gte: 0 } }, validationLevel: 'moderate', collation: { locale: 'fr', strength: 2 } });
    await db.collection('orders').insertMany(Array.from({ length: 1500 }, (_, i) => typedDoc(i)) as never[]);
    await db.collection('orders').createIndex({ long: -1, _id: 1 }, { name: 'long_desc', unique: true });
    await db.collection('orders').createIndex({ 'nested.text': 1 }, { name: 'text_sparse', sparse: true, expireAfterSeconds: 3600 });
    await db.createCollection('capped', { capped: true, size: 65536, max: 100 });
    await db.collection('capped').insertOne({ _id: 'c', n: new Int32(1) } as never);
    await db.createCollection('empty');
    await db.collection(longName).insertOne({ _id: 1 } as never);
    await db.collection('a b/c?').insertOne({ _id: 'odd name' } as never);
    await db.command({ create: 'firstOrders', viewOn: 'orders', pipeline: [{ $match: { _id: { $lt: 10 } } }] });
    target = { id: randomUUID(), name: 'docs', type: 'mongodb', connectionString: `${url.replace(/\/?(\?.*)?$/, '')}/${dbName}`, localFiles: true };
    work = mkdtempSync(join(tmpdir(), 'ogelbase-bkmongo-'));
  });

  after(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes the directory layout with file names and metadata.json as mongodump writes them', async () => {
    const dir = join(work, 'layout');
    const manifest = await mongoBackup.create(target, dir, { id: randomUUID(), tools });
    assert.equal(manifest.method, 'mongodump');
    const files = readdirSync(join(dir, 'dump', dbName)).sort();
    assert.ok(files.includes('orders.bson') && files.includes('orders.metadata.json'));
    assert.ok(files.includes('a+b%2Fc%3F.bson'), 'names escaped like Go url.QueryEscape');
    assert.ok(files.includes(`${collectionFileBase(longName)}.bson`) && collectionFileBase(longName).length === 238, 'a long name is cut with its SHA-1');
    assert.ok(files.includes('firstOrders.metadata.json') && !files.includes('firstOrders.bson'), 'a view has metadata only');
    const meta = readFileSync(join(dir, 'dump', dbName, 'orders.metadata.json'), 'utf8');
    assert.match(meta, /^\{"options":\{"validator":\{"total":\{"\$gte":\{"\$numberInt":"0"\}\}\},"validationLevel":"moderate","collation":\{/);
    assert.match(meta, /"indexes":\[\{"v":\{"\$numberInt":"2"\},"key":\{"_id":\{"\$numberInt":"1"\}\},"name":"_id_"\}/);
    assert.match(meta, /"uuid":"[0-9a-f]{32}","collectionName":"orders","type":"collection"\}$/);
    assert.equal(readFileSync(join(dir, 'dump', 'prelude.json'), 'utf8'), `{"ServerVersion":"${manifest.server.version}","ToolVersion":"ogelbase-explorer 0.1.0"}`);
    const orders = manifest.contents.engine === 'mongodb' ? manifest.contents.databases[0]!.collections.find((c) => c.name === 'orders') : undefined;
    assert.deepEqual({ documents: orders?.documents, indexes: orders?.indexes }, { documents: 1500, indexes: 3 });
    // The .bson file is the documents' raw BSON, concatenated, as read.
    assert.equal(readFileSync(join(dir, 'dump', dbName, 'orders.bson')).toString('hex'), (await rawDocs(db, 'orders')).join(''));
  });

  for (const layout of [{ gzip: false, archive: false }, { gzip: true, archive: false }, { gzip: false, archive: true }, { gzip: true, archive: true }]) {
    it(`restores ${layout.archive ? 'an archive' : 'the directory layout'}${layout.gzip ? ' (gzip)' : ''} with every BSON type, index, option and view`, async () => {
      const dir = join(work, `rt-${layout.gzip}-${layout.archive}`);
      const manifest = await mongoBackup.create(target, dir, { id: randomUUID(), tools, ...layout });
      if (layout.gzip && !layout.archive) assert.ok(gunzipSync(readFileSync(join(dir, 'dump', dbName, 'orders.metadata.json.gz'))).toString().includes('"collectionName":"orders"'));
      if (layout.archive) assert.deepEqual(manifest.files.map((f) => f.path), [layout.gzip ? 'dump.archive.gz' : 'dump.archive']);
      const before = { orders: await rawDocs(db, 'orders'), capped: await rawDocs(db, 'capped'), long: await rawDocs(db, longName) };
      const indexes = await db.collection('orders').indexes();
      const options = (await db.listCollections({ name: 'orders' }, { nameOnly: false }).toArray())[0]!.options;
      await db.collection<{ _id: number }>('orders').deleteMany({ _id: { $gte: 5 } });
      await db.collection('orders').dropIndex('long_desc');
      await db.collection('capped').drop();
      await db.collection('firstOrders').drop();
      await db.collection('later').insertOne({ stays: true });
      const { plan } = await mongoBackup.precheck(target, dir, { tools });
      assert.deepEqual(plan.add.items.map((i) => i.name).sort(), [`${dbName}.capped`, `${dbName}.firstOrders`]);
      assert.equal(plan.overwrite.items.find((i) => i.name === `${dbName}.orders`)?.now, 5);
      assert.deepEqual(plan.leaveAlone.items.map((i) => i.name), [`${dbName}.later`]);
      const report = await mongoBackup.restoreFrom(target, dir, { tools });
      assert.equal(report.outcome, 'completed', report.message);
      assert.equal(report.verification?.ok, true);
      assert.deepEqual({ orders: await rawDocs(db, 'orders'), capped: await rawDocs(db, 'capped'), long: await rawDocs(db, longName) }, before);
      assert.deepEqual(await db.collection('orders').indexes(), indexes);
      assert.deepEqual((await db.listCollections({ name: 'orders' }, { nameOnly: false }).toArray())[0]!.options, options);
      assert.equal((await db.listCollections({ name: 'capped' }, { nameOnly: false }).toArray())[0]!.options?.capped, true);
      assert.equal(await db.collection('firstOrders').countDocuments(), 5 + 5);
      assert.equal(await db.collection('later').countDocuments(), 1);
      await db.collection('later').drop();
    });
  }

  it('refuses a truncated .bson file before anything is restored', async () => {
    const dir = join(work, 'truncated');
    await mongoBackup.create(target, dir, { id: randomUUID(), tools });
    const file = join(dir, 'dump', dbName, 'orders.bson');
    truncateSync(file, 1000);
    await rejectsWith(mongoBackup.precheck(target, dir, { tools }), 'invalid_input', /orders\.bson has 1000 bytes, the manifest says \d+ \(truncated or changed\)/);
    assert.equal(await db.collection('orders').countDocuments(), 1500);
  });

  it('a cancelled restore reports the collections done, the one in progress and those not touched', async () => {
    const dir = join(work, 'cancel');
    await mongoBackup.create(target, dir, { id: randomUUID(), tools });
    const controller = new AbortController();
    const report = await mongoBackup.restoreFrom(target, dir, {
      tools,
      signal: controller.signal,
      onProgress: (p) => p.current?.endsWith('.orders') && controller.abort(),
    });
    assert.equal(report.outcome, 'cancelled');
    assert.match(report.message, /Cancelled after \d+ of \d+ collections/);
    const states = Object.fromEntries(report.items.map((i) => [i.name.slice(dbName.length + 1), i.state]));
    assert.equal(states.orders, 'partial');
    assert.ok(Object.values(states).includes('not started'));
    // Restored again whole afterwards (the next tests' data).
    assert.equal((await mongoBackup.restoreFrom(target, dir, { tools })).outcome, 'completed');
  });
});
