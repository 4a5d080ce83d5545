/**
 * The document browser's host side in the real extension host, directly against the run's MongoDB
 * (local connections): the panel's protocol (handshake, keyset pages, history, counts cancelled on
 * the server, confirmations that name what they touch, read-only refused whatever the webview
 * sends), documents as files of the `ogelbase-mongodb` scheme (canonical text in, conflict-checked
 * replace out, mistakes marked at their line, insert on first save), and the last view kept.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BSON, Int32, MongoClient, type Document } from 'mongodb';
import * as vscode from 'vscode';
import type { DatabaseRef } from '../../src/host/access/database-ref';
import type { Explorer } from '../../src/host/explorer';
import type { LocalConnection } from '../../src/host/local/local-connection';
import { vscodePrompts } from '../../src/host/prompts';
import { itemNode } from '../../src/host/tree/nodes';
import type { HostMessage } from '../../src/webviews/protocol/base';
import { everyType } from '../support/engines/bson-samples';
import { realWebviewReady } from '../support/extension-host/panels';
import { confirm, dismiss, pick, ScriptedPrompts } from '../support/extension-host/scripted-ui';

const run = randomBytes(3).toString('hex');
const DB = `hostdocs_${run}`;
const decoder = new TextDecoder();

describe('the MongoDB document browser, host side (real extension host, direct to MongoDB)', function () {
  this.timeout(120_000);
  let explorer: Explorer;
  let mongo: MongoClient;
  const prompts = new ScriptedPrompts();
  const connections: LocalConnection[] = [];
  const refOf = (c: LocalConnection): DatabaseRef => ({ scope: 'local', local: c });
  const rw = () => refOf(connections[0]!);
  const ro = () => refOf(connections[1]!);
  // Far from the ids the real webview of the panel uses, whose cancels would otherwise reach these requests.
  let nextId = 1_000_000;

  /** Sends one request to the panel of `ref` as its webview would, and returns the reply. */
  async function request(ref: DatabaseRef, method: string, params: Record<string, unknown>): Promise<HostMessage & { result?: unknown; error?: { code: string; message: string } }> {
    let entry = explorer.inspectors.find(explorer.documentBrowser, ref);
    if (!entry) {
      entry = explorer.inspectors.show(explorer.documentBrowser, ref);
      await realWebviewReady(entry);
    }
    const id = nextId++;
    const replies: HostMessage[] = [];
    const original = entry.panel.webview.postMessage.bind(entry.panel.webview);
    (entry.panel.webview as { postMessage: unknown }).postMessage = (m: HostMessage) => (replies.push(m), original(m));
    try {
      await entry.dispatcher.receive({ type: 'request', id, method, params });
    } finally {
      (entry.panel.webview as { postMessage: unknown }).postMessage = original;
    }
    return replies.find((r) => r.type !== 'notification' && r.id === id) as HostMessage & { result?: unknown; error?: { code: string; message: string } };
  }
  const ok = async <T>(ref: DatabaseRef, method: string, params: Record<string, unknown>): Promise<T> => {
    const reply = await request(ref, method, params);
    assert.equal(reply.type, 'response', `${method}: ${JSON.stringify(reply.error)}`);
    return reply.result as T;
  };
  const ns = (collection: string) => ({ db: DB, collection });
  const page = (collection: string, extra: Record<string, unknown> = {}) => ({ ...ns(collection), filter: '', projection: '', sort: '', skip: 0, limit: 5, keyset: true, remember: false, total: 0, ...extra });

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    explorer.prompts = prompts;
    const url = process.env.OGELBASE_TEST_MONGODB_URL!;
    mongo = new MongoClient(url);
    const db = mongo.db(DB);
    await db.collection('people').insertMany(Array.from({ length: 23 }, (_, i) => ({ _id: i as never, name: `P${i}`, group: i % 5 === 0 ? 'purge' : 'keep', n: new Int32(i) })));
    await db.collection('types').insertOne(everyType(new Int32(1)));
    for (let start = 0; start < 60_000; start += 10_000) await db.collection('big').insertMany(Array.from({ length: 10_000 }, (_, i) => ({ s: `document ${start + i}` })));
    const target = `${url.replace(/\/$/, '')}/${DB}`;
    connections.push(await explorer.local.add({ name: `docs-${run}`, type: 'mongodb', connectionString: target }));
    connections.push(await explorer.local.add({ name: `docs-ro-${run}`, type: 'mongodb', connectionString: target, readOnly: true }));
  });

  afterEach(() => {
    const problems = [...prompts.problems];
    prompts.reset();
    assert.deepEqual(problems, [], 'every question the test did not expect');
  });

  after(async () => {
    for (const entry of explorer.inspectors.list()) entry.panel.dispose();
    explorer.prompts = vscodePrompts;
    for (const c of connections) await explorer.local.remove(c.id);
    await mongo?.db(DB).dropDatabase();
    await mongo?.close();
  });

  it('opens from a collection row on that collection, one panel per database', async () => {
    const node = itemNode(`test/${run}/people`, rw(), 'mongodb.collection', 'people', { name: 'people', type: 'collection', db: DB });
    await vscode.commands.executeCommand('ogelbase.mongodb.browseDocuments', node);
    const entry = explorer.inspectors.find(explorer.documentBrowser, rw())!;
    assert.equal(entry.panel.title, `Documents: docs-${run}`);
    await realWebviewReady(entry);
    const ready = await ok<{ init: { target: unknown; pageSizes: number[] }; database: { readOnly: boolean } }>(rw(), 'webview/ready', {});
    assert.deepEqual(ready.init.target, { db: DB, collection: 'people' });
    assert.ok(ready.init.pageSizes.includes(20));
    assert.equal(ready.database.readOnly, false);
    await vscode.commands.executeCommand('ogelbase.mongodb.browseDocuments', itemNode(`test/${run}/types`, rw(), 'mongodb.collection', 'types', { name: 'types', type: 'collection', db: DB }));
    assert.equal(explorer.inspectors.list().filter((p) => p.definition === explorer.documentBrowser).length, 1);
  });

  it('opens from the palette: the connection, then the database and the collection, every collection offered', async () => {
    await mongo.db(DB).createCollection('capped_log', { capped: true, size: 65536 });
    prompts.answer(pick(`docs-${run}`), pick(DB), pick('types'));
    await vscode.commands.executeCommand('ogelbase.mongodb.browseDocuments');
    assert.deepEqual(prompts.questions.map((q) => q.title), ['Browse Documents', `Browse Documents: database of docs-${run}`, `Browse Documents: collection of ${DB}`]);
    assert.deepEqual([...prompts.questions[2]!.choices!].sort(), ['big', 'capped_log', 'people', 'types']);
    assert.ok(prompts.questions[0]!.choices!.includes(`docs-ro-${run}`));
    assert.equal(explorer.inspectors.list().filter((p) => p.definition === explorer.documentBrowser).length, 1, 'the panel of the database is reused');
    const navigated = new Promise<unknown>((resolve) => {
      const entry = explorer.inspectors.find(explorer.documentBrowser, rw())!;
      const original = entry.panel.webview.postMessage.bind(entry.panel.webview);
      (entry.panel.webview as { postMessage: unknown }).postMessage = (m: HostMessage) => {
        if (m.type === 'notification' && m.method === 'mongo/navigate') resolve(m.params);
        return original(m);
      };
    });
    await vscode.commands.executeCommand('ogelbase.mongodb.browseDocuments', itemNode(`test/${run}/people2`, rw(), 'mongodb.collection', 'people', { name: 'people', type: 'collection', db: DB }));
    assert.deepEqual(await navigated, { db: DB, collection: 'people' });
  });

  it('pages by key with every number typed, and remembers the queries that were run', async () => {
    const first = await ok<{ documents: Document[]; next?: string; paging: string; estimatedCount?: number }>(rw(), 'mongo/findPage', page('people', { remember: true, filter: '{group: "keep"}', sort: '{"n": -1}' }));
    assert.deepEqual(first.documents[0], { _id: { $numberInt: '22' }, name: 'P22', group: 'keep', n: { $numberInt: '22' } });
    assert.equal(first.paging, 'keyset');
    const second = await ok<{ documents: Document[] }>(rw(), 'mongo/findPage', page('people', { filter: '{group: "keep"}', sort: '{"n": -1}', after: first.next }));
    assert.deepEqual(second.documents.map((d) => d.name), ['P16', 'P14', 'P13', 'P12', 'P11']);
    const { entries } = await ok<{ entries: unknown[] }>(rw(), 'mongo/history', ns('people'));
    assert.deepEqual(entries[0], { filter: '{group: "keep"}', projection: '', sort: '{"n": -1}', skip: 0, limit: 0 });
    const bad = await request(rw(), 'mongo/findPage', page('people', { filter: '{"n": }' }));
    assert.equal(bad.error?.code, 'invalid_input');
    assert.match(bad.error!.message, /filter is not valid Extended JSON: unexpected '}' at line 1, column 7 \(position 6\)/);
    const fields = await ok<{ fields: string[] }>(rw(), 'mongo/fieldNames', ns('types'));
    assert.ok(fields.fields.includes('int32.max') && fields.fields.includes('regex.opt_ilmsux'), fields.fields.join(' '));
  });

  it('cancels an exact count: the host aborts the request and the server-side count is killed', async () => {
    const entry = explorer.inspectors.find(explorer.documentBrowser, rw())!;
    const id = nextId++;
    const replies: HostMessage[] = [];
    const original = entry.panel.webview.postMessage.bind(entry.panel.webview);
    (entry.panel.webview as { postMessage: unknown }).postMessage = (m: HostMessage) => (replies.push(m), original(m));
    const admin = mongo.db('admin');
    const running = async () => ((await admin.command({ currentOp: 1, 'command.comment': { $regex: '^ogelbase:count:' }, ns: `${DB}.big` })).inprog as Document[]).length;
    try {
      const counting = entry.dispatcher.receive({ type: 'request', id, method: 'mongo/count', params: { ...ns('big'), filter: '{"s": {"$regex": "never-there"}}' } });
      let seen = 0;
      for (let i = 0; i < 500 && seen === 0; i++) seen = await running();
      assert.equal(seen, 1, 'the count is running on the server');
      await entry.dispatcher.receive({ type: 'cancel', id });
      await counting;
      assert.deepEqual(replies.find((r) => r.type === 'error' && r.id === id), { type: 'error', id, error: { code: 'cancelled', message: 'cancelled' } });
    } finally {
      (entry.panel.webview as { postMessage: unknown }).postMessage = original;
    }
    let left = await running();
    for (let i = 0; i < 50 && left; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await running();
    }
    assert.equal(left, 0, 'the count no longer runs on the server');
  });

  it('confirms deletes on the host, naming what they touch; a refusal changes nothing', async () => {
    prompts.answer(dismiss());
    const refused = await request(rw(), 'mongo/deleteDocuments', { ...ns('people'), ids: ['{"$numberInt":"1"}'] });
    assert.equal(refused.error?.code, 'cancelled');
    assert.equal(await mongo.db(DB).collection('people').countDocuments({ _id: 1 as never }), 1);
    prompts.answer(confirm('Delete'));
    assert.deepEqual(await ok(rw(), 'mongo/deleteDocuments', { ...ns('people'), ids: ['{"$numberInt":"1"}', '{"$numberInt":"2"}'] }), { deleted: 2 });
    assert.equal(prompts.questions[1]?.message, `Delete 2 documents from ${DB}.people?`);
    prompts.answer(confirm('Delete'));
    assert.deepEqual(await ok(rw(), 'mongo/deleteMatching', { ...ns('people'), filter: '{"group": "purge"}' }), { deleted: 5, counted: 5 });
    assert.equal(prompts.questions[2]?.message, `Delete 5 documents from ${DB}.people?`);
    assert.match(prompts.questions[2]!.detail!, /matching \{"group": "purge"\}/);
    assert.equal(await mongo.db(DB).collection('people').countDocuments({ group: 'purge' }), 0);
  });

  it('refuses every write on a read-only database whatever the webview sends, before asking anything', async () => {
    await ok(ro(), 'webview/ready', {});
    for (const [method, params] of [
      ['mongo/deleteDocuments', { ...ns('people'), ids: ['{"$numberInt":"3"}'] }],
      ['mongo/deleteMatching', { ...ns('people'), filter: '' }],
      ['mongo/createIndex', { ...ns('people'), keys: '{"name": 1}', unique: false, sparse: false }],
      ['mongo/dropIndex', { ...ns('people'), name: '_id_' }],
      ['mongo/newDocument', ns('people')],
    ] as const) {
      const reply = await request(ro(), method, params);
      assert.equal(reply.error?.code, 'read_only', method);
    }
    assert.equal(prompts.questions.length, 0);
    const uri = explorer.mongoFiles.uri(ro(), DB, 'people', '{"$numberInt":"3"}');
    assert.match(decoder.decode(await vscode.workspace.fs.readFile(uri)), /"name": "P3"/);
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, new TextEncoder().encode('{"_id": 3, "name": "changed"}'))), /read-only/);
    assert.equal((await mongo.db(DB).collection('people').findOne({ _id: 3 as never }))?.name, 'P3');
  });

  it('reads a document as canonical text and saves it back byte for byte, refusing a stale save and marking mistakes at their line', async () => {
    const uri = explorer.mongoFiles.uri(rw(), DB, 'types', '{"$numberInt":"1"}');
    assert.match(uri.path, /\/types\/1\.json$/);
    const text = decoder.decode(await vscode.workspace.fs.readFile(uri));
    assert.match(text, /"\$regularExpression": \{\s*"pattern": "\^a\.b\\\\s\+\[c-d\]\$",\s*"options": "ilmsux"/);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text.replace('key order is kept', 'still kept')));
    const expected = everyType(new Int32(1));
    expected.zebra = 'still kept: this field comes first';
    const stored = await mongo.db(DB).collection('types').findOne({ _id: new Int32(1) } as Document, { promoteValues: false, bsonRegExp: true });
    assert.equal(Buffer.compare(Buffer.from(BSON.serialize(stored!)), Buffer.from(BSON.serialize(expected))), 0);
    await mongo.db(DB).collection('types').updateOne({ _id: new Int32(1) } as Document, { $set: { nul: 'someone else' } });
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text))), /changed since it was opened, so nothing was saved/);
    const broken = '{\n  "_id": {"$numberInt": "1"},\n  "a" 1\n}';
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(broken))), /expected ':' after the key, found '1' at line 3, column 7/);
    const [diagnostic] = vscode.languages.getDiagnostics(uri);
    assert.equal(diagnostic?.range.start.line, 2);
    assert.equal(diagnostic?.range.start.character, 6);
  });

  it('inserts a new document on its first save, and replaces it on the next', async () => {
    const uri = explorer.mongoFiles.uri(rw(), DB, 'people', undefined);
    assert.match(decoder.decode(await vscode.workspace.fs.readFile(uri)), /^\{\s*\}\s*$/);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`{"name": "new-${run}"}`));
    const inserted = await mongo.db(DB).collection('people').findOne({ name: `new-${run}` });
    assert.ok(inserted);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`{"_id": {"$oid": "${String(inserted._id)}"}, "name": "renamed-${run}"}`));
    assert.equal(await mongo.db(DB).collection('people').countDocuments({ name: { $in: [`new-${run}`, `renamed-${run}`] } }), 1);
  });

  it('creates and drops an index after a confirmation, and lists sizes and usage', async () => {
    prompts.answer(confirm('Create Index'));
    assert.deepEqual(await ok(rw(), 'mongo/createIndex', { ...ns('people'), keys: '{"name": 1}', unique: false, sparse: false }), { name: 'name_1' });
    assert.match(prompts.questions[0]!.message!, new RegExp(`Create an index on ${DB}\\.people\\?`));
    const indexes = await ok<{ name: string; size?: number; usage?: { ops: number } }[]>(rw(), 'mongo/listIndexes', ns('people'));
    assert.deepEqual(indexes.map((i) => i.name), ['_id_', 'name_1']);
    assert.ok(indexes.every((i) => i.size !== undefined && i.usage !== undefined));
    prompts.answer(confirm('Drop Index'));
    assert.deepEqual(await ok(rw(), 'mongo/dropIndex', { ...ns('people'), name: 'name_1' }), { dropped: 'name_1' });
    const explained = await ok<{ summary: { winningStage?: string; docsExamined?: number } }>(rw(), 'mongo/explain', { ...ns('people'), filter: '{"name": "P4"}', projection: '', sort: '' });
    assert.equal(explained.summary.winningStage, 'COLLSCAN');
    assert.equal(typeof explained.summary.docsExamined, 'number');
  });

  it('gives the next panel of the database the view the last one had', async () => {
    const view = { db: DB, collection: 'people', query: { filter: '{"group": "keep"}', projection: '', sort: '', skip: 0, limit: 0 }, view: 'tree', tab: 'indexes', pageSize: 50 };
    const entry = explorer.inspectors.find(explorer.documentBrowser, rw())!;
    await entry.dispatcher.receive({ type: 'command', method: 'mongo/saveView', params: view });
    const closed = new Promise<void>((resolve) => entry.panel.onDidDispose(() => resolve()));
    entry.panel.dispose();
    await closed;
    await realWebviewReady(explorer.inspectors.show(explorer.documentBrowser, rw()));
    const ready = await ok<{ init: { lastView: unknown } }>(rw(), 'webview/ready', {});
    assert.deepEqual(ready.init.lastView, view);
  });
});
