/**
 * MongoEngine on 200,000 documents: pages without reading the collection, exact counts that can be
 * cancelled or run out of time. Against OGELBASE_TEST_MONGODB_URL (see mongodb-fixture.test.ts).
 * No wall-clock assertions: what is checked is what was asked of the server and what came back.
 */
import assert from 'node:assert/strict';
import type { CommandStartedEvent, Document } from 'mongodb';
import { openMongoFixture, rejectsWith, type MongoFixture } from '../support/engines/mongodb-fixture';

const SIZE = 200_000;
/** A filter no index can answer: every count has to scan the whole collection. */
const SLOW_FILTER = '{"s": {"$regex": "never-there"}}';

describe('MongoDB engine: a 200,000-document collection', function () {
  this.timeout(300_000);
  let f: MongoFixture;
  const ns = () => ({ db: f.dbName, collection: 'big' });

  before(async function () {
    f = await openMongoFixture('large');
    for (let start = 0; start < SIZE; start += 10_000) {
      await f.db.collection('big').insertMany(Array.from({ length: 10_000 }, (_, i) => ({ i: start + i, s: `document ${start + i}` })));
    }
  });

  after(async () => f?.close());

  it('shows the first page and the total without reading the collection', async function () {
    const before = f.started.length;
    const page = await f.engine.findPage({ ...ns(), limit: 20 });
    assert.deepEqual(page.documents.map((d) => d.i), Array.from({ length: 20 }, (_, i) => i));
    assert.equal(page.hasMore, true);
    assert.equal(page.estimatedCount, SIZE);
    const commands = f.started.slice(before);
    assert.deepEqual(commands.map((c) => c.commandName).sort(), ['count', 'find'], 'one find and one metadata count, nothing else');
    const count = commands.find((c) => c.commandName === 'count')!;
    assert.equal(count.command.query, undefined, 'the count has no query: it is answered from metadata');
    const find = commands.find((c) => c.commandName === 'find')!;
    const reply = f.succeeded.find((e) => e.requestId === find.requestId)?.reply as Document;
    assert.equal(reply.cursor.firstBatch.length, 21, 'the page and one more, not a batch of 101 or the collection');
    assert.equal(String(reply.cursor.id), '0');
  });

  it('jumps to a far page and to the last one', async function () {
    const far = await f.engine.findPage({ ...ns(), skip: 150_000, limit: 20, projection: '{"_id": 0, "i": 1}' });
    assert.deepEqual(far.documents, Array.from({ length: 20 }, (_, i) => ({ i: 150_000 + i })));
    const last = await f.engine.findPage({ ...ns(), skip: SIZE - 5, limit: 20 });
    assert.equal(last.documents.length, 5);
    assert.equal(last.hasMore, false);
  });

  it('counts exactly in the background', async function () {
    assert.deepEqual(await f.engine.countDocuments({ ...ns(), filter: '{"i": {"$gte": 150000}}' }), { count: 50_000 });
  });

  it('cancels a running count: it rejects with cancelled, and the server is not left working', async function () {
    const controller = new AbortController();
    let sent: CommandStartedEvent | undefined;
    const onStart = (e: CommandStartedEvent) => {
      if (e.commandName !== 'aggregate' || !String(e.command.comment).startsWith('ogelbase:count:')) return;
      sent = e;
      // Once the command is on its way: the server is scanning when the abort arrives.
      setImmediate(() => controller.abort());
    };
    f.client.on('commandStarted', onStart);
    try {
      await rejectsWith(f.engine.countDocuments({ ...ns(), filter: SLOW_FILTER }, { signal: controller.signal }), 'cancelled', /cancelled/);
    } finally {
      f.client.off('commandStarted', onStart);
    }
    assert.ok(sent, 'the count was sent to the server before it was cancelled');
    const comment = String(sent.command.comment);
    // The engine found the operation by its comment and killed it on the server (the driver alone
    // would only have closed its socket, leaving the server scanning until maxTimeMS).
    const running = async () => {
      const { inprog } = await f.client.db('admin').command({ currentOp: 1, $ownOps: true, 'command.comment': comment });
      return (inprog as unknown[]).length;
    };
    let left = await running();
    for (let i = 0; i < 100 && left; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      left = await running();
    }
    assert.equal(left, 0, 'the cancelled count is no longer running on the server');
    const killed = f.started.filter((e) => e.commandName === 'killOp');
    assert.ok(killed.length >= 1, 'killOp was sent for it');
    // The engine is still usable afterwards (the driver replaced the connection it closed).
    assert.deepEqual(await f.engine.countDocuments({ ...ns(), filter: '{"i": {"$lt": 10}}' }), { count: 10 });
  });

  it('refuses to start when the caller already gave up, sending nothing', async function () {
    const before = f.started.length;
    await rejectsWith(f.engine.countDocuments({ ...ns(), filter: SLOW_FILTER }, { signal: AbortSignal.abort() }), 'cancelled');
    await rejectsWith(f.engine.findPage(ns(), { signal: AbortSignal.abort() }), 'cancelled');
    assert.equal(f.started.length, before);
  });

  it('stops a count that runs past its time limit', async function () {
    await rejectsWith(f.engine.countDocuments({ ...ns(), filter: SLOW_FILTER, maxTimeMS: 1 }), 'timeout', /time limit/);
  });

  it('samples the schema and the statistics of the whole collection', async function () {
    const schema = await f.engine.sampleSchema({ ...ns(), size: 1000 });
    assert.equal(schema.sampled, 1000);
    assert.deepEqual(schema.fields.map((x) => [x.path, x.share]), [['_id', 1], ['i', 1], ['s', 1]]);
    const stats = await f.engine.collectionStats(ns());
    assert.equal(stats.count, SIZE);
  });
});
