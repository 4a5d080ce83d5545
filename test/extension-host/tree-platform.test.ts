/**
 * The Platform tree in the real extension host against a real platform (the companion Bun server)
 * whose databases are the harness's real PostgreSQL, Redis (with a namespace of 100,000 keys) and
 * MongoDB: walked from the organizations down to columns, keys and indexes, once through the
 * platform and once directly, with paging, errors, empty levels, refreshes and secrets checked.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { PlatformClient } from '../../src/core/api/client';
import type { DatabaseInfo } from '../../src/core/api/types';
import type { Explorer } from '../../src/host/explorer';
import type { ExplorerNode } from '../../src/host/tree/nodes';
import { startPlatform, type PlatformService } from '../support/platform';
import { registerSecret } from '../support/secrets';
import {
  assertNoSecrets,
  find,
  listed,
  loadAll,
  loadUntil,
  moreRow,
  REDIS_TYPES,
  rows,
  secretsOf,
  seedMongo,
  seedPostgres,
  seedRedis,
  setSetting,
  tooltipText,
  unique,
  type MongoFixture,
  type PostgresFixture,
  type RedisFixture,
  type Row,
} from '../support/extension-host/tree-fixtures';

type Mode = 'platform' | 'direct';
/** What a walk saw, reduced to what must not depend on the access path. */
type Snapshot = Record<string, string[]>;

const iconId = (row: Row) => (row.item.iconPath instanceof vscode.ThemeIcon ? row.item.iconPath.id : 'file');

describe('platform tree (real platform, PostgreSQL, Redis with 100,000 keys, MongoDB)', function () {
  this.timeout(600_000);
  let explorer: Explorer;
  let tree: Explorer['platformTree'];
  let platform: PlatformService;
  let client: PlatformClient;
  let postgres: PostgresFixture;
  let redis: RedisFixture;
  let mongo: MongoFixture;
  const run = unique();
  const names = { postgres: `tree-postgres-${run}`, redis: `tree-redis-${run}`, mongodb: `tree-mongodb-${run}`, broken: `tree-broken-${run}` };
  const emptyProject = { ref: `empty-${run}`, name: `Empty project ${run}` };
  const emptyOrganization = { slug: `empty-org-${run}`, name: `Empty org ${run}` };
  const pagedProject = { ref: `paged-${run}`, name: `Paged project ${run}` };
  const brokenSecret = `broken-${unique()}${unique()}`;
  const secrets: string[] = [];
  /** Every row any test looked at, for the final secrets check. */
  const seen: Row[] = [];
  const snapshots = new Map<Mode, Snapshot>();
  const logged: string[] = [];
  let restoreLog: () => void;
  let originalMode: unknown;

  const look = async (node?: ExplorerNode) => {
    const list = await rows(tree, node);
    seen.push(...list);
    return list;
  };
  const databaseRow = async (name: string) => {
    const organization = find(await look(), 'Demo Organization');
    const project = find(await look(organization.node), 'Demo Project');
    const databases = await loadUntil(tree, project.node, (list) => list.some((r) => r.label === name));
    seen.push(...databases.rows);
    return find(databases.rows, name);
  };

  before(async () => {
    const extension = vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!;
    explorer = await extension.activate();
    await explorer.ready;
    tree = explorer.platformTree;
    [postgres, redis, mongo] = await Promise.all([seedPostgres(), seedRedis(), seedMongo()]);
    registerSecret(brokenSecret);
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL });
    secrets.push(...secretsOf(postgres.url, redis.url, mongo.url), platform.token, brokenSecret);
    client = new PlatformClient({ url: platform.url, token: platform.token });
    const add = (name: string, type: DatabaseInfo['type'], connectionString: string, projectRef = platform.projectRef) => client.createDatabase({ projectRef, name, type, connectionString });
    await add(names.postgres, 'postgres', postgres.url);
    await add(names.redis, 'redis', redis.url);
    await add(names.mongodb, 'mongodb', mongo.url);
    await add(names.broken, 'redis', `redis://default:${brokenSecret}@127.0.0.1:1/0`);
    platform.command(['project', 'create', '--org', platform.organization, '--ref', emptyProject.ref, '--name', emptyProject.name]);
    platform.command(['org', 'create', '--slug', emptyOrganization.slug, '--owner', platform.email, '--name', emptyOrganization.name]);
    platform.command(['project', 'create', '--org', platform.organization, '--ref', pagedProject.ref, '--name', pagedProject.name]);
    for (let i = 0; i < 23; i++) await add(`paged-${String(i).padStart(2, '0')}`, 'redis', redis.url, pagedProject.ref);

    originalMode = vscode.workspace.getConfiguration('ogelbase').inspect('connectionMode')?.globalValue;
    const error = explorer.log.error.bind(explorer.log);
    explorer.log.error = (message: string | Error, ...args: unknown[]) => {
      logged.push(String(message));
      error(message, ...args);
    };
    restoreLog = () => {
      explorer.log.error = error;
    };
  });

  after(async () => {
    restoreLog?.();
    await setSetting('connectionMode', originalMode).catch(() => undefined);
    await setSetting('tree.pageSize', undefined).catch(() => undefined);
    if (platform) await explorer.session.signOut(platform.url).catch(() => undefined);
    await explorer.access.reset();
    await platform?.destroy();
    await Promise.allSettled([postgres?.drop(), redis?.drop(), mongo?.drop()]);
  });

  describe('signed out and signing in', () => {
    it('shows no rows while signed out, so the welcome view shows', async () => {
      await explorer.session.signOut();
      assert.deepEqual(await tree.getChildren(), []);
    });

    it('lists organizations, then projects, after sign-in', async () => {
      await explorer.session.signIn(platform.url, platform.token, 'tree test platform');
      const organizations = await look();
      const demo = find(organizations, 'Demo Organization');
      assert.equal(demo.context, 'organization');
      assert.equal(demo.description, 'owner');
      assert.equal(iconId(demo), 'organization');
      assert.ok(demo.node.id.startsWith('platform:'));
      const projects = await look(demo.node);
      const project = find(projects, 'Demo Project');
      assert.equal(project.context, 'project');
      assert.equal(project.item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
      assert.ok(project.node.id.startsWith(`${demo.node.id}/`), 'ids are hierarchical');
    });

    it('confirms a restored session with its first listing, recording the profile', async () => {
      // Restoring reuses the stored token without a network call: the profile is not known yet.
      const profile = () => explorer.session.signedIn?.profile;
      await explorer.session.restore();
      assert.equal(profile(), undefined);
      assert.ok((await look()).some((r) => r.label === 'Demo Organization'));
      for (let i = 0; i < 100 && !profile(); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(profile()?.user.email, platform.email);
    });
  });

  for (const mode of ['platform', 'direct'] as const) {
    describe(`with ogelbase.connectionMode = ${mode}`, () => {
      const snapshot: Snapshot = {};
      const record = (key: string, list: Row[], describe = (r: Row) => `${r.node.id} | ${r.label} | ${r.description} | ${r.context}`) => {
        snapshot[key] = list.map(describe);
      };

      before(async () => {
        await setSetting('connectionMode', mode);
        // DatabaseAccess remembers each database's path once decided: start from a clean slate.
        await explorer.access.reset();
        tree.refresh();
      });

      after(() => snapshots.set(mode, snapshot));

      it('shows database rows with engine icon, endpoint, context value and a tooltip without secrets', async () => {
        const organization = find(await look(), 'Demo Organization');
        const project = find(await look(organization.node), 'Demo Project');
        const databases = listed(await look(project.node));
        record('databases', databases);
        for (const [engine, name] of [['postgres', names.postgres], ['redis', names.redis], ['mongodb', names.mongodb]] as const) {
          const row = find(databases, name);
          assert.equal(row.context, `database.${engine}.writable`);
          const icon = row.item.iconPath as { light: vscode.Uri; dark: vscode.Uri };
          assert.match(icon.light.path, new RegExp(`media/engines/${engine}-light\\.svg$`));
          assert.match(icon.dark.path, new RegExp(`media/engines/${engine}-dark\\.svg$`));
          assert.match(row.description, /^127\.0\.0\.1:\d+/);
          const tooltip = tooltipText(row.item);
          assert.match(tooltip, new RegExp(name));
          assert.match(tooltip, /Connection string: `[a-z]+:\/\//);
          assert.match(tooltip, /Your role: owner/);
          assert.match(tooltip, /Read-only: no/);
        }
        assert.match(tooltipText(find(databases, names.redis).item), /:\*\*\*\*@127\.0\.0\.1/, 'the connection string is masked');
      });

      it('walks PostgreSQL: schemas, tables/views with row estimates and icons, columns with types and keys', async () => {
        const db = await databaseRow(names.postgres);
        const schemas = await look(db.node);
        record('schemas', schemas.filter((r) => ['public', 'sales'].includes(r.label)));
        const publicSchema = find(schemas, 'public');
        assert.equal(publicSchema.context, 'postgres.schema');
        assert.match(publicSchema.description, /2 tables, 1 view, 1 materialized view/);
        const relations = await look(publicSchema.node);
        record('relations', relations);
        assert.deepEqual(relations.map((r) => r.label), ['big_orders', 'customers', 'order_totals', 'orders']);
        const customers = find(relations, 'customers');
        assert.equal(customers.description, '~1,000 rows');
        assert.equal(customers.context, 'postgres.relation.table');
        assert.equal(find(relations, 'orders').description, '~3,000 rows');
        assert.equal(find(relations, 'big_orders').description, 'view');
        assert.equal(find(relations, 'big_orders').context, 'postgres.relation.view');
        assert.match(find(relations, 'order_totals').description, /^materialized view · ~1,000 rows$/);
        assert.equal(new Set(relations.map(iconId)).size, 3, 'tables, views and materialized views have distinct icons');

        const columns = await look(customers.node);
        record('columns', columns);
        assert.deepEqual(columns.map((r) => r.label), ['id', 'name', 'email', 'created_at']);
        assert.equal(find(columns, 'id').description, 'integer · not null');
        assert.equal(iconId(find(columns, 'id')), 'key');
        assert.equal(find(columns, 'email').description, 'text · nullable');
        assert.equal(iconId(find(columns, 'email')), 'symbol-field');
        assert.match(tooltipText(find(columns, 'created_at').item), /Default: `now\(\)`/);
        assert.equal(find(columns, 'created_at').item.collapsibleState, vscode.TreeItemCollapsibleState.None);
        const orderColumns = await look(find(relations, 'orders').node);
        assert.equal(iconId(find(orderColumns, 'customer_id')), 'references');
        assert.match(tooltipText(find(orderColumns, 'customer_id').item), /References: `public\.customers\(id\)`/);
        const regions = await look(find(await look(find(schemas, 'sales').node), 'regions').node);
        assert.deepEqual(regions.map((r) => r.label), ['code', 'name']);
      });

      it(`says in the database tooltip that it is reached ${mode === 'platform' ? 'through the platform' : 'directly'}`, async () => {
        const expected = mode === 'platform' ? /Reached: through the platform/ : /Reached: directly from this machine/;
        let tooltip = '';
        for (let i = 0; i < 50 && !expected.test(tooltip); i++) {
          tooltip = tooltipText((await databaseRow(names.postgres)).item);
          if (!expected.test(tooltip)) await new Promise((r) => setTimeout(r, 20));
        }
        assert.match(tooltip, expected);
      });

      it('walks Redis: namespaces with keys seen, keys with type and TTL, a binary key by its exact bytes', async () => {
        const db = await databaseRow(names.redis);
        const top = await loadUntil(tree, db.node, (list) => list.some((r) => r.label === redis.prefix));
        seen.push(...top.rows);
        const prefixRow = find(top.rows, redis.prefix);
        assert.equal(prefixRow.context, 'redis.namespace');
        assert.equal(iconId(prefixRow), 'folder');
        assert.match(prefixRow.description, /^[\d,]+(\+ keys? seen| keys?)$/);

        const inside = await loadUntil(tree, prefixRow.node, (list) => ['t', 'bulk', 'gone'].every((label) => list.some((r) => r.label === label)));
        seen.push(...inside.rows);
        record('namespaces', listed(inside.rows).filter((r) => ['t', 'bulk', 'gone'].includes(r.label)), (r) => `${r.node.id} | ${r.label} | ${r.context}`);
        const typed = find(inside.rows, 't');

        const pageSize = explorer.config.pageSize;
        const keys = await loadAll(tree, typed.node, { pageSize, maxPages: 80 });
        seen.push(...keys.rows);
        const keyRows = listed(keys.rows);
        assert.equal(keys.rows.at(-1)?.node.kind, 'item', 'the scan finished: no Load more row is left');
        assert.equal(keyRows.length, redis.typed, 'every key of the namespace is reached, each once');
        record('keys', [...keyRows].sort((a, b) => (a.node.id < b.node.id ? -1 : 1)), (r) => `${r.node.id} | ${r.label} | ${r.description.replace(/TTL .*/, 'TTL')} | ${r.context}`);
        for (const type of REDIS_TYPES) {
          const row = find(keyRows, `${type}-05`);
          assert.equal(row.description, `${type} · no TTL`);
          assert.equal(row.context, `redis.key.${type}`);
          assert.equal(row.item.collapsibleState, vscode.TreeItemCollapsibleState.None);
        }
        assert.equal(new Set(REDIS_TYPES.map((type) => iconId(find(keyRows, `${type}-01`)))).size, REDIS_TYPES.length, 'each type has its icon');
        assert.match(find(keyRows, 'string-00').description, /^string · TTL (59 min \d+ s|1 h)$/);
        assert.match(find(keyRows, 'hash-00').description, /^hash · TTL (9 min \d+ s|10 min)$/);

        const binary = keyRows.find((r) => r.node.kind === 'item' && (r.node.detail.key as { base64?: string }).base64 !== undefined);
        assert.ok(binary, 'the binary key is listed');
        const base64 = redis.binaryKey.toString('base64');
        assert.equal((binary.node.kind === 'item' && (binary.node.detail.key as { base64?: string }).base64) || '', base64, 'the exact bytes travel with the node');
        assert.ok(binary.node.id.endsWith(`/key:=${base64}`), 'the id holds the exact bytes');

        // A namespace whose keys are gone meanwhile says so.
        await redis.client.del(`${redis.prefix}:gone:only`);
        const gone = await loadAll(tree, find(inside.rows, 'gone').node, { maxPages: 80 });
        assert.deepEqual(gone.rows.map((r) => r.label), ['No keys match']);
        assert.equal(gone.rows[0]!.context, 'message');
        await redis.client.set(`${redis.prefix}:gone:only`, 'back');
      });

      it('pages the 100,000-key namespace: each Load more adds one bounded page, scans further, and repeats no key', async () => {
        const db = await databaseRow(names.redis);
        const top = await loadUntil(tree, db.node, (list) => list.some((r) => r.label === redis.prefix));
        const inside = await loadUntil(tree, find(top.rows, redis.prefix).node, (list) => list.some((r) => r.label === 'bulk'));
        const bulk = find(inside.rows, 'bulk');
        const pageSize = explorer.config.pageSize;

        let list = await look(bulk.node);
        assert.ok(listed(list).length > 0 && listed(list).length <= pageSize, `the first page has ${listed(list).length} rows, at most ${pageSize}`);
        const scannedOf = (row: Row | undefined) => Number(/scanned ([\d,]+) of about [\d,]+ keys/.exec(row?.label ?? '')?.[1]?.replace(/,/g, '') ?? NaN);
        const firstScanned = scannedOf(moreRow(list));
        let scanned = firstScanned;
        assert.ok(scanned > 0, `the Load more row says how far the scan got: ${moreRow(list)?.label}`);
        assert.equal(moreRow(list)?.item.command?.command, 'ogelbase.tree.loadMore');
        assert.equal(moreRow(list)?.item.command?.arguments?.[0], moreRow(list)?.node);
        for (let page = 2; page <= 6; page++) {
          const before = listed(list).length;
          const more = moreRow(list)!;
          // Half the clicks go through the command itself, as a click on the row does.
          if (page % 2 === 0) await vscode.commands.executeCommand('ogelbase.tree.loadMore', more.node);
          else await tree.loadMore(more.node as Extract<ExplorerNode, { kind: 'loadMore' }>);
          list = await rows(tree, bulk.node);
          const added = listed(list).length - before;
          assert.ok(added > 0 && added <= pageSize, `page ${page} added ${added} rows`);
          // A page may come from keys the previous SCAN batch left over (they travel in the cursor).
          const now = scannedOf(moreRow(list));
          assert.ok(now >= scanned, `the count of scanned keys never goes back (${scanned} → ${now})`);
          scanned = now;
        }
        assert.ok(scanned > firstScanned, `the scan went on (${firstScanned} → ${scanned} keys scanned)`);
        const keys = listed(list);
        assert.equal(new Set(keys.map((r) => r.node.id)).size, keys.length, 'no key twice');
        assert.ok(keys.every((r) => /^\d+$/.test(r.label) && r.context === 'redis.key.string'), 'only the namespace\'s keys, labelled below it');
        assert.equal(new Set(keys.map((r) => r.label)).size, keys.length, 'distinct keys');
        seen.push(...list.slice(0, 50));
      });

      it('walks MongoDB: databases, collections, views and time series with counts, indexes', async () => {
        const db = await databaseRow(names.mongodb);
        const databases = await loadUntil(tree, db.node, (list) => list.some((r) => r.label === mongo.db));
        seen.push(...databases.rows);
        const mine = find(databases.rows, mongo.db);
        assert.equal(mine.context, 'mongodb.database');
        const collections = await look(mine.node);
        record('collections', collections);
        assert.deepEqual(collections.map((r) => r.label), ['adults', 'people', 'weather']);
        const people = find(collections, 'people');
        assert.equal(people.description, '~50 docs');
        assert.equal(people.context, 'mongodb.collection.collection');
        const adults = find(collections, 'adults');
        assert.equal(adults.description, 'view on people');
        assert.equal(adults.context, 'mongodb.collection.view');
        assert.equal(adults.item.collapsibleState, vscode.TreeItemCollapsibleState.None);
        assert.match(find(collections, 'weather').description, /^time series · ts$/);
        assert.equal(new Set(collections.map(iconId)).size, 3);

        const indexes = await look(people.node);
        record('indexes', indexes);
        assert.deepEqual(indexes.map((r) => r.label).sort(), ['_id_', 'age_1_name_-1', 'email_1']);
        assert.equal(find(indexes, 'email_1').description, 'email: 1 · unique');
        assert.equal(find(indexes, 'age_1_name_-1').description, 'age: 1, name: -1');
        assert.equal(find(indexes, '_id_').description, '_id: 1');
        assert.equal(find(indexes, '_id_').context, 'mongodb.index');
      });

      it('shows a failing database as one error row with Retry, and logs why', async () => {
        const from = logged.length;
        const db = await databaseRow(names.broken);
        const list = await look(db.node);
        assert.equal(list.length, 1);
        const error = list[0]!;
        assert.equal(error.node.kind, 'error');
        assert.equal(error.context, 'error');
        assert.match(error.label, new RegExp(`^Could not load keys of ${names.broken}: .+`));
        assert.equal(error.item.command?.command, 'ogelbase.tree.retry');
        assert.equal(error.item.command?.arguments?.[0], error.node);
        assert.ok(logged.slice(from).some((line) => line.startsWith(`[tree] could not load keys of ${names.broken}: `)), `logged: ${logged.slice(from).join(' | ')}`);

        // Retry (as the row's click does) tries again, and still reports the failure.
        await vscode.commands.executeCommand('ogelbase.tree.retry', error.node);
        const again = await look(db.node);
        assert.equal(again.length, 1);
        assert.equal(again[0]!.node.kind, 'error');
        assert.ok(logged.length >= from + 2, 'the retry was attempted and logged');
      });
    });
  }

  describe('across modes, refreshes and pages', () => {
    it('gives the same rows through the platform and directly', () => {
      const viaPlatform = snapshots.get('platform');
      const direct = snapshots.get('direct');
      assert.ok(viaPlatform && direct, 'both walks ran');
      assert.deepEqual(Object.keys(direct).sort(), Object.keys(viaPlatform).sort());
      for (const key of Object.keys(viaPlatform)) assert.deepEqual(direct[key], viaPlatform[key], `${key} differ`);
    });

    it('keeps ids stable across refresh, and refresh(node) drops the pages below that node', async () => {
      const walk = async () => {
        const ids: string[] = [];
        const organizations = await look();
        const project = find(await look(find(organizations, 'Demo Organization').node), 'Demo Project');
        const databases = await look(project.node);
        const postgresRow = find(databases, names.postgres);
        const schemas = await look(postgresRow.node);
        const relations = await look(find(schemas, 'public').node);
        for (const list of [organizations, databases, schemas, relations]) ids.push(...list.map((r) => r.node.id));
        return ids;
      };
      const before = await walk();
      tree.refresh();
      assert.deepEqual(await walk(), before);

      // Page a Redis namespace, refresh the database row: the namespace starts again from its first page.
      const db = await databaseRow(names.redis);
      const top = await loadUntil(tree, db.node, (list) => list.some((r) => r.label === redis.prefix));
      const prefixRow = find(top.rows, redis.prefix);
      const inside = await loadUntil(tree, prefixRow.node, (list) => list.some((r) => r.label === 'bulk'));
      const bulk = find(inside.rows, 'bulk');
      const first = await look(bulk.node);
      await tree.loadMore(moreRow(first)!.node as Extract<ExplorerNode, { kind: 'loadMore' }>);
      const paged = listed(await look(bulk.node));
      assert.ok(paged.length > listed(first).length);
      tree.refresh(db.node);
      const again = listed(await look(bulk.node));
      assert.deepEqual(again.map((r) => r.node.id), listed(first).map((r) => r.node.id), 'same first page, same ids');
    });

    it('says so when a project or an organization is empty, with a click to add a database', async () => {
      const organizations = await look();
      const demo = find(organizations, 'Demo Organization');
      const project = find(await look(demo.node), emptyProject.name);
      const list = await look(project.node);
      assert.deepEqual(list.map((r) => r.label), ['No databases in this project yet']);
      assert.equal(list[0]!.context, 'message');
      assert.equal(list[0]!.item.command?.command, 'ogelbase.database.add');
      assert.equal(list[0]!.item.command?.arguments?.[0], project.node);
      const empty = find(organizations, emptyOrganization.name);
      assert.deepEqual((await look(empty.node)).map((r) => r.label), [`No projects in ${emptyOrganization.name}`]);
    });

    it('pages a project\'s databases: "Load more (N of TOTAL)" appends the next page', async () => {
      await setSetting('tree.pageSize', 10);
      try {
        tree.refresh();
        const project = find(await look(find(await look(), 'Demo Organization').node), pagedProject.name);
        let list = await look(project.node);
        assert.equal(listed(list).length, 10);
        assert.equal(moreRow(list)?.label, 'Load more (10 of 23)');
        // Two clicks at once still load one page.
        const more = moreRow(list)!.node as Extract<ExplorerNode, { kind: 'loadMore' }>;
        await Promise.all([tree.loadMore(more), tree.loadMore(more)]);
        list = await look(project.node);
        assert.equal(listed(list).length, 20);
        assert.equal(moreRow(list)?.label, 'Load more (20 of 23)');
        await vscode.commands.executeCommand('ogelbase.tree.loadMore', moreRow(list)!.node);
        list = await look(project.node);
        assert.equal(listed(list).length, 23);
        assert.equal(moreRow(list), undefined);
        assert.deepEqual(listed(list).map((r) => r.label), Array.from({ length: 23 }, (_, i) => `paged-${String(i).padStart(2, '0')}`));
      } finally {
        await setSetting('tree.pageSize', undefined);
      }
    });

    it('never shows a password or token in a label, description or tooltip', async () => {
      assert.ok(seen.length > 300, `checked ${seen.length} rows`);
      assertNoSecrets(seen, secrets);
      // And the database rows of every project, once more, fresh.
      for (const organization of await look()) {
        for (const project of await look(organization.node)) assertNoSecrets(await look(project.node), secrets);
      }
    });

    it('marks databases read-only for a read_only member, who browses through the platform', async () => {
      const email = `reader-${run}@example.com`;
      platform.command(['user', 'create', '--email', email]);
      platform.command(['member', 'add', '--org', platform.organization, '--email', email, '--role', 'read_only']);
      const token = String(platform.command(['token', 'create', '--email', email]).token);
      registerSecret(token);
      secrets.push(token);
      await setSetting('connectionMode', 'auto');
      await explorer.session.signOut(platform.url);
      await explorer.session.signIn(platform.url, token);
      try {
        const db = await databaseRow(names.redis);
        assert.match(db.description, / · read-only$/);
        assert.equal(db.context, 'database.redis.readonly');
        assert.match(tooltipText(db.item), /Your role: read_only/);
        assert.match(tooltipText(db.item), /Read-only: yes \(your role is read_only\)/);
        const top = await loadUntil(tree, db.node, (list) => list.some((r) => r.label === redis.prefix));
        assert.equal(find(top.rows, redis.prefix).context, 'redis.namespace.readonly');
        // A read_only member may not read connection strings: calls go through the platform.
        assert.match(tooltipText((await databaseRow(names.redis)).item), /Reached: through the platform/);
        assertNoSecrets([...top.rows, db], secrets);
      } finally {
        await explorer.session.signOut(platform.url);
        await explorer.session.signIn(platform.url, platform.token);
      }
    });

    it('shows no rows again after sign-out', async () => {
      await explorer.session.signOut(platform.url);
      assert.deepEqual(await tree.getChildren(), []);
    });
  });
});
