/**
 * PostgresEngine against a real PostgreSQL: server info, schemas, relations, describe, row counts.
 *
 *   node --import tsx node_modules/mocha/bin/mocha.js --timeout 120000 'test/engines/postgres*.test.ts'
 */
import assert from 'node:assert/strict';
import { openHandle, type PostgresEngine } from '../../src/core/engines/postgres';
import { defaultEngineSettings } from '../../src/core/engines/settings';
import { eventually, pgFixture, rejectsWith, type PgFixture } from '../support/engines/postgres-fixture';

describe('PostgreSQL engine: catalog and counts', function () {
  let fx: PgFixture;

  before(async function () {
    fx = await pgFixture();
    await fx.sql.query(`
      CREATE SCHEMA app;
      CREATE TABLE app.customers (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE, name text,
        created timestamptz NOT NULL DEFAULT now(), score int CHECK (score >= 0),
        name_upper text GENERATED ALWAYS AS (upper(name)) STORED);
      COMMENT ON TABLE app.customers IS 'people';
      CREATE TABLE app.orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES app.customers (id) ON DELETE CASCADE ON UPDATE RESTRICT, total numeric(12, 2));
      CREATE INDEX orders_customer ON app.orders (customer_id);
      CREATE TABLE app.big (id int PRIMARY KEY, grp int, label text);
      INSERT INTO app.big SELECT g, nullif(g % 13, 0), 'row ' || (g % 100) FROM generate_series(1, 10000) g;
      CREATE VIEW app.big_view AS SELECT id, grp FROM app.big;
      CREATE MATERIALIZED VIEW app.big_mat AS SELECT id, label FROM app.big;
      CREATE TABLE app.events (at date NOT NULL, v int) PARTITION BY RANGE (at);
      CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE FOREIGN DATA WRAPPER dummy_fdw;
      CREATE SERVER dummy FOREIGN DATA WRAPPER dummy_fdw;
      CREATE FOREIGN TABLE app.remote (a int) SERVER dummy;
      CREATE VIEW app.slow AS SELECT 1 AS s FROM pg_sleep(30);
      ANALYZE app.big;
      CREATE TABLE app.fresh (id int);
    `);
  });
  after(async function () {
    await fx?.close();
  });

  it('serverInfo: version, database, user, size and read-only state', async function () {
    const info = await fx.engine.serverInfo();
    assert.match(info.version, /^PostgreSQL \d+/);
    assert.equal(info.database, new URL(fx.url).pathname.slice(1));
    assert.equal(info.user, 'postgres');
    assert.equal(info.readOnly, false);
    assert.ok(info.sizeBytes! > 0);
    assert.equal((await fx.readOnly.serverInfo()).readOnly, true);
  });

  it('openHandle: an engine for the ConnectionManager, read-only when the database is, with pool figures', async function () {
    const handle = await openHandle({ id: 'db1', name: 'pg', type: 'postgres', connectionString: fx.url, readOnly: true }, 2, defaultEngineSettings);
    try {
      const engine = handle.engine as PostgresEngine;
      assert.equal((await engine.serverInfo()).readOnly, true);
      assert.deepEqual([handle.capacity, handle.figures()], [2, { active: 0, idle: 1, waiting: 0 }]);
      await rejectsWith(engine.query({ sql: 'CREATE TABLE nope (a int)' }), 'read_only');
    } finally {
      await handle.close();
    }
  });

  it("listSchemas: user schemas with counts, none of PostgreSQL's own", async function () {
    const { schemas, truncated } = await fx.engine.listSchemas();
    assert.equal(truncated, false);
    const names = schemas.map((s) => s.name);
    assert.deepEqual(names.filter((n) => ['app', 'public'].includes(n)), ['app', 'public']);
    assert.ok(!names.some((n) => n === 'pg_catalog' || n === 'information_schema' || n.startsWith('pg_toast') || n.startsWith('pg_temp')));
    const app = schemas.find((s) => s.name === 'app')!;
    assert.deepEqual({ ...app, comment: null }, { name: 'app', owner: 'postgres', usable: true, tables: 5, views: 2, materializedViews: 1, foreignTables: 1, sequences: 1, functions: 0, comment: null });
  });

  it('listRelations: every kind with row estimate and size, bounded and searchable', async function () {
    const { relations, truncated } = await fx.engine.listRelations({ schema: 'app' });
    assert.equal(truncated, false);
    const byName = new Map(relations.map((r) => [r.name, r]));
    assert.equal(byName.get('big')?.kind, 'table');
    assert.equal(byName.get('big')?.rowEstimate, 10000);
    assert.ok(byName.get('big')!.totalBytes! > 100_000);
    assert.equal(byName.get('fresh')?.rowEstimate, null, 'never analysed: reltuples -1 is unknown, not -1');
    assert.deepEqual([byName.get('big_view')?.kind, byName.get('big_view')?.rowEstimate, byName.get('big_view')?.totalBytes], ['view', null, null]);
    assert.equal(byName.get('big_mat')?.kind, 'materialized_view');
    assert.equal(byName.get('events')?.kind, 'partitioned_table');
    assert.deepEqual([byName.get('events_2024')?.kind, byName.get('events_2024')?.isPartition], ['table', true]);
    assert.equal(byName.get('remote')?.kind, 'foreign_table');
    assert.equal(byName.get('customers')?.comment, 'people');

    const page = await fx.engine.listRelations({ schema: 'app', limit: 2 });
    assert.deepEqual([page.relations.length, page.truncated], [2, true]);
    assert.deepEqual((await fx.engine.listRelations({ schema: 'app', search: 'BIG' })).relations.map((r) => r.name), ['big', 'big_mat', 'big_view']);
    await rejectsWith(fx.engine.listRelations({ schema: 'nope' }), 'not_found', /no schema "nope"/);
  });

  it('describeRelation: columns, identity, generated, defaults, keys, indexes, checks', async function () {
    const d = await fx.engine.describeRelation({ schema: 'app', name: 'customers' });
    assert.equal(d.kind, 'table');
    assert.deepEqual(d.primaryKey, ['id']);
    const col = (n: string) => d.columns.find((c) => c.name === n)!;
    assert.deepEqual([col('id').type, col('id').identity, col('id').nullable], ['bigint', 'always', false]);
    assert.deepEqual([col('email').nullable, col('name').nullable], [false, true]);
    assert.equal(col('created').default, 'now()');
    assert.deepEqual([col('name_upper').generated, col('name_upper').default], ['upper(name)', null]);
    assert.deepEqual(d.checks.map((c) => c.definition), ['CHECK ((score >= 0))']);
    assert.deepEqual(d.uniqueConstraints, [{ name: 'customers_email_key', columns: ['email'] }]);
    const pkey = d.indexes.find((i) => i.primary)!;
    assert.deepEqual([pkey.name, pkey.unique, pkey.columns], ['customers_pkey', true, ['id']]);
    assert.equal(d.comment, 'people');

    const orders = await fx.engine.describeRelation({ schema: 'app', name: 'orders' });
    assert.deepEqual(orders.foreignKeys, [
      { name: 'orders_customer_id_fkey', columns: ['customer_id'], references: { schema: 'app', table: 'customers', columns: ['id'] }, onDelete: 'cascade', onUpdate: 'restrict' },
    ]);
    assert.match(orders.indexes.find((i) => i.name === 'orders_customer')!.definition, /USING btree \(customer_id\)/);
    assert.equal(orders.columns.find((c) => c.name === 'total')!.type, 'numeric(12,2)');
    assert.equal(orders.rowEstimate, null);

    const view = await fx.engine.describeRelation({ schema: 'app', name: 'big_view' });
    assert.deepEqual([view.kind, view.primaryKey], ['view', []]);
    assert.match(view.definition!, /SELECT big\.id,\s+big\.grp/);
    await rejectsWith(fx.engine.describeRelation({ schema: 'app', name: 'nope' }), 'not_found', /no table or view "nope"/);
  });

  it('countRows: the estimate at once, the exact count on request, with filters', async function () {
    assert.deepEqual(await fx.engine.countRows({ schema: 'app', name: 'big' }), { estimate: 10000, exact: null });
    const filtered = await fx.engine.countRows({ schema: 'app', name: 'big', filters: [{ column: 'grp', op: 'is null' }], exact: true });
    assert.equal(filtered.exact, 769);
    assert.ok(filtered.estimate! > 0, 'the planner estimates the filtered count');
    const view = await fx.engine.countRows({ schema: 'app', name: 'big_view', filters: [{ column: 'id', op: '<=', value: 10 }], exact: true });
    assert.equal(view.exact, 10);
  });

  it('countRows: an exact count is cancelled by its AbortSignal and stops on the server', async function () {
    const controller = new AbortController();
    const counting = fx.engine.countRows({ schema: 'app', name: 'slow', exact: true }, controller.signal);
    const running = async () => (await fx.sql.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT count(*)%slow%' AND state = 'active'")).rowCount! > 0;
    await eventually(running, 'the count starting');
    controller.abort();
    await rejectsWith(counting, 'cancelled');
    await eventually(async () => !(await running()), 'the server stopping the count');
  });

  it('countRows: an exact count is bounded by its time limit', async function () {
    await rejectsWith(fx.engine.countRows({ schema: 'app', name: 'slow', exact: true, timeoutMs: 200 }), 'timeout', /time limit|statement timeout/);
  });
});
