/**
 * Redis in the tree against a real Redis of 300,000+ keys (filled with DEBUG POPULATE): Filter Keys
 * on a database and on a namespace, top-level "Load more" that always adds rows or says how far it
 * scanned (and Scan to the end), sorted keys, readable progress, and the key commands (copy name,
 * copy value bounded, TTL, delete confirmed; refused on a read-only connection).
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import * as vscode from 'vscode';
import { visibleControls } from '../../src/core/markdown';
import { CommandIds as C } from '../../src/host/commands/ids';
import type { Explorer } from '../../src/host/explorer';
import type { LocalConnection } from '../../src/host/local/local-connection';
import { vscodePrompts } from '../../src/host/prompts';
import type { ExplorerNode } from '../../src/host/tree/nodes';
import { captureMessages, commandRunner, confirm, dismiss, input, leaksIn, ScriptedPrompts, type ShownMessage } from '../support/extension-host/scripted-ui';
import { find, listed, rows, unique, type Row } from '../support/extension-host/tree-fixtures';
import { registerSecret } from '../support/secrets';
import { startRedis, type RedisService } from '../support/services/redis';

const PER_PREFIX = 150_000;
const toEnd = (list: Row[]) => list.find((r) => r.node.kind === 'loadMore' && r.node.toEnd);
const pageMore = (list: Row[]) => list.find((r) => r.node.kind === 'loadMore' && !r.node.toEnd);
const spoken = (row: Row | undefined) => row?.item.accessibilityInformation?.label ?? '';

describe('Redis keys in the tree: Filter Keys, scans that always report, key commands (a real Redis, 300,000 keys)', function () {
  this.timeout(300_000);
  let explorer: Explorer;
  let tree: Explorer['localTree'];
  let redis: RedisService;
  let client: Redis;
  const added: LocalConnection[] = [];
  const names = { main: `keys-${unique()}`, readOnly: `keys-ro-${unique()}` };
  const prompts = new ScriptedPrompts();
  let capture: { messages: ShownMessage[]; restore(): void };
  const asked: string[] = [];
  const run = (command: string, ...args: unknown[]) => commandRunner(prompts, capture, asked)(command, ...args);
  const database = async (name: string) => find(await rows(tree), name).node;
  /** The rows of a database filtered by `pattern` (through the command, as a user does it). */
  const filtered = async (db: ExplorerNode, pattern: string) => {
    prompts.answer(input(pattern));
    await run(C.filterKeys, db);
    return rows(tree, db);
  };

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    tree = explorer.localTree;
    redis = await startRedis({ debug: true });
    registerSecret(redis.password);
    client = new Redis(redis.url);
    // user:0 … user:149999 and order:0 … order:149999, in well under a second.
    await client.call('DEBUG', 'POPULATE', String(PER_PREFIX), 'user');
    await client.call('DEBUG', 'POPULATE', String(PER_PREFIX), 'order');
    // A SCAN during a rehash may return a key twice: let Redis finish growing its table first.
    for (let i = 0; i < 100 && String(await client.call('DEBUG', 'HTSTATS', '0')).includes('rehashing'); i++) await new Promise((r) => setTimeout(r, 100));
    added.push(await explorer.local.add({ name: names.main, type: 'redis', connectionString: redis.url }));
    added.push(await explorer.local.add({ name: names.readOnly, type: 'redis', connectionString: redis.url, readOnly: true }));
    explorer.prompts = prompts;
    capture = captureMessages(vscode);
  });

  after(async () => {
    capture?.restore();
    if (explorer) explorer.prompts = vscodePrompts;
    for (const connection of added) await explorer.local.remove(connection.id);
    client?.disconnect();
    await redis?.destroy();
  });

  afterEach(() => prompts.reset());

  it('top level: a Load more that finds no new namespace says how far it scanned and offers Scan to the end, which counts every key', async () => {
    const db = await database(names.main);
    let list = await rows(tree, db);
    assert.deepEqual(listed(list).map((r) => r.label), ['order', 'user'], 'the first page finds both namespaces, sorted');
    // What a screen reader hears is the progress, not a generic "Load the next page".
    assert.match(spoken(pageMore(list)), /^Load more keys: scanned 10,000 of about 300,000 keys so far$/);
    await run(C.loadMore, pageMore(list)!.node);
    list = await rows(tree, db);
    const more = pageMore(list)!;
    assert.equal(more.label, 'Scanned 110,000 of about 300,000 keys, no new namespace yet: Load more…');
    assert.equal(spoken(more), 'Load more keys: scanned 110,000 of about 300,000 keys, no new namespace yet');
    const end = toEnd(list)!;
    assert.equal(end.label, 'Scan to the end (about 190,000 keys left)');
    assert.equal(end.item.command?.command, C.scanToEnd);
    await run(C.scanToEnd, end.node);
    list = await rows(tree, db);
    assert.equal(pageMore(list), undefined, 'the scan reached the end');
    assert.deepEqual(list.map((r) => [r.label, r.description]), [['order', '150,000 keys'], ['user', '150,000 keys']], 'a finished scan counts every key');
  });

  it('top level: every Load more adds a row or says it found nothing new yet, until the sparse namespaces are all found', async () => {
    await client.set('needle:1', 'the one key of its namespace');
    await client.set('t:big', 'x'.repeat(2 * 1024 * 1024));
    await client.hset('t:hash', Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`f${i}`, `v${i}`])));
    await client.rpush('t:list', 'a', 'b', 'c');
    await client.set('t:line1\nline2', 'a key with a line break in its name');
    await client.set('t:ttl', 'expiring');
    await client.set('ключ:1', 'unicode');
    const db = await database(names.main);
    tree.refresh(db);
    let list = await rows(tree, db);
    for (let click = 0; click < 30 && pageMore(list); click++) {
      const before = listed(list).length;
      const end = toEnd(list);
      if (end) await run(C.scanToEnd, end.node);
      else await run(C.loadMore, pageMore(list)!.node);
      list = await rows(tree, db);
      assert.ok(listed(list).length > before || toEnd(list) || !pageMore(list), `click ${click + 1} added nothing and said nothing`);
    }
    assert.equal(pageMore(list), undefined, 'the scan reached the end');
    assert.deepEqual(listed(list).map((r) => r.label).sort(), ['needle', 'order', 't', 'user', 'ключ']);
    assert.equal(find(list, 'needle').description, '1 key');
  });

  it('Filter Keys on the database finds user:4711* among 300,000 keys in one step, sorted, with the pattern on the row', async () => {
    const db = await database(names.main);
    const list = await filtered(db, 'user:4711*');
    assert.equal(prompts.questions[0]!.title, `Filter Keys of ${names.main}`);
    assert.deepEqual(listed(list).map((r) => r.label), ['user:4711', ...Array.from({ length: 10 }, (_, i) => `user:4711${i}`)]);
    assert.equal(pageMore(list), undefined, 'the whole keyspace was scanned in that one step');
    assert.ok(list.every((r) => r.context === 'redis.key.string'));
    const row = tree.getTreeItem(db);
    assert.match(String(row.description), /^filtered: user:4711\* · 127\.0\.0\.1:\d+$/);
    assert.match(row.contextValue!, /^database\.redis\.writable\.local\.filtered$/);
    assert.equal(tree.filterOf(db), 'user:4711*');

    // Asked again, the box opens with the pattern in force.
    const again = await filtered(db, 'ключ*');
    assert.equal(prompts.questions[0]!.value, 'user:4711*');
    assert.deepEqual(listed(again).map((r) => r.label), ['ключ:1']);
    const none = await filtered(db, `it's "quoted" [x*`);
    assert.deepEqual(none.map((r) => [r.node.kind, r.label]), [['message', `No keys match it's "quoted" [x*`]]);
    assert.equal(none[0]!.item.command?.command, C.clearFilter, 'the empty result offers to clear the filter');

    await run(C.clearFilter, db);
    assert.equal(tree.filterOf(db), undefined);
    assert.doesNotMatch(String(tree.getTreeItem(db).description), /filtered/);
    assert.ok((await rows(tree, db)).some((r) => r.label === 'user'), 'the namespaces are back');
  });

  it('refuses patterns it cannot run (line breaks, over 16 K), and an empty one clears the filter', async () => {
    const db = await database(names.main);
    prompts.answer(input('user:*\r'), input('x'.repeat(17_000)), input('needle:*'));
    await run(C.filterKeys, db);
    assert.deepEqual(
      prompts.questions[0]!.rejected.map((r) => r.message),
      ['A pattern is one line: use ? to match a line break inside a key name.', 'A pattern is at most 16,384 characters.'],
    );
    assert.deepEqual(listed(await rows(tree, db)).map((r) => r.label), ['needle:1']);
    prompts.answer(input(''));
    await run(C.filterKeys, db);
    assert.equal(tree.filterOf(db), undefined);
  });

  it('Filter Keys on a namespace keeps its prefix, lists names below it, and says so on the row', async () => {
    const db = await database(names.main);
    const user = find(await rows(tree, db), 'user').node;
    prompts.answer(input('order:1*'), input('user:4711?'));
    await run(C.filterKeys, user);
    const question = prompts.questions[0]!;
    assert.equal(question.value, 'user:*', 'the box opens with the namespace prefix');
    assert.match(question.rejected[0]!.message, /^Start the pattern with user: to stay in this namespace/);
    const list = await rows(tree, user);
    assert.deepEqual(listed(list).map((r) => r.label), Array.from({ length: 10 }, (_, i) => `4711${i}`));
    const row = tree.getTreeItem(user);
    assert.match(String(row.description), /^filtered: user:4711\? · /);
    assert.match(row.contextValue!, /^redis\.namespace\.filtered$/);
    await run(C.clearFilter, user);
  });

  /** The row of a key, found with a filter on the database. */
  const keyRow = async (connection: string, key: string): Promise<Row> => {
    const db = await database(connection);
    const list = await filtered(db, key.replace(/[*?[\]\\]/g, (c) => `\\${c}`).replace(/\n/g, '?'));
    return find(list, visibleControls(key));
  };

  it('shows a key whose name has a line break on one line, row and tooltip, and copies its exact name', async () => {
    const row = await keyRow(names.main, 't:line1\nline2');
    assert.equal(row.label, 't:line1\\nline2', 'the row shows the line break as \\n');
    const tooltip = (row.item.tooltip as vscode.MarkdownString).value;
    assert.ok(tooltip.startsWith('**t\\:line1\\\\nline2** · string\n'), `the bold title stays on one line: ${JSON.stringify(tooltip.slice(0, 80))}`);
    await run(C.copyKeyName, row.node);
    assert.equal(await vscode.env.clipboard.readText(), 't:line1\nline2');
  });

  it('Copy Value copies a bounded part and says how much: the first MB of a 2 MB string, the first fields of a big hash', async () => {
    const big = await keyRow(names.main, 't:big');
    let shown = await run(C.copyKeyValue, big.node);
    assert.equal((await vscode.env.clipboard.readText()).length, 1024 * 1024);
    assert.deepEqual(shown.map((m) => m.message), ['Copied the value of t:big: the first 1 MB of 2 MB.']);
    const hash = await keyRow(names.main, 't:hash');
    shown = await run(C.copyKeyValue, hash.node);
    const copied = JSON.parse(await vscode.env.clipboard.readText()) as Record<string, string>;
    assert.ok(Object.keys(copied).length >= 900 && Object.keys(copied).length < 1500, `${Object.keys(copied).length} fields copied`);
    assert.equal(copied.f7, Object.hasOwn(copied, 'f7') ? 'v7' : undefined);
    assert.match(shown[0]!.message, /^Copied the value of t:hash: the first [\d,]+ of 1,500 fields\.$/);
    shown = await run(C.copyKeyValue, (await keyRow(names.main, 't:list')).node);
    assert.deepEqual(JSON.parse(await vscode.env.clipboard.readText()), ['a', 'b', 'c']);
    assert.equal(shown[0]!.message, 'Copied the value of t:list: all 3 elements.');
    await vscode.env.clipboard.writeText('');
  });

  it('Set TTL validates seconds, sets and removes the TTL, and the row shows it', async () => {
    const row = await keyRow(names.main, 't:ttl');
    prompts.answer(input('soon'), input('0'), input('3600'));
    let shown = await run(C.setKeyTtl, row.node);
    assert.deepEqual(prompts.questions[0]!.rejected.map((r) => r.message), ['Seconds as a whole number (3600 is an hour), or nothing to remove the TTL.', 'Between 1 and 2,147,483,647 seconds.']);
    assert.ok((await client.ttl('t:ttl')) > 3500);
    assert.deepEqual(shown.map((m) => m.message), ['t:ttl expires in 1 h.']);
    assert.match(String(tree.getTreeItem(row.node).description), /^string · TTL (1 h|59 min \d+ s)$/);
    prompts.answer(input(''));
    shown = await run(C.setKeyTtl, row.node);
    assert.equal(await client.ttl('t:ttl'), -1);
    assert.deepEqual(shown.map((m) => m.message), ['t:ttl never expires.']);
  });

  it('Delete Key confirms first, naming the type and size; Cancel keeps the key; Delete removes it and its row', async () => {
    const row = await keyRow(names.main, 't:hash');
    prompts.answer(dismiss());
    await run(C.deleteKey, row.node);
    const question = prompts.questions[0]!;
    assert.equal(question.message, 'Delete the key t:hash?');
    assert.match(question.detail!, /^One hash key \(1,500 fields, [\d.]+ KB in memory\) of keys-\w+\. It cannot be restored\.$/);
    assert.equal(await client.exists('t:hash'), 1);
    prompts.answer(confirm('Delete'));
    const shown = await run(C.deleteKey, row.node);
    assert.equal(await client.exists('t:hash'), 0);
    assert.deepEqual(shown.map((m) => m.message), ['Deleted t:hash.']);
    assert.ok(!(await rows(tree, await database(names.main))).some((r) => r.label === 't:hash'), 'the row is gone without a re-list');
  });

  it('refuses Set TTL and Delete on a read-only connection in the engine, whatever the menus show', async () => {
    const row = await keyRow(names.readOnly, 't:list');
    assert.match(row.context, /\.readonly$/, 'the menus hide the write entries for this row');
    prompts.answer(confirm('Delete'));
    const shown = await run(C.deleteKey, row.node);
    assert.equal(shown[0]!.severity, 'error');
    assert.match(shown[0]!.message, /is read-only: deleteKeys would change it/);
    assert.equal(await client.exists('t:list'), 1);
    prompts.answer(input('60'));
    const ttl = await run(C.setKeyTtl, row.node);
    assert.match(ttl[0]!.message, /is read-only: expire would change it/);
    assert.equal(await client.ttl('t:list'), -1);
  });

  it('Cancel during a filter scan keeps what was found and offers to go on', async () => {
    const db = await database(names.main);
    const stop = new AbortController();
    const reports: string[] = [];
    // As the progress notification's Cancel does: stop after the first step has reported.
    await tree.filter(db, 'order:*', { stop: stop.signal, report: (message) => (reports.push(message), stop.abort()) });
    assert.equal(reports.length, 1);
    assert.match(reports[0]!, /^scanned [\d,]+ of about 300,0\d\d keys, [\d,]+ match(es)?$/);
    const list = await rows(tree, db);
    const found = listed(list);
    assert.ok(found.length > 0 && found.length <= explorer.config.pageSize, `${found.length} rows kept`);
    assert.ok(found.every((r) => r.label.startsWith('order:')));
    assert.match(pageMore(list)?.label ?? '', /^Scanned [\d,]+ of about 300,0\d\d keys, [\d,]+ match(es)?: Load more…$/);
    await run(C.clearFilter, db);
  });

  it('shows a Redis stopped mid-filter as an error row, and Retry lists once it is back', async () => {
    const db = await database(names.main);
    // Kept across the restart (the test server saves nothing by itself).
    await client.save();
    await redis.stop();
    try {
      await filtered(db, 'user:4711*');
      const failed = await rows(tree, db);
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.node.kind, 'error');
      assert.match(failed[0]!.label, /^Could not load keys matching user:4711\* in keys-\w+: /);
      assert.ok(!failed[0]!.label.includes(redis.password));
    } finally {
      await redis.start();
    }
    let list = await rows(tree, db);
    // ioredis reconnects on its own schedule: Retry until the rows come.
    for (let i = 0; i < 40 && list[0]?.node.kind === 'error'; i++) {
      await run(C.retry, list[0]!.node);
      list = await rows(tree, db);
      if (list[0]?.node.kind === 'error') await new Promise((r) => setTimeout(r, 250));
    }
    // A re-listing without the command's progress is bounded like a click: it shows what it found so
    // far and says how far it scanned; the filter command runs the whole scan again.
    assert.ok(list.length > 0 && list.every((r) => r.node.kind === 'loadMore' || r.label.startsWith('user:4711')), list.map((r) => r.label).join(', '));
    assert.ok(listed(list).length === 11 || pageMore(list), 'every match, or a Load more that says how far the scan got');
    assert.equal(listed(await filtered(db, 'user:4711*')).length, 11);
    await run(C.clearFilter, db);
  });

  it('never shows the password in a question, a message or a tooltip', () => {
    assert.deepEqual(leaksIn([...asked, ...capture.messages.map((m) => m.message)], [redis.password]), []);
  });
});
