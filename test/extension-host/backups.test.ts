/**
 * Back Up Database and Restore Database from the extension, on local connections to the harness's
 * real Redis and PostgreSQL: the backup lands in the folder chosen (nothing else beside it), the
 * restore asks first with what it overwrites, adds and leaves alone; declined, nothing changes;
 * a database whose name marks it as production needs its name typed; accepted, the data comes back
 * and is verified. No password in a message, question or log line.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import * as vscode from 'vscode';
import { CommandIds as C } from '../../src/host/commands/ids';
import type { Explorer } from '../../src/host/explorer';
import type { LocalConnection } from '../../src/host/local/local-connection';
import type { DatabaseNode } from '../../src/host/tree/nodes';
import { captureMessages, commandRunner, confirm, dismiss, input, leaksIn, logTexts, passwordOf, path, ScriptedPrompts, type ShownMessage } from '../support/extension-host/scripted-ui';
import { find, rows, unique } from '../support/extension-host/tree-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/services/postgres';

describe('Back Up Database and Restore Database on local connections (real Redis and PostgreSQL)', function () {
  this.timeout(180_000);
  let explorer: Explorer;
  let capture: { messages: ShownMessage[]; restore(): void };
  let postgres: TestDatabase;
  let redis: Redis;
  let work: string;
  const run = unique();
  const names = { redis: `bk-cache-${run}`, postgres: `bk-orders-prod-${run}` };
  const redisUrl = process.env.OGELBASE_TEST_REDIS_URL!.replace(/\/\d+$/, '/12');
  const secrets = [passwordOf(process.env.OGELBASE_TEST_REDIS_URL!), passwordOf(process.env.OGELBASE_TEST_PG_URL!)];
  const added: LocalConnection[] = [];
  const prompts = new ScriptedPrompts();
  const asked: string[] = [];
  const runCommand = (command: string, ...args: unknown[]) => commandRunner(prompts, capture, asked)(command, ...args);
  const node = async (name: string) => find(await rows(explorer.localTree), name).node as DatabaseNode;
  const confirmation = () => prompts.questions.find((q) => q.kind === 'confirm');

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    work = mkdtempSync(join(tmpdir(), 'ogelbase-bk-host-'));
    redis = new Redis(redisUrl);
    await redis.flushdb();
    postgres = await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'bkhost');
    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    await db.query("CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 1200) g");
    await db.end();
    added.push(await explorer.local.add({ name: names.redis, type: 'redis', connectionString: redisUrl }));
    added.push(await explorer.local.add({ name: names.postgres, type: 'postgres', connectionString: postgres.url }));
    explorer.prompts = prompts;
    capture = captureMessages(vscode);
  });

  after(async () => {
    capture?.restore();
    for (const connection of added) await explorer.local.remove(connection.id);
    await explorer.access.reset();
    await redis?.flushdb();
    redis?.disconnect();
    await postgres?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  afterEach(() => prompts.reset());

  it('Redis: backs up to the folder chosen; the restore says what it overwrites first; declined it changes nothing, accepted every key is back', async () => {
    await redis.set('greeting', 'hello');
    await redis.hset('user:1', { name: 'Ada', role: 'admin' });
    await redis.rpush('queue', 'a', 'b', 'c');
    await redis.set('session', 'token-1', 'EX', 900);
    const folder = join(work, 'cache-backup');
    prompts.answer(path(folder));
    const made = await runCommand(C.backupDatabase, await node(names.redis));
    assert.match(made.at(-1)?.message ?? '', new RegExp(`^Backed up ${names.redis}: 4 keys`));
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { engine: string; contents: { keys: number } };
    assert.deepEqual([manifest.engine, manifest.contents.keys], ['redis', 4]);
    assert.deepEqual(readdirSync(work), ['cache-backup'], 'no staging folder is left beside the backup');

    await redis.set('greeting', 'changed');
    await redis.del('user:1');
    await redis.set('added-later', 'stays');

    prompts.answer(path(folder), dismiss());
    await runCommand(C.restoreDatabase, await node(names.redis));
    const question = confirmation();
    assert.ok(question, 'the restore asked before touching anything');
    assert.match(question.message ?? '', new RegExp(`^Restore ${names.redis} from `));
    assert.match(question.detail ?? '', /Overwritten: 3 keys/);
    assert.match(question.detail ?? '', /Added: 1 key/);
    assert.match(question.detail ?? '', /Left alone: 1 key/);
    assert.equal(await redis.get('greeting'), 'changed', 'declined: nothing was restored');
    assert.equal(await redis.exists('user:1'), 0);

    prompts.answer(path(folder), confirm('Restore'));
    const restored = await runCommand(C.restoreDatabase, await node(names.redis));
    assert.match(restored.at(-1)?.message ?? '', /^Restored 4 keys into .*every one is there/);
    assert.equal(await redis.get('greeting'), 'hello');
    assert.deepEqual(await redis.hgetall('user:1'), { name: 'Ada', role: 'admin' });
    assert.deepEqual(await redis.lrange('queue', 0, -1), ['a', 'b', 'c']);
    assert.ok((await redis.ttl('session')) > 800, 'the TTL came back');
    assert.equal(await redis.get('added-later'), 'stays', 'keys the backup does not hold are left alone');
  });

  it('PostgreSQL named like production: the plan names the table, the name must be typed exactly, then every row is back', async () => {
    const folder = join(work, 'orders-backup');
    prompts.answer(path(folder));
    const made = await runCommand(C.backupDatabase, await node(names.postgres));
    assert.match(made.at(-1)?.message ?? '', /1 table, 1,200 rows/);
    assert.ok(existsSync(join(folder, 'manifest.json')));

    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    try {
      await db.query('DELETE FROM orders WHERE id > 100');
      // Confirmed, but the name typed wrong and then dismissed: nothing is touched.
      prompts.answer(path(folder), confirm('Restore'), input(names.postgres.toUpperCase()), dismiss());
      await runCommand(C.restoreDatabase, await node(names.postgres));
      assert.match(confirmation()?.detail ?? '', /public\.orders: 100 rows now → 1,200 from the backup/);
      const typed = prompts.questions.find((q) => q.kind === 'input');
      assert.match(typed?.prompt ?? '', new RegExp(`Type ${names.postgres} to restore into it \\(the name ${names.postgres} marks it as production\\)`));
      assert.equal(typed?.rejected.length, 1, 'a name typed differently is refused');
      assert.equal((await db.query('SELECT count(*)::int AS n FROM orders')).rows[0].n, 100);

      prompts.answer(path(folder), confirm('Restore'), input(names.postgres));
      const restored = await runCommand(C.restoreDatabase, await node(names.postgres));
      assert.equal(restored.at(-1)?.severity, 'info', restored.at(-1)?.message);
      assert.equal((await db.query('SELECT count(*)::int AS n FROM orders')).rows[0].n, 1200);
      assert.equal((await db.query('SELECT note FROM orders WHERE id = 1200')).rows[0].note, 'order 1200');
    } finally {
      await db.end();
    }
  });

  it('no password in what was shown, asked or logged', () => {
    const texts = [...capture.messages.map((m) => m.message), ...asked, ...logTexts(explorer.context.logUri.fsPath)];
    assert.deepEqual(leaksIn(texts, secrets), []);
  });
});
