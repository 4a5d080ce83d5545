/**
 * The managed databases under faults, through the platform's engine routes of a real server
 * process: Redis restarted while keys are browsed, a MongoDB connection dropped in the middle of a
 * cursor, and a database of each engine that accepts connections and never answers. Each request
 * must end within its time limit with an error naming the database engine and the cause, and each
 * database's circuit breaker must open after five failures and close again once it answers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { recordFault } from '../support/faults/record';
import { call, runServerCommand, startServerProcess, type Answer, type ServerProcess } from '../support/faults/server-process';
import { startFaultProxy, throughProxy, type FaultProxy } from '../support/services/fault-proxy';
import { createTestDatabase } from '../support/services/postgres';
import { startRedis, type RedisService } from '../support/services/redis';
import { registerSecret } from '../support/secrets';

type ErrorBody = { error: { code: string; message: string } };
type Circuit = { name: string; state: string; failures: number };

const RESET_MS = 1500;

describe('faults: managed databases that restart, drop and go silent (through the platform)', function () {
  this.timeout(240_000);
  let server: ServerProcess;
  let token: string;
  const proxies: FaultProxy[] = [];

  const register = async (name: string, type: string, connectionString: string) => {
    const created = await call<{ id: string }>(server.url, '/api/platform/databases', { token, json: { projectRef: 'demo-project', name, type, connectionString } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body.id;
  };
  const operation = <T = ErrorBody>(id: string, engine: string, name: string, params: unknown) =>
    timed(() => call<T & ErrorBody>(server.url, `/api/platform/databases/${id}/${engine}/${name}`, { token, json: params }));
  const circuit = async (name: string): Promise<Circuit | undefined> =>
    (await call<{ circuits: Circuit[] }>(server.url, '/api/platform/metrics', { token })).body.circuits.find((c) => c.name === name);
  /** Calls until the answer is `status` (a reconnect or the breaker's reset timeout takes a moment). */
  const until = async (work: () => Promise<{ answer: Answer; ms: number }>, status: number, attempts = 60) => {
    const started = performance.now();
    let result = await work();
    for (let i = 0; i < attempts && result.answer.status !== status; i++) {
      await new Promise((r) => setTimeout(r, 250));
      result = await work();
    }
    assert.equal(result.answer.status, status, JSON.stringify(result.answer.body));
    return { ...result, ms: Math.round(performance.now() - started) };
  };
  /** Fails `work` until the circuit opens; returns the failures (each must name `engine`) and the open-circuit answer. */
  const failUntilOpen = async (name: string, label: RegExp, work: () => Promise<{ answer: Answer<ErrorBody>; ms: number }>) => {
    const failures: { status: number; code: string; message: string; ms: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const { answer, ms } = await work();
      if (answer.body.error?.code === 'circuit_open') {
        assert.match(answer.body.error.message, new RegExp(`^circuit open for ${name}, retry in \\d+ s$`));
        assert.ok(Number(answer.headers.get('retry-after')) >= 1);
        assert.equal((await circuit(name))?.state, 'open');
        return { failures, open: answer };
      }
      assert.ok([502, 504].includes(answer.status), `${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      assert.match(answer.body.error.message, label, 'the error names the engine');
      failures.push({ status: answer.status, code: answer.body.error.code, message: answer.body.error.message, ms });
    }
    throw new Error(`the circuit of ${name} did not open after ${failures.length} failures`);
  };

  before(async () => {
    const encryptionKey = randomBytes(32).toString('hex');
    registerSecret(encryptionKey);
    const env = {
      DATABASE_URL: (await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'platform')).url,
      ENCRYPTION_KEY: encryptionKey,
      RATE_LIMIT_PER_MINUTE: '100000',
      CIRCUIT_BREAKER_RESET_TIMEOUT: String(RESET_MS),
      REDIS_CONNECT_TIMEOUT: '1500',
      REDIS_COMMAND_TIMEOUT: '1500',
      POSTGRES_CONNECT_TIMEOUT: '1500',
      POSTGRES_STATEMENT_TIMEOUT: '1500',
      MONGODB_CONNECT_TIMEOUT: '1500',
      MONGODB_SOCKET_TIMEOUT: '3000',
    };
    const demo = await runServerCommand(['demo'], env);
    assert.equal(demo.code, 0, demo.stderr);
    token = String(demo.json().token);
    registerSecret(token);
    server = await startServerProcess('engine-faults', env);
  });
  after(async () => {
    await server?.stop();
    await Promise.all(proxies.map((p) => p.close()));
  });

  describe('Redis restarted while keys are browsed', () => {
    let redis: RedisService;
    before(async () => {
      redis = await startRedis();
      registerSecret(redis.password);
    });
    after(() => redis.destroy());

    it('the request in flight and the next ones fail naming Redis, the circuit opens, and both recover when Redis is back', async () => {
      const seed = new Redis(redis.url);
      await seed.mset('browse:1', 'a', 'browse:2', 'b');
      const id = await register('browse-redis', 'redis', redis.url);
      assert.equal((await operation(id, 'redis', 'scanKeys', { match: 'browse:*', limit: 100 })).answer.status, 200);

      // A SCAN held by CLIENT PAUSE is in flight when the server stops.
      await seed.call('CLIENT', 'PAUSE', '3000', 'ALL');
      seed.disconnect();
      const inFlight = operation(id, 'redis', 'scanKeys', { match: 'browse:*', limit: 100 });
      await new Promise((r) => setTimeout(r, 300));
      await redis.stop();
      const stoppedAt = performance.now();
      const cut = await inFlight;
      assert.ok([502, 504].includes(cut.answer.status), JSON.stringify(cut.answer.body));
      assert.match(cut.answer.body.error.message, /^Redis/);

      const { failures, open } = await failUntilOpen('browse-redis', /^Redis/, () => operation(id, 'redis', 'scanKeys', { match: 'browse:*', limit: 100 }));
      const endedWithinMs = Math.round(performance.now() - stoppedAt);
      await redis.start();
      const back = await until(() => operation(id, 'redis', 'scanKeys', { match: 'browse:*', limit: 100 }), 200);
      assert.equal((await circuit('browse-redis'))?.state, 'closed');
      recordFault({
        finding: 'engines',
        scenario: 'Redis stopped while a SCAN is in flight (held by CLIENT PAUSE), then started again',
        outcome: `in flight: ${cut.answer.status} "${cut.answer.body.error.message}"; then ${failures.length + 1} × ${[...new Set(failures.map((f) => f.status))].join('/')} ("${failures.at(-1)?.message}") until 503 "${open.body.error.message}"; 200 and circuit closed once Redis was back`,
        endedWithinMs,
        recoveredWithinMs: back.ms,
      });
    });
  });

  it('a MongoDB connection dropped mid-cursor fails that request naming MongoDB, and the next one succeeds', async () => {
    const mongoUrl = process.env.OGELBASE_TEST_MONGODB_URL!;
    const database = `cursor_${randomBytes(3).toString('hex')}`;
    const seed = new MongoClient(mongoUrl);
    await seed.db(database).collection('events').insertMany(Array.from({ length: 2500 }, (_, i) => ({ i, kind: i % 3 ? 'view' : 'buy', at: new Date(1_700_000_000_000 + i) })));
    await seed.close();
    const proxy = await startFaultProxy(hostPort(mongoUrl));
    proxies.push(proxy);
    const id = await register('cursor-mongo', 'mongodb', `${throughProxy(mongoUrl, proxy).replace(/\/?$/, '/')}${database}?directConnection=true`);
    assert.equal((await operation(id, 'mongodb', 'listCollections', { db: database })).answer.status, 200);

    // $sample of 2,500 in batches of 1,000: the connection is cut when the driver asks for the next batch.
    const cut = proxy.cutWhen('getMore');
    const dropped = await operation(id, 'mongodb', 'sampleSchema', { db: database, collection: 'events', size: 2500 });
    await cut;
    assert.equal(dropped.answer.status, 502, JSON.stringify(dropped.answer.body));
    assert.match(dropped.answer.body.error.message, /^MongoDB.*(closed|connection)/i);
    const back = await until(() => operation(id, 'mongodb', 'sampleSchema', { db: database, collection: 'events', size: 2500 }), 200);
    assert.equal((back.answer.body as unknown as { sampled: number }).sampled, 2500);
    recordFault({
      finding: 'engines',
      scenario: 'MongoDB connection reset when the driver sends getMore (a $sample of 2,500 read in batches of 1,000)',
      outcome: `${dropped.answer.status} ${dropped.answer.body.error.code}: "${dropped.answer.body.error.message}"; the next request read all 2,500`,
      endedWithinMs: dropped.ms,
      recoveredWithinMs: back.ms,
    });
  });

  it('a database of each engine that accepts connections and never answers: each request ends within its time limit naming the engine; the circuit opens, then closes once it answers', async () => {
    const targets = {
      postgres: { url: `${(await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'silent')).url}`, op: 'listSchemas', params: {}, label: /^PostgreSQL/ },
      redis: { url: process.env.OGELBASE_TEST_REDIS_URL!, op: 'scanKeys', params: { limit: 10 }, label: /^Redis/ },
      mongodb: { url: `${process.env.OGELBASE_TEST_MONGODB_URL!.replace(/\/?$/, '/')}admin?directConnection=true`, op: 'listDatabases', params: {}, label: /^MongoDB/ },
    };
    const outcomes = await Promise.all(
      Object.entries(targets).map(async ([engine, target]) => {
        const proxy = await startFaultProxy(hostPort(target.url));
        proxies.push(proxy);
        proxy.mode = 'blackhole';
        const name = `silent-${engine}`;
        const id = await register(name, engine, throughProxy(target.url, proxy));
        const run = () => operation(id, engine, target.op, target.params);
        // New connections into silence: the connect time limits (1.5 s here).
        const fresh = await failUntilOpen(name, target.label, run);
        proxy.mode = 'pass';
        const closed = await until(run, 200);
        assert.equal((await circuit(name))?.state, 'closed');
        // An open connection that goes silent: the command, socket or statement limit, plus the client's grace for PostgreSQL.
        proxy.mode = 'blackhole';
        const silent = await run();
        assert.ok([502, 504].includes(silent.answer.status), `${engine}: ${JSON.stringify(silent.answer.body)}`);
        assert.match(silent.answer.body.error.message, target.label);
        proxy.mode = 'pass';
        proxy.cutAll();
        await until(run, 200);
        return { engine, fresh, closed, silent };
      }),
    );
    for (const { engine, fresh, closed, silent } of outcomes) {
      recordFault({
        finding: 'engines',
        scenario: `${engine}: a server that accepts connections and swallows every byte (new connections, then an open one)`,
        outcome: `${fresh.failures.length} × ${[...new Set(fresh.failures.map((f) => `${f.status} ${f.code}`))].join('/')} ("${fresh.failures[0]?.message}") then 503 circuit_open; closed after the reset once it answered; an open connection gone silent: ${silent.answer.status} "${silent.answer.body.error.message}"`,
        endedWithinMs: Math.max(...fresh.failures.map((f) => f.ms), silent.ms),
        recoveredWithinMs: closed.ms,
      });
    }
  });
});

function hostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
}

async function timed<T>(work: () => Promise<T>): Promise<{ answer: T; ms: number }> {
  const started = performance.now();
  const answer = await work();
  return { answer, ms: Math.round(performance.now() - started) };
}
