/**
 * Contract tests for the MongoDB wire-protocol test server, written only
 * against the official driver's public API so they also pass on a real
 * mongod: set MONGODB_URL=mongodb://host:port/ to run them there (tests that
 * need this server's internals, such as configured users, are skipped).
 *
 *   npx mocha --import=tsx --timeout 60000 'test/engines/mongo-wire.test.ts'
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  Binary, Decimal128, Double, Int32, Long, MongoClient, MongoServerError, ObjectId,
  type CommandStartedEvent, type CommandSucceededEvent, type Db, type Document,
} from 'mongodb';
import { startMongoWireServer, type MongoWireServer } from '../support/mongo-wire/server';

const externalUrl = process.env.MONGODB_URL;

/** Test documents use numbers and strings as _id, which the driver's default schema types as ObjectId. */
interface TestDoc extends Document {
  _id?: number | string;
}

/** Every `stage` name anywhere in an explain document (classic and SBE layouts differ). */
function stagesOf(explain: unknown): string[] {
  if (Array.isArray(explain)) return explain.flatMap(stagesOf);
  if (!explain || typeof explain !== 'object') return [];
  return Object.entries(explain).flatMap(([k, v]) => (k === 'stage' && typeof v === 'string' ? [v] : stagesOf(v)));
}

async function rejects(promise: Promise<unknown>, code: number, message?: RegExp): Promise<MongoServerError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof MongoServerError, `expected MongoServerError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail(`expected a server error with code ${code}`);
}

describe('mongo-wire test server, through the official driver', function () {
  let server: MongoWireServer | undefined;
  let url: string;
  let client: MongoClient;
  let db: Db;
  const dbName = `wiretest_${randomBytes(4).toString('hex')}`;
  const started: CommandStartedEvent[] = [];
  const succeeded: CommandSucceededEvent[] = [];

  before(async function () {
    if (externalUrl) url = externalUrl;
    else {
      server = await startMongoWireServer();
      url = server.url;
    }
    client = new MongoClient(url, { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
    client.on('commandStarted', (e) => started.push(e));
    client.on('commandSucceeded', (e) => succeeded.push(e));
    await client.connect();
    db = client.db(dbName);
  });

  after(async function () {
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
    await server?.close();
  });

  describe('handshake and introspection', function () {
    it('connects and answers ping', async function () {
      // A replica set adds $clusterTime/operationTime, so only `ok` is compared.
      assert.equal((await client.db('admin').command({ ping: 1 })).ok, 1);
    });

    it('answers buildInfo and buildinfo', async function () {
      for (const name of ['buildInfo', 'buildinfo']) {
        const info = await client.db('admin').command({ [name]: 1 });
        assert.equal(typeof info.version, 'string');
        assert.ok(Array.isArray(info.versionArray) && info.versionArray.length === 4);
        assert.ok(info.versionArray[0] >= 4);
      }
    });

    it('answers hostInfo and serverStatus', async function () {
      const host = await client.db('admin').command({ hostInfo: 1 });
      assert.equal(typeof host.system.numCores, 'number');
      const status = await client.db('admin').command({ serverStatus: 1 });
      assert.equal(typeof status.uptime, 'number');
      assert.ok(status.connections.current >= 1);
      assert.equal(typeof status.opcounters.insert, 'number');
    });

    it('answers an unknown command with CommandNotFound (59)', async function () {
      await rejects(db.command({ definitelyNotACommand: 1 }), 59, /no such command: 'definitelyNotACommand'/);
    });
  });

  describe('databases and collections', function () {
    before(async function () {
      await db.collection('plain').insertOne({ a: 1 });
      await db.createCollection('plainView', { viewOn: 'plain', pipeline: [{ $match: { a: { $gte: 1 } } }] });
      await db.createCollection('weather', { timeseries: { timeField: 'ts', metaField: 'sensor' } });
      await db.collection('weather').insertOne({ ts: new Date(), sensor: 's1', temp: 20.5 });
    });

    it('lists the database with sizes, and by name only', async function () {
      const { databases } = await client.db('admin').admin().listDatabases();
      const mine = databases.find((d) => d.name === dbName);
      assert.ok(mine, 'database listed');
      assert.equal(typeof mine.sizeOnDisk, 'number');
      const names = await client.db('admin').admin().listDatabases({ nameOnly: true });
      assert.ok(names.databases.some((d) => d.name === dbName));
    });

    it('lists collections with view and time-series types', async function () {
      const infos = await db.listCollections({}, { nameOnly: false }).toArray();
      const byName = new Map(infos.map((i) => [i.name, i]));
      assert.equal(byName.get('plain')?.type, 'collection');
      assert.equal(byName.get('plainView')?.type, 'view');
      assert.equal(byName.get('plainView')?.options?.viewOn, 'plain');
      assert.equal(byName.get('plainView')?.info?.readOnly, true);
      assert.equal(byName.get('weather')?.type, 'timeseries');
      assert.equal(byName.get('weather')?.options?.timeseries?.timeField, 'ts');
      const filtered = await db.listCollections({ name: 'weather' }, { nameOnly: true }).toArray();
      assert.deepEqual(filtered, [{ name: 'weather', type: 'timeseries' }]);
    });

    it('reads through a view and refuses writes to it (166)', async function () {
      const docs = await db.collection('plainView').find({}, { projection: { _id: 0 } }).toArray();
      assert.deepEqual(docs, [{ a: 1 }]);
      await rejects(db.collection('plainView').insertOne({ a: 2 }), 166);
    });

    it('creates, renames and drops collections, and drops a database', async function () {
      await db.createCollection('toRename');
      await rejects(db.createCollection('toRename'), 48);
      await db.collection('toRename').insertOne({ x: 1 });
      await db.renameCollection('toRename', 'renamed');
      const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      assert.ok(names.includes('renamed') && !names.includes('toRename'));
      assert.equal(await db.collection('renamed').countDocuments(), 1);
      assert.equal(await db.collection('renamed').drop(), true);
      const other = client.db(`${dbName}_drop`);
      await other.collection('x').insertOne({ y: 1 });
      assert.equal(await other.dropDatabase(), true);
      const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
      assert.ok(!databases.some((d) => d.name === `${dbName}_drop`));
    });
  });

  describe('CRUD', function () {
    const coll = () => db.collection<TestDoc>('crud');

    before(async function () {
      await coll().insertMany(Array.from({ length: 95 }, (_, i) => ({ _id: i, n: i, group: i % 3, tag: `t${i % 5}` })));
    });

    it('rejects a duplicate _id with 11000 for insertOne and insertMany', async function () {
      const err = await rejects(coll().insertOne({ _id: 5 }), 11000, /E11000 duplicate key error collection: .*crud index: _id_ dup key: \{ _id: 5 \}/);
      assert.deepEqual(err.keyValue, { _id: 5 });
      await rejects(coll().insertMany([{ _id: 200 }, { _id: 7 }, { _id: 201 }]), 11000);
      assert.equal(await coll().countDocuments({ _id: { $in: [200, 201] } }), 1, 'ordered insert stops at the error');
    });

    it('finds with filter, projection, sort, skip and limit', async function () {
      const docs = await coll().find({ group: 1, n: { $lt: 50 } }, { projection: { _id: 0, n: 1 } })
        .sort({ n: -1 }).skip(2).limit(3).toArray();
      assert.deepEqual(docs, [{ n: 43 }, { n: 40 }, { n: 37 }]);
    });

    it('spans several getMores with batchSize 10 over 95 documents', async function () {
      const before = started.filter((e) => e.commandName === 'getMore').length;
      const docs = await coll().find({ n: { $lt: 95 } }).batchSize(10).toArray();
      assert.equal(docs.length, 95);
      assert.equal(started.filter((e) => e.commandName === 'getMore').length - before, 9);
    });

    it('kills a cursor on close', async function () {
      const cursor = coll().find({}).batchSize(2);
      await cursor.next();
      const id = cursor.id;
      assert.ok(id && !id.isZero());
      await cursor.close();
      const killed = succeeded.filter((e) => e.commandName === 'killCursors').at(-1);
      assert.equal((killed?.reply as Document | undefined)?.cursorsKilled.length, 1);
      await rejects(db.command({ getMore: id, collection: 'crud' }), 43);
    });

    it('updates one, many, and upserts with $setOnInsert', async function () {
      const one = await coll().updateOne({ n: 94 }, { $set: { flag: true }, $inc: { n: 1000 } });
      assert.equal(one.matchedCount, 1);
      assert.equal(one.modifiedCount, 1);
      assert.equal((await coll().findOne({ _id: 94 }))?.n, 1094);
      const many = await coll().updateMany({ group: 2 }, { $set: { g2: true } });
      assert.equal(many.matchedCount, 31);
      assert.equal(many.modifiedCount, 31);
      const again = await coll().updateMany({ group: 2 }, { $set: { g2: true } });
      assert.equal(again.modifiedCount, 0, 'a no-op update modifies nothing');
      const up = await coll().updateOne({ _id: 'new' }, { $set: { a: 1 }, $setOnInsert: { created: true } }, { upsert: true });
      assert.equal(up.upsertedId, 'new');
      assert.deepEqual(await coll().findOne({ _id: 'new' }), { _id: 'new', a: 1, created: true });
      await coll().updateOne({ _id: 'new' }, { $set: { a: 2 }, $setOnInsert: { created: false } }, { upsert: true });
      assert.deepEqual(await coll().findOne({ _id: 'new' }), { _id: 'new', a: 2, created: true });
      await rejects(coll().updateOne({ _id: 'new' }, { $set: { _id: 'other' } }), 66);
    });

    it('replaceOne keeps BSON types across a round trip', async function () {
      const oid = new ObjectId();
      const when = new Date('2024-05-06T07:08:09.010Z');
      await coll().insertOne({ _id: 'types', v: 1 });
      await coll().replaceOne({ _id: 'types' }, {
        long: Long.fromString('9007199254740993'), int: new Int32(7), dbl: new Double(3), dec: Decimal128.fromString('1.10'),
        date: when, oid, bin: new Binary(Buffer.from('hello')), nested: { l: Long.fromNumber(5), arr: [new Double(1), new Int32(2)] },
      });
      const doc = await coll().findOne({ _id: 'types' }, { promoteValues: false });
      assert.ok(doc);
      assert.equal(doc.long._bsontype, 'Long');
      assert.equal(doc.long.toString(), '9007199254740993');
      assert.ok(doc.int instanceof Int32 && doc.int.value === 7);
      assert.ok(doc.dbl instanceof Double && doc.dbl.value === 3);
      assert.ok(doc.dec instanceof Decimal128 && doc.dec.toString() === '1.10');
      assert.ok(doc.date instanceof Date && doc.date.getTime() === when.getTime());
      assert.ok(doc.oid instanceof ObjectId && doc.oid.equals(oid));
      assert.ok(doc.bin instanceof Binary && Buffer.from(doc.bin.buffer).toString() === 'hello');
      assert.equal(doc.nested.l._bsontype, 'Long');
      assert.equal(doc.nested.arr[0]._bsontype, 'Double');
      assert.equal(doc.nested.arr[1]._bsontype, 'Int32');
      // Numbers still match across BSON types, as in MongoDB.
      assert.equal(await coll().countDocuments({ _id: 'types', dbl: 3, 'nested.l': { $gte: 5 }, int: { $in: [7] } }), 1);
      await coll().updateOne({ _id: 'types' }, { $inc: { 'nested.l': 1, dbl: 1 } });
      const bumped = await coll().findOne({ _id: 'types' }, { promoteValues: false });
      assert.equal(bumped?.nested.l._bsontype, 'Long');
      assert.equal(bumped?.dbl._bsontype, 'Double');
      assert.equal(bumped?.dbl.value, 4);
    });

    it('deletes one and many', async function () {
      await coll().insertMany([{ _id: 'd1', del: true }, { _id: 'd2', del: true }, { _id: 'd3', del: true }]);
      assert.equal((await coll().deleteOne({ del: true })).deletedCount, 1);
      assert.equal((await coll().deleteMany({ del: true })).deletedCount, 2);
      assert.equal(await coll().countDocuments({ del: true }), 0);
    });

    it('counts documents exactly and by estimate', async function () {
      assert.equal(await coll().countDocuments({ group: 0 }), 32);
      assert.equal(await coll().countDocuments({ group: 0 }, { skip: 2, limit: 5 }), 5);
      const total = await coll().countDocuments();
      assert.equal(await coll().estimatedDocumentCount(), total);
    });

    it('aggregates with $match/$group/$sort and $sample', async function () {
      const groups = await coll().aggregate([
        { $match: { n: { $lt: 30 } } },
        { $group: { _id: '$group', total: { $sum: '$n' }, count: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ]).toArray();
      assert.deepEqual(groups.map((g) => [g._id, g.count]), [[0, 10], [1, 10], [2, 10]]);
      assert.equal(groups[0].total, 135);
      const sample = await coll().aggregate([{ $match: { tag: { $exists: true } } }, { $sample: { size: 4 } }]).toArray();
      assert.equal(sample.length, 4);
      assert.equal(new Set(sample.map((d) => d._id)).size, 4);
    });

    it('streams an aggregation across getMores', async function () {
      const docs = await coll().aggregate([{ $match: { tag: { $exists: true } } }, { $project: { n: 1 } }], { batchSize: 7 }).toArray();
      assert.equal(docs.length, await coll().countDocuments({ tag: { $exists: true } }));
    });

    it('findOneAndUpdate and findOneAndDelete', async function () {
      const after = await coll().findOneAndUpdate({ n: 10 }, { $set: { touched: 1 } }, { returnDocument: 'after', projection: { touched: 1 } });
      assert.deepEqual(after, { _id: 10, touched: 1 });
      const beforeDoc = await coll().findOneAndUpdate({ n: 11 }, { $set: { touched: 1 } });
      assert.equal(beforeDoc?.touched, undefined);
      const upserted = await coll().findOneAndUpdate({ _id: 'fam' }, { $set: { v: 1 } }, { upsert: true, returnDocument: 'after' });
      assert.deepEqual(upserted, { _id: 'fam', v: 1 });
      const removed = await coll().findOneAndDelete({ group: 2 }, { sort: { n: -1 } });
      assert.equal(removed?.n, 92);
      assert.equal(await coll().findOneAndDelete({ _id: 'missing' }), null);
    });

    it('answers distinct', async function () {
      const tags = await coll().distinct('tag');
      assert.deepEqual([...tags].sort(), ['t0', 't1', 't2', 't3', 't4']);
      assert.deepEqual((await coll().distinct('group', { n: { $lt: 2 } })).sort(), [0, 1]);
    });

    it('answers a bad query operator with BadValue (2)', async function () {
      await rejects(coll().find({ a: { $bogus: 1 } }).toArray(), 2, /unknown operator: \$bogus/);
    });
  });

  describe('indexes, explain and statistics', function () {
    const coll = () => db.collection<TestDoc>('indexed');

    before(async function () {
      await coll().insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, email: `u${i}@x`, age: i })));
    });

    it('creates a unique index that rejects duplicates, lists and drops it', async function () {
      assert.equal(await coll().createIndex({ email: 1 }, { unique: true }), 'email_1');
      await rejects(coll().insertOne({ email: 'u3@x' }), 11000, /index: email_1 dup key: \{ email: "u3@x" \}/);
      await coll().createIndex({ age: -1 }, { name: 'by_age' });
      const indexes = await coll().listIndexes().toArray();
      assert.deepEqual(indexes.map((i) => i.name), ['_id_', 'email_1', 'by_age']);
      assert.equal(indexes[1].unique, true);
      await coll().dropIndex('by_age');
      assert.deepEqual((await coll().listIndexes().toArray()).map((i) => i.name), ['_id_', 'email_1']);
      await rejects(coll().dropIndex('nope'), 27);
    });

    it('explains a find as COLLSCAN or IXSCAN with execution stats', async function () {
      const scan = await coll().find({ age: { $gt: 5 } }).explain('executionStats');
      assert.ok(stagesOf(scan.queryPlanner).includes('COLLSCAN'));
      assert.equal(scan.executionStats.nReturned, 14);
      assert.equal(scan.executionStats.totalDocsExamined, 20);
      assert.equal(typeof scan.executionStats.executionTimeMillis, 'number');
      const ix = await coll().find({ email: 'u4@x' }).explain('queryPlanner');
      assert.ok(stagesOf(ix.queryPlanner).includes('IXSCAN'));
      assert.equal(ix.executionStats, undefined);
    });

    it('explains an aggregation', async function () {
      const explained = await coll().aggregate([{ $match: { age: { $gte: 0 } } }, { $group: { _id: null, n: { $sum: 1 } } }])
        .explain('executionStats');
      assert.ok(stagesOf(explained).includes('COLLSCAN'));
    });

    it('reports db.stats, collStats and $collStats', async function () {
      const stats = await db.stats();
      assert.equal(stats.db, dbName);
      assert.ok(stats.objects >= 20);
      const cs = await db.command({ collStats: 'indexed' });
      assert.equal(cs.count, 20);
      assert.equal(cs.nindexes, 2);
      assert.ok(cs.size > 0);
      const [viaStage] = await coll().aggregate([{ $collStats: { storageStats: {}, count: {} } }]).toArray();
      assert.equal(viaStage.count, 20);
      assert.equal(viaStage.storageStats.count, 20);
    });
  });

  describe('connections and sessions', function () {
    it('serves many concurrent operations over a connection pool', async function () {
      const pooled = new MongoClient(url, { maxPoolSize: 25 });
      try {
        const coll = pooled.db(dbName).collection<TestDoc>('concurrent');
        await Promise.all(Array.from({ length: 200 }, (_, i) => coll.insertOne({ _id: i, i })));
        const counts = await Promise.all(Array.from({ length: 50 }, (_, i) => coll.countDocuments({ i: { $gte: i } })));
        assert.deepEqual(counts, Array.from({ length: 50 }, (_, i) => 200 - i));
      } finally {
        await pooled.close();
      }
    });

    it('ends sessions when the client closes', async function () {
      const other = new MongoClient(url, { monitorCommands: true });
      const names: string[] = [];
      other.on('commandStarted', (e) => names.push(e.commandName));
      await other.db(dbName).collection('crud').findOne({});
      await other.close();
      assert.ok(names.includes('endSessions'));
    });
  });

  describe('authentication', function () {
    let authServer: MongoWireServer | undefined;

    before(async function () {
      if (externalUrl) return;
      authServer = await startMongoWireServer({ users: [{ user: 'alice', password: 's3cret' }] });
    });
    after(async () => authServer?.close());

    const clientFor = (auth: string, extra = '') =>
      new MongoClient(`mongodb://${auth}127.0.0.1:${authServer?.port}/?authSource=admin${extra}`, { serverSelectionTimeoutMS: 3000 });

    it('accepts the right password with SCRAM-SHA-256 and SCRAM-SHA-1', async function () {
      if (!authServer) return this.skip(); // needs a user configured on this server
      for (const [i, mech] of ['', '&authMechanism=SCRAM-SHA-256', '&authMechanism=SCRAM-SHA-1'].entries()) {
        const c = clientFor('alice:s3cret@', mech);
        try {
          await c.db('app').collection('c').insertOne({ ok: true });
          assert.equal(await c.db('app').collection('c').countDocuments(), i + 1);
        } finally {
          await c.close();
        }
      }
    });

    it('rejects a wrong password with AuthenticationFailed (18)', async function () {
      if (!authServer) return this.skip(); // needs a user configured on this server
      const c = clientFor('alice:wrong@');
      try {
        await rejects(c.connect(), 18, /^Authentication failed\.$/);
      } finally {
        await c.close();
      }
    });

    it('requires authentication for data commands', async function () {
      if (!authServer) return this.skip(); // needs a user configured on this server
      const c = clientFor('');
      try {
        await c.db('admin').command({ ping: 1 });
        await rejects(c.db('app').collection('c').findOne({}), 13);
      } finally {
        await c.close();
      }
    });
  });

  describe('performance sanity on 200,000 documents', function () {
    this.timeout(180_000);
    const coll = () => db.collection<TestDoc>('big');

    before(async function () {
      for (let start = 0; start < 200_000; start += 10_000) {
        await coll().insertMany(Array.from({ length: 10_000 }, (_, i) => ({ i: start + i, s: `doc ${start + i}` })));
      }
    });

    it('returns the first 50 documents without scanning the collection', async function () {
      const docs = await coll().find({}).limit(50).toArray();
      assert.equal(docs.length, 50);
      const explained = await coll().find({}).limit(50).explain('executionStats');
      assert.ok(explained.executionStats.totalDocsExamined <= 51);
    });

    it('drains the collection through getMores and counts it', async function () {
      assert.equal(await coll().estimatedDocumentCount(), 200_000);
      assert.equal(await coll().countDocuments({ i: { $gte: 150_000 } }), 50_000);
      let n = 0;
      for await (const _ of coll().find({}, { projection: { i: 1 } })) n++;
      assert.equal(n, 200_000);
    });

    it('stops a long scan at maxTimeMS with MaxTimeMSExpired (50)', async function () {
      await rejects(coll().find({ s: { $regex: 'never-there' } }).maxTimeMS(1).toArray(), 50);
    });

    it('lists a running count in currentOp by its comment, and killOp stops it with Interrupted (11601)', async function () {
      const comment = `count-${randomBytes(4).toString('hex')}`;
      const counting = coll().countDocuments({ s: { $regex: 'never-there' } }, { comment });
      const admin = client.db('admin');
      let inprog: Document[] = [];
      for (let i = 0; i < 200 && inprog.length === 0; i++) {
        ({ inprog } = await admin.command({ currentOp: 1, $ownOps: true, 'command.comment': comment }));
      }
      assert.equal(inprog.length, 1, 'the count is listed while it runs');
      const [op] = inprog as Document[];
      assert.equal(op!.op, 'command');
      assert.equal(op!.ns, `${dbName}.big`);
      assert.equal(op!.command.aggregate, 'big');
      assert.equal(typeof op!.opid, 'number');
      assert.deepEqual(await admin.command({ killOp: 1, op: op!.opid }), { info: 'attempting to kill op', ok: 1 });
      await rejects(counting, 11601, /interrupted/);
      ({ inprog } = await admin.command({ currentOp: 1, 'command.comment': comment }));
      assert.equal(inprog.length, 0);
      await rejects(db.command({ killOp: 1, op: 1 }), 13, /admin database/);
    });
  });

  describe('BSON order, $type and index statistics', function () {
    const mixed = () => db.collection<TestDoc>('mixed');
    before(async function () {
      await mixed().insertMany([
        { _id: 1, v: 'b' }, { _id: 2, v: 3 }, { _id: 3, v: null }, { _id: 4, v: new ObjectId('65a000000000000000000001') },
        { _id: 5, v: new Date(0) }, { _id: 6, v: true }, { _id: 7, v: { a: 1 } }, { _id: 8 }, { _id: 9, v: new Binary(Buffer.from('x')) },
        { _id: 10, v: Long.fromNumber(2) }, { _id: 11, v: new Decimal128('2.5') }, { _id: 12, v: 'a' },
      ]);
    });

    it('sorts across types in mongod\'s order (null and missing first, then numbers, strings, objects, binData, ObjectId, bool, date)', async function () {
      const ids = (await mixed().find({}).sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id);
      assert.deepEqual(ids, [3, 8, 10, 11, 2, 12, 1, 7, 9, 4, 6, 5]);
      const desc = (await mixed().find({}).sort({ v: -1, _id: 1 }).toArray()).map((d) => d._id);
      assert.deepEqual(desc, [5, 6, 4, 9, 7, 1, 12, 2, 11, 10, 3, 8]);
    });

    it('matches $type by BSON type alias, number and list', async function () {
      const ids = async (filter: Document) => (await mixed().find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
      assert.deepEqual(await ids({ v: { $type: 'objectId' } }), [4]);
      assert.deepEqual(await ids({ v: { $type: ['binData', 'date', 'bool'] } }), [5, 6, 9]);
      assert.deepEqual(await ids({ v: { $type: 'number' } }), [2, 10, 11]);
      assert.deepEqual(await ids({ v: { $type: 18 } }), [10]);
      assert.deepEqual(await ids({ v: { $type: 'null' } }), [3]);
    });

    it('reports each index with its use count in $indexStats', async function () {
      await mixed().createIndex({ v: 1 });
      const usage = async () => Object.fromEntries((await mixed().aggregate([{ $indexStats: {} }]).toArray()).map((s) => [s.name, Number(s.accesses.ops)]));
      const before = await usage();
      await mixed().find({ v: 'a' }).toArray();
      await mixed().find({ v: 'b' }).toArray();
      const after = await usage();
      assert.equal(after.v_1! - before.v_1!, 2);
      const [entry] = await mixed().aggregate([{ $indexStats: {} }, { $match: { name: 'v_1' } }]).toArray();
      assert.deepEqual(entry!.key, { v: 1 });
      assert.ok(entry!.accesses.since instanceof Date);
      assert.equal(entry!.spec.name, 'v_1');
    });
  });
});
