/**
 * The MongoDB engine's pure parts, no server: Extended JSON in and out, error positions, explain
 * summaries of several server layouts, schema accumulation, and the operation table's schemas.
 */
import assert from 'node:assert/strict';
import { Binary, BSON, BSONRegExp, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } from 'mongodb';
import { EngineError } from '../../src/core/engines/errors';
import { bsonTypeName, forDisplay, parseEjsonObject, parseEjsonValue, toCanonicalText, toDisplay } from '../../src/core/engines/mongodb/ejson';
import { summarizeExplain } from '../../src/core/engines/mongodb/explain';
import { mongoOperations } from '../../src/core/engines/mongodb/operations';
import { SchemaAccumulator } from '../../src/core/engines/mongodb/schema';

function parseError(text: string, what = 'filter'): string {
  try {
    parseEjsonObject(text, what);
  } catch (error) {
    assert.ok(error instanceof EngineError);
    assert.equal(error.code, 'invalid_input');
    return error.message;
  }
  return assert.fail(`${text} parsed`);
}

describe('MongoDB engine: Extended JSON', function () {
  it('names what is wrong in a filter and where, in the same words on every runtime', function () {
    assert.equal(parseError('{"a": }'), "filter is not valid Extended JSON: unexpected '}' at line 1, column 7 (position 6)");
    assert.equal(parseError('{"a": 1,\n "b" 2}'), "filter is not valid Extended JSON: expected ':' after the key, found '2' at line 2, column 6 (position 14)");
    assert.match(parseError('{-n: "x"}'), /expected a key, found '-' at line 1, column 2 \(position 1\)$/);
    assert.match(parseError('{"a": [1, 2,]}'), /a trailing comma before '\]' is not allowed at line 1, column 13/);
    assert.match(parseError("{\"a\": 'x}"), /a string is not closed \(missing '\) at line 1, column 7/);
    assert.match(parseError('{"a": 1'), /expected ',' or '}', found the end of the text/);
    assert.match(parseError('{"a": 1} x', 'sort'), /^sort is not valid Extended JSON: unexpected 'x' after the end of the value/);
  });

  it('reads what people type in mongosh: helpers, unquoted keys, single quotes, regular expression literals', function () {
    const value = parseEjsonObject(
      `{_id: ObjectId('65A1B2C3D4E5F60718293A4B'), at: {$gte: ISODate("2024-01-02T03:04:05Z"), $lt: new Date(1700000000000)},
        n: NumberLong("9007199254740993"), i: NumberInt(7), d: NumberDecimal("1.10"), x: Double(3), u: UUID("0e1f5d6a-1b2c-4d3e-8f90-a1b2c3d4e5f6"),
        b: BinData(0, "AAE="), t: Timestamp(1700000000, 3), lo: MinKey(), hi: MaxKey, 'name.first': /^ad[a]\\/x/imsxu, day: Date("2024-03-01")}`,
      'filter',
    );
    assert.equal(toCanonicalText(value), toCanonicalText({
      _id: new ObjectId('65a1b2c3d4e5f60718293a4b'),
      at: { $gte: new Date('2024-01-02T03:04:05Z'), $lt: new Date(1700000000000) },
      n: Long.fromString('9007199254740993'), i: new Int32(7), d: Decimal128.fromString('1.10'), x: new Double(3), u: new UUID('0e1f5d6a-1b2c-4d3e-8f90-a1b2c3d4e5f6').toBinary(),
      b: new Binary(new Uint8Array([0, 1]), 0), t: new Timestamp({ t: 1700000000, i: 3 }), lo: new MinKey(), hi: new MaxKey(),
      'name.first': new BSONRegExp('^ad[a]\\/x', 'imsux'), day: new Date('2024-03-01T00:00:00Z'),
    }));
  });

  it('points at the mistake in shell-style text, and at invalid Extended JSON values', function () {
    assert.match(parseError('{"_id": ObjectId("65a1")}'), /ObjectId\(…\): "65a1" is not 24 hex digits at line 1, column 9 \(position 8\)/);
    assert.match(parseError('{"at": {"$gt": Foo("x")}}'), /unknown function Foo\(…\): write Extended JSON .* at line 1, column 16/);
    assert.match(parseError('{"at": {"$gt": new Date("not a date")}}'), /"not a date" is not a date/);
    assert.match(parseError('{\n  "a": 1,\n  b: /x/g\n}'), /the regular expression option 'g' is not one MongoDB knows .* at line 3, column 9/);
    assert.match(parseError('{"note": "Date(x)",}'), /^filter is not valid Extended JSON: a trailing comma before '}' is not allowed/);
    assert.match(parseError('{"_id": {"$oid": "zz"}}'), /^filter is not valid Extended JSON: .*24 character hex string/);
    assert.match(parseError('{"n": {"$numberLong": "abc"}}'), /\$numberLong string "abc" is in an invalid format/);
    assert.match(parseError('{"at": {"$gte": {"$date": "not a date"}}}'), /^filter holds an invalid date at at\.\$gte/);
  });

  it('refuses a filter that is not an object, and reads blank text as {}', function () {
    assert.match(parseError('[1, 2]'), /^filter must be a JSON object such as \{"name": "value"\}, not an array$/);
    assert.match(parseError('42'), /not a number$/);
    assert.match(parseError('null'), /not null$/);
    assert.match(parseError('{"$oid": "65a1b2c3d4e5f60718293a4b"}'), /not an ObjectId$/);
    assert.deepEqual(parseEjsonObject('  ', 'filter'), {});
    assert.deepEqual(parseEjsonObject(undefined, 'filter'), {});
    assert.throws(() => parseEjsonObject('', 'document', { required: true }), /document is required/);
  });

  it('parses without losing digits or types (canonical mode)', function () {
    const filter = parseEjsonObject('{"n": {"$numberLong": "9007199254740993"}, "d": {"$numberDouble": "3.0"}, "i": 5}', 'filter');
    assert.ok(filter.n instanceof Long && filter.n.toString() === '9007199254740993');
    assert.ok(filter.d instanceof Double);
    assert.ok(filter.i instanceof Int32);
    const id = parseEjsonValue('{"$oid": "65a1b2c3d4e5f60718293a4b"}', 'id');
    assert.ok(id instanceof ObjectId);
    assert.equal(parseEjsonValue('"name"', 'id'), 'name');
  });

  it('shows documents as relaxed Extended JSON, keeping big Longs exact, and ids as canonical text', function () {
    const oid = new ObjectId('65a1b2c3d4e5f60718293a4b');
    const doc = { _id: oid, small: Long.fromNumber(5), big: Long.fromString('9007199254740993'), d: new Double(2.5), when: new Date('2024-01-02T03:04:05.006Z') };
    assert.deepEqual(toDisplay(doc), {
      _id: { $oid: '65a1b2c3d4e5f60718293a4b' }, small: 5, big: { $numberLong: '9007199254740993' }, d: 2.5, when: { $date: '2024-01-02T03:04:05.006Z' },
    });
    assert.equal(toCanonicalText(Long.fromNumber(5)), '{"$numberLong":"5"}');
    assert.equal(toCanonicalText(oid), '{"$oid":"65a1b2c3d4e5f60718293a4b"}');
  });

  it('replaces the big fields of a document past 256 KiB with markers and keeps the rest', function () {
    const doc = { _id: 1, name: 'small', blob: new Binary(new Uint8Array(300 * 1024)), text: 'x'.repeat(20_000), after: true };
    const { document, truncated } = forDisplay(doc);
    assert.equal(truncated, true);
    assert.equal(document.name, 'small');
    assert.equal(document.after, true);
    assert.deepEqual(document.blob, { $truncated: { type: 'binData', bytes: BSON.calculateObjectSize({ blob: doc.blob }) } });
    assert.equal((document.text as { $truncated: { type: string } }).$truncated.type, 'string');
    assert.ok(JSON.stringify(document).length < 4096);
    assert.equal(forDisplay({ _id: 1, a: 'x'.repeat(1000) }).truncated, false);
  });

  it('names BSON types with MongoDB $type aliases', function () {
    const names = [new Int32(1), new Double(1), Long.fromNumber(1), 'a', true, null, new Date(), [], {}, new ObjectId(), new Binary(new Uint8Array(1))].map(bsonTypeName);
    assert.deepEqual(names, ['int', 'double', 'long', 'string', 'bool', 'null', 'date', 'array', 'object', 'objectId', 'binData']);
  });

  it('shows a Timestamp as a timestamp (the largest too), -0.0 as -0.0, and regular expressions with every option', function () {
    const doc = { t: new Timestamp({ t: 4294967295, i: 4294967295 }), z: new Double(-0), r: new BSONRegExp('a.b', 'ilmsux') };
    assert.deepEqual(toDisplay(doc), { t: { $timestamp: { t: 4294967295, i: 4294967295 } }, z: { $numberDouble: '-0.0' }, r: { $regularExpression: { pattern: 'a.b', options: 'ilmsux' } } });
    assert.deepEqual(forDisplay({ n: new Int32(3), d: new Double(3) }, 'canonical').document, { n: { $numberInt: '3' }, d: { $numberDouble: '3.0' } });
  });
});

describe('MongoDB engine: explain summaries of different server layouts', function () {
  it('reads a classic plan, a slot-based plan, a sharded plan and a view aggregation', function () {
    const classic = {
      queryPlanner: { winningPlan: { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: 'age_1' } }, rejectedPlans: [{ stage: 'COLLSCAN' }] },
      executionStats: { nReturned: 3, totalDocsExamined: 3, totalKeysExamined: 4, executionTimeMillis: 0 },
    };
    assert.deepEqual(summarizeExplain(classic), { stages: ['FETCH', 'IXSCAN'], winningStage: 'IXSCAN', indexName: 'age_1', docsExamined: 3, keysExamined: 4, returned: 3, executionTimeMillis: 0 });
    const sbe = { queryPlanner: { winningPlan: { queryPlan: { stage: 'COLLSCAN' }, slotBasedPlan: { stages: '[1] scan s1' } } } };
    assert.deepEqual(summarizeExplain(sbe), { stages: ['COLLSCAN'], winningStage: 'COLLSCAN' });
    const sharded = { queryPlanner: { winningPlan: { stage: 'SHARD_MERGE', shards: [{ winningPlan: { stage: 'SHARDING_FILTER', inputStage: { stage: 'COLLSCAN' } } }] } } };
    assert.equal(summarizeExplain(sharded).winningStage, 'COLLSCAN');
    const view = { stages: [{ $cursor: { queryPlanner: { winningPlan: { stage: 'COLLSCAN' } }, executionStats: { nReturned: 2, totalDocsExamined: 9 } } }, { $group: {} }] };
    assert.deepEqual(summarizeExplain(view), { stages: ['COLLSCAN'], winningStage: 'COLLSCAN', docsExamined: 9, returned: 2 });
  });
});

describe('MongoDB engine: schema accumulation', function () {
  it('counts types per document, marks arrays, and stops at the depth cap', function () {
    const schema = new SchemaAccumulator();
    schema.add({ a: new Int32(1), tags: ['x', new Int32(2), 'y'], sub: { b: 'x' } });
    schema.add({ a: 'one', tags: [], sub: { b: null, c: { d: { e: { f: { g: { h: { i: { j: { k: { l: 1 } } } } } } } } } } });
    const { fields, sampled, truncated } = schema.result();
    const byPath = new Map(fields.map((f) => [f.path, f]));
    assert.equal(sampled, 2);
    assert.deepEqual(byPath.get('a'), { path: 'a', count: 2, share: 1, types: { int: 1, string: 1 } });
    assert.deepEqual(byPath.get('tags')?.types, { array: 2 });
    assert.deepEqual(byPath.get('tags[]'), { path: 'tags[]', count: 1, share: 0.5, types: { string: 1, int: 1 } });
    assert.deepEqual(byPath.get('sub.b')?.types, { string: 1, null: 1 });
    assert.equal(truncated, true);
    assert.ok(byPath.has('sub.c.d.e.f.g.h.i'));
    assert.ok(byPath.has('sub.c.d.e.f.g.h.i.j'), 'a field inside 8 levels of sub-documents');
    assert.ok(!fields.some((f) => f.path.endsWith('.k')), 'nothing deeper');
    assert.deepEqual(fields.map((f) => f.path), [...fields.map((f) => f.path)].sort());
  });
});

describe('MongoDB operation table', function () {
  it('marks writes as writes and everything else as reads', function () {
    const writes = Object.entries(mongoOperations).filter(([, o]) => o.kind === 'write').map(([name]) => name).sort();
    assert.deepEqual(writes, ['createIndex', 'deleteDocument', 'deleteMany', 'dropIndex', 'insertDocument', 'replaceDocument']);
  });

  it('refuses values past the caps with messages that say the cap', function () {
    const page = mongoOperations.findPage.params;
    assert.deepEqual(page.parse({ db: 'app', collection: 'users' }), { db: 'app', collection: 'users', limit: 20 });
    const messages = (value: unknown) => page.safeParse(value).error?.issues.map((i) => i.message) ?? [];
    assert.deepEqual(messages({ db: 'app', collection: 'users', limit: 501 }), ['limit is at most 500']);
    assert.deepEqual(messages({ db: 'a.b', collection: 'users' }), ['db cannot contain / \\ . space " $ or NUL']);
    assert.deepEqual(messages({ db: 'app', collection: 'users', filter: { a: 1 } }), ['filter must be Extended JSON text, e.g. {"name": "value"}']);
    assert.deepEqual(messages({ db: 'app', collection: 'users', extra: 1 }), ['Unrecognized key: "extra"']);
    assert.deepEqual(mongoOperations.sampleSchema.params.safeParse({ db: 'a', collection: 'b', size: 10_001 }).error?.issues.map((i) => i.message), ['size is at most 10000']);
    assert.ok(!mongoOperations.deleteMany.params.safeParse({ db: 'a', collection: 'b', filter: '{}' }).success, 'expectedCount is required');
  });
});
