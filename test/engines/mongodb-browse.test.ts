/**
 * MongoEngine: server, databases, collections (with views and time-series) and statistics, against
 * OGELBASE_TEST_MONGODB_URL (the wire test server, or a real MongoDB; see mongodb-fixture.test.ts).
 */
import assert from 'node:assert/strict';
import { EngineError } from '../../src/core/engines/errors';
import { MongoEngine } from '../../src/core/engines/mongodb';
import { defaultEngineSettings } from '../../src/core/engines/settings';
import { openMongoFixture, rejectsWith, type MongoFixture } from '../support/engines/mongodb-fixture';

describe('MongoDB engine: browsing', function () {
  let f: MongoFixture;

  before(async function () {
    f = await openMongoFixture('browse');
    await f.db.collection('people').insertMany(Array.from({ length: 30 }, (_, i) => ({ name: `p${i}`, age: 20 + (i % 10) })));
    await f.db.createCollection('adults', { viewOn: 'people', pipeline: [{ $match: { age: { $gte: 25 } } }] });
    await f.db.createCollection('weather', { timeseries: { timeField: 'ts', metaField: 'sensor', granularity: 'minutes' } });
    await f.db.collection('weather').insertOne({ ts: new Date(), sensor: 's1', temp: 21.5 });
    await f.db.createCollection('log', { capped: true, size: 1024 * 1024 });
  });

  after(async () => f?.close());

  it('reports the server version, topology and wire version', async function () {
    const info = await f.engine.serverInfo();
    assert.match(info.version, /^\d+\.\d+/);
    assert.ok(['standalone', 'replicaSet', 'sharded'].includes(info.topology));
    assert.ok(info.maxWireVersion >= 8, `maxWireVersion ${info.maxWireVersion}`);
    assert.equal(info.topology === 'replicaSet', typeof info.setName === 'string');
  });

  it('lists databases with their size, sorted by name', async function () {
    const databases = await f.engine.listDatabases();
    const mine = databases.find((d) => d.name === f.dbName);
    assert.ok(mine, 'the test database is listed');
    assert.equal(typeof mine.sizeOnDisk, 'number');
    assert.equal(mine.empty, false);
    assert.deepEqual(databases.map((d) => d.name), databases.map((d) => d.name).sort());
  });

  it('lists collections, views and time-series collections with their types and options', async function () {
    const { collections, truncated } = await f.engine.listCollections({ db: f.dbName });
    assert.equal(truncated, false);
    const byName = new Map(collections.map((c) => [c.name, c]));
    assert.deepEqual(collections.map((c) => c.name), ['adults', 'log', 'people', 'weather'], 'sorted, without system.buckets.* or system.views');
    assert.deepEqual(byName.get('people'), { name: 'people', type: 'collection', estimatedCount: 30 });
    assert.deepEqual(byName.get('adults'), { name: 'adults', type: 'view', viewOn: 'people', pipeline: [{ $match: { age: { $gte: 25 } } }] });
    const weather = byName.get('weather');
    assert.equal(weather?.type, 'timeseries');
    assert.equal(weather?.timeseries?.timeField, 'ts');
    assert.equal(weather?.timeseries?.metaField, 'sensor');
    assert.equal(weather?.estimatedCount, undefined, 'only plain collections are counted');
    assert.equal(byName.get('log')?.capped, true);
  });

  it('bounds the collection list', async function () {
    const { collections, truncated } = await f.engine.listCollections({ db: f.dbName, limit: 2 });
    assert.equal(collections.length, 2);
    assert.equal(truncated, true);
  });

  it('reports collection statistics', async function () {
    await f.db.collection('people').createIndex({ name: 1 });
    const stats = await f.engine.collectionStats({ db: f.dbName, collection: 'people' });
    assert.equal(stats.count, 30);
    assert.equal(stats.nindexes, 2);
    assert.ok(stats.size! > 0 && stats.avgObjSize! > 0 && stats.storageSize! > 0 && stats.totalIndexSize! > 0, JSON.stringify(stats));
    assert.deepEqual(Object.keys(stats.indexSizes ?? {}).sort(), ['_id_', 'name_1']);
    assert.equal(stats.capped, false);
  });

  it('says a view has no statistics and a missing collection is missing', async function () {
    await rejectsWith(f.engine.collectionStats({ db: f.dbName, collection: 'adults' }), 'invalid_input', /adults is a view/);
    await rejectsWith(f.engine.collectionStats({ db: f.dbName, collection: 'nope' }), 'not_found', /does not exist/);
  });

  it('lets a read-only engine browse', async function () {
    assert.ok((await f.readOnly.listCollections({ db: f.dbName })).collections.length > 0);
    assert.equal((await f.readOnly.collectionStats({ db: f.dbName, collection: 'people' })).count, 30);
  });

  it('fails to connect in words, never showing the password', async function () {
    const settings = { ...defaultEngineSettings, mongoConnectTimeoutMs: 1_000 };
    for (const url of ['mongodb://app:Sup3rSecretPw@127.0.0.1:1/?directConnection=true', 'mongodb://app:Sup3rSecretPw@127.0.0.1:1/?notAnOption=%ZZ']) {
      try {
        const engine = await MongoEngine.connect(url, settings);
        await engine.close();
        assert.fail(`connected to ${url.replace('Sup3rSecretPw', '****')}`);
      } catch (error) {
        assert.ok(error instanceof EngineError, String(error));
        assert.ok(['unreachable', 'timeout', 'invalid_input'].includes(error.code), `${error.code}: ${error.message}`);
        assert.ok(!error.message.includes('Sup3rSecretPw'), error.message);
      }
    }
  });
});
