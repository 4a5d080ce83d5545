/**
 * The Local Connections tree in the real extension host: one row per local connection (added
 * through the real store, strings in SecretStorage), the same engine levels as the Platform tree
 * against the harness's real PostgreSQL, Redis and MongoDB, errors, and re-listing on changes.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Explorer } from '../../src/host/explorer';
import type { LocalConnection } from '../../src/host/local/local-connection';
import type { ExplorerNode } from '../../src/host/tree/nodes';
import { registerSecret } from '../support/secrets';
import { startRedis } from '../support/services/redis';
import {
  assertNoSecrets,
  find,
  listed,
  loadAll,
  loadUntil,
  moreRow,
  rows,
  secretsOf,
  seedMongo,
  seedPostgres,
  seedRedis,
  tooltipText,
  unique,
  type MongoFixture,
  type PostgresFixture,
  type RedisFixture,
  type Row,
} from '../support/extension-host/tree-fixtures';

describe('local tree (Local Connections on real PostgreSQL, Redis, MongoDB)', function () {
  this.timeout(300_000);
  let explorer: Explorer;
  let tree: Explorer['localTree'];
  let postgres: PostgresFixture;
  let redis: RedisFixture;
  let mongo: MongoFixture;
  const run = unique();
  const names = { postgres: `local-postgres-${run}`, redis: `local-redis-${run}`, mongodb: `local-mongodb-${run}`, broken: `local-broken-${run}` };
  const brokenSecret = `broken-${unique()}${unique()}`;
  const added: LocalConnection[] = [];
  const seen: Row[] = [];
  let secrets: string[] = [];

  const look = async (node?: ExplorerNode) => {
    const list = await rows(tree, node);
    seen.push(...list);
    return list;
  };
  const mine = async () => (await look()).filter((r) => r.label.endsWith(run) || r.label.endsWith(`${run}-renamed`));

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    tree = explorer.localTree;
    [postgres, redis, mongo] = await Promise.all([seedPostgres(), seedRedis({ bulk: 3000 }), seedMongo()]);
    registerSecret(brokenSecret);
    secrets = [...secretsOf(postgres.url, redis.url, mongo.url), brokenSecret];
    added.push(await explorer.local.add({ name: names.postgres, type: 'postgres', connectionString: postgres.url, readOnly: true, description: 'the shop, read-only' }));
    added.push(await explorer.local.add({ name: names.redis, type: 'redis', connectionString: redis.url }));
    added.push(await explorer.local.add({ name: names.mongodb, type: 'mongodb', connectionString: mongo.url }));
    added.push(await explorer.local.add({ name: names.broken, type: 'redis', connectionString: `redis://default:${brokenSecret}@127.0.0.1:1/0` }));
  });

  after(async () => {
    for (const connection of added) await explorer.local.remove(connection.id).catch(() => undefined);
    await explorer.access.reset();
    await Promise.allSettled([postgres?.drop(), redis?.drop(), mongo?.drop()]);
  });

  it('lists one database row per local connection, with `.local` context values and local ids', async () => {
    const list = await mine();
    assert.deepEqual(list.map((r) => r.label), [names.broken, names.mongodb, names.postgres, names.redis]);
    for (const row of list) {
      assert.equal(row.node.kind, 'database');
      assert.ok(row.node.id.startsWith('local/'), row.node.id);
      assert.ok(tree.owns(row.node) && !explorer.platformTree.owns(row.node));
    }
    assert.equal(find(list, names.redis).context, 'database.redis.writable.local');
    const pgRow = find(list, names.postgres);
    assert.equal(pgRow.context, 'database.postgres.writable.local', 'the record itself stays editable');
    assert.match(pgRow.description, /^127\.0\.0\.1:\d+\/tree_\w+ · read-only$/);
    const tooltip = tooltipText(pgRow.item);
    assert.match(tooltip, /Read-only: yes/);
    assert.match(tooltip, /Reached: directly from this machine/);
    assert.match(tooltip, /the shop, read-only/);
    assert.match(tooltip, /postgres(ql)?:\/\/postgres:\*\*\*\*@/);
  });

  it('walks PostgreSQL down to columns, the rows of a read-only database marked `.readonly`', async () => {
    const db = find(await mine(), names.postgres);
    const publicSchema = find(await look(db.node), 'public');
    assert.equal(publicSchema.context, 'postgres.schema.readonly');
    const relations = await look(publicSchema.node);
    assert.deepEqual(relations.map((r) => r.label), ['big_orders', 'customers', 'order_totals', 'orders']);
    const columns = await look(find(relations, 'orders').node);
    assert.deepEqual(columns.map((r) => [r.label, r.description]), [
      ['id', 'bigint · not null'],
      ['customer_id', 'integer · not null'],
      ['total', 'numeric(12,2) · nullable'],
    ]);
    assert.equal(find(columns, 'id').context, 'postgres.column.readonly');
  });

  it('walks Redis namespaces and keys, paging with bounded pages and no key twice', async () => {
    const db = find(await mine(), names.redis);
    const top = await loadUntil(tree, db.node, (list) => list.some((r) => r.label === redis.prefix));
    const inside = await loadUntil(tree, find(top.rows, redis.prefix).node, (list) => ['t', 'bulk'].every((l) => list.some((r) => r.label === l)));
    const pageSize = explorer.config.pageSize;
    const typed = await loadAll(tree, find(inside.rows, 't').node, { pageSize });
    assert.equal(listed(typed.rows).length, redis.typed);
    assert.equal(find(typed.rows, 'list-07').description, 'list · no TTL');
    const bulk = await loadAll(tree, find(inside.rows, 'bulk').node, { pageSize });
    assert.ok(bulk.pages >= Math.ceil(redis.bulk / pageSize), `${bulk.pages} pages for ${redis.bulk} keys`);
    assert.ok(bulk.added.every((n) => n <= pageSize));
    assert.equal(new Set(listed(bulk.rows).map((r) => r.label)).size, redis.bulk, 'every key of the namespace, each once');
    seen.push(...typed.rows, ...bulk.rows.slice(0, 100));
  });

  it('walks MongoDB databases, collections and indexes', async () => {
    const db = find(await mine(), names.mongodb);
    const databases = await loadUntil(tree, db.node, (list) => list.some((r) => r.label === mongo.db));
    const collections = await look(find(databases.rows, mongo.db).node);
    assert.deepEqual(collections.map((r) => [r.label, r.description]), [
      ['adults', 'view on people'],
      ['people', '~50 docs'],
      ['weather', 'time series · ts'],
    ]);
    const indexes = await look(find(collections, 'people').node);
    assert.equal(find(indexes, 'email_1').description, 'email: 1 · unique');
  });

  it('shows an unreachable connection as an error row that retries on click', async () => {
    const db = find(await mine(), names.broken);
    const list = await look(db.node);
    assert.equal(list.length, 1);
    assert.equal(list[0]!.node.kind, 'error');
    assert.match(list[0]!.label, new RegExp(`^Could not load keys of ${names.broken}: `));
    assert.equal(list[0]!.item.command?.command, 'ogelbase.tree.retry');
    await vscode.commands.executeCommand('ogelbase.tree.retry', list[0]!.node);
    assert.equal((await look(db.node))[0]!.node.kind, 'error');
  });

  it('re-lists on a change: an edited connection shows its new name, the others keep their pages, a removed one goes', async () => {
    // Page the Redis namespace past its first page.
    const redisRow = find(await mine(), names.redis);
    const top = await loadUntil(tree, redisRow.node, (list) => list.some((r) => r.label === redis.prefix));
    const inside = await loadUntil(tree, find(top.rows, redis.prefix).node, (list) => list.some((r) => r.label === 'bulk'));
    const bulk = find(inside.rows, 'bulk').node;
    tree.refresh(bulk);
    const first = await look(bulk);
    await tree.loadMore(moreRow(first)!.node as Extract<ExplorerNode, { kind: 'loadMore' }>);
    const paged = listed(await look(bulk)).length;
    assert.ok(paged > listed(first).length);

    const changed = new Promise<void>((resolve) => {
      const subscription = tree.onDidChangeTreeData(() => {
        subscription.dispose();
        resolve();
      });
    });
    const pg = added.find((c) => c.name === names.postgres)!;
    await explorer.local.update(pg.id, { name: `${names.postgres}-renamed` });
    await changed;
    const list = await mine();
    assert.ok(list.some((r) => r.label === `${names.postgres}-renamed`));
    assert.equal(listed(await look(bulk)).length, paged, 'the untouched connection kept its loaded pages');

    const broken = added.find((c) => c.name === names.broken)!;
    await explorer.local.remove(broken.id);
    assert.ok(!(await mine()).some((r) => r.label === names.broken));
  });

  it('keeps the loaded rows when a later page fails, and Retry loads that page', async () => {
    const own = await startRedis();
    registerSecret(own.password);
    secrets.push(own.password);
    const connection = await explorer.local.add({ name: `local-flaky-${run}`, type: 'redis', connectionString: own.url });
    added.push(connection);
    try {
      const { Redis } = await import('ioredis');
      const writer = new Redis(own.url);
      // 25,000 keys in one namespace: a page of the top level ends when it has scanned 10,000 keys, so
      // every Load more needs the server (a page served from keys a full page left over would not).
      const batch = writer.pipeline();
      for (let i = 0; i < 25_000; i++) batch.set(`k:${i}`, '1');
      await batch.exec();
      // Kept across the restart below (SAVE writes the snapshot the restarted server loads).
      await writer.save();
      writer.disconnect();

      const db = find(await mine(), `local-flaky-${run}`);
      const first = await look(db.node);
      const loaded = listed(first).map((r) => r.node.id);
      assert.ok(loaded.length > 0 && moreRow(first), 'a first page, and more to come');

      await own.stop();
      await tree.loadMore(moreRow(first)!.node as Extract<ExplorerNode, { kind: 'loadMore' }>);
      const failed = await look(db.node);
      assert.deepEqual(listed(failed).map((r) => r.node.id), loaded, 'the rows already loaded stay');
      const error = failed.at(-1)!;
      assert.equal(error.node.kind, 'error', 'the failed page shows as an error row where Load more was');
      assert.match(error.label, /^Could not load keys of local-flaky-/);
      assert.equal(moreRow(failed), undefined);

      await own.start();
      let after: Row[] = failed;
      // ioredis reconnects on its own schedule: retry until the page loads.
      for (let i = 0; i < 40 && after.at(-1)?.node.kind === 'error'; i++) {
        await vscode.commands.executeCommand('ogelbase.tree.retry', after.at(-1)!.node);
        after = await look(db.node);
        if (after.at(-1)?.node.kind === 'error') await new Promise((r) => setTimeout(r, 250));
      }
      assert.notEqual(after.at(-1)?.node.kind, 'error', `still failing: ${after.at(-1)?.label}`);
      const ids = listed(after).map((r) => r.node.id);
      assert.deepEqual(ids.slice(0, loaded.length), loaded, 'the retry appended to the same listing');
      assert.equal(new Set(ids).size, ids.length);
    } finally {
      await explorer.local.remove(connection.id).catch(() => undefined);
      await explorer.access.forget({ scope: 'local', local: connection }).catch(() => undefined);
      await own.destroy();
    }
  });

  it('never shows a password in a label, description or tooltip', () => {
    assert.ok(seen.length > 50);
    assertNoSecrets(seen, secrets);
  });
});
