/**
 * Findings 1 and 2 of issue 9: the platform PostgreSQL drops a connection mid-transaction,
 * restarts, is killed with -9, and goes silent, under a server process serving real requests. The
 * process must stay up, answer 503 platform_unavailable (never 500), report the outage on its
 * health route without the database, write nothing half-way, and recover by itself.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { recordFault } from '../support/faults/record';
import { call, runServerCommand, startServerProcess, type Answer, type ServerProcess } from '../support/faults/server-process';
import { startFaultProxy, throughProxy, type FaultProxy } from '../support/services/fault-proxy';
import { createTestDatabase, startPostgres, type PostgresService } from '../support/services/postgres';
import { registerSecret } from '../support/secrets';

type ErrorBody = { error: { code: string; message: string } };

describe('faults: the platform database dies under a serving process', function () {
  this.timeout(180_000);
  let postgres: PostgresService;
  let proxy: FaultProxy;
  let server: ServerProcess;
  let directUrl: string;
  let token: string;
  const env: Record<string, string> = {};

  const sql = async <T extends object>(text: string, params: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: directUrl });
    await client.connect();
    try {
      return (await client.query<T>(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  const create = (name: string) => call<ErrorBody & { id: string }>(server.url, '/api/platform/databases', {
    token,
    json: { projectRef: 'demo-project', name, type: 'redis', connectionString: 'redis://default:faults-pw@cache.railway.internal:6379/0' },
  });
  /** Until `work` answers `status` (the pool reconnects on its own schedule). */
  const until = async (work: () => Promise<Answer>, status: number, attempts = 100): Promise<{ answer: Answer; ms: number }> => {
    const started = performance.now();
    let answer = await work();
    for (let i = 0; i < attempts && answer.status !== status; i++) {
      await new Promise((r) => setTimeout(r, 100));
      answer = await work();
    }
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    return { answer, ms: Math.round(performance.now() - started) };
  };

  before(async () => {
    // Synchronous commits, as in production: a COMMIT acknowledged before its WAL is written would be lost by kill -9.
    postgres = await startPostgres({ durableCommits: true });
    registerSecret(postgres.password);
    directUrl = (await createTestDatabase(postgres.url, 'platform')).url;
    proxy = await startFaultProxy({ host: '127.0.0.1', port: postgres.port });
    const encryptionKey = randomBytes(32).toString('hex');
    registerSecret(encryptionKey);
    Object.assign(env, {
      DATABASE_URL: throughProxy(directUrl, proxy),
      ENCRYPTION_KEY: encryptionKey,
      POSTGRES_CONNECT_TIMEOUT: '2000',
      POSTGRES_STATEMENT_TIMEOUT: '1000',
      RATE_LIMIT_PER_MINUTE: '100000',
    });
    const demo = await runServerCommand(['demo'], env);
    assert.equal(demo.code, 0, demo.stderr);
    token = String(demo.json().token);
    registerSecret(token);
    server = await startServerProcess('platform-db', env);
  });
  after(async () => {
    await server?.stop();
    await proxy?.close();
    await postgres?.destroy();
  });
  afterEach(() => {
    proxy.mode = 'pass';
  });

  it('a backend terminated during a write answers 503 platform_unavailable, and the process stays up', async () => {
    // SHARE mode blocks the INSERT of the request's transaction, not its reads: the write waits inside BEGIN … COMMIT.
    const holder = new pg.Client({ connectionString: directUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE platform.databases IN SHARE MODE');
    const pending = create(`terminated-${randomBytes(3).toString('hex')}`);
    let waiting: { pid: number }[] = [];
    for (let i = 0; i < 100 && waiting.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      waiting = await sql<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = 'ogelbase-platform' AND wait_event_type = 'Lock'");
    }
    assert.equal(waiting.length, 1, 'the request waits on the lock inside its transaction');
    const terminatedAt = performance.now();
    await holder.query('SELECT pg_terminate_backend($1)', [waiting[0]!.pid]);
    const answer = await pending;
    const endedWithinMs = Math.round(performance.now() - terminatedAt);
    await holder.query('ROLLBACK');
    await holder.end();

    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, 'platform_unavailable');
    assert.match(answer.body.error.message, /platform database is unreachable .*retry/);
    assert.equal(answer.headers.get('retry-after'), '5');
    await new Promise((r) => setTimeout(r, 500)); // the old code died here, on the connection's late 'error' event
    assert.ok(server.alive(), `the server process exited: ${server.log().slice(-800)}`);
    const after = await create(`after-terminate-${randomBytes(3).toString('hex')}`);
    assert.equal(after.status, 201);
    recordFault({
      finding: '1',
      scenario: 'pg_terminate_backend on the request’s backend while its INSERT waits on a lock inside the transaction',
      outcome: `503 ${answer.body.error.code} ("${answer.body.error.message}"); process alive; the next POST answered 201`,
      endedWithinMs,
    });
  });

  for (const how of ['restart', 'kill -9'] as const) {
    it(`the platform PostgreSQL ${how === 'restart' ? 'restarted' : 'killed with -9'} during a loop of writes: 503s and no 500, every 201 has its row, and service returns by itself`, async () => {
      const results: { name: string; status: number; code?: string; ms: number }[] = [];
      let running = true;
      let n = 0;
      const worker = async () => {
        while (running) {
          const name = `loop-${how === 'restart' ? 'r' : 'k'}-${n++}-${randomBytes(2).toString('hex')}`;
          const started = performance.now();
          const answer = await create(name);
          results.push({ name, status: answer.status, code: answer.body?.error?.code, ms: Math.round(performance.now() - started) });
          if (answer.status !== 201) await new Promise((r) => setTimeout(r, 50));
        }
      };
      const workers = Array.from({ length: 4 }, worker);
      await new Promise((r) => setTimeout(r, 1_000));

      if (how === 'restart') await postgres.stop();
      else {
        process.kill(postgres.pid!, 'SIGKILL');
        await postgres.stop(); // forgets the pid
      }
      // While it is down: the health route answers without it, status only, naming it.
      const anonymous = await until(() => call(server.url, '/api/platform/health'), 503);
      const withToken = await call<{ access: string; services: Record<string, { status: string }> }>(server.url, '/api/platform/health', { token });
      await new Promise((r) => setTimeout(r, 2_000));
      for (let attempt = 0; ; attempt++) {
        try {
          await postgres.start();
          break;
        } catch (error) {
          // After -9 the orphaned backends hold the shared memory a moment longer.
          if (attempt > 30) throw error;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      const back = await until(() => create(`back-${randomBytes(3).toString('hex')}`), 201);
      await new Promise((r) => setTimeout(r, 500));
      running = false;
      await Promise.all(workers);

      const statuses = [...new Set(results.map((r) => r.status))].sort();
      assert.deepEqual(statuses.filter((s) => s !== 201 && s !== 503), [], `only 201 and 503: ${JSON.stringify(results.filter((r) => r.status !== 201 && r.status !== 503).slice(0, 3))}`);
      const unavailable = results.filter((r) => r.status === 503);
      assert.ok(unavailable.length > 0, 'some writes met the outage');
      assert.ok(unavailable.every((r) => r.code === 'platform_unavailable'));
      assert.equal(anonymous.answer.body.access, 'status-only');
      assert.equal((anonymous.answer.body.services as Record<string, { status: string }>).postgres!.status, 'unhealthy');
      assert.equal(withToken.status, 503);
      assert.equal(withToken.body.access, 'status-only', 'the token cannot be checked without the platform database');
      assert.equal(withToken.body.services.postgres!.status, 'unhealthy');

      // Nothing half-written: every 201 has its row (and its audit entry); a row without a 201 can only be a 503 whose COMMIT's answer was lost.
      const rows = await sql<{ name: string; audited: boolean }>(
        `SELECT d.name, EXISTS (SELECT 1 FROM platform.audit_log a WHERE a.target_id = d.id::text AND a.action = 'database.create') AS audited
         FROM platform.databases d WHERE d.name LIKE $1`,
        [`loop-${how === 'restart' ? 'r' : 'k'}-%`],
      );
      const stored = new Map(rows.map((r) => [r.name, r.audited]));
      const created = results.filter((r) => r.status === 201);
      assert.deepEqual(created.filter((r) => !stored.has(r.name)).map((r) => r.name), [], 'a 201 without its row');
      assert.ok([...stored.values()].every(Boolean), 'a row without its audit entry');
      const answered = new Map(results.map((r) => [r.name, r.status]));
      const orphans = [...stored.keys()].filter((name) => answered.get(name) !== 201);
      assert.ok(orphans.every((name) => answered.get(name) === 503), `rows nobody was told about: ${orphans.join(', ')}`);
      assert.ok(server.alive());
      recordFault({
        finding: '2',
        scenario: `platform PostgreSQL ${how === 'restart' ? 'stopped (fast shutdown) for ~2 s and started again' : 'postmaster killed with SIGKILL, started again'} under 4 concurrent writers (${results.length} POSTs)`,
        outcome: `${created.length} × 201, ${unavailable.length} × 503 platform_unavailable, 0 × 500; health answered 503 status-only naming postgres without the database; ${orphans.length} row(s) whose COMMIT answer was lost (each answered 503); process alive`,
        endedWithinMs: Math.max(...unavailable.map((r) => r.ms)),
        recoveredWithinMs: back.ms,
      });
    });
  }

  it('a platform database that accepts connections and never answers: 503 within the connect and statement time limits, then recovery', async () => {
    // New connections into a black hole: POSTGRES_CONNECT_TIMEOUT (2 s).
    proxy.mode = 'blackhole';
    proxy.cutAll();
    await new Promise((r) => setTimeout(r, 300)); // the pool drops its reset idle connections
    const fresh = await timedCall(() => call<ErrorBody>(server.url, '/api/platform/organizations', { token }));
    assert.equal(fresh.answer.status, 503, JSON.stringify(fresh.answer.body));
    assert.match(fresh.answer.body.error.message, /no answer to the connection attempt in time/);
    const liveness = await call(server.url, '/health');
    assert.equal(liveness.status, 200, 'the process itself answers');
    const health = await call<{ services: Record<string, { status: string }> }>(server.url, '/api/platform/health');
    assert.equal(health.status, 503);
    assert.equal(health.body.services.postgres!.status, 'unhealthy');

    proxy.mode = 'pass';
    const recovered = await until(() => call(server.url, '/api/platform/organizations', { token }), 200);

    // An open connection that goes silent mid-query: the statement's limit (1 s) plus the client's grace (5 s).
    proxy.mode = 'blackhole';
    const silent = await timedCall(() => call<ErrorBody>(server.url, '/api/platform/organizations', { token }));
    assert.equal(silent.answer.status, 503, JSON.stringify(silent.answer.body));
    assert.match(silent.answer.body.error.message, /no answer to a query in time|connection attempt in time/);
    proxy.mode = 'pass';
    proxy.cutAll();
    await until(() => call(server.url, '/api/platform/organizations', { token }), 200);
    assert.ok(server.alive());
    recordFault({
      finding: '2',
      scenario: 'platform database black-holed (a proxy accepts and swallows every byte): new connections, then an open one mid-query',
      outcome: `503 platform_unavailable ("${fresh.answer.body.error.message.split(';')[0]}"; then "${silent.answer.body.error.message.split(';')[0]}"); /health stayed 200; recovered without a restart`,
      endedWithinMs: Math.max(fresh.ms, silent.ms),
      recoveredWithinMs: recovered.ms,
    });
  });
});

async function timedCall<T>(work: () => Promise<Answer<T>>): Promise<{ answer: Answer<T>; ms: number }> {
  const started = performance.now();
  const answer = await work();
  return { answer, ms: Math.round(performance.now() - started) };
}
