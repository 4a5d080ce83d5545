import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test/support/services/postgres';
import { createFixture, type Fixture, seedOrganization } from './support/fixture';

const pgUrl = process.env.OGELBASE_TEST_PG_URL;

/**
 * The streamed export route (`POST …/postgres/exportRows`) over a real socket: the same roles and
 * tenancy as the JSON routes, the error envelope before the first byte, read_only members' SQL in a
 * read-only transaction, the whole result streamed, and a client that goes away cancelling the
 * statement on the database.
 */
describe.skipIf(!pgUrl)('streamed engine operations: PostgreSQL exportRows', () => {
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

  test('streams a query as JSON, and runs a read_only member’s SQL in a read-only transaction', async () => {
    const ok = await exportAs(reader, { sql: 'SELECT id FROM "wide ""t""" WHERE id <= 3 ORDER BY id', format: 'json' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    for (const [token, db] of [[reader, id], [owner, readOnlyId]] as const) {
      const refused = await exportAs(token, { sql: "SELECT nextval('s')", format: 'csv' }, db);
      expect(refused.status).toBe(403);
      const body = (await refused.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('read_only');
      expect(body.error.message).toContain('read-only transaction');
    }
    expect(Number((await sql.query("SELECT last_value FROM s")).rows[0].last_value)).toBe(1);
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

  test('is in the OpenAPI document, and not among the JSON routes', async () => {
    const doc = (await (await fetch(`${base}/api/platform/openapi.json`)).json()) as { paths: Record<string, { post: { responses: Record<string, { content?: Record<string, unknown> }> } }> };
    const route = doc.paths['/api/platform/databases/{id}/postgres/exportRows']!;
    expect(Object.keys(route.post.responses['200']!.content!)).toEqual(['text/csv', 'application/json']);
  });
});
