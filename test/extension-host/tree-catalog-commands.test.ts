/**
 * The context-menu commands of tables and collections against the harness's real PostgreSQL and
 * MongoDB (copy the name, count, SELECT … LIMIT 100 in a new SQL document), plurals in the rows, and
 * a MongoDB connection string's own database listed first with the system databases folded.
 */
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import * as vscode from 'vscode';
import { CommandIds as C } from '../../src/host/commands/ids';
import type { Explorer } from '../../src/host/explorer';
import type { LocalConnection } from '../../src/host/local/local-connection';
import type { ExplorerNode } from '../../src/host/tree/nodes';
import { captureMessages, commandRunner, ScriptedPrompts, type ShownMessage } from '../support/extension-host/scripted-ui';
import { find, rows, unique } from '../support/extension-host/tree-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/services/postgres';

describe('tables and collections: context-menu commands, plurals, the registered MongoDB database first (real PostgreSQL and MongoDB)', function () {
  this.timeout(120_000);
  let explorer: Explorer;
  let tree: Explorer['localTree'];
  let postgres: TestDatabase;
  let mongo: MongoClient;
  const run = unique();
  const shopDb = `shop_${run}`;
  const otherDb = `other_${run}`;
  const freshDb = `fresh_${run}`;
  const names = { postgres: `cat-pg-${run}`, mongo: `cat-mongo-${run}`, fresh: `cat-fresh-${run}` };
  const added: LocalConnection[] = [];
  const prompts = new ScriptedPrompts();
  let capture: { messages: ShownMessage[]; restore(): void };
  const asked: string[] = [];
  const runCommand = (command: string, ...args: unknown[]) => commandRunner(prompts, capture, asked)(command, ...args);
  const child = async (node: ExplorerNode | undefined, label: string) => find(await rows(tree, node), label);
  const mongoUrl = process.env.OGELBASE_TEST_MONGODB_URL!.replace(/\/+$/, '');
  let probedAdmin = false;

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    tree = explorer.localTree;
    postgres = await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'catalog');
    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    await db.query(`
      CREATE SCHEMA "Sales";
      CREATE TABLE "Sales"."Order ""Items""" (id int PRIMARY KEY, "Qty" int, "select" text, note text);
      INSERT INTO "Sales"."Order ""Items""" VALUES (1, 2, 'x', 'only row');
      CREATE TABLE public.orders (id int PRIMARY KEY, total numeric);
      INSERT INTO public.orders SELECT g, g FROM generate_series(1, 2500) g;
      ANALYZE;`);
    await db.end();
    mongo = new MongoClient(mongoUrl);
    await mongo.db(shopDb).collection('products').insertMany(Array.from({ length: 30 }, (_, i) => ({ sku: `P${i}` })));
    await mongo.db(shopDb).collection('single').insertOne({ only: true });
    await mongo.db(otherDb).collection('things').insertOne({ x: 1 });
    // A real server always has admin; the wire test server has it once something is written there.
    const listed = await mongo.db('admin').admin().listDatabases({ nameOnly: true });
    if (!listed.databases.some((d) => d.name === 'admin')) {
      await mongo.db('admin').collection('ogelbase_probe').insertOne({ probe: run });
      probedAdmin = true;
    }
    added.push(await explorer.local.add({ name: names.postgres, type: 'postgres', connectionString: postgres.url }));
    added.push(await explorer.local.add({ name: names.mongo, type: 'mongodb', connectionString: `${mongoUrl}/${shopDb}` }));
    added.push(await explorer.local.add({ name: names.fresh, type: 'mongodb', connectionString: `${mongoUrl}/${freshDb}` }));
    explorer.prompts = prompts;
    capture = captureMessages(vscode);
  });

  after(async () => {
    capture?.restore();
    for (const connection of added) await explorer.local.remove(connection.id);
    await explorer.access.reset();
    if (mongo) {
      await mongo.db(shopDb).dropDatabase();
      await mongo.db(otherDb).dropDatabase();
      if (probedAdmin) await mongo.db('admin').collection('ogelbase_probe').drop().catch(() => undefined);
      await mongo.close();
    }
    await postgres?.drop();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  afterEach(() => prompts.reset());

  const relation = async (schema: string, name: string) => child((await child((await child(undefined, names.postgres)).node, schema)).node, name);

  it('says "~1 row", not "~1 rows"', async () => {
    assert.equal((await relation('Sales', 'Order "Items"')).description, '~1 row');
    assert.equal((await relation('public', 'orders')).description, '~2,500 rows');
  });

  it('Copy Qualified Name quotes only what PostgreSQL needs quoted', async () => {
    await runCommand(C.copyTableName, (await relation('Sales', 'Order "Items"')).node);
    assert.equal(await vscode.env.clipboard.readText(), '"Sales"."Order ""Items"""');
    const shown = await runCommand(C.copyTableName, (await relation('public', 'orders')).node);
    assert.equal(await vscode.env.clipboard.readText(), 'public.orders');
    assert.deepEqual(shown.map((m) => m.message), ['Copied public.orders.']);
  });

  it('Count Rows counts exactly and says so, with the estimate beside it', async () => {
    const shown = await runCommand(C.countRows, (await relation('public', 'orders')).node);
    assert.deepEqual(shown.map((m) => [m.severity, m.message]), [['info', 'public.orders: 2,500 rows (the statistics estimated ~2,500).']]);
    const one = await runCommand(C.countRows, (await relation('Sales', 'Order "Items"')).node);
    assert.equal(one[0]!.message, '"Sales"."Order ""Items""": 1 row (the statistics estimated ~1).');
  });

  it('SELECT … LIMIT 100 opens a new SQL document bound to the database, naming every column, quoted where needed', async () => {
    await runCommand(C.selectRows, (await relation('Sales', 'Order "Items"')).node);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.equal(editor.document.languageId, 'sql');
    assert.equal(editor.document.isUntitled, true);
    assert.equal(editor.document.getText(), `-- ${names.postgres}\nSELECT\n  id,\n  "Qty",\n  "select",\n  note\nFROM "Sales"."Order ""Items"""\nLIMIT 100;\n`);
    // Bound to the table's database, so Run (Ctrl/Cmd+Enter) runs it there without asking.
    assert.equal(explorer.sql.documents.isBound(editor.document.uri), true);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('a new SQL document never takes the name of one kept from an earlier session (VS Code restores those after a reload)', async () => {
    const node = (await child(undefined, names.postgres)).node;
    assert.ok(node.kind === 'database');
    const ref = node.ref;
    const first = await explorer.sql.documents.open(ref);
    const base = first.document.uri.path.replace(/-\d+\.sql$/, '');
    const next = Number(/-(\d+)\.sql$/.exec(first.document.uri.path)![1]) + 1;
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    // A binding kept for the next name, as one restored after a window reload has, with no document open in this host.
    const restored = vscode.Uri.from({ scheme: 'untitled', path: `${base}-${next}.sql` });
    await explorer.sql.documents.bind(restored, ref);
    const second = await explorer.sql.documents.open(ref);
    assert.notEqual(second.document.uri.toString(), restored.toString());
    assert.equal(second.document.uri.path, `${base}-${next + 1}.sql`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it("lists the connection string's database first and folds admin, config and local into one row", async () => {
    const databases = await rows(tree, (await child(undefined, names.mongo)).node);
    assert.equal(databases[0]!.label, shopDb);
    assert.match(databases[0]!.description, / · from the connection string$/);
    assert.ok(databases.some((r) => r.label === otherDb));
    const system = databases.at(-1)!;
    assert.equal(system.label, 'System databases');
    assert.equal(system.context, 'mongodb.systemDatabases');
    assert.match(system.description, /\badmin\b/);
    assert.ok(!databases.some((r) => ['admin', 'config', 'local'].includes(r.label)), 'no system database at the top level');
    const inside = await rows(tree, system.node);
    assert.ok(inside.some((r) => r.label === 'admin' && r.context === 'mongodb.database'));
  });

  it('lists a registered database that has no collection yet, first and empty', async () => {
    const databases = await rows(tree, (await child(undefined, names.fresh)).node);
    assert.equal(databases[0]!.label, freshDb);
    assert.equal(databases[0]!.description, 'empty · from the connection string');
  });

  it('Copy Collection Name and Count Documents (with the plural right)', async () => {
    const shop = (await child(undefined, names.mongo)).node;
    const collections = await rows(tree, (await child(shop, shopDb)).node);
    const products = find(collections, 'products');
    assert.equal(products.description, '~30 docs');
    assert.equal(find(collections, 'single').description, '~1 doc');
    await runCommand(C.copyCollectionName, products.node);
    assert.equal(await vscode.env.clipboard.readText(), 'products');
    let shown = await runCommand(C.countDocuments, products.node);
    assert.deepEqual(shown.map((m) => m.message), [`${shopDb}.products: 30 documents.`]);
    shown = await runCommand(C.countDocuments, find(collections, 'single').node);
    assert.deepEqual(shown.map((m) => m.message), [`${shopDb}.single: 1 document.`]);
    await vscode.env.clipboard.writeText('');
  });
});
