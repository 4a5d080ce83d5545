/**
 * What the key browser added to the Redis engine, against the harness's real servers (standalone
 * and the 3-master Cluster): sorted-set ranges by score with ranks, edits checked with WATCH that
 * refuse a stale overwrite (strings by SHA-1, hash fields, list elements, set members, scores), the
 * Cluster master and slot of a key, and malformed globs refused by the operation table's schema.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { redisOperations } from '../../src/core/engines/redis/operations';
import type { RedisEngine } from '../../src/core/engines/redis';
import { connectTestEngine, rejectsWith, removeKeysUnder } from '../support/engines/redis-fixture';

const env = process.env;
const run = randomBytes(4).toString('hex');

for (const topology of ['standalone', 'cluster'] as const) {
  describe(`Redis engine for the key browser (${topology})`, function () {
    let engine: RedisEngine;
    const p = `ogtest:kb:${run}:{${topology}}:`; // one hash tag: every key of a suite in one slot

    before(async function () {
      if (topology === 'standalone' && !env.OGELBASE_TEST_REDIS_URL) this.skip();
      if (topology === 'cluster' && !env.OGELBASE_TEST_REDIS_CLUSTER_NODES) this.skip();
      engine = await connectTestEngine(
        topology === 'standalone' ? env.OGELBASE_TEST_REDIS_URL! : `redis+cluster://:${encodeURIComponent(env.OGELBASE_TEST_REDIS_CLUSTER_PASSWORD ?? '')}@${env.OGELBASE_TEST_REDIS_CLUSTER_NODES}`,
      );
      await engine.zsetAdd({ key: `${p}z`, members: Array.from({ length: 50 }, (_, i) => ({ member: `m${String(i).padStart(2, '0')}`, score: i * 10 })) });
    });
    after(async () => {
      if (engine) await removeKeysUnder(engine, p);
      await engine?.close();
    });

    it('reads a sorted set by score, inclusive and exclusive, both orders, with ranks and the count in range', async () => {
      const asc = await engine.readZsetByScore({ key: `${p}z`, min: '100', max: '(200', count: 3 });
      assert.deepEqual(asc.members.map((m) => [m.rank, m.member.value, m.score]), [[10, 'm10', 100], [11, 'm11', 110], [12, 'm12', 120]]);
      assert.equal(asc.inRange, 10);
      assert.equal(asc.length, 50);
      const next = await engine.readZsetByScore({ key: `${p}z`, min: '(100', max: '200', offset: 9, count: 5 });
      assert.deepEqual(next.members.map((m) => m.rank), [20]);
      const desc = await engine.readZsetByScore({ key: `${p}z`, min: '-inf', max: '(450', order: 'desc', count: 2 });
      assert.deepEqual(desc.members.map((m) => [m.rank, m.member.value]), [[5, 'm44'], [6, 'm43']]);
      const all = await engine.readZsetByScore({ key: `${p}z`, min: '-inf', max: '+inf', count: 1 });
      assert.equal(all.members[0]!.rank, 0);
    });

    it('refuses malformed score bounds and globs in the operation table, with readable messages', () => {
      const byScore = redisOperations.readZsetByScore.params.safeParse({ key: 'k', min: 'ten', max: '+inf' });
      assert.equal(byScore.success, false);
      assert.match(byScore.error!.issues[0]!.message, /a score bound is a number/);
      for (const [pattern, message] of [['user:[abc', /without its closing "\]"/], ['user:\\', /lone/], ['', /cannot be empty/]] as const) {
        const parsed = redisOperations.scanKeys.params.safeParse({ match: pattern });
        assert.equal(parsed.success, false, pattern);
        assert.match(parsed.error!.issues[0]!.message, message);
      }
      for (const ok of ['user:*', 'a[]]b', 'x\\[y', '[^a-z]*', '*\\*']) assert.equal(redisOperations.scanKeys.params.safeParse({ match: ok }).success, true, ok);
    });

    it('edits a string only while it is the value that was read (SHA-1 + WATCH), keeping its TTL', async () => {
      await engine.setString({ key: `${p}s`, value: 'first', ttl: 600 });
      const read = await engine.readString({ key: `${p}s` });
      assert.ok(read.sha1);
      assert.deepEqual(await engine.setString({ key: `${p}s`, value: 'second', expectedSha1: read.sha1 }), { written: true });
      assert.ok((await engine.getKey({ key: `${p}s` })).ttl > 500, 'the TTL is kept');
      // Someone else writes; the edit based on the old read is refused and changes nothing.
      await rejectsWith(engine.setString({ key: `${p}s`, value: 'third', expectedSha1: read.sha1 }), 'conflict', /changed since it was read/);
      assert.equal((await engine.readString({ key: `${p}s` })).value, 'second');
      await engine.deleteKeys({ keys: [`${p}s`] });
      await rejectsWith(engine.setString({ key: `${p}s`, value: 'back', expectedSha1: read.sha1 }), 'not_found', /does not exist any more/);
      const large = await engine.setString({ key: `${p}big`, value: 'x'.repeat(70_000) }).then(() => engine.readString({ key: `${p}big` }));
      assert.equal(large.sha1, undefined, 'no digest for a value the page does not hold whole');
    });

    it('edits a hash field only while it holds the value read, and adds one only while it is absent', async () => {
      await engine.hashSet({ key: `${p}h`, field: 'name', value: 'Ada' });
      assert.deepEqual(await engine.hashSet({ key: `${p}h`, field: 'name', value: 'Grace', expected: 'Ada' }), { created: false });
      await rejectsWith(engine.hashSet({ key: `${p}h`, field: 'name', value: 'Linus', expected: 'Ada' }), 'conflict', /the field is now "Grace"/);
      assert.deepEqual(await engine.hashSet({ key: `${p}h`, field: 'email', value: 'g@x', expected: null }), { created: true });
      await rejectsWith(engine.hashSet({ key: `${p}h`, field: 'email', value: 'other', expected: null }), 'conflict');
      const page = await engine.readHash({ key: `${p}h` });
      assert.deepEqual(Object.fromEntries(page.entries.map((e) => [e.field.value, e.value.value])), { name: 'Grace', email: 'g@x' });
    });

    it('edits a list element only while it is still at its index', async () => {
      await engine.listPush({ key: `${p}l`, values: ['a', 'b', 'c'], end: 'tail' });
      await engine.listSet({ key: `${p}l`, index: 1, value: 'B', expected: 'b' });
      await engine.listPush({ key: `${p}l`, values: ['new'], end: 'head' }); // shifts every index
      await rejectsWith(engine.listSet({ key: `${p}l`, index: 1, value: 'stale', expected: 'B' }), 'conflict', /element 1 is now "a"/);
      assert.deepEqual((await engine.readList({ key: `${p}l` })).items.map((i) => i.value.value), ['new', 'a', 'B', 'c']);
    });

    it('replaces a set member and sets a score only while the member is as read', async () => {
      await engine.setAdd({ key: `${p}set`, members: ['x', 'y'] });
      assert.deepEqual(await engine.setReplace({ key: `${p}set`, member: 'x', newMember: 'x2' }), { replaced: true, added: true });
      await rejectsWith(engine.setReplace({ key: `${p}set`, member: 'x', newMember: 'x3' }), 'conflict', /not in the set any more/);
      assert.deepEqual((await engine.readSet({ key: `${p}set` })).members.map((m) => m.value).sort(), ['x2', 'y']);
      assert.deepEqual(await engine.zsetScore({ key: `${p}z`, member: 'm01', score: 15, expected: 10 }), { added: 0 });
      await rejectsWith(engine.zsetScore({ key: `${p}z`, member: 'm01', score: 99, expected: 10 }), 'conflict', /the score is now 15/);
      await engine.zsetScore({ key: `${p}z`, member: 'new', score: 'inf', expected: null });
      assert.equal((await engine.readZset({ key: `${p}z`, order: 'desc', count: 1 })).members[0]!.score, 'inf');
    });

    it('loses no check to a write made between the compare and EXEC by another connection', async () => {
      // A raw connection keeps rewriting the field while checked edits run: each edit either
      // succeeds on the value it expected or is refused; none silently overwrites.
      await engine.hashSet({ key: `${p}race`, field: 'f', value: '0' });
      let written = 0;
      let refused = 0;
      for (let i = 0; i < 20; i++) {
        const other = engine.hashSet({ key: `${p}race`, field: 'f', value: `other-${i}` });
        const mine = engine.hashSet({ key: `${p}race`, field: 'f', value: `mine-${i}`, expected: `other-${i}` }).then(
          () => written++,
          (error: { code?: string }) => {
            assert.equal(error.code, 'conflict');
            refused++;
          },
        );
        await Promise.all([other, mine]);
      }
      assert.equal(written + refused, 20);
    });

    it(topology === 'cluster' ? 'names the master and slot of a key, and the master of each listed key' : 'names no master on a single server', async () => {
      const details = await engine.getKey({ key: `${p}h` });
      const page = await engine.scanKeys({ match: `${p}*`, maxScanned: 100_000, limit: 100 });
      if (topology === 'standalone') {
        assert.equal(details.node, undefined);
        assert.ok(page.keys.every((k) => k.node === undefined));
        return;
      }
      assert.match(details.node ?? '', /^[\d.]+:\d+$/);
      const raw = new Redis({ host: details.node!.split(':')[0], port: Number(details.node!.split(':')[1]), password: env.OGELBASE_TEST_REDIS_CLUSTER_PASSWORD, lazyConnect: true });
      await raw.connect();
      assert.equal(Number(await raw.call('CLUSTER', 'KEYSLOT', `${p}h`)), details.slot);
      assert.equal(await raw.exists(`${p}h`), 1, 'the key lives on the master named');
      raw.disconnect();
      assert.ok(page.keys.length >= 4 && page.keys.every((k) => k.node === details.node), JSON.stringify(page.keys.map((k) => k.node)));
    });
  });
}
