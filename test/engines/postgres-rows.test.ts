/**
 * rowsPage against a real PostgreSQL: keyset paging on primary, composite, text and unique keys,
 * ctid and every-column paging, sorts with NULLs and mixed directions, filters, cut cells.
 */
import assert from 'node:assert/strict';
import type { Cell, RowsPage, RowsPageParams } from '../../src/core/engines/postgres';
import { pgFixture, rejectsWith, type PgFixture } from '../support/engines/postgres-fixture';

describe('PostgreSQL engine: rowsPage', function () {
  let fx: PgFixture;

  /** Follows nextCursor to the end; returns every page. */
  async function allPages(params: RowsPageParams): Promise<RowsPage[]> {
    const pages: RowsPage[] = [];
    let after: string | null = null;
    do {
      const page: RowsPage = await fx.engine.rowsPage({ ...params, after });
      pages.push(page);
      after = page.nextCursor;
      assert.ok(pages.length <= 10_001, 'paging does not end');
    } while (after);
    return pages;
  }
  const column = (pages: RowsPage[], name: string): Cell[] => {
    const i = pages[0]!.columns.findIndex((c) => c.name === name);
    return pages.flatMap((p) => p.rows.map((r) => r[i]!));
  };
  const sqlColumn = async (text: string) => (await fx.sql.query<{ v: unknown }>(text)).rows.map((r) => r.v);

  before(async function () {
    fx = await pgFixture();
    await fx.sql.query(`
      CREATE SCHEMA app;
      CREATE TABLE app.big (id int PRIMARY KEY, grp int, label text, flag boolean);
      INSERT INTO app.big SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 13 END, 'row ' || (g % 100), g % 2 = 0 FROM generate_series(1, 10000) g;
      CREATE TABLE app.pairs (a int, b text, v int, PRIMARY KEY (a, b));
      INSERT INTO app.pairs SELECT g % 10, 'k' || (g / 10), g FROM generate_series(0, 999) g;
      CREATE TABLE app.words (word text PRIMARY KEY, n int);
      INSERT INTO app.words SELECT md5(g::text), g FROM generate_series(1, 500) g;
      CREATE TABLE app.loose (x int, y text);
      INSERT INTO app.loose SELECT g % 5, CASE WHEN g % 5 = 0 THEN NULL ELSE 'same' END FROM generate_series(1, 1000) g;
      CREATE VIEW app.loose_view AS SELECT x, y FROM app.loose;
      CREATE VIEW app.big_view AS SELECT id, grp FROM app.big;
      CREATE MATERIALIZED VIEW app.loose_mat AS SELECT x, y FROM app.loose;
      CREATE MATERIALIZED VIEW app.big_mat AS SELECT id, label FROM app.big;
      CREATE UNIQUE INDEX ON app.big_mat (id);
      CREATE TABLE app.events (at date NOT NULL, v int) PARTITION BY RANGE (at);
      CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      INSERT INTO app.events SELECT DATE '2024-06-01' + (g % 400), g FROM generate_series(1, 600) g;
      CREATE TABLE app.docs (id int PRIMARY KEY, doc json, big text, blob bytea);
      INSERT INTO app.docs SELECT g, json_build_object('n', 10 - g), NULL, NULL FROM generate_series(1, 9) g;
      INSERT INTO app.docs VALUES (10, '{"n": -1}', repeat('é', 70000), decode(repeat('ab', 70000), 'hex'));
    `);
  });
  after(async function () {
    await fx?.close();
  });

  it('pages a table by its primary key, first page to last, with the columns', async function () {
    const first = await fx.engine.rowsPage({ schema: 'app', name: 'big', pageSize: 3 });
    assert.deepEqual(first.columns, [
      { name: 'id', type: 'integer', typeOid: 23, nullable: false },
      { name: 'grp', type: 'integer', typeOid: 23, nullable: true },
      { name: 'label', type: 'text', typeOid: 25, nullable: true },
      { name: 'flag', type: 'boolean', typeOid: 16, nullable: true },
    ]);
    assert.deepEqual(first.rows, [
      [1, 1, 'row 1', false],
      [2, 2, 'row 2', true],
      [3, 3, 'row 3', false],
    ]);
    assert.deepEqual([first.primaryKey, first.paging], [['id'], 'primary_key']);
    const second = await fx.engine.rowsPage({ schema: 'app', name: 'big', pageSize: 3, after: first.nextCursor });
    assert.deepEqual(second.rows.map((r) => r[0]), [4, 5, 6]);
    const pages = await allPages({ schema: 'app', name: 'big', pageSize: 1000 });
    assert.equal(pages.length, 10, 'no empty page after the last full one');
    assert.equal(pages.at(-1)!.nextCursor, null);
  });

  it('reaches every row of 10,000 exactly once, in ORDER BY order, with a custom sort of mixed directions over NULLs', async function () {
    const pages = await allPages({ schema: 'app', name: 'big', pageSize: 250, sort: [{ column: 'grp', direction: 'desc' }, { column: 'label' }] });
    const ids = column(pages, 'id');
    assert.equal(new Set(ids).size, 10000);
    assert.deepEqual(ids, await sqlColumn('SELECT id AS v FROM app.big ORDER BY grp DESC NULLS FIRST, label ASC, id DESC'));
  });

  it('follows NULLS FIRST/LAST on request, and a uniform descending sort', async function () {
    const nullsFirst = await allPages({ schema: 'app', name: 'big', pageSize: 700, sort: [{ column: 'grp', nulls: 'first' }] });
    assert.deepEqual(column(nullsFirst, 'id'), await sqlColumn('SELECT id AS v FROM app.big ORDER BY grp ASC NULLS FIRST, id ASC'));
    const nullsLast = await allPages({ schema: 'app', name: 'big', pageSize: 700, sort: [{ column: 'grp', direction: 'desc', nulls: 'last' }, { column: 'flag', direction: 'asc' }] });
    assert.deepEqual(column(nullsLast, 'id'), await sqlColumn('SELECT id AS v FROM app.big ORDER BY grp DESC NULLS LAST, flag ASC, id DESC'));
    const down = await allPages({ schema: 'app', name: 'big', pageSize: 999, sort: [{ column: 'id', direction: 'desc' }] });
    assert.deepEqual(column(down, 'id'), await sqlColumn('SELECT id AS v FROM app.big ORDER BY id DESC'));
  });

  it('pages composite and text primary keys', async function () {
    const pairs = await allPages({ schema: 'app', name: 'pairs', pageSize: 77 });
    assert.deepEqual(pairs[0]!.primaryKey, ['a', 'b']);
    assert.deepEqual(column(pairs, 'v'), await sqlColumn('SELECT v FROM app.pairs ORDER BY a, b'));
    const sorted = await allPages({ schema: 'app', name: 'pairs', pageSize: 77, sort: [{ column: 'b', direction: 'desc' }] });
    assert.deepEqual(column(sorted, 'v'), await sqlColumn('SELECT v FROM app.pairs ORDER BY b DESC, a DESC'));
    const words = await allPages({ schema: 'app', name: 'words', pageSize: 60 });
    assert.deepEqual(column(words, 'word'), await sqlColumn('SELECT word AS v FROM app.words ORDER BY word'));
  });

  it('applies filters of every operator', async function () {
    const cases: [RowsPageParams['filters'], string][] = [
      [[{ column: 'grp', op: '=', value: 3 }], 'grp = 3'],
      [[{ column: 'grp', op: '<>', value: 3 }], 'grp <> 3'],
      [[{ column: 'id', op: '<', value: 50 }], 'id < 50'],
      [[{ column: 'id', op: '<=', value: 50 }], 'id <= 50'],
      [[{ column: 'id', op: '>', value: 9950 }], 'id > 9950'],
      [[{ column: 'id', op: '>=', value: '9950' }], 'id >= 9950'],
      [[{ column: 'label', op: 'like', value: 'row 1%' }], "label LIKE 'row 1%'"],
      [[{ column: 'label', op: 'ilike', value: 'ROW 2_' }], "label ILIKE 'ROW 2_'"],
      [[{ column: 'grp', op: 'is null' }], 'grp IS NULL'],
      [[{ column: 'grp', op: 'is not null' }, { column: 'flag', op: '=', value: true }], 'grp IS NOT NULL AND flag'],
      [[{ column: 'grp', op: 'in', value: [1, 2, 12] }], 'grp IN (1, 2, 12)'],
    ];
    for (const [filters, where] of cases) {
      const ids = column(await allPages({ schema: 'app', name: 'big', pageSize: 400, filters }), 'id');
      assert.deepEqual(ids, await sqlColumn(`SELECT id AS v FROM app.big WHERE ${where} ORDER BY id`), where);
      assert.ok(ids.length > 0, where);
    }
  });

  it('names the problem with an unknown column, a NULL comparison or a foreign cursor', async function () {
    await rejectsWith(fx.engine.rowsPage({ schema: 'app', name: 'big', sort: [{ column: 'nope' }] }), 'invalid_input', /app\.big has no column "nope" \(its columns: id, grp, label, flag\)/);
    await rejectsWith(fx.engine.rowsPage({ schema: 'app', name: 'big', filters: [{ column: 'x"; DROP TABLE app.big; --', op: '=', value: 1 }] }), 'invalid_input', /no column/);
    await rejectsWith(fx.engine.rowsPage({ schema: 'app', name: 'big', filters: [{ column: 'grp', op: '=', value: null }] }), 'invalid_input', /'is null'/);
    await rejectsWith(fx.engine.rowsPage({ schema: 'app', name: 'big', filters: [{ column: 'id', op: '=', value: 'abc' }] }), 'invalid_input', /invalid input syntax for type integer/);
    const page = await fx.engine.rowsPage({ schema: 'app', name: 'big', pageSize: 5 });
    await rejectsWith(fx.engine.rowsPage({ schema: 'app', name: 'big', sort: [{ column: 'label' }], after: page.nextCursor }), 'invalid_input', /another sort/);
    await rejectsWith(fx.engine.rowsPage({ schema: 'app', name: 'big', after: 'garbage' }), 'invalid_input', /cursor/);
    await rejectsWith(fx.engine.rowsPage({ schema: 'app', name: 'nope' }), 'not_found');
  });

  it('pages a table without a key on ctid, every row once', async function () {
    const pages = await allPages({ schema: 'app', name: 'loose', pageSize: 37 });
    assert.equal(pages[0]!.paging, 'ctid');
    assert.match(pages[0]!.note!, /physical row order/);
    assert.deepEqual(pages[0]!.primaryKey, []);
    const xs = column(pages, 'x') as number[];
    assert.equal(xs.length, 1000);
    for (let x = 0; x < 5; x++) assert.equal(xs.filter((v) => v === x).length, 200);
    const sorted = await allPages({ schema: 'app', name: 'loose', pageSize: 37, sort: [{ column: 'y', direction: 'desc' }] });
    assert.equal(column(sorted, 'x').length, 1000);
    assert.deepEqual(column(sorted, 'y').slice(0, 200), Array(200).fill(null), 'DESC puts NULLs first');
  });

  it('pages a partitioned table on (tableoid, ctid) across partitions', async function () {
    const pages = await allPages({ schema: 'app', name: 'events', pageSize: 45 });
    assert.equal(pages[0]!.paging, 'ctid');
    assert.deepEqual((column(pages, 'v') as number[]).sort((a, b) => a - b), Array.from({ length: 600 }, (_, i) => i + 1));
  });

  it('pages views and materialized views: every column for identical rows, a unique index, or ctid', async function () {
    const view = await allPages({ schema: 'app', name: 'loose_view', pageSize: 30 });
    assert.equal(view[0]!.paging, 'all_columns');
    const xs = column(view, 'x') as number[];
    assert.equal(xs.length, 1000, 'identical rows are neither lost nor repeated');
    for (let x = 0; x < 5; x++) assert.equal(xs.filter((v) => v === x).length, 200);
    const bigView = await allPages({ schema: 'app', name: 'big_view', pageSize: 1000, sort: [{ column: 'grp', direction: 'desc' }] });
    assert.deepEqual(column(bigView, 'id'), await sqlColumn('SELECT id AS v FROM app.big ORDER BY grp DESC, id DESC'));
    const mat = await allPages({ schema: 'app', name: 'big_mat', pageSize: 1000 });
    assert.deepEqual([mat[0]!.paging, column(mat, 'id').length], ['unique_key', 10000]);
    const looseMat = await allPages({ schema: 'app', name: 'loose_mat', pageSize: 300 });
    assert.deepEqual([looseMat[0]!.paging, column(looseMat, 'x').length], ['ctid', 1000]);
  });

  it('sorts a json column by its text, and cuts cells over 64 KiB on the server', async function () {
    const byDoc = await allPages({ schema: 'app', name: 'docs', pageSize: 4, sort: [{ column: 'doc' }] });
    assert.deepEqual(column(byDoc, 'id'), await sqlColumn('SELECT id AS v FROM app.docs ORDER BY doc::text, id'));
    const [row] = (await fx.engine.rowsPage({ schema: 'app', name: 'docs', filters: [{ column: 'id', op: '=', value: 10 }] })).rows;
    const [, doc, big, blob] = row! as [number, unknown, { $text: string; truncated: true; size: number }, { $bytes: string; truncated: true; size: number }];
    assert.deepEqual(doc, { n: -1 });
    assert.deepEqual([big.truncated, big.size, big.$text.length, big.$text[0]], [true, 140000, 65536, 'é']);
    assert.deepEqual([blob.truncated, blob.size, Buffer.from(blob.$bytes, 'base64').length], [true, 70000, 65536]);
  });
});
