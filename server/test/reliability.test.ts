import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { callAdminChannel, createAdminApp, serveAdminChannel } from '../src/cli/admin-channel';
import { PlatformUnavailable, unavailabilityReason } from '../src/db/availability';
import { DataDirBusy, DataDirLock, isAlive, LOCK_FILE, readHolder } from '../src/db/data-dir-lock';
import { createPgliteSql } from '../src/db/pglite-sql';
import { migrate, migrations } from '../src/db/migrations';
import { createPostgresSql } from '../src/db/postgres-sql';
import type { PlatformSql } from '../src/db/sql';
import { createLogger } from '../src/logger';
import { createTestDatabase } from '../../test/support/services/postgres';
import { createFixture, type Fixture, registerSecret, seedOrganization } from './support/fixture';

/** A platform database that can be taken away: while `down`, every call fails as the real layer does when it cannot connect. */
function switchable(inner: PlatformSql) {
  const state = { down: false };
  const guard = <T>(work: () => Promise<T>) => (state.down ? Promise.reject(new PlatformUnavailable('connection refused')) : work());
  const sql: PlatformSql = {
    kind: inner.kind,
    query: (text, params) => guard(() => inner.query(text, params)),
    transaction: (work) => guard(() => inner.transaction(work)),
    exec: (script) => guard(() => inner.exec(script)),
    poolFigures: () => inner.poolFigures(),
    close: () => Promise.resolve(),
  };
  return { sql, state };
}

const metricsToken = 'metrics-token-for-reliability-tests-0123456789';
registerSecret(metricsToken);

describe('the platform database goes away (app.request, embedded database)', () => {
  let f: Fixture;
  let state: { down: boolean };
  let token: string;
  let projectRef: string;

  beforeAll(async () => {
    f = await createFixture('pglite', { METRICS_TOKEN: metricsToken }, (inner) => {
      const s = switchable(inner);
      state = s.state;
      return s.sql;
    });
    const org = await seedOrganization(f, 'outage');
    ({ token, projectRef } = { token: org.owner.token, projectRef: org.projectRef });
  });
  afterAll(async () => {
    state.down = false;
    await f.close();
  });

  test('every route that needs it answers 503 platform_unavailable with Retry-After, then recovers', async () => {
    state.down = true;
    for (const [method, path] of [['GET', '/api/platform/organizations'], ['GET', `/api/platform/databases?projectRef=${projectRef}`], ['POST', '/api/platform/databases']] as const) {
      const response = await f.request(path, { method, token, json: method === 'POST' ? { projectRef, name: 'x', type: 'redis', connectionString: 'redis://h:6379' } : undefined });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('platform_unavailable');
      expect(body.error.message).toContain('the platform database is unreachable (connection refused)');
    }
    state.down = false;
    expect((await f.request('/api/platform/organizations', { token })).status).toBe(200);
  });

  test('the health route reports the outage without the database: status only, with or without a token', async () => {
    state.down = true;
    for (const init of [{}, { token }, { token: 'ogb_notarealtokennotarealtokennotarealtoken' }]) {
      const response = await f.request('/api/platform/health?fresh=1', init);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { access: string; status: string; services: Record<string, { status: string; error?: string }> };
      expect(body.access).toBe('status-only');
      expect(body.status).toBe('degraded');
      expect(body.services.postgres!.status).toBe('unhealthy');
      expect(body.services.postgres!.error).toBeUndefined();
    }
    state.down = false;
    const full = await f.request('/api/platform/health?fresh=1', { token });
    expect(((await full.json()) as { access: string }).access).toBe('full');
    // With the database up, a bad token is still a 401: only an unverifiable one falls back to status only.
    expect((await f.request('/api/platform/health', { token: 'ogb_notarealtokennotarealtokennotarealtoken' })).status).toBe(401);
  });

  test('the metrics report the event loop lag', async () => {
    const metrics = (await (await f.request('/api/platform/metrics', { token })).json()) as { eventLoop: { lagMs: number; maxLagMs: number } };
    expect(metrics.eventLoop.maxLagMs).toBeGreaterThanOrEqual(0);
    expect(await (await f.request('/metrics', { token: metricsToken })).text()).toContain('ogelbase_event_loop_lag_seconds');
  });

  test('a write whose second statement fails leaves nothing: project, credentials and audit entry go together', async () => {
    const slug = `tx-${f.id}`;
    await f.admin.ensureUser(`tx@${f.id}.test`);
    await f.admin.createOrganization(slug, 'tx', `tx@${f.id}.test`);
    const before = await f.platform.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM platform.projects');
    // A sealing key that throws mid-way: the project row was inserted, the credentials row cannot be.
    const encrypt = f.platform.keyring.encrypt.bind(f.platform.keyring);
    f.platform.keyring.encrypt = () => {
      throw new Error('sealing failed');
    };
    try {
      await expect(f.admin.createProject(slug, `tx-proj-${f.id}`, 'tx')).rejects.toThrow('sealing failed');
    } finally {
      f.platform.keyring.encrypt = encrypt;
    }
    const after = await f.platform.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM platform.projects');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });
});

describe('the platform database layers classify connection failures', () => {
  test('connection-level failures are unavailability; a statement\'s own error is not', () => {
    expect(unavailabilityReason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('connection refused');
    expect(unavailabilityReason(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe('the server terminated the connection');
    expect(unavailabilityReason(new Error('Connection terminated unexpectedly'))).toBe('the connection was closed');
    expect(unavailabilityReason(new Error('timeout exceeded when trying to connect'))).toBe('no answer to the connection attempt in time');
    expect(unavailabilityReason(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBeUndefined();
    expect(unavailabilityReason(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }))).toBeUndefined();
  });

  test('a real pool on a port nobody listens on throws PlatformUnavailable, in queries and transactions', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const lines: string[] = [];
    const sql = createPostgresSql(`postgresql://u:reliability-pw@127.0.0.1:${port}/db`, { max: 2, idleTimeoutMs: 1000, statementTimeoutMs: 1000, log: createLogger({ write: (l) => lines.push(l) }) });
    registerSecret('reliability-pw');
    await expect(sql.query('SELECT 1')).rejects.toBeInstanceOf(PlatformUnavailable);
    await expect(sql.transaction((tx) => tx.query('SELECT 1'))).rejects.toBeInstanceOf(PlatformUnavailable);
    // One line when it went away, not one per request; never the password.
    expect(lines.filter((l) => l.includes('unreachable')).length).toBe(1);
    expect(lines.join('\n')).not.toContain('reliability-pw');
    await sql.close();
  });

  test('an embedded database that stops answers 503 once, then is re-opened by itself', async () => {
    const opened: PGlite[] = [];
    const sql = await createPgliteSql(undefined, { onOpen: (db) => opened.push(db) });
    await sql.query('CREATE TABLE t (n int)');
    await opened[0]!.close(); // the instance dies behind the layer's back
    await expect(sql.query('SELECT 1')).rejects.toBeInstanceOf(PlatformUnavailable);
    for (let i = 0; i < 200 && opened.length < 2; i++) await Bun.sleep(50);
    expect((await sql.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    expect(opened.length).toBe(2);
    await sql.close();
  }, 60_000);
});

describe('migrations', () => {
  test('servers starting together on an empty PostgreSQL database apply each migration once, and none fails', async () => {
    const adminUrl = process.env.OGELBASE_TEST_PG_URL;
    if (!adminUrl) return;
    const log = createLogger({ write: () => undefined });
    // Several empty databases, each migrated by four pools at the same moment (before the fix, the
    // schema's bootstrap ran outside the advisory lock and a twin failed on pg_namespace's index).
    for (let round = 0; round < 4; round++) {
      const database = await createTestDatabase(adminUrl, `migr${round}`);
      const pools = Array.from({ length: 4 }, () => createPostgresSql(database.url, { max: 2, idleTimeoutMs: 1000, statementTimeoutMs: 10_000, log }));
      try {
        const results = await Promise.allSettled(pools.map((sql) => migrate(sql, log)));
        expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
        const applied = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
        expect([...applied].sort((x, y) => x - y)).toEqual(migrations.map((m) => m.version).sort((x, y) => x - y));
      } finally {
        for (const sql of pools) await sql.close();
        await database.drop();
      }
    }
  }, 120_000);
});

describe('the DATA_DIR lock', () => {
  test('one holder at a time; a server holder is reported at once; release frees it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ogelbase-lock-'));
    const first = await DataDirLock.acquire(dir, { role: 'server' });
    expect(statSync(join(dir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    expect(readHolder(dir)).toMatchObject({ pid: process.pid, role: 'server' });
    // Another process's view of it: a live holder that is a server is refused without waiting.
    const holder = readHolder(dir)!;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...holder, pid: process.ppid, processStart: undefined }));
    // A wait of ten minutes would outlast the test: a server holder must be reported without waiting at all.
    await expect(DataDirLock.acquire(dir, { role: 'command', command: 'demo', waitMs: 600_000 })).rejects.toBeInstanceOf(DataDirBusy);
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(holder));
    first.release();
    expect(readHolder(dir)).toBeUndefined();
  });

  test('a lock left by a process that died is taken over; one whose pid was reused by another process too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ogelbase-lock-'));
    const dead = Bun.spawn(['true']);
    await dead.exited;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead.pid, hostname: (await import('node:os')).hostname(), role: 'server', since: 'earlier' }), { mode: 0o600 });
    expect(isAlive(readHolder(dir)!)).toBe(false);
    const taken = await DataDirLock.acquire(dir, { role: 'server' });
    expect(taken.replaced?.pid).toBe(dead.pid);
    taken.release();
    // Our parent is alive, but it did not start at the recorded time: its pid was reused.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, processStart: '1', hostname: (await import('node:os')).hostname(), role: 'server', since: 'earlier' }), { mode: 0o600 });
    const again = await DataDirLock.acquire(dir, { role: 'command' });
    expect(again.replaced?.pid).toBe(process.ppid);
    again.release();
  });

  test('a command waits for another command, then gives up saying who holds the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ogelbase-lock-'));
    const held = await DataDirLock.acquire(dir, { role: 'command', command: 'token create' });
    const holder = readHolder(dir)!;
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...holder, pid: process.ppid, processStart: undefined }));
    const error = await DataDirLock.acquire(dir, { role: 'command', command: 'demo', waitMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirBusy);
    expect((error as Error).message).toContain('the administration command `token create`');
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify(holder));
    held.release();
  });
});

describe('the administration channel', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture('pglite');
  });
  afterAll(() => f.close());
  const send = (app: ReturnType<typeof createAdminApp>, body: unknown, secret = 'channel-secret-0123456789') =>
    app.request('/admin/command', { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('runs a command for the holder of the secret only, refuses what must not run while serving, and rejects malformed requests', async () => {
    registerSecret('channel-secret-0123456789');
    const app = createAdminApp({ platform: f.platform, secret: 'channel-secret-0123456789', log: f.platform.log, url: () => 'http://localhost:4321' });
    expect((await send(app, { command: 'token list', options: {}, positionals: [] }, 'wrong')).status).toBe(401);
    const demo = await send(app, { command: 'demo', options: { org: `chan-${f.id}`, project: `chan-proj-${f.id}`, email: `chan@${f.id}.test` }, positionals: [] });
    expect(demo.status).toBe(200);
    const { output } = (await demo.json()) as { output: { token: string; url: string } };
    registerSecret(output.token);
    expect(output.url).toBe('http://localhost:4321');
    expect((await f.request('/api/platform/organizations', { token: output.token })).status).toBe(200);
    const rotate = await send(app, { command: 'rotate-keys', options: {}, positionals: [] });
    expect(rotate.status).toBe(409);
    expect(((await rotate.json()) as { error: string }).error).toContain('stop the server');
    expect((await send(app, { command: 'demo', options: { bogus: 'x' }, positionals: [] })).status).toBe(400);
    const missing = await send(app, { command: 'member add', options: { org: 'nope', email: 'nobody@x.test', role: 'developer' }, positionals: [] });
    expect(missing.status).toBe(500);
    expect(((await missing.json()) as { error: string }).error).toContain('no user with email nobody@x.test');
  });

  test('listens on an owner-only Unix socket in DATA_DIR, for callers that present the secret from the lock file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ogelbase-chan-'));
    const channel = await serveAdminChannel({ platform: f.platform, log: f.platform.log, url: () => 'http://localhost:4321' }, dir);
    try {
      expect(channel.announcement.socket).toBe(join(dir, 'admin.sock'));
      expect(statSync(join(dir, 'admin.sock')).mode & 0o777).toBe(0o600);
      registerSecret(channel.announcement.secret);
      const listed = await callAdminChannel(channel.announcement, { command: 'token list', options: {}, positionals: [] });
      expect(Array.isArray(listed.output)).toBe(true);
      await expect(callAdminChannel({ ...channel.announcement, secret: 'not-the-secret' }, { command: 'token list', options: {}, positionals: [] })).rejects.toThrow('needs the secret');
    } finally {
      await channel.stop();
    }
    expect(existsSync(join(dir, 'admin.sock'))).toBe(false);
  });
});
