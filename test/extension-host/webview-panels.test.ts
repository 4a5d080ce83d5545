/**
 * The inspector panel manager (src/host/webviews/panels.ts) in the real extension host: one panel
 * per (inspector, database) re-focused when opened again, the ready handshake, engine operations
 * through DatabaseAccess with read-only refused, cancellation reaching the work, closing a panel
 * aborting what it had running, and the serializer's revive path with good and bad state.
 * The probe inspector below is defined by the test; it borrows an existing bundle for its HTML
 * and drives the protocol through the dispatcher directly.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import * as vscode from 'vscode';
import * as z from 'zod/mini';
import type { RedisOperations } from '../../src/core/engines/redis/operations';
import type { DatabaseRef } from '../../src/host/access/database-ref';
import type { Explorer } from '../../src/host/explorer';
import type { LocalConnection } from '../../src/host/local/local-connection';
import type { InspectorDefinition } from '../../src/host/webviews/inspector';
import type { HostMessage } from '../../src/webviews/protocol/base';
import { request } from '../../src/webviews/protocol/base';

const Get = request<{ type: string }>()('probe/get', z.strictObject({ key: z.string() }));
const Write = request<{ written: boolean }>()('probe/write', z.strictObject({ key: z.string(), value: z.string() }));
const Wait = request<string>()('probe/wait', z.strictObject({}));

describe('inspector panels (real extension host, real Redis)', function () {
  this.timeout(60_000);
  let explorer: Explorer;
  let redis: Redis;
  const run = randomBytes(3).toString('hex');
  const connections: LocalConnection[] = [];
  const navigated: string[] = [];
  const aborted: string[] = [];
  const refOf = (c: LocalConnection): DatabaseRef => ({ scope: 'local', local: c });

  const probe: InspectorDefinition<string> = {
    viewType: 'ogelbase.test.probe',
    bundle: 'health-report',
    engine: 'redis',
    title: (ref) => `Probe: ${ref.scope === 'local' ? ref.local.name : ref.info.name}`,
    attach: (host) => {
      const call = host.access.operations<RedisOperations>(host.ref);
      host.dispatcher.onRequest(Get, async (p, { signal }) => ({ type: (await call('getKey', { key: p.key }, signal)).type }));
      host.dispatcher.onRequest(Write, (p, { signal }) => call('setString', { key: p.key, value: p.value }, signal));
      const title = host.panel.title; // a disposed panel throws on every property
      host.dispatcher.onRequest(Wait, (_p, { signal }) => new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => (aborted.push(title), reject(new Error('aborted'))))));
      return { init: async () => ({ first: host.target ?? null }), navigate: (target) => void navigated.push(target), dispose: () => undefined };
    },
  };

  /** Sends one message to a panel's dispatcher as its webview would, and returns the reply. */
  async function send(ref: DatabaseRef, message: Record<string, unknown>): Promise<HostMessage> {
    const entry = explorer.inspectors.find(probe, ref)!;
    const replies: HostMessage[] = [];
    const original = entry.panel.webview.postMessage.bind(entry.panel.webview);
    (entry.panel.webview as { postMessage: unknown }).postMessage = (m: HostMessage) => (replies.push(m), original(m));
    try {
      await entry.dispatcher.receive(message);
    } finally {
      (entry.panel.webview as { postMessage: unknown }).postMessage = original;
    }
    return replies.find((r) => r.type !== 'notification' && r.id === message.id)!;
  }

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    redis = new Redis(process.env.OGELBASE_TEST_REDIS_URL!);
    await redis.set(`${run}:k`, 'v');
    connections.push(await explorer.local.add({ name: `panels-${run}`, type: 'redis', connectionString: process.env.OGELBASE_TEST_REDIS_URL! }));
    connections.push(await explorer.local.add({ name: `panels-ro-${run}`, type: 'redis', connectionString: process.env.OGELBASE_TEST_REDIS_URL!, readOnly: true }));
    explorer.inspectors.registerInspector(probe);
  });

  after(async () => {
    for (const entry of explorer.inspectors.list()) entry.panel.dispose();
    for (const c of connections) await explorer.local.remove(c.id);
    await redis.del(`${run}:k`, `${run}:w`);
    redis.disconnect();
  });

  it('opens one panel per database and re-focuses it, handing over the new target', async () => {
    const ref = refOf(connections[0]!);
    const first = explorer.inspectors.show(probe, ref, 'key-1');
    const again = explorer.inspectors.show(probe, ref, 'key-2');
    assert.equal(again.panel, first.panel, 'the same panel');
    assert.deepEqual(navigated, ['key-2']);
    assert.equal(explorer.inspectors.list().filter((p) => p.definition === probe).length, 1);
    assert.equal(first.panel.title, `Probe: panels-${run}`);
    assert.match(first.panel.webview.html, /script-src 'nonce-[A-Za-z0-9+/=]+'/);
    assert.doesNotMatch(first.panel.webview.html, /unsafe-inline|unsafe-eval/);
    assert.deepEqual(
      first.panel.webview.options.localResourceRoots?.map((u) => u.path),
      [vscode.Uri.joinPath(explorer.context.extensionUri, 'dist', 'webviews').path],
    );
    const other = explorer.inspectors.show(probe, refOf(connections[1]!));
    assert.notEqual(other.panel, first.panel);
    assert.equal(explorer.inspectors.list().filter((p) => p.definition === probe).length, 2);
  });

  it('answers the ready handshake with the database, its read-only flag, its persisted identity and the first target', async () => {
    const reply = await send(refOf(connections[0]!), { type: 'request', id: 1, method: 'webview/ready', params: {} });
    assert.equal(reply.type, 'response');
    const result = (reply as { result: { database: Record<string, unknown>; init: unknown } }).result;
    assert.equal(result.database.name, `panels-${run}`);
    assert.equal(result.database.readOnly, false);
    assert.deepEqual(result.database.persisted, { scope: 'local', localId: connections[0]!.id });
    assert.deepEqual(result.init, { first: 'key-1' });
    const readOnly = (await send(refOf(connections[1]!), { type: 'request', id: 1, method: 'webview/ready', params: {} })) as { result: { database: { readOnly: boolean } } };
    assert.equal(readOnly.result.database.readOnly, true);
  });

  it('runs engine operations through DatabaseAccess, and a read-only database refuses writes', async () => {
    assert.deepEqual(await send(refOf(connections[0]!), { type: 'request', id: 2, method: 'probe/get', params: { key: `${run}:k` } }), { type: 'response', id: 2, result: { type: 'string' } });
    const refused = (await send(refOf(connections[1]!), { type: 'request', id: 3, method: 'probe/write', params: { key: `${run}:w`, value: 'x' } })) as { type: string; error: { code: string; message: string } };
    assert.equal(refused.type, 'error');
    assert.equal(refused.error.code, 'read_only');
    assert.equal(await redis.exists(`${run}:w`), 0);
    const bad = (await send(refOf(connections[0]!), { type: 'request', id: 4, method: 'probe/get', params: { key: 42 } })) as { error: { code: string } };
    assert.equal(bad.error.code, 'invalid_params');
  });

  it("aborts a request's signal when the webview cancels it, and everything running when the panel closes", async () => {
    const ref = refOf(connections[0]!);
    const entry = explorer.inspectors.find(probe, ref)!;
    const cancelled = send(ref, { type: 'request', id: 5, method: 'probe/wait', params: {} });
    await new Promise((r) => setTimeout(r, 50));
    await entry.dispatcher.receive({ type: 'cancel', id: 5 });
    assert.equal(((await cancelled) as { error: { code: string } }).error.code, 'cancelled');
    void entry.dispatcher.receive({ type: 'request', id: 6, method: 'probe/wait', params: {} });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(entry.dispatcher.pending, 1, `running before close: ${entry.dispatcher.pending}; aborted so far: ${aborted.join(',')}`);
    const closed = new Promise<void>((resolve) => entry.panel.onDidDispose(() => resolve()));
    entry.panel.dispose();
    await closed;
    assert.equal(aborted.length, 2);
    assert.equal(explorer.inspectors.find(probe, ref), undefined);
  });

  it('revives a panel from the state its webview kept, and explains when it cannot', async () => {
    const ref = refOf(connections[0]!);
    const panel = vscode.window.createWebviewPanel(probe.viewType, 'restored', vscode.ViewColumn.Active, { enableScripts: true });
    await explorer.inspectors.revive(probe, panel, { $panel: { scope: 'local', localId: connections[0]!.id }, view: { anything: true } });
    assert.equal(explorer.inspectors.find(probe, ref)?.panel, panel);
    assert.equal(panel.title, `Probe: panels-${run}`);
    for (const state of [undefined, { $panel: { scope: 'local', localId: 'gone' } }, { $panel: { scope: 'evil', x: '<script>' } }]) {
      const broken = vscode.window.createWebviewPanel(probe.viewType, 'broken', vscode.ViewColumn.Active, { enableScripts: true });
      await explorer.inspectors.revive(probe, broken, state);
      assert.match(broken.webview.html, /Could not reopen/);
      assert.doesNotMatch(broken.webview.html, /<script/);
      broken.dispose();
    }
  });

  it('refuses to open an inspector on a database of another engine', () => {
    const postgres: DatabaseRef = { scope: 'local', local: { ...connections[0]!, type: 'postgres' } };
    assert.throws(() => explorer.inspectors.show(probe, postgres), /works on redis databases only/);
  });
});
