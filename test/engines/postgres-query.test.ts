/**
 * Ad-hoc SQL against a real PostgreSQL: results, caps, streaming, errors with positions, time
 * limits, cancellation, read-only connections and the readOnly flag, EXPLAIN.
 */
import assert from 'node:assert/strict';
import { PostgresEngine, splitStatements, type QueryBatch } from '../../src/core/engines/postgres';
import { eventually, pgFixture, rejectsWith, type PgFixture } from '../support/engines/postgres-fixture';

describe('PostgreSQL engine: query, queryStream and explain', function () {
  let fx: PgFixture;
  const count = async () => Number((await fx.sql.query('SELECT count(*) AS n FROM items')).rows[0].n);

  before(async function () {
    fx = await pgFixture();
    await fx.sql.query(`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, note text);
                        INSERT INTO items SELECT g, 'item ' || g, NULL FROM generate_series(1, 100) g;`);
  });
  after(async function () {
    await fx?.close();
  });

  it('runs a query: columns with types and nullability, rows, command, duration', async function () {
    const r = await fx.engine.query({ sql: 'SELECT id, name, note, id * 2 AS twice FROM items WHERE id <= 2 ORDER BY id;' });
    assert.deepEqual(r.columns, [
      { name: 'id', type: 'integer', typeOid: 23, nullable: false },
      { name: 'name', type: 'text', typeOid: 25, nullable: false },
      { name: 'note', type: 'text', typeOid: 25, nullable: true },
      { name: 'twice', type: 'integer', typeOid: 23 },
    ]);
    assert.deepEqual(r.rows, [
      [1, 'item 1', null, 2],
      [2, 'item 2', null, 4],
    ]);
    assert.deepEqual([r.rowCount, r.truncated, r.command], [2, false, 'SELECT']);
    assert.ok(r.durationMs >= 0);
  });

  it('caps rows at maxRows and says so', async function () {
    const capped = await fx.engine.query({ sql: 'SELECT g FROM generate_series(1, 50) g', maxRows: 10, batchSize: 3 });
    assert.deepEqual([capped.rows.length, capped.rowCount, capped.truncated], [10, 10, true]);
    assert.deepEqual(capped.rows.map((r) => r[0]), Array.from({ length: 10 }, (_, i) => i + 1));
    const exact = await fx.engine.query({ sql: 'SELECT g FROM generate_series(1, 10) g', maxRows: 10 });
    assert.deepEqual([exact.rows.length, exact.truncated], [10, false]);
  });

  it('streams batches in order as they arrive, the first one carrying the columns', async function () {
    const batches: QueryBatch[] = [];
    const result = await fx.engine.queryStream({ sql: 'SELECT g, md5(g::text) FROM generate_series(1, 1000) g', batchSize: 100, maxRows: 5000 }, async (b) => {
      batches.push(b);
      await new Promise((r) => setImmediate(r)); // a slow consumer holds the cursor back
    });
    assert.deepEqual(batches.map((b) => b.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(batches.flatMap((b) => b.rows.map((r) => r[0])), Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.deepEqual(batches[0]!.columns.map((c) => c.name), ['g', 'md5']);
    assert.deepEqual([result.rowCount, result.truncated, result.rows], [1000, false, []]);
    const empty: QueryBatch[] = [];
    await fx.engine.queryStream({ sql: 'SELECT 1 AS one WHERE false' }, (b) => void empty.push(b));
    assert.deepEqual(empty.map((b) => [b.index, b.rows.length, b.columns[0]?.name]), [[0, 0, 'one']]);
  });

  it('runs statements that return no rows, writes with RETURNING, and VACUUM outside a transaction', async function () {
    assert.equal((await fx.engine.query({ sql: 'CREATE TABLE scratch (a int)' })).command, 'CREATE');
    const inserted = await fx.engine.query({ sql: 'INSERT INTO scratch SELECT generate_series(1, 30) RETURNING a', maxRows: 5 });
    assert.deepEqual([inserted.command, inserted.rowCount, inserted.rows.length, inserted.truncated], ['INSERT', 30, 5, true]);
    assert.deepEqual([(await fx.engine.query({ sql: 'UPDATE scratch SET a = a + 1 WHERE a > 10' })).rowCount], [20]);
    assert.equal((await fx.engine.query({ sql: 'VACUUM scratch' })).command, 'VACUUM');
    await rejectsWith(fx.engine.query({ sql: 'VACUUM scratch', readOnly: true }), 'read_only', /cannot run inside a transaction/);
    const notices = await fx.engine.query({ sql: "DO $$ BEGIN RAISE NOTICE 'hello from %', 'plpgsql'; END $$" });
    assert.deepEqual(notices.notices, ['NOTICE: hello from plpgsql']);
  });

  it('refuses several statements and transaction control; semicolons in quotes do not count', async function () {
    await rejectsWith(fx.engine.query({ sql: 'SELECT 1;\nSELECT 2' }), 'invalid_input', /2 statements \(the second starts on line 2\).*one statement at a time/);
    await rejectsWith(fx.engine.query({ sql: 'BEGIN' }), 'invalid_input', /BEGIN is not available here/);
    const tricky = "SELECT ';' AS a, $x$;$x$ AS b, \"semi;colon\" FROM (SELECT 1 AS \"semi;colon\") s -- trailing; comment\n; /* and; another */";
    assert.deepEqual((await fx.engine.query({ sql: tricky })).rows, [[';', ';', 1]]);
    assert.deepEqual(
      splitStatements("select 'a;b'; select E'it\\'s;'; create function f() returns int as $$ select 1; $$ language sql;").map((s) => s.words[0]),
      ['select', 'select', 'create'],
    );
  });

  it('names SQL errors: syntax error with its line and column, unknown column, no password', async function () {
    const syntax = await rejectsWith(fx.engine.query({ sql: 'SELECT 1;' }).then(() => fx.engine.query({ sql: 'SELECT id\nFROM items\nWHER id = 1' })), 'invalid_input');
    assert.match(syntax.message, /syntax error at or near "id" \(line 3, column 6\)/);
    const cursorPath = await rejectsWith(fx.engine.query({ sql: '  SELECT nope FROM items' }), 'invalid_input');
    assert.match(cursorPath.message, /column "nope" does not exist \(line 1, column 10\)/);
    await rejectsWith(fx.engine.query({ sql: "INSERT INTO items VALUES (1, 'dup')" }), 'invalid_input', /duplicate key value .*Key \(id\)=\(1\) already exists/);
    const wrong = new PostgresEngine(fx.url.replace(`:${encodeURIComponent(fx.password)}@`, ':not-the-password@'));
    try {
      const auth = await rejectsWith(wrong.serverInfo(), 'auth');
      assert.ok(!auth.message.includes('not-the-password') && !auth.message.includes(fx.password));
    } finally {
      await wrong.close();
    }
  });

  it('stops a statement at timeoutMs with a timeout error', async function () {
    await rejectsWith(fx.engine.query({ sql: 'SELECT pg_sleep(10)', timeoutMs: 200 }), 'timeout');
    assert.deepEqual((await fx.engine.query({ sql: 'SELECT 1 AS ok' })).rows, [[1]], 'the pool recovers');
  });

  it('cancels a long query through its AbortSignal, on the server too', async function () {
    const controller = new AbortController();
    // The sleep runs in the cursor's FETCH: look for the backend that sleeps.
    const running = async () => (await fx.sql.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'")).rowCount! > 0;
    const query = fx.engine.query({ sql: 'SELECT pg_sleep(30)' }, controller.signal);
    await eventually(running, 'the query starting');
    controller.abort();
    await rejectsWith(query, 'cancelled');
    await eventually(async () => !(await running()), 'the server stopping the query');
    await rejectsWith(fx.engine.query({ sql: 'SELECT 1' }, controller.signal), 'cancelled');
  });

  it('a read-only connection refuses writes through SQL, even after SET, and through updateCell', async function () {
    await rejectsWith(fx.readOnly.query({ sql: "INSERT INTO items VALUES (1000, 'x')" }), 'read_only', /read-only transaction/);
    await fx.readOnly.query({ sql: 'SET default_transaction_read_only = off' });
    await fx.readOnly.query({ sql: 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE' });
    await rejectsWith(fx.readOnly.query({ sql: "INSERT INTO items VALUES (1000, 'x')" }), 'read_only');
    await rejectsWith(fx.readOnly.updateCell({ schema: 'public', name: 'items', key: { id: 1 }, column: 'name', value: 'x' }), 'read_only', /read-only/);
    await rejectsWith(fx.readOnly.deleteRow({ schema: 'public', name: 'items', key: { id: 1 } }), 'read_only');
    assert.equal((await fx.readOnly.query({ sql: 'SELECT count(*) FROM items' })).rows[0]![0], '100');
    assert.equal(await count(), 100);
  });

  it('the readOnly flag makes PostgreSQL refuse writes on a normal connection', async function () {
    await rejectsWith(fx.engine.query({ sql: 'DELETE FROM items', readOnly: true }), 'read_only');
    await rejectsWith(fx.engine.query({ sql: 'WITH gone AS (DELETE FROM items RETURNING id) SELECT count(*) FROM gone', readOnly: true }), 'read_only');
    await rejectsWith(fx.engine.query({ sql: "SELECT set_config('transaction_read_only', 'off', false)", readOnly: true }), 'invalid_input');
    assert.equal(await count(), 100);
    assert.deepEqual((await fx.engine.query({ sql: 'SELECT max(id) FROM items', readOnly: true })).rows, [[100]]);
  });

  it('explains in text and JSON, analyses on request, and rolls an analysed write back', async function () {
    const text = await fx.engine.explain({ sql: 'SELECT * FROM items WHERE id = 5', format: 'text' });
    assert.match(text.plan as string, /Index Scan using items_pkey on items/);
    const json = await fx.engine.explain({ sql: 'SELECT * FROM items' });
    assert.equal((json.plan as [{ Plan: { 'Node Type': string } }])[0].Plan['Node Type'], 'Seq Scan');
    const analysed = await fx.engine.explain({ sql: 'DELETE FROM items WHERE id > 50', analyze: true, buffers: true });
    const plan = (analysed.plan as [{ Plan: { 'Node Type': string; Plans: [{ 'Actual Rows': number }]; 'Shared Hit Blocks': number } }])[0].Plan;
    assert.deepEqual([analysed.analyzed, plan['Node Type'], plan.Plans[0]['Actual Rows'], typeof plan['Shared Hit Blocks']], [true, 'ModifyTable', 50, 'number']);
    assert.equal(await count(), 100, 'EXPLAIN ANALYZE of a write is rolled back');
    await rejectsWith(fx.readOnly.explain({ sql: 'DELETE FROM items', analyze: true }), 'read_only', /EXPLAIN ANALYZE runs the statement/);
    assert.equal((await fx.readOnly.explain({ sql: 'SELECT count(*) FROM items', analyze: true, format: 'text' })).analyzed, true);
    await rejectsWith(fx.engine.explain({ sql: 'SELECT * FROM nope' }), 'invalid_input', /relation "nope" does not exist \(line 1, column 15\)/);
    await rejectsWith(fx.engine.explain({ sql: 'EXPLAIN SELECT 1' }), 'invalid_input', /without EXPLAIN/);
  });
});
