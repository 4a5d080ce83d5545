/**
 * What the table inspector and the SQL editor add to the PostgreSQL engine, against a real server:
 * keyset paging backwards (and the last page) on simple, composite and sorted keys; the `contains`
 * filter; insertRow with defaults; deleteRows (all or nothing); edit previews; triggers and DDL;
 * the completion catalog; the streamed export (CSV and JSON, cancel, read-only); "fetch more".
 */
import assert from 'node:assert/strict';
import type { RowsPage, RowsPageParams } from '../../src/core/engines/postgres';
import { completionCatalog, relationDetails } from '../../src/core/engines/postgres/ddl';
import { deleteRows, insertRow } from '../../src/core/engines/postgres/edit';
import { csvField, exportRows } from '../../src/core/engines/postgres/export';
import { previewEdit, renderStatement } from '../../src/core/engines/postgres/preview';
import { eventually, pgFixture, rejectsWith, type PgFixture } from '../support/engines/postgres-fixture';

describe('PostgreSQL engine: inspector and editor operations', function () {
  let fx: PgFixture;
  const ids = (page: RowsPage, at = 0) => page.rows.map((r) => r[at]);

  before(async function () {
    fx = await pgFixture();
    await fx.sql.query(`
      CREATE SCHEMA "Odd ""Schema"" ü";
      CREATE TABLE nums (id int PRIMARY KEY, grp int, label text);
      INSERT INTO nums SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE g % 5 END, 'n' || g FROM generate_series(1, 1000) g;
      CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b));
      INSERT INTO pairs SELECT g % 7, 'k' || (g / 7), g FROM generate_series(0, 299) g;
      CREATE TABLE "Odd ""Schema"" ü"."Tâble ""x"" $1" ("id $1" serial PRIMARY KEY, "naïve col" text DEFAULT 'dflt', made timestamptz NOT NULL DEFAULT now(), n int GENERATED ALWAYS AS ("id $1" * 2) STORED);
      COMMENT ON TABLE "Odd ""Schema"" ü"."Tâble ""x"" $1" IS 'it''s odd';
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW."naïve col" := coalesce(NEW."naïve col", 'touched'); RETURN NEW; END $$;
      CREATE TRIGGER touch_it BEFORE INSERT OR UPDATE ON "Odd ""Schema"" ü"."Tâble ""x"" $1" FOR EACH ROW EXECUTE FUNCTION touch();
      CREATE INDEX odd_made ON "Odd ""Schema"" ü"."Tâble ""x"" $1" (made DESC);
      CREATE TABLE wild (id int PRIMARY KEY, t text);
      INSERT INTO wild VALUES (1, '100%'), (2, '1000'), (3, 'a_b'), (4, 'axb'), (5, NULL), (6, '');
      CREATE TABLE nokey (x int, y text);
      INSERT INTO nokey VALUES (1, 'a'), (1, 'a'), (2, NULL);
      CREATE VIEW nokey_view AS SELECT * FROM nokey;
      CREATE TABLE typed (id int PRIMARY KEY, j jsonb, arr int[], b bytea, big bigint, f float8, ok boolean, note text);
      INSERT INTO typed VALUES (1, '{"a": [1, "x"]}', '{1,NULL,3}', '\\x00ff', 9007199254740993, 'NaN', true, E'line1\\nline "2", end'), (2, NULL, NULL, NULL, NULL, 1.5, NULL, '');
    `);
  });
  after(async function () {
    await fx?.close();
  });

  async function walkBack(params: RowsPageParams): Promise<RowsPage[]> {
    const pages: RowsPage[] = [];
    let page = await fx.engine.rowsPage({ ...params, fromEnd: true });
    pages.push(page);
    while (page.prevCursor) {
      page = await fx.engine.rowsPage({ ...params, before: page.prevCursor });
      pages.push(page);
      assert.ok(pages.length < 1000, 'paging back does not end');
    }
    return pages.reverse();
  }

  it('pages backwards from the last page to the first, meeting every row once in order', async () => {
    const back = await walkBack({ schema: 'public', name: 'nums', pageSize: 77 });
    const all = back.flatMap((p) => ids(p));
    assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i + 1));
    assert.equal(back[0]!.prevCursor, null, 'the first page has nothing before it');
    assert.equal(back.at(-1)!.nextCursor, null, 'the last page has nothing after it');
  });

  it('goes forward and back again across pages with a sort on a nullable column, and on a composite key', async () => {
    for (const params of [
      { schema: 'public', name: 'nums', pageSize: 50, sort: [{ column: 'grp', direction: 'desc' as const }] },
      { schema: 'public', name: 'pairs', pageSize: 40, sort: [{ column: 'v', direction: 'desc' as const }] },
      { schema: 'public', name: 'pairs', pageSize: 33 },
    ]) {
      const p1 = await fx.engine.rowsPage(params);
      const p2 = await fx.engine.rowsPage({ ...params, after: p1.nextCursor });
      const p3 = await fx.engine.rowsPage({ ...params, after: p2.nextCursor });
      const back2 = await fx.engine.rowsPage({ ...params, before: p3.prevCursor });
      assert.deepEqual(back2.rows, p2.rows, `${params.name}: page 2 again, going back`);
      const back1 = await fx.engine.rowsPage({ ...params, before: back2.prevCursor });
      assert.deepEqual(back1.rows, p1.rows);
      assert.equal(back1.prevCursor, null);
      const forward = await fx.engine.rowsPage({ ...params, after: back1.nextCursor });
      assert.deepEqual(forward.rows, p2.rows, 'and forward from there');
    }
    const backward = await walkBack({ schema: 'public', name: 'nums', pageSize: 64, sort: [{ column: 'grp' }] });
    assert.equal(backward.flatMap((p) => ids(p)).length, 1000);
    assert.equal(new Set(backward.flatMap((p) => ids(p))).size, 1000);
  });

  it('refuses to page a keyless view backwards, and a cursor from another order', async () => {
    await rejectsWith(fx.engine.rowsPage({ schema: 'public', name: 'nokey_view', fromEnd: true }), 'invalid_input', /forwards only/);
    const page = await fx.engine.rowsPage({ schema: 'public', name: 'nums', pageSize: 10, after: (await fx.engine.rowsPage({ schema: 'public', name: 'nums', pageSize: 10 })).nextCursor });
    await rejectsWith(fx.engine.rowsPage({ schema: 'public', name: 'nums', before: page.prevCursor, sort: [{ column: 'label' }] }), 'invalid_input', /another sort/);
  });

  it('matches `contains` literally (% and _ are not wildcards), case-insensitively', async () => {
    const match = async (value: string) => ids(await fx.engine.rowsPage({ schema: 'public', name: 'wild', filters: [{ column: 't', op: 'contains', value }] }));
    assert.deepEqual(await match('%'), [1]);
    assert.deepEqual(await match('_'), [3]);
    assert.deepEqual(await match('AX'), [4]);
    assert.deepEqual(await match('00'), [1, 2]);
  });

  it('inserts a row with defaults, generated columns and triggers applied, in a table with quoted unicode names', async () => {
    const schema = 'Odd "Schema" ü';
    const name = 'Tâble "x" $1';
    const inserted = await insertRow(fx.engine, { schema, name, values: {} });
    const at = (col: string) => inserted.row[inserted.columns.findIndex((c) => c.name === col)];
    assert.equal(at('id $1'), 1);
    assert.equal(at('naïve col'), 'dflt');
    assert.equal(at('n'), 2);
    const second = await insertRow(fx.engine, { schema, name, values: { 'naïve col': null } });
    assert.equal(second.row[1], 'touched', 'the trigger ran');
    await rejectsWith(insertRow(fx.engine, { schema, name, values: { n: 5 } }), 'invalid_input', /generated column/);
    await rejectsWith(insertRow(fx.readOnly, { schema, name, values: {} }), 'read_only');
    await rejectsWith(insertRow(fx.engine, { schema: 'public', name: 'nokey_view', values: { x: 1 } }), 'invalid_input', /view/);
  });

  it('deletes several rows in one transaction, or none when one key matches nothing', async () => {
    await rejectsWith(deleteRows(fx.engine, { schema: 'public', name: 'nums', keys: [{ id: 1 }, { id: 99999 }] }), 'not_found', /id = 99999.*nothing was changed/);
    assert.equal((await fx.sql.query('SELECT 1 FROM nums WHERE id = 1')).rowCount, 1, 'rolled back');
    assert.deepEqual(await deleteRows(fx.engine, { schema: 'public', name: 'pairs', keys: [{ a: 0, b: 'k0' }, { a: 1, b: 'k0' }] }), { deleted: 2 });
    assert.equal((await fx.sql.query(`SELECT 1 FROM pairs WHERE b = 'k0' AND a IN (0, 1)`)).rowCount, 0);
    await rejectsWith(deleteRows(fx.engine, { schema: 'public', name: 'nokey', keys: [{ x: 1 }] }), 'invalid_input', /no primary key/);
  });

  it('previews an edit with the values written in as literals, runs nothing, and keeps identifiers intact', async () => {
    const update = await previewEdit(fx.engine, { action: 'update', schema: 'public', name: 'nums', key: { id: 2 }, column: 'label', value: "it's; DROP TABLE nums; --" });
    assert.equal(update.statements[0], `UPDATE "public"."nums" AS t SET "label" = 'it''s; DROP TABLE nums; --'::text WHERE t."id" = '2'::integer RETURNING t."id", t."grp", t."label"`);
    assert.equal((await fx.sql.query('SELECT label FROM nums WHERE id = 2')).rows[0].label, 'n2', 'nothing ran');
    const del = await previewEdit(fx.engine, { action: 'delete', schema: 'public', name: 'pairs', keys: [{ a: 2, b: 'k1' }, { a: 3, b: 'k1' }] });
    assert.equal(del.rows, 2);
    assert.match(del.statements[1]!, /^DELETE FROM "public"."pairs" AS t WHERE t."a" = '3'::integer AND t."b" = 'k1'::text$/);
    const insert = await previewEdit(fx.engine, { action: 'insert', schema: 'Odd "Schema" ü', name: 'Tâble "x" $1', values: { 'naïve col': 'v' } });
    assert.match(insert.statements[0]!, /^INSERT INTO "Odd ""Schema"" ü"."Tâble ""x"" \$1" AS t \("naïve col"\) VALUES \('v'::text\) RETURNING t."id \$1"/);
    assert.equal(renderStatement('SELECT "a$1" = $1::int', [null]), 'SELECT "a$1" = NULL::int');
  });

  it('lists triggers and rebuilds the DDL of a table, and of a view', async () => {
    const details = await relationDetails(fx.engine, { schema: 'Odd "Schema" ü', name: 'Tâble "x" $1' });
    assert.deepEqual(details.triggers.map((t) => [t.name, t.enabled]), [['touch_it', 'origin']]);
    assert.match(details.triggers[0]!.definition, /BEFORE INSERT OR UPDATE/);
    assert.match(details.ddl, /^CREATE TABLE "Odd ""Schema"" ü"."Tâble ""x"" \$1" \(\n {4}"id \$1" integer DEFAULT nextval/);
    assert.match(details.ddl, /"n" integer GENERATED ALWAYS AS \(\("id \$1" \* 2\)\) STORED/);
    assert.match(details.ddl, /CONSTRAINT ".*_pkey" PRIMARY KEY \("id \$1"\)/);
    assert.match(details.ddl, /CREATE INDEX odd_made ON/);
    assert.match(details.ddl, /COMMENT ON TABLE .* IS 'it''s odd';/);
    const view = await relationDetails(fx.engine, { schema: 'public', name: 'nokey_view' });
    assert.match(view.ddl, /^CREATE VIEW "public"."nokey_view" AS\n SELECT/);
    await rejectsWith(relationDetails(fx.engine, { schema: 'public', name: 'nope' }), 'not_found');
  });

  it('gives the completion catalog: schemas, relations and their columns', async () => {
    const catalog = await completionCatalog(fx.engine, {});
    assert.ok(catalog.schemas.includes('Odd "Schema" ü') && catalog.schemas.includes('public'));
    const nums = catalog.relations.find((r) => r.schema === 'public' && r.name === 'nums')!;
    assert.deepEqual(nums.columns.map((c) => c[0]), ['id', 'grp', 'label']);
    const small = await completionCatalog(fx.engine, { limit: 2 });
    assert.equal(small.relations.length, 2);
    assert.equal(small.truncated, true);
  });

  it('exports a whole table and a query to CSV and JSON, exactly, in chunks', async () => {
    const collect = async (params: Parameters<typeof exportRows>[1]) => {
      const chunks: string[] = [];
      const summary = await exportRows(fx.engine, params, async (chunk) => void chunks.push(chunk));
      return { text: chunks.join(''), chunks: chunks.length, summary };
    };
    const csv = await collect({ schema: 'public', name: 'typed', format: 'csv' });
    assert.equal(csv.text, 'id,j,arr,b,big,f,ok,note\r\n1,"{""a"": [1, ""x""]}","{1,NULL,3}",\\x00ff,9007199254740993,NaN,t,"line1\nline ""2"", end"\r\n2,,,,,1.5,,""\r\n');
    assert.equal(csv.summary.rows, 2);
    const json = await collect({ sql: 'SELECT * FROM typed ORDER BY id', format: 'json' });
    const parsed = JSON.parse(json.text) as Record<string, unknown>[];
    assert.deepEqual(parsed[0], { id: 1, j: { a: [1, 'x'] }, arr: [1, null, 3], b: '\\x00ff', big: 9007199254740992, f: 'NaN', ok: true, note: 'line1\nline "2", end' });
    assert.match(json.text, /"big":9007199254740993/, 'int8 digits kept exactly in the JSON text');
    assert.deepEqual(parsed[1], { id: 2, j: null, arr: null, b: null, big: null, f: 1.5, ok: null, note: '' });
    const big = await collect({ schema: 'public', name: 'nums', format: 'csv', batchSize: 100 });
    assert.equal(big.summary.rows, 1000);
    assert.equal(big.chunks, 10, 'one chunk per FETCH that returned rows');
    const empty = await collect({ sql: 'SELECT 1 AS one WHERE false', format: 'json' });
    assert.deepEqual(JSON.parse(empty.text), []);
    assert.equal(csvField(' padded'), '" padded"');
  });

  it('refuses to export a statement that writes, and runs a read-only export in a read-only transaction', async () => {
    await rejectsWith(exportRows(fx.engine, { sql: 'DELETE FROM nums RETURNING *', format: 'csv' }, async () => undefined), 'invalid_input', /only a query/);
    await rejectsWith(exportRows(fx.engine, { sql: 'SELECT 1; SELECT 2', format: 'csv' }, async () => undefined), 'invalid_input', /2 statements/);
    const writes: string[] = [];
    await rejectsWith(exportRows(fx.engine, { sql: "SELECT nextval('\"Odd \"\"Schema\"\" ü\".\"Tâble \"\"x\"\" $1_id $1_seq\"')", format: 'csv', readOnly: true }, async (c) => void writes.push(c)), 'read_only', /read-only transaction/);
    assert.deepEqual(writes, [], 'nothing was written before the failure');
    await rejectsWith(exportRows(fx.engine, { sql: 'SELECT nope FROM nums', format: 'csv' }, async () => undefined), 'invalid_input', /column "nope" does not exist \(line 1, column 8\)/);
  });

  it('cancels an export on the server: the backend stops running and the connection is not reused', async () => {
    const controller = new AbortController();
    let chunks = 0;
    const running = exportRows(
      fx.engine,
      { sql: 'SELECT g, pg_sleep(CASE WHEN g > 200 THEN 5 ELSE 0 END) FROM generate_series(1, 400) g', format: 'csv', batchSize: 100 },
      async () => void chunks++,
      controller.signal,
    );
    const active = async () => (await fx.sql.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'")).rowCount! > 0;
    await eventually(active, 'the export reaching the slow rows');
    controller.abort();
    await rejectsWith(running, 'cancelled');
    assert.equal(chunks, 2);
    await eventually(async () => !(await active()), 'the backend stopping');
  });

  it('fetches more rows of a query by running it again past the rows already shown, never a write', async () => {
    const more = await fx.engine.query({ sql: 'SELECT id FROM nums ORDER BY id', maxRows: 5, offset: 995 });
    assert.deepEqual(more.rows.flat(), [996, 997, 998, 999, 1000]);
    assert.equal(more.truncated, false);
    await rejectsWith(fx.engine.query({ sql: 'UPDATE nums SET grp = 1 RETURNING id', offset: 10 }), 'invalid_input', /never run twice/);
  });
});
