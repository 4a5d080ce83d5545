/**
 * MongoEngine: indexes, explain and schema sampling, against OGELBASE_TEST_MONGODB_URL (see
 * mongodb-fixture.test.ts).
 */
import assert from 'node:assert/strict';
import { Int32, type Document } from 'mongodb';
import { openMongoFixture, rejectsWith, type MongoFixture } from '../support/engines/mongodb-fixture';

describe('MongoDB engine: indexes, explain and schema', function () {
  let f: MongoFixture;
  const ns = (collection: string) => ({ db: f.dbName, collection });

  before(async function () {
    f = await openMongoFixture('indexes');
    await f.db.collection<{ _id: number } & Document>('users').insertMany(Array.from({ length: 40 }, (_, i) => ({ _id: i, email: `u${i}@example.com`, age: 18 + i })));
  });

  after(async () => f?.close());

  describe('indexes', function () {
    it('creates a unique index that then refuses a duplicate, naming the key', async function () {
      assert.deepEqual(await f.engine.createIndex({ ...ns('users'), keys: '{"email": 1}', unique: true }), { name: 'email_1' });
      const error = await rejectsWith(f.engine.insertDocument({ ...ns('users'), document: '{"_id": 100, "email": "u3@example.com"}' }), 'invalid_input', /duplicate key/);
      assert.match(error.message, /\{"email":"u3@example\.com"\}/);
      assert.match(error.message, /unique index email_1/);
    });

    it('creates sparse, named and TTL indexes and lists them all', async function () {
      await f.engine.createIndex({ ...ns('users'), keys: '{"age": -1}', name: 'by_age', sparse: true });
      await f.engine.createIndex({ ...ns('users'), keys: '{"seenAt": 1}', expireAfterSeconds: 3600 });
      const indexes = await f.engine.listIndexes(ns('users'));
      assert.deepEqual(indexes.map((i) => i.name), ['_id_', 'email_1', 'by_age', 'seenAt_1']);
      const shape = ({ name, keys, unique, sparse }: (typeof indexes)[number]) => ({ name, keys, unique, sparse });
      assert.deepEqual(shape(indexes[0]!), { name: '_id_', keys: { _id: 1 }, unique: false, sparse: false });
      assert.deepEqual(shape(indexes[1]!), { name: 'email_1', keys: { email: 1 }, unique: true, sparse: false });
      assert.deepEqual(shape(indexes[2]!), { name: 'by_age', keys: { age: -1 }, unique: false, sparse: true });
      assert.equal(indexes[3]?.expireAfterSeconds, 3600);
      // Sizes (collStats) and usage ($indexStats) come with the list.
      for (const index of indexes) {
        assert.ok(typeof index.size === 'number' && index.size > 0, `${index.name} has a size`);
        assert.ok(index.usage && Number.isInteger(index.usage.ops) && !Number.isNaN(Date.parse(index.usage.since)), `${index.name} has usage`);
      }
    });

    it('refuses bad keys before the server, and drops an index but never _id_', async function () {
      await rejectsWith(f.engine.createIndex({ ...ns('users'), keys: '{}' }), 'invalid_input', /at least one field/);
      await rejectsWith(f.engine.createIndex({ ...ns('users'), keys: '{"a": "up"}' }), 'invalid_input', /"a" must be 1 \(ascending\), -1/);
      await rejectsWith(f.engine.dropIndex({ ...ns('users'), name: '_id_' }), 'invalid_input', /_id_ index cannot be dropped/);
      await rejectsWith(f.engine.dropIndex({ ...ns('users'), name: '*' }), 'invalid_input', /name one index/);
      assert.deepEqual(await f.engine.dropIndex({ ...ns('users'), name: 'seenAt_1' }), { dropped: 'seenAt_1' });
      await rejectsWith(f.engine.dropIndex({ ...ns('users'), name: 'seenAt_1' }), 'not_found', /no such index/);
      assert.deepEqual((await f.engine.listIndexes(ns('users'))).map((i) => i.name), ['_id_', 'email_1', 'by_age']);
    });
  });

  describe('explain', function () {
    it('shows a collection scan with what it examined', async function () {
      const { summary, plan } = await f.engine.explain({ ...ns('users'), filter: '{"name": "nobody"}', verbosity: 'executionStats' });
      assert.equal(summary.winningStage, 'COLLSCAN');
      assert.equal(summary.indexName, undefined);
      assert.equal(summary.docsExamined, 40);
      assert.equal(summary.returned, 0);
      assert.equal(typeof summary.executionTimeMillis, 'number');
      assert.equal(typeof plan.queryPlanner, 'object');
    });

    it('shows an index scan and the index it used', async function () {
      const { summary } = await f.engine.explain({ ...ns('users'), filter: '{"age": {"$gte": 50}}', sort: '{"age": -1}', verbosity: 'executionStats' });
      assert.match(summary.winningStage ?? '', /IXSCAN/);
      assert.equal(summary.indexName, 'by_age');
      assert.equal(summary.returned, 8);
      assert.ok(summary.docsExamined! <= 8, `examined ${summary.docsExamined}`);
    });

    it('explains without running the query at queryPlanner verbosity', async function () {
      const { summary } = await f.engine.explain({ ...ns('users'), filter: '{"email": "u4@example.com"}' });
      assert.match(summary.winningStage ?? '', /IXSCAN/);
      assert.equal(summary.docsExamined, undefined);
    });
  });

  describe('schema sampling', function () {
    before(async function () {
      const docs: Document[] = [];
      for (let i = 0; i < 20; i++) {
        docs.push({
          code: i % 4 === 0 ? `C${i}` : new Int32(i), // a string in 5 documents, an int in 15
          ...(i % 2 === 0 ? { optional: true } : {}),
          address: { city: 'Lyon', ...(i < 5 ? { zip: '69001' } : {}) },
          tags: i < 10 ? ['a', 'b'] : [],
          items: [{ sku: 'x', qty: new Int32(1) }],
          at: new Date(Date.UTC(2024, 0, i + 1)),
        });
      }
      await f.db.collection('mixed').insertMany(docs);
    });

    it('reports every path with its BSON types and the share of documents that have it', async function () {
      const result = await f.engine.sampleSchema({ ...ns('mixed'), size: 1000 });
      assert.equal(result.sampled, 20);
      assert.equal(result.truncated, false);
      const byPath = new Map(result.fields.map((x) => [x.path, x]));
      assert.deepEqual(byPath.get('code'), { path: 'code', count: 20, share: 1, types: { int: 15, string: 5 } });
      assert.deepEqual(byPath.get('optional'), { path: 'optional', count: 10, share: 0.5, types: { bool: 10 } });
      assert.deepEqual(byPath.get('address.zip'), { path: 'address.zip', count: 5, share: 0.25, types: { string: 5 } });
      assert.deepEqual(byPath.get('tags')?.types, { array: 20 });
      assert.deepEqual(byPath.get('tags[]'), { path: 'tags[]', count: 10, share: 0.5, types: { string: 10 } });
      assert.deepEqual(byPath.get('items[].qty')?.types, { int: 20 });
      assert.deepEqual(byPath.get('_id')?.types, { objectId: 20 });
      assert.deepEqual(byPath.get('at')?.types, { date: 20 });
      assert.deepEqual(result.fields.map((x) => x.path), ['_id', 'address', 'address.city', 'address.zip', 'at', 'code', 'items', 'items[]', 'items[].qty', 'items[].sku', 'optional', 'tags', 'tags[]']);
    });

    it('samples at most `size` documents', async function () {
      const result = await f.engine.sampleSchema({ ...ns('mixed'), size: 7 });
      assert.equal(result.sampled, 7);
      assert.equal(result.fields.find((x) => x.path === '_id')?.count, 7);
    });
  });
});
