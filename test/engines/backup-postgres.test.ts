/**
 * PostgreSQL backup and restore against the harness's real PostgreSQL: pg_dump's custom format
 * (read back by the real pg_restore into a fresh database), a round trip that compares every row,
 * the pre-check, the tools' version check and the password kept out of every command line.
 *
 *   node --import tsx node_modules/mocha/bin/mocha.js --timeout 120000 test/engines/backup-postgres.test.ts
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { postgresBackup } from '../../src/core/backup/postgres';
import { findPgTools } from '../../src/core/backup/postgres/tools';
import type { BackupTarget, BackupProgress } from '../../src/core/backup/types';
import { createTestDatabase, type TestDatabase } from '../support/services/postgres';
import { rejectsWith } from '../support/engines/assertions';

const adminUrl = process.env.OGELBASE_TEST_PG_URL;
const tools = { where: 'extension' as const };

/** Every row of some tables as text, in order: what "compare every row" compares. */
async function allRows(client: pg.Client, names: string[]): Promise<string[][]> {
  const out: string[][] = [];
  for (const name of names) out.push(await rows(client, name));
  return out;
}

/** Every row of a table as text, in key order. */
async function rows(client: pg.Client, table: string): Promise<string[]> {
  const { rows: found } = await client.query(`SELECT t::text AS r FROM ${table} t ORDER BY 1`);
  return found.map((r) => r.r as string);
}

describe('PostgreSQL backups (pg_dump custom format)', function () {
  let source: TestDatabase;
  let sql: pg.Client;
  let target: BackupTarget;
  let work: string;
  const tables = ['app."Orders ""quoted"""', 'public.kinds', 'public.empty'];

  before(async function () {
    if (!adminUrl) this.skip();
    source = await createTestDatabase(adminUrl!, 'bkpg');
    sql = new pg.Client(source.url);
    await sql.connect();
    await sql.query(`
      CREATE SCHEMA app;
      CREATE TABLE app."Orders ""quoted""" (id bigint PRIMARY KEY, note text, at timestamptz NOT NULL DEFAULT '2024-02-29 12:00+00', amount numeric(12, 2));
      INSERT INTO app."Orders ""quoted""" SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'note ' || g || E' \\u00e9\\t"' END, '2024-01-01'::timestamptz + g * interval '1 minute', g * 1.25 FROM generate_series(1, 5000) g;
      CREATE TABLE public.kinds (id int PRIMARY KEY, j jsonb, b bytea, a int[], f double precision, u uuid, r int4range);
      INSERT INTO public.kinds VALUES (1, '{"k": [1, "x", null]}', '\\x00ff10', '{1,2,NULL}', 'NaN', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '[1,5)'), (2, 'null', '', '{}', '-0', NULL, 'empty');
      CREATE TABLE public.empty (x int);
      CREATE VIEW app.recent AS SELECT * FROM app."Orders ""quoted""" WHERE id > 4990;
      CREATE SEQUENCE app.counter START 42;
    `);
    target = { id: randomUUID(), name: 'bkpg', type: 'postgres', connectionString: source.url, localFiles: true };
    work = mkdtempSync(join(tmpdir(), 'ogelbase-bkpg-'));
  });

  after(async () => {
    await sql?.end();
    await source?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes a pg_dump custom-format file with a manifest counting the rows of the dumped snapshot', async () => {
    const progress: BackupProgress[] = [];
    const manifest = await postgresBackup.create(target, join(work, 'one'), { id: randomUUID(), tools, onProgress: (p) => progress.push(p) });
    assert.equal(manifest.method, 'pg_dump');
    assert.equal(manifest.tool.name, 'pg_dump');
    assert.match(manifest.server.version, /^\d+\.\d+/);
    assert.equal(manifest.contents.engine, 'postgres');
    if (manifest.contents.engine !== 'postgres') return;
    assert.deepEqual(
      manifest.contents.tables.map((t) => [`${t.schema}.${t.name}`, t.rows]),
      [['app.Orders "quoted"', 5000], ['public.empty', 0], ['public.kinds', 2]],
    );
    assert.equal(manifest.contents.views, 1);
    assert.equal(manifest.contents.sequences, 1);
    assert.match(manifest.files[0]!.sha256, /^[0-9a-f]{64}$/);
    assert.equal(readFileSync(join(work, 'one', manifest.files[0]!.path)).subarray(0, 5).toString(), 'PGDMP');
    assert.ok(progress.some((p) => p.phase === 'dumping' && p.total === 3), 'progress counts tables');
    assert.ok(progress.some((p) => p.phase === 'verifying'), 'the files are verified before the folder gets its name');
  });

  it("restores into a fresh database with the real pg_restore, every row equal", async function () {
    const manifest = await postgresBackup.create(target, join(work, 'real'), { id: randomUUID(), tools });
    const fresh = await createTestDatabase(adminUrl!, 'bkpgfresh');
    try {
      const url = new URL(fresh.url);
      const [tool] = await findPgTools('pg_restore', tools);
      const result = spawnSync(tool!.path, ['--no-password', '-h', url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username), '-d', fresh.name, join(work, 'real', manifest.files[0]!.path)], {
        env: { PATH: process.env.PATH, PGPASSWORD: decodeURIComponent(url.password) },
        encoding: 'utf8',
      });
      assert.equal(result.status, 0, result.stderr);
      const other = new pg.Client(fresh.url);
      await other.connect();
      try {
        for (const table of tables) assert.deepEqual(await rows(other, table), await rows(sql, table), table);
        assert.equal((await other.query("SELECT last_value FROM app.counter")).rows[0].last_value, '42');
      } finally {
        await other.end();
      }
    } finally {
      await fresh.drop();
    }
  });

  it('plans, then restores a changed database to the backup; tables it does not hold are left alone', async () => {
    const dir = join(work, 'round');
    await postgresBackup.create(target, dir, { id: randomUUID(), tools });
    const before = await allRows(sql, tables);
    await sql.query(`DELETE FROM app."Orders ""quoted""" WHERE id > 100; UPDATE public.kinds SET j = '{}'; DROP TABLE public.empty; CREATE TABLE public.later (x int); INSERT INTO public.later VALUES (1), (2)`);
    const { plan } = await postgresBackup.precheck(target, dir, { tools });
    assert.deepEqual(plan.overwrite.items.map((i) => [i.name, i.now, i.inBackup]), [['app.Orders "quoted"', 100, 5000], ['public.kinds', 2, 2]]);
    assert.deepEqual(plan.add.items.map((i) => i.name), ['public.empty']);
    assert.deepEqual(plan.leaveAlone.items, [{ name: 'public.later', now: 2 }]);
    const report = await postgresBackup.restoreFrom(target, dir, { tools });
    assert.equal(report.outcome, 'completed', report.message);
    assert.equal(report.verification?.ok, true);
    assert.deepEqual(await allRows(sql, tables), before);
    assert.deepEqual(await rows(sql, 'public.later'), ['(1)', '(2)']);
  });

  it('a cancelled restore is rolled back whole and its report says so', async () => {
    const dir = join(work, 'cancel');
    await postgresBackup.create(target, dir, { id: randomUUID(), tools });
    await sql.query(`DELETE FROM app."Orders ""quoted""" WHERE id > 10`);
    const controller = new AbortController();
    const report = await postgresBackup.restoreFrom(target, dir, {
      tools,
      signal: controller.signal,
      onProgress: (p) => p.phase === 'restoring' && controller.abort(),
    });
    assert.equal(report.outcome, 'cancelled');
    assert.match(report.message, /rolled back/);
    assert.ok(report.items.every((i) => i.state === 'rolled back' || i.state === 'not started'));
    assert.equal((await sql.query(`SELECT count(*)::int AS n FROM app."Orders ""quoted"""`)).rows[0].n, 10);
  });

  it('names the pg_dump to install when the one found is older than the server, and never passes the password as an argument', async () => {
    const fake = mkdtempSync(join(tmpdir(), 'ogelbase-fakepg-'));
    try {
      writeFileSync(join(fake, 'pg_dump'), '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.0"\n');
      chmodSync(join(fake, 'pg_dump'), 0o755);
      await rejectsWith(postgresBackup.create(target, join(work, 'old'), { id: randomUUID(), tools: { where: 'extension', postgresBinDir: fake } }), 'invalid_input', /pg_dump 9\.6\.0 \(.*\) is too old for backing up PostgreSQL \d+.*: it must be of PostgreSQL \d+ or newer\. Install the PostgreSQL \d+ client programs/);
      rmSync(join(fake, 'pg_dump'));
      await rejectsWith(postgresBackup.create(target, join(work, 'none'), { id: randomUUID(), tools: { where: 'server', postgresBinDir: fake } }), 'invalid_input', /pg_dump was not found in .* \(PG_BIN_DIR\).*Docker image \(server\/Dockerfile\) installs the newest PostgreSQL client programs .*which handle PostgreSQL \d+/);

      // A wrapper records the arguments and whether PGPASSWORD came through the environment.
      const [real] = await findPgTools('pg_dump', tools);
      const [restore] = await findPgTools('pg_restore', tools);
      const log = join(fake, 'argv.log');
      writeFileSync(join(fake, 'pg_dump'), `#!/bin/sh\nprintf '%s\\n' "$@" > ${log}\n[ -n "$PGPASSWORD" ] && echo PGPASSWORD-set >> ${log}\nexec ${real!.path} "$@"\n`);
      writeFileSync(join(fake, 'pg_restore'), `#!/bin/sh\nexec ${restore!.path} "$@"\n`);
      chmodSync(join(fake, 'pg_dump'), 0o755);
      chmodSync(join(fake, 'pg_restore'), 0o755);
      await postgresBackup.create(target, join(work, 'argv'), { id: randomUUID(), tools: { where: 'extension', postgresBinDir: fake } });
      const argv = readFileSync(log, 'utf8');
      const password = decodeURIComponent(new URL(source.url).password);
      assert.ok(!argv.includes(password), 'the password is not an argument');
      assert.ok(!argv.includes('postgresql://'), 'no connection string is an argument');
      assert.match(argv, /--format=custom/);
      assert.match(argv, /PGPASSWORD-set/);
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });
});
