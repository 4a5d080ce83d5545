/**
 * MongoEngine: paging with filter/projection/sort, estimated and exact counts, and editing documents
 * with every BSON type kept, against OGELBASE_TEST_MONGODB_URL (see mongodb-fixture.test.ts).
 */
import assert from 'node:assert/strict';
import { Binary, Decimal128, Double, Int32, Long, ObjectId, type Document } from 'mongodb';
import { openMongoFixture, rejectsWith, type MongoFixture } from '../support/engines/mongodb-fixture';

describe('MongoDB engine: documents', function () {
  let f: MongoFixture;
  const ns = (collection: string) => ({ db: f.dbName, collection });

  before(async function () {
    f = await openMongoFixture('docs');
    await f.db.collection<{ _id: number } & Document>('items').insertMany(Array.from({ length: 45 }, (_, i) => ({ _id: i, n: i, group: i % 3, label: `item ${i}` })));
    await f.db.createCollection('groupZero', { viewOn: 'items', pipeline: [{ $match: { group: 0 } }] });
  });

  after(async () => f?.close());

  describe('paging', function () {
    it('answers the first page at once with the estimated count, and no count of the collection', async function () {
      const before = f.started.length;
      const page = await f.engine.findPage(ns('items'));
      assert.equal(page.documents.length, 20);
      assert.equal(page.hasMore, true);
      assert.equal(page.estimatedCount, 45);
      assert.deepEqual(page.documents[0], { _id: 0, n: 0, group: 0, label: 'item 0' });
      assert.deepEqual(page.ids.slice(0, 2), ['{"$numberInt":"0"}', '{"$numberInt":"1"}']);
      assert.deepEqual(page.truncated, []);
      const commands = f.started.slice(before);
      const find = commands.find((e) => e.commandName === 'find');
      assert.equal(find?.command.limit, 21, 'limit + 1 documents, to know whether a next page exists');
      // The driver itself sends batchSize limit + 1 when they are equal, so the server closes the cursor at once.
      assert.ok(find && find.command.batchSize <= 22, `batchSize ${find?.command.batchSize}`);
      const reply = f.succeeded.find((e) => e.requestId === find.requestId)?.reply as Document | undefined;
      assert.equal(reply?.cursor.firstBatch.length, 21);
      assert.equal(String(reply?.cursor.id), '0', 'nothing left open on the server');
      assert.ok(!commands.some((e) => e.commandName === 'aggregate'), 'no countDocuments');
      assert.ok(!commands.some((e) => e.commandName === 'getMore'));
    });

    it('filters, projects, sorts and skips', async function () {
      const page = await f.engine.findPage({ ...ns('items'), filter: '{"group": 1, "n": {"$lt": 30}}', projection: '{"_id": 0, "n": 1}', sort: '{"n": -1}', skip: 2, limit: 3 });
      assert.deepEqual(page.documents, [{ n: 22 }, { n: 19 }, { n: 16 }]);
      assert.equal(page.hasMore, true);
      assert.equal(page.estimatedCount, undefined, 'a filtered page has no estimate; the exact count is countDocuments');
      assert.deepEqual(page.ids, [null, null, null]);
      const last = await f.engine.findPage({ ...ns('items'), filter: '{"group": 1}', sort: '{"n": 1}', skip: 13, limit: 5 });
      assert.deepEqual(last.documents.map((d) => d.n), [40, 43]);
      assert.equal(last.hasMore, false);
    });

    it('counts exactly, with or without a filter', async function () {
      assert.deepEqual(await f.engine.countDocuments({ ...ns('items'), filter: '{"group": 2}' }), { count: 15 });
      assert.deepEqual(await f.engine.countDocuments(ns('items')), { count: 45 });
      assert.deepEqual(await f.engine.countDocuments(ns('missing')), { count: 0 });
    });

    it('names a broken filter, projection or sort before anything reaches the server', async function () {
      const before = f.started.length;
      await rejectsWith(f.engine.findPage({ ...ns('items'), filter: '{"group": }' }), 'invalid_input', /^filter is not valid Extended JSON: unexpected '}' at line 1, column 11 \(position 10\)$/);
      await rejectsWith(f.engine.findPage({ ...ns('items'), sort: '[["n", 1]]' }), 'invalid_input', /^sort must be a JSON object/);
      await rejectsWith(f.engine.countDocuments({ ...ns('items'), filter: '{n: 1,}' }), 'invalid_input', /a trailing comma before '}' is not allowed at line 1, column 7/);
      assert.equal(f.started.length, before);
    });

    it('passes on what the server refuses in a filter, in its words', async function () {
      await rejectsWith(f.engine.findPage({ ...ns('items'), filter: '{"n": {"$bogus": 1}}' }), 'invalid_input', /\$bogus/);
    });

    it('pages through a view', async function () {
      const page = await f.engine.findPage({ ...ns('groupZero'), sort: '{"n": 1}', limit: 5 });
      assert.deepEqual(page.documents.map((d) => d.n), [0, 3, 6, 9, 12]);
      assert.equal(page.hasMore, true);
    });
  });

  describe('editing', function () {
    const canonical = {
      _id: { $oid: '65a1b2c3d4e5f60718293a4b' },
      int64: { $numberLong: '9007199254740993' },
      int32: { $numberInt: '7' },
      double: { $numberDouble: '3.0' },
      decimal: { $numberDecimal: '1.10' },
      date: { $date: { $numberLong: '1715000000123' } },
      objectId: { $oid: '65a1b2c3d4e5f60718293a4c' },
      binary: { $binary: { base64: 'aGVsbG8=', subType: '00' } },
      uuid: { $binary: { base64: 'S8vvoCbSQnyBYTO7ly2QzA==', subType: '04' } },
      text: 'before',
      nested: { long: { $numberLong: '5' }, list: [{ $numberDouble: '1.0' }, { $numberInt: '2' }, null, true] },
    };
    const id = '{"$oid":"65a1b2c3d4e5f60718293a4b"}';

    it('keeps Int64, Int32, Double, Decimal128, Date, ObjectId and Binary through get, edit and replace', async function () {
      const { insertedId } = await f.engine.insertDocument({ ...ns('typed'), document: JSON.stringify(canonical) });
      assert.equal(insertedId, id);
      const first = await f.engine.getDocument({ ...ns('typed'), id });
      assert.deepEqual(JSON.parse(first.document), canonical);
      const edited = { ...JSON.parse(first.document), text: 'after' };
      assert.deepEqual(await f.engine.replaceDocument({ ...ns('typed'), id, document: JSON.stringify(edited, null, 2) }), { modified: true });
      const second = await f.engine.getDocument({ ...ns('typed'), id });
      assert.deepEqual(JSON.parse(second.document), { ...canonical, text: 'after' });
      // The server holds the types themselves, not numbers that happen to print alike.
      const raw = await f.db.collection<Document>('typed').findOne({ _id: new ObjectId('65a1b2c3d4e5f60718293a4b') }, { promoteValues: false });
      assert.ok(raw);
      assert.ok(raw.int64 instanceof Long && raw.int64.toString() === '9007199254740993');
      assert.ok(raw.int32 instanceof Int32 && raw.double instanceof Double && raw.decimal instanceof Decimal128);
      assert.ok(raw.date instanceof Date && raw.objectId instanceof ObjectId && raw.binary instanceof Binary);
    });

    it('shows the same document relaxed in a page, with its id as canonical text', async function () {
      const page = await f.engine.findPage({ ...ns('typed'), filter: `{"_id": ${id}}` });
      assert.equal(page.ids[0], id);
      const doc = page.documents[0]!;
      assert.deepEqual(doc.int64, { $numberLong: '9007199254740993' });
      assert.equal(doc.int32, 7);
      assert.equal(doc.double, 3);
      assert.deepEqual(doc.date, { $date: '2024-05-06T12:53:20.123Z' });
    });

    it('refuses a duplicate _id, naming the duplicate key', async function () {
      const error = await rejectsWith(f.engine.insertDocument({ ...ns('typed'), document: JSON.stringify({ _id: canonical._id }) }), 'invalid_input', /duplicate key/);
      assert.match(error.message, /\{"_id":\{"\$oid":"65a1b2c3d4e5f60718293a4b"\}\}/);
      assert.match(error.message, /_id_/);
    });

    it('inserts a document without _id and reports the new ObjectId', async function () {
      const { insertedId } = await f.engine.insertDocument({ ...ns('typed'), document: '{"text": "fresh"}' });
      assert.match(insertedId, /^\{"\$oid":"[0-9a-f]{24}"\}$/);
      assert.match((await f.engine.getDocument({ ...ns('typed'), id: insertedId })).document, /"fresh"/);
    });

    it('refuses a replacement that changes _id, and says when the document is gone', async function () {
      await rejectsWith(f.engine.replaceDocument({ ...ns('typed'), id, document: '{"_id": 1, "text": "x"}' }), 'invalid_input', /_id cannot change/);
      await rejectsWith(f.engine.replaceDocument({ ...ns('typed'), id: '"missing"', document: '{"text": "x"}' }), 'not_found', /no document with _id "missing"/);
      await rejectsWith(f.engine.getDocument({ ...ns('typed'), id: '"missing"' }), 'not_found');
      await rejectsWith(f.engine.insertDocument({ ...ns('typed'), document: '[{"a": 1}]' }), 'invalid_input', /^document must be a JSON object/);
    });

    it('deletes one document by _id', async function () {
      await f.engine.insertDocument({ ...ns('typed'), document: '{"_id": "gone", "v": 1}' });
      assert.deepEqual(await f.engine.deleteDocument({ ...ns('typed'), id: '"gone"' }), { deleted: 1 });
      await rejectsWith(f.engine.deleteDocument({ ...ns('typed'), id: '"gone"' }), 'not_found');
    });

    it('deletes many only when the confirmed count still holds', async function () {
      await f.db.collection('bulk').insertMany(Array.from({ length: 10 }, (_, i) => ({ i, even: i % 2 === 0 })));
      await rejectsWith(f.engine.deleteMany({ ...ns('bulk'), filter: '{"even": true}', expectedCount: 4 }), 'invalid_input', /nothing was deleted: the filter matches 5 document\(s\) now, not the 4 that were confirmed/);
      assert.deepEqual(await f.engine.countDocuments(ns('bulk')), { count: 10 });
      assert.deepEqual(await f.engine.deleteMany({ ...ns('bulk'), filter: '{"even": true}', expectedCount: 5 }), { deleted: 5 });
      await rejectsWith(f.engine.deleteMany({ ...ns('bulk'), filter: '{}', expectedCount: 10 }), 'invalid_input', /the collection holds 5 document\(s\) now/);
      assert.deepEqual(await f.engine.deleteMany({ ...ns('bulk'), filter: '{}', expectedCount: 5 }), { deleted: 5 });
    });

    it('refuses writes to a view with a clear message', async function () {
      await rejectsWith(f.engine.insertDocument({ ...ns('groupZero'), document: '{"n": 100}' }), 'invalid_input', /views are read-only/);
      await rejectsWith(f.engine.deleteDocument({ ...ns('groupZero'), id: '{"$numberInt": "0"}' }), 'invalid_input', /views are read-only/);
      assert.deepEqual(await f.engine.countDocuments(ns('items')), { count: 45 });
    });

    it('refuses every write on a read-only engine before it reaches the server', async function () {
      const before = f.started.length;
      const ro = f.readOnly;
      await rejectsWith(ro.insertDocument({ ...ns('typed'), document: '{"a": 1}' }), 'read_only', /read-only/);
      await rejectsWith(ro.replaceDocument({ ...ns('typed'), id, document: '{"a": 1}' }), 'read_only');
      await rejectsWith(ro.deleteDocument({ ...ns('typed'), id }), 'read_only');
      await rejectsWith(ro.deleteMany({ ...ns('typed'), filter: '{}', expectedCount: 2 }), 'read_only');
      await rejectsWith(ro.createIndex({ ...ns('typed'), keys: '{"a": 1}' }), 'read_only');
      await rejectsWith(ro.dropIndex({ ...ns('typed'), name: 'a_1' }), 'read_only');
      assert.equal(f.started.length, before, 'nothing was sent');
      assert.match((await ro.getDocument({ ...ns('typed'), id })).document, /"after"/);
    });
  });
});
