import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/services/postgres';
import { scramVerifier } from '../src/services/read-credentials';
import { createFixture, type Fixture, registerSecret, seedOrganization } from './support/fixture';

const pgUrl = process.env.OGELBASE_TEST_PG_URL;

/**
 * The streamed export route (`POST …/postgres/exportRows`) over a real socket: the same roles and
 * tenancy as the JSON routes, the error envelope before the first byte, read_only members' SQL in a
 * read-only transaction as the read-only login (or refused without one), the whole result streamed, and a client that goes away cancelling the
 * statement on the database. Also the inspector's JSON writes (updateCell, insertRow, deleteRows,
 * deleteRow) refused for read_only members and read-only databases, and hostile values round-tripped.
 */
describe.skipIf(!pgUrl)('the table inspector through the platform: streamed exportRows, refused writes, hostile values', () => {
  let f: Fixture;
  let server: ReturnType<typeof Bun.serve>;
  let base: string;
  let database: TestDatabase;
  let sql: pg.Client;
  let owner: string;
  let reader: string;
  let stranger: string;
  let id: string;
  let readOnlyId: string;
  let projectRef: string;

  const post = (path: string, token: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body), signal });
  const exportAs = (token: string, body: unknown, db = id, signal?: AbortSignal) => post(`/api/platform/databases/${db}/postgres/exportRows`, token, body, signal);

  beforeAll(async () => {
    database = await createTestDatabase(pgUrl!, 'streams');
    sql = new pg.Client(database.url);
    await sql.connect();
    await sql.query(`CREATE TABLE "wide ""t""" (id int PRIMARY KEY, "naïve, col" text); INSERT INTO "wide ""t""" SELECT g, 'v"' || g FROM generate_series(1, 20000) g; CREATE SEQUENCE s;`);
    f = await createFixture('pglite');
    const org = await seedOrganization(f, 'streams');
    owner = org.owner.token;
    projectRef = org.projectRef;
    reader = (await f.member(org.slug, 'read_only')).token;
    const other = await seedOrganization(f, 'streams-other');
    stranger = other.owner.token;
    const create = async (name: string, readOnly: boolean) =>
      ((await (await f.request('/api/platform/databases', { method: 'POST', token: owner, json: { projectRef: org.projectRef, name, type: 'postgres', connectionString: database.url, readOnly } })).json()) as { id: string }).id;
    id = await create('streams-db', false);
    readOnlyId = await create('streams-ro', true);
    server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: f.platform.app.fetch });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    server?.stop(true);
    await f?.close();
    await sql?.end();
    await database?.drop();
  });

  test('streams a whole table as CSV, every row, with quoted names and values', async () => {
    const response = await exportAs(owner, { schema: 'public', name: 'wide "t"', format: 'csv', batchSize: 1000 });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = await response.text();
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('id,"naïve, col"');
    expect(lines[1]).toBe('1,"v""1"');
    expect(lines.length).toBe(20002);
  });

  test("a read_only member's query runs as the database's read-only login, read-only; nothing changes", async () => {
    const ok = await exportAs(reader, { sql: 'SELECT id, current_user AS who FROM "wide ""t""" WHERE id <= 3 ORDER BY id', format: 'json' });
    expect(ok.status).toBe(200);
    const rows = (await ok.json()) as { id: number; who: string }[];
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3]);
    // The platform provisioned a read-only role for this database (its stored login may create roles).
    expect(rows[0]!.who).toStartWith('ogelbase_ro_');
    expect(rows[0]!.who).not.toBe(new URL(database.url).username);
    // A query that would write: refused for the read_only member and on the read-only database, even for its owner.
    for (const [token, db] of [[reader, id], [owner, readOnlyId]] as const) {
      const refused = await exportAs(token, { sql: "SELECT nextval('s')", format: 'csv' }, db);
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.message).toMatch(/read-only transaction|permission denied/);
    }
    expect(Number((await sql.query('SELECT last_value FROM s')).rows[0].last_value)).toBe(1);
  });

  test("without a read-only login, a read_only member exports tables but not their own SQL (403 read_credential_required)", async () => {
    const login = `app_${Math.random().toString(36).slice(2, 8)}`;
    const password = `pw-${Math.random().toString(36).slice(2, 14)}`;
    registerSecret(password);
    // Sent as a SCRAM verifier: the test PostgreSQL logs every statement, and the leak scan reads that log.
    await sql.query(`CREATE ROLE ${login} LOGIN PASSWORD ${sql.escapeLiteral(scramVerifier(password))}; GRANT SELECT, INSERT ON "wide ""t""" TO ${login}`);
    try {
      const url = new URL(database.url);
      url.username = login;
      url.password = password;
      const created = await f.request('/api/platform/databases', { method: 'POST', token: owner, json: { projectRef, name: 'streams-app', type: 'postgres', connectionString: url.toString() } });
      const appDb = ((await created.json()) as { id: string; readCredential?: string }).id;
      const refused = await exportAs(reader, { sql: 'SELECT 1', format: 'csv' }, appDb);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('read_credential_required');
      const table = await exportAs(reader, { schema: 'public', name: 'wide "t"', format: 'csv' }, appDb);
      expect(table.status).toBe(200);
      expect((await table.text()).split('\r\n').length).toBe(20002);
      await f.request(`/api/platform/databases/${appDb}`, { method: 'DELETE', token: owner });
    } finally {
      await sql.query(`DROP OWNED BY ${login}; DROP ROLE ${login}`);
    }
  });

  test('answers with the error envelope before the first byte: bad SQL, a write, no such table, validation', async () => {
    const cases: [unknown, number, string, RegExp][] = [
      [{ sql: 'SELECT nope FROM "wide ""t"""', format: 'csv' }, 400, 'invalid_input', /column "nope" does not exist \(line 1, column 8\)/],
      [{ sql: 'DELETE FROM "wide ""t""" RETURNING *', format: 'csv' }, 400, 'invalid_input', /only a query/],
      [{ schema: 'public', name: 'missing', format: 'json' }, 404, 'not_found', /missing/],
      [{ sql: 'SELECT 1', schema: 'public', name: 'x' }, 400, 'invalid_request', /give sql, or schema and name/],
      [{ sql: 'SELECT 1', format: 'xml' }, 400, 'invalid_request', /format is csv or json/],
    ];
    for (const [body, status, code, message] of cases) {
      const response = await exportAs(owner, body);
      expect(response.status).toBe(status);
      const envelope = (await response.json()) as { error: { code: string; message: string } };
      expect(envelope.error.code).toBe(code);
      expect(envelope.error.message).toMatch(message);
    }
  });

  test('refuses a member of another organization and a missing token', async () => {
    expect((await exportAs(stranger, { schema: 'public', name: 'wide "t"', format: 'csv' })).status).toBe(404);
    const anonymous = await fetch(`${base}/api/platform/databases/${id}/postgres/exportRows`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
  });

  test('a client that goes away mid-stream cancels the statement: the backend leaves pg_stat_activity', async () => {
    const controller = new AbortController();
    const response = await exportAs(owner, { sql: 'SELECT g, pg_sleep(CASE WHEN g > 100 THEN 30 ELSE 0 END) FROM generate_series(1, 200) g', format: 'csv', batchSize: 50 }, id, controller.signal);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toStartWith('g,pg_sleep\r\n1,');
    const sleeping = async () => (await sql.query("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND query LIKE 'FETCH%'")).rowCount! > 0;
    for (let i = 0; i < 100 && !(await sleeping()); i++) await Bun.sleep(50);
    expect(await sleeping()).toBe(true);
    controller.abort();
    let gone = false;
    for (let i = 0; i < 100 && !gone; i++) {
      gone = !(await sleeping());
      if (!gone) await Bun.sleep(50);
    }
    expect(gone).toBe(true);
  });

  test("the inspector's writes are refused by the server for read_only members and on a read-only database; nothing changes", async () => {
    const op = (token: string, name: string, body: unknown, db = id) => post(`/api/platform/databases/${db}/postgres/${name}`, token, body);
    const table = { schema: 'public', name: 'wide "t"' };
    const writes: [string, unknown][] = [
      ['updateCell', { ...table, key: { id: 1 }, column: 'naïve, col', value: 'changed' }],
      ['insertRow', { ...table, values: { id: 900001, 'naïve, col': 'new' } }],
      ['deleteRows', { ...table, keys: [{ id: 2 }, { id: 3 }] }],
      ['deleteRow', { ...table, key: { id: 4 } }],
    ];
    for (const [token, db, who] of [[reader, id, 'read_only member'], [owner, readOnlyId, 'owner of a read-only database']] as const) {
      for (const [name, body] of writes) {
        const refused = await op(token, name, body, db);
        const envelope = (await refused.json()) as { error: { code: string } };
        expect({ who, name, status: refused.status }).toEqual({ who, name, status: 403 });
        expect(['forbidden', 'read_only']).toContain(envelope.error.code);
      }
      // Previewing is a read (it shows the statement), and it still changes nothing.
      expect((await op(token, 'previewEdit', { action: 'delete', ...table, keys: [{ id: 2 }] }, db)).status).toBe(200);
    }
    const { rows } = await sql.query(`SELECT count(*)::int AS n, max("naïve, col") FILTER (WHERE id = 1) AS first FROM "wide ""t"""`);
    expect(rows[0]).toEqual({ n: 20000, first: 'v"1' });
  });

  test('hostile values go in and come back exactly, as data: markup, \\r, unicode, bytea, and huge text cut with its size', async () => {
    await sql.query('CREATE TABLE hostile (id int PRIMARY KEY, t text, b bytea)');
    const op = async (name: string, body: unknown) => {
      const response = await post(`/api/platform/databases/${id}/postgres/${name}`, owner, body);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const values = ['<script>alert(1)</script>', "a\rb'; DROP TABLE hostile; --", 'ü 😀 \u202eevil', 'x'.repeat(200_000)];
    for (const [i, t] of values.entries()) {
      const inserted = await op('insertRow', { schema: 'public', name: 'hostile', values: { id: i + 1, t, b: { $bytes: Buffer.from([0, 255, 60, 62, i]).toString('base64') } } });
      expect({ i, status: inserted.status }).toEqual({ i, status: 200 });
    }
    const page = await op('rowsPage', { schema: 'public', name: 'hostile', pageSize: 10 });
    const rows = page.body.rows as unknown[][];
    expect(rows.slice(0, 3).map((r) => r[1])).toEqual(values.slice(0, 3));
    expect(rows[3]![1]).toMatchObject({ truncated: true, size: 200_000 });
    expect(((rows[3]![1] as { $text: string }).$text).length).toBe(64 * 1024);
    expect(rows[0]![2]).toEqual({ $bytes: Buffer.from([0, 255, 60, 62, 0]).toString('base64') });
    const stored = await sql.query('SELECT t, encode(b, \'hex\') AS b FROM hostile ORDER BY id');
    expect(stored.rows.map((r) => r.t)).toEqual(values);
    expect(stored.rows[1].b).toBe('00ff3c3e01');
    expect((await sql.query("SELECT to_regclass('public.hostile') IS NOT NULL AS still")).rows[0].still).toBe(true);
  });

  test('is in the OpenAPI document, and not among the JSON routes', async () => {
    const doc = (await (await fetch(`${base}/api/platform/openapi.json`)).json()) as { paths: Record<string, { post: { responses: Record<string, { content?: Record<string, unknown> }> } }> };
    const route = doc.paths['/api/platform/databases/{id}/postgres/exportRows']!;
    expect(Object.keys(route.post.responses['200']!.content!)).toEqual(['text/csv', 'application/json']);
  });
});
