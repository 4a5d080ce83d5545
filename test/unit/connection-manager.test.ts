import assert from 'node:assert/strict';
import type { EngineType } from '../../src/core/api/types';
import { ConnectionManager, type EngineFactory, type ManagedDatabase } from '../../src/core/engines/connection-manager';
import { EngineError } from '../../src/core/engines/errors';
import { defaultEngineSettings, type EngineSettings } from '../../src/core/engines/settings';

/** Factories that open fake engines and record what they opened and closed. */
function fakes(options: { fail?: () => boolean } = {}) {
  const opened: string[] = [];
  const closed: string[] = [];
  const factory: EngineFactory = async (db, capacity) => {
    if (options.fail?.()) throw new EngineError('unreachable', `${db.name} refused the connection`);
    opened.push(`${db.id}@${capacity}`);
    return {
      engine: { id: db.id, connectionString: db.connectionString },
      capacity,
      figures: () => ({ active: 1, idle: capacity - 1, waiting: 0 }),
      close: async () => {
        closed.push(db.id);
      },
    };
  };
  const factories = { postgres: factory, redis: factory, mongodb: factory } as Record<EngineType, EngineFactory>;
  return { opened, closed, factories };
}

const db = (id: string, type: EngineType = 'postgres', connectionString = `postgresql://u@h/${id}`): ManagedDatabase => ({ id, name: `db-${id}`, type, connectionString, readOnly: false });

describe('ConnectionManager', () => {
  let now = 0;
  let managers: ConnectionManager[] = [];
  const make = (settings: Partial<EngineSettings>, f = fakes()) => {
    const manager = new ConnectionManager({ ...defaultEngineSettings, ...settings }, f.factories, () => now);
    managers.push(manager);
    return { manager, ...f };
  };
  beforeEach(() => {
    now = 1_000;
  });
  afterEach(async () => {
    await Promise.all(managers.map((m) => m.closeAll()));
    managers = [];
  });

  it('opens one engine per database and shares it between calls', async () => {
    const { manager, opened } = make({});
    const seen = await Promise.all([1, 2, 3].map(() => manager.use(db('a'), async (engine) => engine)));
    assert.equal(opened.length, 1);
    assert.ok(seen.every((e) => e === seen[0]));
  });

  it('reopens a database whose connection string changed, closing the old engine', async () => {
    const { manager, opened, closed } = make({});
    await manager.use(db('a'), async () => undefined);
    const engine = (await manager.use(db('a', 'postgres', 'postgresql://u@other/a'), async (e) => e)) as { connectionString: string };
    assert.equal(engine.connectionString, 'postgresql://u@other/a');
    assert.equal(opened.length, 2);
    assert.deepEqual(closed, ['a']);
  });

  it('stays within the per-engine cap by closing the least recently used idle database', async () => {
    const { manager, closed } = make({ postgresMaxConnections: 10 });
    await manager.use(db('a'), async () => undefined); // 5 connections
    now += 10;
    await manager.use(db('b'), async () => undefined); // 10: the cap
    now += 10;
    await manager.use(db('a'), async () => undefined); // a is now the most recent
    await manager.use(db('c'), async () => undefined); // needs room: b goes
    assert.deepEqual(closed, ['b']);
  });

  it('refuses with a limit error when every database is busy', async () => {
    const { manager } = make({ postgresMaxConnections: 5 });
    let release!: () => void;
    const busy = manager.use(db('a'), () => new Promise<void>((r) => (release = r)));
    await new Promise((r) => setImmediate(r));
    await assert.rejects(manager.use(db('b'), async () => undefined), (e: EngineError) => e.code === 'limit' && /connection limit reached/.test(e.message));
    release();
    await busy;
  });

  it('keeps MAX_TOTAL_CONNECTIONS across engines', async () => {
    const { manager, closed } = make({ maxTotalConnections: 6, mongoMaxPoolSize: 5 });
    await manager.use(db('p'), async () => undefined); // postgres: 5
    await manager.use(db('r', 'redis', 'redis://h'), async () => undefined); // redis: 1 -> 6
    await manager.use(db('m', 'mongodb', 'mongodb://h'), async () => undefined); // mongodb: 5 -> must close p
    assert.deepEqual(closed, ['p']);
  });

  it('closes databases idle for idleTimeoutMs', async () => {
    const { manager, closed } = make({ idleTimeoutMs: 30_000 });
    await manager.use(db('a'), async () => undefined);
    now += 10_000;
    await manager.use(db('b'), async () => undefined);
    now += 25_000;
    await manager.closeIdle();
    assert.deepEqual(closed, ['a']);
  });

  it('sums figures per engine and reports each circuit', async () => {
    const { manager } = make({});
    await manager.use(db('a'), async () => undefined);
    await manager.use(db('r', 'redis', 'redis://h'), async () => undefined);
    const figures = manager.figures();
    assert.deepEqual(figures.postgres, { active: 1, idle: 4, waiting: 0 });
    assert.deepEqual(figures.redis, { active: 1, idle: 0, waiting: 0 });
    assert.deepEqual(figures.mongodb, { active: 0, idle: 0, waiting: 0 });
    assert.deepEqual(manager.circuits().map((c) => c.name).sort(), ['db-a', 'db-r']);
  });

  it("opens a database's circuit after five failed connection attempts and names it", async () => {
    let failing = true;
    const { manager } = make({ breakerThreshold: 5, breakerResetMs: 60_000 }, fakes({ fail: () => failing }));
    for (let i = 0; i < 5; i++) await assert.rejects(manager.use(db('a'), async () => undefined), /refused/);
    await assert.rejects(manager.use(db('a'), async () => undefined), { message: 'circuit open for db-a, retry in 60 s' });
    failing = false;
    now += 60_000;
    assert.equal(await manager.use(db('a'), async () => 'back'), 'back');
    assert.equal(manager.circuits()[0]!.state, 'closed');
  });
});
