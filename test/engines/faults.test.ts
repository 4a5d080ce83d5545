import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { ConnectionManager, type ManagedDatabase } from '../../src/core/engines/connection-manager';
import { EngineError } from '../../src/core/engines/errors';
import { openHandle as openMongo } from '../../src/core/engines/mongodb';
import { openHandle as openPostgres, type PostgresEngine } from '../../src/core/engines/postgres';
import { openHandle as openRedis, type RedisEngine } from '../../src/core/engines/redis';
import { defaultEngineSettings, type EngineSettings } from '../../src/core/engines/settings';
import { startPostgres, type PostgresService } from '../support/services/postgres';
import { startRedis, type RedisService } from '../support/services/redis';
import { registerSecret } from '../support/secrets';

const settings: EngineSettings = { ...defaultEngineSettings, redisCommandTimeoutMs: 1500, redisConnectTimeoutMs: 1500, postgresConnectTimeoutMs: 1500, breakerThreshold: 5, breakerResetMs: 1000 };
const isEngineError = (code: EngineError['code'] | EngineError['code'][]) => (error: unknown) => {
  assert.ok(error instanceof EngineError, `expected an EngineError, got ${String(error)}`);
  assert.ok([code].flat().includes(error.code), `expected ${String(code)}, got ${error.code}: ${error.message}`);
  return true;
};

/** Retries `work` until it succeeds (the breaker's reset timeout and the driver's reconnect take a moment). */
async function eventually<T>(work: () => Promise<T>, attempts = 40): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

describe('faults: a database that stops, hangs and comes back', function () {
  this.timeout(120_000);
  let manager: ConnectionManager;

  beforeEach(() => {
    manager = new ConnectionManager(settings, { postgres: openPostgres, redis: openRedis, mongodb: openMongo });
  });
  afterEach(() => manager.closeAll());

  describe('Redis', () => {
    let redis: RedisService;
    let db: ManagedDatabase;
    before(async () => {
      redis = await startRedis();
      registerSecret(redis.password);
      db = { id: 'r1', name: 'redis-cache', type: 'redis', connectionString: redis.url, readOnly: false };
    });
    after(() => redis.destroy());

    const scan = () => manager.use(db, (engine) => (engine as RedisEngine).scanKeys({ limit: 10 }));

    it('a hung server gives a timeout error within the command timeout, naming Redis', async () => {
      await scan();
      const admin = new Redis(redis.url);
      await admin.call('CLIENT', 'PAUSE', '4000', 'ALL');
      admin.disconnect();
      await assert.rejects(scan(), (error: unknown) => isEngineError('timeout')(error) && /Redis/.test((error as Error).message));
      await eventually(scan);
    });

    it('a server stopped mid-operation fails the operation clearly, opens the circuit after five failures, and recovers', async () => {
      await scan();
      const admin = new Redis(redis.url);
      await admin.call('CLIENT', 'PAUSE', '5000', 'WRITE');
      admin.disconnect();
      // A write blocked by the pause is in flight when the server goes away.
      const inFlight = manager.use(db, (engine) => (engine as RedisEngine).setString({ key: 'fault:k', value: 'v' }));
      inFlight.catch(() => undefined); // asserted below, once the server is gone
      await new Promise((r) => setTimeout(r, 200));
      await redis.stop();
      await assert.rejects(inFlight, isEngineError(['unreachable', 'timeout']));

      let failures = 1;
      while (failures < 5) {
        await assert.rejects(scan(), isEngineError(['unreachable', 'timeout']));
        failures++;
      }
      await assert.rejects(scan(), (error: EngineError) => error.code === 'circuit_open' && /^circuit open for redis-cache, retry in \d+ s$/.test(error.message));
      assert.equal(manager.circuits()[0]!.state, 'open');

      await redis.start();
      await eventually(scan);
      assert.equal(manager.circuits()[0]!.state, 'closed');
    });
  });

  describe('PostgreSQL', () => {
    let postgres: PostgresService;
    let db: ManagedDatabase;
    before(async () => {
      postgres = await startPostgres();
      registerSecret(postgres.password);
      db = { id: 'p1', name: 'orders-db', type: 'postgres', connectionString: postgres.url, readOnly: false };
    });
    after(() => postgres.destroy());

    const schemas = () => manager.use(db, (engine) => (engine as PostgresEngine).listSchemas());

    it('a server stopped during a running statement fails it clearly, opens the circuit, and recovers', async () => {
      await schemas();
      const running = manager.use(db, (engine) => (engine as PostgresEngine).query({ sql: 'SELECT pg_sleep(20)', timeoutMs: 60_000 }));
      running.catch(() => undefined); // asserted below, once the server is gone
      await new Promise((r) => setTimeout(r, 500));
      await postgres.stop();
      await assert.rejects(running, (error: unknown) => error instanceof EngineError && /PostgreSQL/.test(error.message));

      for (let i = 0; i < 5; i++) await assert.rejects(schemas(), isEngineError(['unreachable', 'timeout', 'circuit_open']));
      await assert.rejects(schemas(), (error: EngineError) => error.code === 'circuit_open' && error.message.startsWith('circuit open for orders-db'));

      await postgres.start();
      const back = await eventually(schemas);
      assert.ok(back.schemas.some((s) => s.name === 'public'));
      assert.equal(manager.circuits()[0]!.state, 'closed');
    });
  });
});
