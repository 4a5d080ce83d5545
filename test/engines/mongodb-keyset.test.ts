/**
 * Keyset paging (findPage's `after`): every page after the first is a range on the sort key, never
 * a skip, and paging through a query gives exactly the documents of one big sorted find, in its
 * order, across mixed types, missing fields, ties, projections and both directions. Against
 * OGELBASE_TEST_MONGODB_URL (the wire test server, or a real MongoDB with MONGODB_URL).
 */
import assert from 'node:assert/strict';
import { Binary, BSON, Decimal128, Long, ObjectId, type Document } from 'mongodb';
import type { FindPageParams } from '../../src/core/engines/mongodb';
import { openMongoFixture, rejectsWith, type MongoFixture } from '../support/engines/mongodb-fixture';

/** Values of every sort-relevant kind, repeated so that ties must be broken by _id. */
const VALUES: unknown[] = [
  null, undefined, 3, 1.5, Long.fromNumber(2), Decimal128.fromString('2.5'), -7, 'b', 'a', '', { x: 1 }, new Binary(Buffer.from('z')),
  new ObjectId('65a000000000000000000001'), false, true, new Date(0), new Date(86_400_000), 3, 'a',
];

describe('MongoDB engine: keyset paging', function () {
  let f: MongoFixture;
  const ns = (collection = 'mixed') => ({ db: f.dbName, collection });

  before(async function () {
    f = await openMongoFixture('keyset');
    const docs: Document[] = [];
    for (let i = 0; i < 120; i++) {
      const v = VALUES[i % VALUES.length];
      const doc: Document = { _id: i % 7 === 0 ? `s${String(i).padStart(3, '0')}` : i % 11 === 0 ? new ObjectId(`65b000000000000000000${String(i).padStart(3, "0")}`) : i, n: i };
      if (v !== undefined) doc.v = v;
      doc.group = i % 4;
      doc.sub = { k: i % 3 };
      docs.push(doc);
    }
    await f.db.collection('mixed').insertMany(docs);
    await f.db.collection('arrays').insertMany(Array.from({ length: 30 }, (_, i) => ({ _id: i as never, tags: i % 2 ? [i, 100 - i] : i })));
  });

  after(async () => f?.close());

  /** Pages through a query with `after` and returns every document shown, as relaxed text for comparison. */
  async function pageAll(params: FindPageParams, pageSize: number): Promise<{ docs: string[]; pages: number; modes: string[] }> {
    const docs: string[] = [];
    const modes: string[] = [];
    let after: string | undefined;
    let skip = params.skip ?? 0;
    for (let pages = 1; ; pages++) {
      const page = await f.engine.findPage({ ...params, limit: pageSize, after, skip: after === undefined ? skip : undefined });
      docs.push(...page.documents.map((d) => JSON.stringify(d)));
      modes.push(page.paging);
      if (!page.hasMore) return { docs, pages, modes };
      if (page.paging === 'keyset') after = page.next;
      else {
        after = undefined;
        skip = (params.skip ?? 0) + docs.length;
      }
      assert.ok(pages < 500, 'paging ends');
    }
  }

  /** The same query in one find, sorted by the server (with _id to break ties, as the engine does). */
  async function oneFind(filter: Document, sort: Document, projection?: Document): Promise<string[]> {
    const effective = '_id' in sort ? sort : { ...sort, _id: 1 };
    const docs = await f.db.collection('mixed').find(filter, { sort: effective, projection, promoteValues: false }).toArray();
    const page = await f.engine.findPage({ ...ns(), filter: BSON.EJSON.stringify(filter), sort: JSON.stringify(sort), projection: projection && JSON.stringify(projection), limit: 500 });
    assert.equal(page.documents.length, docs.length);
    return page.documents.map((d) => JSON.stringify(d));
  }

  for (const [label, sort] of [
    ['the default _id order (numbers, strings and ObjectIds as _id)', {}],
    ['a field holding every type, ascending', { v: 1 }],
    ['a field holding every type, descending', { v: -1 }],
    ['two fields, mixed directions', { group: -1, v: 1 }],
    ['a nested field', { 'sub.k': 1, n: -1 }],
  ] as const) {
    it(`gives exactly the documents of one sorted find, in order, for ${label}`, async function () {
      const expected = await oneFind({}, Object.keys(sort).length ? sort : { _id: 1 });
      for (const size of [4, 50]) {
        const { docs, pages, modes } = await pageAll({ ...ns(), sort: JSON.stringify(sort) }, size);
        assert.deepEqual(docs, expected, `page size ${size}`);
        assert.equal(pages, Math.ceil(expected.length / size) || 1);
        assert.ok(modes.slice(0, -1).every((m) => m === 'keyset'), `every page is asked for by key: ${modes.join(',')}`);
      }
    });
  }

  it('pages a filtered, projected query whose projection hides the sort key, after a first skip', async function () {
    const filter = { group: { $in: [1, 2] } };
    const expected = (await oneFind(filter, { v: 1 }, { n: 1, _id: 0 })).slice(3);
    const { docs } = await pageAll({ ...ns(), filter: JSON.stringify(filter), sort: '{"v": 1}', projection: '{"n": 1, "_id": 0}', skip: 3 }, 8);
    assert.deepEqual(docs, expected);
    assert.ok(docs.every((d) => !d.includes('__ogelbase')), 'the key the engine asked for is not shown');
    const excluded = await pageAll({ ...ns(), sort: '{"v": -1}', projection: '{"v": 0, "sub": 0}' }, 9);
    assert.deepEqual(excluded.docs, await oneFind({}, { v: -1 }, { v: 0, sub: 0 }));
  });

  it('asks the server for a range, not a skip, for every page after the first', async function () {
    const first = await f.engine.findPage({ ...ns(), limit: 10 });
    const before = f.started.length;
    const second = await f.engine.findPage({ ...ns(), limit: 10, after: first.next });
    const find = f.started.slice(before).find((e) => e.commandName === 'find')!;
    assert.ok(!find.command.skip, `no skip: ${find.command.skip}`);
    assert.deepEqual(Object.fromEntries(find.command.sort), { _id: 1 }); // the driver sends a sort as a Map
    assert.ok(JSON.stringify(find.command.filter).includes('$gt'), JSON.stringify(find.command.filter));
    assert.equal(second.estimatedCount, undefined, 'the count belongs to the first page');
    assert.notDeepEqual(second.ids[0], first.ids[9]);
  });

  it('pages by skip where a key runs into an array (an array sorts by one element, a range matches any)', async function () {
    const { docs, modes } = await pageAll({ db: f.dbName, collection: 'arrays', sort: '{"tags": 1}' }, 4);
    const all = await f.db.collection('arrays').find({}, { sort: { tags: 1, _id: 1 } }).toArray();
    assert.deepEqual(docs.map((d) => JSON.parse(d)._id), all.map((d) => d._id));
    assert.ok(modes.includes('skip'));
  });

  it('pages a view in natural order by skip when asked to (keyset: false)', async function () {
    await f.db.createCollection('evens', { viewOn: 'mixed', pipeline: [{ $match: { group: 0 } }] });
    const { docs, modes } = await pageAll({ ...ns('evens'), keyset: false }, 7);
    assert.equal(docs.length, 30);
    assert.ok(modes.every((m) => m === 'skip'));
  });

  it('refuses a token that does not fit the sort, or paging by key without a sortable order', async function () {
    await rejectsWith(f.engine.findPage({ ...ns(), sort: '{"v": 1}', after: '[1]' }), 'invalid_input', /after must be the page token .*2 value\(s\): v, _id/);
    await rejectsWith(f.engine.findPage({ ...ns(), after: '{"a": 1}' }), 'invalid_input', /after must be the page token/);
    await rejectsWith(f.engine.findPage({ ...ns(), keyset: false, after: '[1]' }), 'invalid_input', /page this query with skip/);
    await rejectsWith(f.engine.findPage({ ...ns(), after: '[1' }), 'invalid_input', /^after is not valid Extended JSON/);
  });
});
