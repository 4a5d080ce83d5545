/**
 * Every BSON type through the real driver and back: a document written with the driver is read by
 * the engine (a page, then getDocument's canonical Extended JSON), written back unchanged with
 * replaceDocument, and read again: its BSON bytes must be identical (types, values, key order).
 * Against OGELBASE_TEST_MONGODB_URL: the wire test server, or a real MongoDB (MONGODB_URL).
 */
import assert from 'node:assert/strict';
import { BSON, Decimal128, Int32, ObjectId, type Document } from 'mongodb';
import { everyType, REGEX_OPTIONS } from '../support/engines/bson-samples';
import { openMongoFixture, rejectsWith, type MongoFixture } from '../support/engines/mongodb-fixture';

const bytes = (doc: Document) => Buffer.from(BSON.serialize(doc));

describe('MongoDB engine: every BSON type through the driver and back', function () {
  let f: MongoFixture;
  const ns = () => ({ db: f.dbName, collection: 'types' });
  const raw = async (id: unknown) => (await f.db.collection('types').findOne({ _id: id } as Document, { promoteValues: false, bsonRegExp: true }))!;

  before(async function () {
    f = await openMongoFixture('roundtrip');
    await f.db.collection('types').insertMany([everyType(1), everyType(new ObjectId('65a1b2c3d4e5f60718293a4d')), everyType('text id')] as Document[]);
  });

  after(async () => f?.close());

  it('pages the collection even with regular expressions whose options include s, x, l and u', async function () {
    for (const format of ['relaxed', 'canonical'] as const) {
      const page = await f.engine.findPage({ ...ns(), format });
      assert.equal(page.documents.length, 3);
      const regex = page.documents[0]!.regex as Record<string, { $regularExpression: { options: string } }>;
      assert.deepEqual(Object.values(regex).map((r) => r.$regularExpression.options), REGEX_OPTIONS.map((o) => [...o].sort().join('')));
    }
  });

  it('shows a Timestamp as a timestamp, -0.0 as -0.0 and big Longs exactly in a relaxed page', async function () {
    const [doc] = (await f.engine.findPage({ ...ns(), filter: '{"_id": 1}' })).documents;
    assert.deepEqual(doc!.timestamps, { zero: { $timestamp: { t: 0, i: 0 } }, max: { $timestamp: { t: 4294967295, i: 4294967295 } }, some: { $timestamp: { t: 1700000000, i: 7 } } });
    assert.deepEqual((doc!.double as Document).negZero, { $numberDouble: '-0.0' });
    assert.deepEqual((doc!.int64 as Document).max, { $numberLong: '9223372036854775807' });
    assert.deepEqual(Object.keys(doc!).slice(0, 4), ['_id', 'zebra', '', 'nul']);
  });

  for (const [label, id] of [['an Int32', 1], ['an ObjectId', new ObjectId('65a1b2c3d4e5f60718293a4d')], ['a string', 'text id']] as const) {
    it(`edits and saves the document with ${label} _id without changing one byte`, async function () {
      const before = bytes(await raw(id));
      const page = await f.engine.findPage({ ...ns(), filter: JSON.stringify({ _id: JSON.parse(BSON.EJSON.stringify(id, { relaxed: false })) }) });
      const idText = page.ids[0]!;
      const { document } = await f.engine.getDocument({ ...ns(), id: idText });
      assert.deepEqual(await f.engine.replaceDocument({ ...ns(), id: idText, document, expected: document }), { modified: false });
      assert.equal(Buffer.compare(bytes(await raw(id)), before), 0, 'the stored BSON is byte for byte what it was');
      // Reopened, it reads the same text.
      assert.equal((await f.engine.getDocument({ ...ns(), id: idText })).document, document);
    });
  }

  it('writes an edited value with its type and keeps every other one', async function () {
    const idText = '{"$numberInt":"1"}';
    const { document } = await f.engine.getDocument({ ...ns(), id: idText });
    const edited = document.replace('"zebra": "key order is kept: this field comes first"', '"zebra": {"$numberDecimal": "1.50"}');
    assert.notEqual(edited, document);
    assert.deepEqual(await f.engine.replaceDocument({ ...ns(), id: idText, document: edited, expected: document }), { modified: true });
    const after = await raw(1);
    assert.ok(after.zebra instanceof Decimal128 && after.zebra.toString() === '1.50');
    const { zebra: _a, ...restAfter } = after;
    const { zebra: _b, ...restBefore } = everyType(new Int32(1));
    assert.equal(Buffer.compare(bytes(restAfter), bytes(restBefore)), 0);
  });

  it('refuses to save over a document that changed since it was opened, and says so', async function () {
    await f.db.collection('ed').insertOne({ _id: 7 as never, name: 'Ada', n: new Int32(1) });
    const id = '{"$numberInt":"7"}';
    const opened = (await f.engine.getDocument({ ...ns(), collection: 'ed', id })).document;
    await f.db.collection('ed').updateOne({ _id: 7 as never }, { $set: { n: new Int32(2) } });
    const mine = opened.replace('"Ada"', '"Grace"');
    await rejectsWith(f.engine.replaceDocument({ ...ns(), collection: 'ed', id, document: mine, expected: opened }), 'conflict', /changed since it was opened, so nothing was saved/);
    assert.deepEqual(await f.db.collection('ed').findOne({ _id: 7 as never }), { _id: 7, name: 'Ada', n: 2 });
    const current = (await f.engine.getDocument({ ...ns(), collection: 'ed', id })).document;
    assert.deepEqual(await f.engine.replaceDocument({ ...ns(), collection: 'ed', id, document: current.replace('"Ada"', '"Grace"'), expected: current }), { modified: true });
    await f.db.collection('ed').deleteOne({ _id: 7 as never });
    await rejectsWith(f.engine.replaceDocument({ ...ns(), collection: 'ed', id, document: current, expected: current }), 'not_found', /may have been deleted/);
  });
});
