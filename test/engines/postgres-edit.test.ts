/**
 * The JSON encoding of PostgreSQL values (every common type, written with updateCell and read back),
 * keyed edits and their refusals, and the operation table's schemas.
 */
import assert from 'node:assert/strict';
import type { Cell } from '../../src/core/engines/postgres';
import { postgresOperations } from '../../src/core/engines/postgres/operations';
import { pgFixture, rejectsWith, type PgFixture } from '../support/engines/postgres-fixture';

describe('PostgreSQL engine: values and edits', function () {
  let fx: PgFixture;
  const cell = async (table: string, where: string, column: string) => (await fx.sql.query(`SELECT ${column}::text AS v FROM ${table} WHERE ${where}`)).rows[0]?.v as string | null;

  before(async function () {
    fx = await pgFixture();
    await fx.sql.query(`
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE DOMAIN counts AS int[] CHECK (array_length(VALUE, 1) <= 3);
      CREATE TABLE vals (id int PRIMARY KEY, i8 int8, num numeric, f8 float8, b bool, by bytea, jb jsonb, js json, ia int[], ta text[],
        m2 int[][], tz timestamptz, ts timestamp, d date, u uuid, e mood, iv interval, r int4range, pt point, ip inet, ea mood[], ja jsonb[], bx box[], dc counts, iv2 int2vector);
      INSERT INTO vals (id) VALUES (1);
      CREATE TABLE pairs (a int, b text, v int, twice int GENERATED ALWAYS AS (v * 2) STORED, PRIMARY KEY (a, b));
      INSERT INTO pairs VALUES (1, 'x', 10), (1, 'y', 20), (2, 'x', 30);
      CREATE TABLE people (email text PRIMARY KEY, name text NOT NULL, nick text UNIQUE);
      INSERT INTO people VALUES ('a@example.com', 'Ann', 'ann'), ('b@example.com', 'Bob', 'bob');
      CREATE TABLE loose (x int);
      INSERT INTO loose VALUES (1);
      CREATE VIEW people_view AS SELECT * FROM people;
    `);
  });
  after(async function () {
    await fx?.close();
  });

  it('writes and reads back every common type in its JSON encoding', async function () {
    const cases: [string, Cell][] = [
      ['i8', '9223372036854775807'],
      ['num', '12345678901234567890.123456789'],
      ['f8', 1.5],
      ['f8', 'NaN'],
      ['f8', '-Infinity'],
      ['b', true],
      ['by', { $bytes: Buffer.from([0, 1, 2, 255]).toString('base64') }],
      ['jb', { a: [1, 'x', null], b: { c: true } }],
      ['js', [1, 'two', { three: 3 }]],
      ['ia', [1, null, 3]],
      ['ta', ['a,b', 'quote"d', 'back\\slash', null, 'NULL', '', ' spaced ', '{braces}']],
      ['m2', [[1, 2], [3, 4]]],
      ['ts', '2024-02-29T12:34:56.5'],
      ['d', '2024-02-29'],
      ['u', '0b7e7a4c-5d2f-4f7e-9a41-3c1e0d6b8a90'],
      ['e', 'happy'],
      ['iv', '1 day 02:03:04'],
      ['r', '[1,5)'],
      ['pt', '(1.5,2)'],
      ['ip', '192.168.0.1/24'],
      ['ea', ['sad', 'happy']],
      ['ja', [{ a: 1 }, [2], 'three']],
      ['bx', ['(2,2),(0,0)', '(3,3),(1,1)']],
      ['dc', [7, 8]],
      ['iv2', '1 2 3'],
      ['jb', null],
    ];
    for (const [column, value] of cases) {
      const updated = await fx.engine.updateCell({ schema: 'public', name: 'vals', key: { id: 1 }, column, value });
      const i = updated.columns.findIndex((c) => c.name === column);
      assert.deepEqual(updated.row[i], value, `${column} ← ${JSON.stringify(value)}`);
      const page = await fx.engine.rowsPage({ schema: 'public', name: 'vals' });
      assert.deepEqual(page.rows[0]![i], value, `${column} through rowsPage`);
      const queried = await fx.engine.query({ sql: `SELECT ${column} FROM vals` });
      assert.deepEqual(queried.rows[0]![0], value, `${column} through query`);
    }
    // timestamptz: printed in the server's TimeZone, microseconds kept, ISO 8601.
    const tz = (await fx.engine.updateCell({ schema: 'public', name: 'vals', key: { id: 1 }, column: 'tz', value: '2024-02-29T12:34:56.123456Z' })).row[11] as string;
    assert.match(tz, /^2024-02-29T\d\d:34:56\.123456(Z|[+-]\d\d:\d\d)$/);
    assert.equal(Date.parse(tz), Date.parse('2024-02-29T12:34:56.123Z'));
    assert.equal(await cell('vals', 'id = 1', 'i8'), '9223372036854775807');
  });

  it('updates one cell by a composite or text primary key and returns the stored row', async function () {
    const pair = await fx.engine.updateCell({ schema: 'public', name: 'pairs', key: { a: 1, b: 'y' }, column: 'v', value: '21' });
    assert.deepEqual(pair.row, [1, 'y', 21, 42], 'the generated column is recomputed');
    const person = await fx.engine.updateCell({ schema: 'public', name: 'people', key: { email: 'b@example.com' }, column: 'nick', value: null });
    assert.deepEqual(person.row, ['b@example.com', 'Bob', null]);
    assert.equal(await cell('pairs', "a = 1 AND b = 'x'", 'v'), '10', 'other rows untouched');
  });

  it('refuses what cannot be edited by key, and names the problem', async function () {
    const people = { schema: 'public', name: 'people' };
    await rejectsWith(fx.engine.updateCell({ ...people, key: { email: 'nobody@example.com' }, column: 'name', value: 'x' }), 'not_found', /no row of public\.people has email = "nobody@example\.com"/);
    await rejectsWith(fx.engine.updateCell({ schema: 'public', name: 'loose', key: { x: 1 }, column: 'x', value: 2 }), 'invalid_input', /has no primary key/);
    await rejectsWith(fx.engine.updateCell({ schema: 'public', name: 'people_view', key: { email: 'a@example.com' }, column: 'name', value: 'x' }), 'invalid_input', /is a view/);
    await rejectsWith(fx.engine.updateCell({ schema: 'public', name: 'pairs', key: { a: 1, c: 2 }, column: 'v', value: 1 }), 'invalid_input', /exactly the primary key .*\(a, b\); missing b; not in the key: c/);
    await rejectsWith(fx.engine.updateCell({ schema: 'public', name: 'pairs', key: { a: 1, b: 'x' }, column: 'twice', value: 1 }), 'invalid_input', /generated column/);
    await rejectsWith(fx.engine.updateCell({ schema: 'public', name: 'pairs', key: { a: 1, b: 'x' }, column: 'nope', value: 1 }), 'invalid_input', /no column "nope"/);
    await rejectsWith(fx.engine.updateCell({ ...people, key: { email: 'b@example.com' }, column: 'nick', value: 'ann' }), 'invalid_input', /duplicate key .*Key \(nick\)=\(ann\) already exists/);
    await rejectsWith(fx.engine.updateCell({ ...people, key: { email: 'a@example.com' }, column: 'name', value: null }), 'invalid_input', /null value in column "name"/);
    await rejectsWith(fx.engine.updateCell({ schema: 'public', name: 'pairs', key: { a: 1, b: 'x' }, column: 'v', value: 'ten' }), 'invalid_input', /invalid input syntax for type integer: "ten"/);
    await rejectsWith(fx.engine.updateCell({ ...people, key: { email: 'a@example.com' }, column: 'name', value: { $text: 'An', truncated: true, size: 99999 } }), 'invalid_input', /cut for display/);
    assert.equal(await cell('people', "email = 'a@example.com'", 'name'), 'Ann');
  });

  it('deletes one row by primary key, and says when there is none', async function () {
    assert.deepEqual(await fx.engine.deleteRow({ schema: 'public', name: 'pairs', key: { a: 2, b: 'x' } }), { deleted: 1 });
    await rejectsWith(fx.engine.deleteRow({ schema: 'public', name: 'pairs', key: { a: 2, b: 'x' } }), 'not_found', /nothing was changed/);
    await rejectsWith(fx.engine.deleteRow({ schema: 'public', name: 'loose', key: { x: 1 } }), 'invalid_input', /no primary key/);
    assert.equal(await cell('pairs', 'a = 2', 'count(*)'), '0');
  });

  it('the operation table: kinds, defaults, hard caps with clear messages, and run', async function () {
    const kinds = Object.fromEntries(Object.entries(postgresOperations).map(([name, op]) => [name, op.kind]));
    assert.deepEqual(kinds, {
      serverInfo: 'read', listSchemas: 'read', listRelations: 'read', describeRelation: 'read', rowsPage: 'read', countRows: 'read',
      query: 'read', explain: 'read', updateCell: 'write', deleteRow: 'write', deleteRows: 'write', insertRow: 'write', previewEdit: 'read',
      relationDetails: 'read', completionCatalog: 'read', exportRows: 'read',
    });
    assert.deepEqual(postgresOperations.rowsPage.params.parse({ schema: 'public', name: 'people' }), { schema: 'public', name: 'people', pageSize: 100, fromEnd: false, sort: [], filters: [] });
    const issues = (op: keyof typeof postgresOperations, params: unknown) => postgresOperations[op].params.safeParse(params).error?.issues.map((i) => i.message).join('; ') ?? '';
    assert.match(issues('rowsPage', { schema: 'public', name: 'people', pageSize: 1001 }), /pageSize is at most 1000/);
    assert.match(issues('rowsPage', { schema: 'public', name: 'people', filters: [{ column: 'a', op: 'regex', value: 'x' }] }), /op is one of =, <>.*in/);
    assert.match(issues('rowsPage', { schema: 'public', name: 'people', filters: [{ column: 'a', op: 'in', value: [] }] }), /list of 1 to 1000 values/);
    assert.match(issues('query', { sql: 'select 1', maxRows: 10_001 }), /maxRows is at most 10000/);
    assert.match(issues('query', { sql: 'select 1', timeoutMs: 300_001 }), /at most 300000/);
    assert.match(issues('query', { sql: 'select 1', extra: true }), /extra/i);
    assert.match(issues('updateCell', { schema: 'public', name: 'people', key: { email: 'a' }, column: 'name' }), /value is required/);
    const result = await postgresOperations.query.run(fx.engine, postgresOperations.query.params.parse({ sql: 'SELECT 1 AS one' }), {});
    assert.deepEqual(result.rows, [[1]]);
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result, 'results are plain JSON');
  });
});
