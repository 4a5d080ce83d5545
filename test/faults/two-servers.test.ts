/**
 * Two server processes against one platform database (as two Railway replicas would run): started
 * together on an empty database, then used alternately and concurrently, they must agree on every
 * answer. Nothing about tokens, roles or databases may be cached in one process where the other
 * cannot see a change.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { recordFault } from '../support/faults/record';
import { call, runServerCommand, startServerProcess, type ServerProcess } from '../support/faults/server-process';
import { createTestDatabase } from '../support/services/postgres';
import { registerSecret } from '../support/secrets';

type Database = { id: string; name: string; description: string | null; connectionString: string; readOnly: boolean };

describe('faults: two server processes against one platform database', function () {
  this.timeout(180_000);
  let a: ServerProcess;
  let b: ServerProcess;
  let databaseUrl: string;
  let token: string;
  const env: Record<string, string> = {};

  before(async () => {
    databaseUrl = (await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'twins')).url;
    const encryptionKey = randomBytes(32).toString('hex');
    registerSecret(encryptionKey);
    Object.assign(env, { DATABASE_URL: databaseUrl, ENCRYPTION_KEY: encryptionKey, RATE_LIMIT_PER_MINUTE: '100000' });
    // Both start at once on an empty database: the migrations' advisory lock makes them apply each migration once.
    const started = await Promise.allSettled([startServerProcess('twin-a', env), startServerProcess('twin-b', env)]);
    // Kept even when the other failed, so that `after` stops it (a server left running keeps mocha alive).
    if (started[0].status === 'fulfilled') a = started[0].value;
    if (started[1].status === 'fulfilled') b = started[1].value;
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    const demo = await runServerCommand(['demo'], env);
    assert.equal(demo.code, 0, demo.stderr);
    token = String(demo.json().token);
    registerSecret(token);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('started together on an empty database, they applied each migration exactly once', async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ version: number; n: string }>('SELECT version, count(*) AS n FROM platform.schema_migrations GROUP BY version');
    await client.end();
    assert.ok(rows.length > 0);
    assert.ok(rows.every((r) => Number(r.n) === 1), JSON.stringify(rows));
  });

  it('a change through one is what the other answers: create, read, change, reveal, list, delete', async () => {
    const connectionString = `redis://default:twin-secret-pw@cache-${randomBytes(2).toString('hex')}.railway.internal:6379/0`;
    registerSecret('twin-secret-pw');
    const created = await call<Database>(a.url, '/api/platform/databases', { token, json: { projectRef: 'demo-project', name: 'twin-cache', type: 'redis', connectionString } });
    assert.equal(created.status, 201);
    const id = created.body.id;
    const seen = await call<Database>(b.url, `/api/platform/databases/${id}`, { token });
    assert.deepEqual(seen.body, created.body);
    const patched = await call<Database>(b.url, `/api/platform/databases/${id}`, { token, method: 'PATCH', json: { description: 'changed on B', readOnly: true } });
    assert.equal(patched.status, 200);
    assert.deepEqual((await call<Database>(a.url, `/api/platform/databases/${id}`, { token })).body, patched.body);
    // Sealed by one, opened by the other: one keyring, one format.
    const revealed = await call<{ connectionString: string }>(b.url, `/api/platform/databases/${id}/reveal`, { token, method: 'POST' });
    assert.equal(revealed.body.connectionString, connectionString);
    const [listA, listB] = await Promise.all([a, b].map((s) => call<{ total: number; databases: Database[] }>(s.url, '/api/platform/databases?projectRef=demo-project', { token })));
    assert.deepEqual(listA!.body, listB!.body);
    assert.equal((await call(a.url, `/api/platform/databases/${id}`, { token, method: 'DELETE' })).status, 204);
    assert.equal((await call(b.url, `/api/platform/databases/${id}`, { token })).status, 404);
  });

  it('the same name created on both at the same moment: exactly one 201 and one 409, every time', async () => {
    const outcomes: number[][] = [];
    for (let i = 0; i < 10; i++) {
      const name = `race-${i}-${randomBytes(2).toString('hex')}`;
      const body = { projectRef: 'demo-project', name, type: 'postgres', connectionString: 'postgresql://app:pw@db.railway.internal:5432/app' };
      const answers = await Promise.all([a, b].map((s) => call(s.url, '/api/platform/databases', { token, json: body })));
      outcomes.push(answers.map((r) => r.status).sort());
    }
    assert.ok(outcomes.every((pair) => pair[0] === 201 && pair[1] === 409), JSON.stringify(outcomes));
  });

  it('a revoked token and a changed role take effect on both at once', async () => {
    const email = `member-${randomBytes(2).toString('hex')}@twins.test`;
    await runServerCommand(['user', 'create', '--email', email], env);
    await runServerCommand(['member', 'add', '--org', 'demo', '--email', email, '--role', 'developer'], env);
    const minted = await runServerCommand(['token', 'create', '--email', email], env);
    const memberToken = String(minted.json().token);
    registerSecret(memberToken);
    const write = (s: ServerProcess) =>
      call(s.url, '/api/platform/databases', { token: memberToken, json: { projectRef: 'demo-project', name: `w-${randomBytes(3).toString('hex')}`, type: 'redis', connectionString: 'redis://cache.railway.internal:6379' } });
    assert.deepEqual([(await write(a)).status, (await write(b)).status], [201, 201]);
    await runServerCommand(['member', 'add', '--org', 'demo', '--email', email, '--role', 'read_only'], env);
    assert.deepEqual([(await write(a)).status, (await write(b)).status], [403, 403]);
    await runServerCommand(['token', 'revoke', String(minted.json().prefix)], env);
    assert.deepEqual(
      await Promise.all([a, b].map(async (s) => (await call(s.url, '/api/platform/organizations', { token: memberToken })).status)),
      [401, 401],
    );
    const health = await Promise.all([a, b].map((s) => call<{ services: Record<string, unknown> }>(s.url, '/api/platform/health', { token })));
    assert.deepEqual(Object.keys(health[0]!.body.services), Object.keys(health[1]!.body.services));
    recordFault({
      finding: 'two servers',
      scenario: 'two server processes on one DATABASE_URL: started together on an empty database, then create/read/patch/reveal/delete across them, 10 simultaneous creates of one name, a role change and a revocation',
      outcome: 'migrations applied once; every read on one matched the write on the other; each race gave exactly one 201 and one 409; the role change and the revocation applied on both at once',
    });
  });
});
