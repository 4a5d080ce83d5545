/**
 * Shared set-up of the PostgreSQL engine tests (no tests here; the .test.ts suffix only because the
 * engine tests own the `test/engines/postgres*.test.ts` names).
 *
 * OGELBASE_TEST_PG_URL is a superuser URL (set by the harness; by hand:
 * `node --import tsx test/support/harness/serve-services.ts > /tmp/pg.env &` then
 * `set -a; . /tmp/pg.env; set +a`). Each test file gets a database of its own, so files can run in
 * parallel against one server.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { PostgresEngine } from '../../../src/core/engines/postgres';
import { createTestDatabase } from '../services/postgres';

export interface PgFixture {
  /** The test database, as the superuser. */
  url: string;
  password: string;
  /** A plain driver client on the test database, for set-up and checks behind the engine's back. */
  sql: pg.Client;
  engine: PostgresEngine;
  readOnly: PostgresEngine;
  close(): Promise<void>;
}

export async function pgFixture(): Promise<PgFixture> {
  const adminUrl = process.env.OGELBASE_TEST_PG_URL;
  if (!adminUrl) throw new Error('OGELBASE_TEST_PG_URL is not set: run through `npm test`, or start test/support/harness/serve-services.ts and load its environment');
  const database = await createTestDatabase(adminUrl, 'pgtest');
  const url = new URL(database.url);
  const sql = new pg.Client(url.toString());
  await sql.connect();
  const engine = new PostgresEngine(url.toString(), { max: 4 });
  const readOnly = new PostgresEngine(url.toString(), { readOnly: true, max: 2 });
  return {
    url: url.toString(),
    password: decodeURIComponent(url.password),
    sql,
    engine,
    readOnly,
    close: async () => {
      await Promise.all([engine.close(), readOnly.close(), sql.end()]);
      await database.drop();
    },
  };
}


/** Polls until `check` holds (server-side effects that settle asynchronously, such as a cancelled backend). */
export async function eventually(check: () => Promise<boolean>, what: string, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${what} did not happen`);
}

export { rejectsWith } from './assertions';
