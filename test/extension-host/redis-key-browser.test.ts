/**
 * The key browser's host side in the real extension host, driven through its panel's dispatcher
 * as the webview drives it: the Open Key Browser command from a key, a namespace and a database
 * row (one panel, re-focused), confirmations of removals and of delete-by-pattern (with the count
 * in the question), refused confirmations writing nothing, a name already taken, bad edits, and
 * the Redis server stopped mid-session (a readable error, then it works again).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import * as vscode from 'vscode';
import type { DatabaseRef } from '../../src/host/access/database-ref';
import type { Explorer } from '../../src/host/explorer';
import type { LocalConnection } from '../../src/host/local/local-connection';
import { redisKeyBrowser } from '../../src/host/redis/key-browser';
import { itemNode } from '../../src/host/tree/nodes';
import type { HostMessage } from '../../src/webviews/protocol/base';
import { startRedis, type RedisService } from '../support/services/redis';
import { registerSecret } from '../support/secrets';
import { realWebviewReady } from '../support/extension-host/panels';
import { confirm, dismiss, ScriptedPrompts } from '../support/extension-host/scripted-ui';

describe('Redis key browser: the host side (real extension host, its own Redis)', function () {
  this.timeout(90_000);
  let explorer: Explorer;
  let server: RedisService;
  let redis: Redis;
  let connection: LocalConnection;
  let ref: DatabaseRef;
  const prompts = new ScriptedPrompts();
  let original: Explorer['prompts'];
  const run = randomBytes(3).toString('hex');
  // Far from the ids of the panel's real webview, whose cancels would otherwise reach these requests.
  let id = 1_000_000;

  async function ask(method: string, params: Record<string, unknown>): Promise<{ result?: unknown; error?: { code: string; message: string } }> {
    const entry = explorer.inspectors.find(redisKeyBrowser, ref)!;
    const replies: HostMessage[] = [];
    const post = entry.panel.webview.postMessage.bind(entry.panel.webview);
    (entry.panel.webview as { postMessage: unknown }).postMessage = (m: HostMessage) => (replies.push(m), post(m));
    const mine = ++id;
    try {
      await entry.dispatcher.receive({ type: 'request', id: mine, method, params });
    } finally {
      (entry.panel.webview as { postMessage: unknown }).postMessage = post;
    }
    const reply = replies.find((r) => r.type !== 'notification' && r.id === mine) as { result?: unknown; error?: { code: string; message: string } };
    return reply;
  }

  before(async () => {
    server = await startRedis();
    registerSecret(server.password);
    redis = new Redis(server.url);
    await redis.hset(`${run}:h`, { a: '1', b: '2' });
    for (let i = 0; i < 25; i++) await redis.set(`${run}:bulk:${i}`, String(i));
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    original = explorer.prompts;
    explorer.prompts = prompts;
    connection = await explorer.local.add({ name: `kb-${run}`, type: 'redis', connectionString: server.url });
    ref = { scope: 'local', local: connection };
  });

  after(async () => {
    explorer.prompts = original;
    for (const entry of explorer.inspectors.list()) entry.panel.dispose();
    await explorer.local.remove(connection.id);
    redis.disconnect();
    await server.destroy();
  });

  afterEach(() => {
    assert.deepEqual(prompts.problems, []);
    prompts.reset();
  });

  it('opens from a key, a namespace and a database row, always the same panel', async () => {
    const key = itemNode(`k-${run}`, ref, 'redis.key', 'h', { key: { name: `${run}:h` }, type: 'hash', ttl: -1 });
    await vscode.commands.executeCommand('ogelbase.redis.openKeyBrowser', key);
    const entry = explorer.inspectors.find(redisKeyBrowser, ref)!;
    assert.equal(entry.panel.title, `Keys: kb-${run}`);
    const handshake = await realWebviewReady(entry);
    assert.deepEqual(handshake?.init.target, { key: { name: `${run}:h` } }, 'the real webview opens on the key');
    const ready = await ask('webview/ready', {});
    const init = (ready.result as { init: { target?: unknown; delimiter: string; server?: { topology: string } } }).init;
    assert.equal(init.target, undefined, 'a later document of the panel (a reload) keeps its own view');
    assert.equal(init.server?.topology, 'standalone');
    const ns = itemNode(`n-${run}`, ref, 'redis.namespace', 'bulk', { prefix: { name: `${run}:bulk:` }, keysSeen: 25 });
    await vscode.commands.executeCommand('ogelbase.redis.openKeyBrowser', ns);
    await vscode.commands.executeCommand('ogelbase.redis.openKeyBrowser', { kind: 'database', id: `d-${run}`, ref });
    // By viewType: this test's bundle has its own copy of the definition object.
    assert.equal(explorer.inspectors.list().filter((p) => p.definition.viewType === redisKeyBrowser.viewType).length, 1);
  });

  it('asks before removing a field; a dismissed question removes nothing', async () => {
    prompts.answer(dismiss());
    const refused = await ask('redis/edit', { operation: 'hashDelete', params: { key: `${run}:h`, fields: ['a'] } });
    assert.equal(refused.error?.code, 'cancelled');
    assert.equal(await redis.hexists(`${run}:h`, 'a'), 1);
    prompts.answer(confirm('Remove'));
    const removed = await ask('redis/edit', { operation: 'hashDelete', params: { key: `${run}:h`, fields: ['a'] } });
    assert.deepEqual(removed.result, { removed: 1 });
    assert.match(prompts.questions.at(-1)?.message ?? '', new RegExp(`Remove this field from "${run}:h"\\?`));
  });

  it('deletes by pattern only after confirming the counted keys', async () => {
    prompts.answer(dismiss());
    assert.equal((await ask('redis/deleteMatching', { match: `${run}:bulk:*` })).error?.code, 'cancelled');
    assert.match(prompts.questions.at(-1)?.message ?? '', new RegExp(`Delete 25 keys matching "${run}:bulk:\\*"\\?`));
    assert.equal((await redis.keys(`${run}:bulk:*`)).length, 25);
    prompts.answer(confirm('Delete'));
    assert.deepEqual((await ask('redis/deleteMatching', { match: `${run}:bulk:*` })).result, { deleted: 25, counted: 25 });
    assert.equal((await ask('redis/deleteMatching', { match: `${run}:bulk:*` })).error?.code, 'not_found');
  });

  it('refuses a taken name, an unknown edit, a bad score and hostile params with readable errors', async () => {
    assert.match((await ask('redis/createKey', { type: 'hash', key: `${run}:h`, field: 'f', value: 'v' })).error?.message ?? '', /already exists/);
    assert.match((await ask('redis/createKey', { type: 'string', key: `${run}:h`, value: 'v' })).error?.message ?? '', /already exists/);
    assert.equal((await ask('redis/edit', { operation: 'flushall', params: {} })).error?.code, 'invalid_params');
    assert.match((await ask('redis/createKey', { type: 'zset', key: `${run}:z`, value: 'm', score: 'abc' })).error?.message ?? '', /score: "abc" is not a number/);
    const deep = (await ask('redis/edit', { operation: 'expire', params: { key: `${run}:h`, ttl: -5 } })).error;
    assert.equal(deep?.code, 'invalid_input');
    assert.match(deep?.message ?? '', /ttl must be at least 1/);
    assert.equal((await ask('redis/scanKeys', { match: 'x'.repeat(20_000) })).error?.code, 'invalid_params');
    assert.equal(await redis.exists(`${run}:z`), 0);
  });

  it('answers with a readable error while Redis is down, and works again when it is back', async () => {
    await server.stop();
    const down = await ask('redis/scanKeys', { match: `${run}:*` });
    assert.ok(down.error, 'an error reply');
    assert.ok(['unreachable', 'timeout'].includes(down.error.code), down.error.code);
    assert.ok(!down.error.message.includes(server.password));
    await server.start();
    let back: Awaited<ReturnType<typeof ask>> | undefined;
    for (let i = 0; i < 40 && !back?.result; i++) {
      back = await ask('redis/scanKeys', { match: `${run}:*` });
      if (!back.result) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(Array.isArray((back?.result as { keys?: unknown[] } | undefined)?.keys), `no page after the restart: ${JSON.stringify(back?.error)}`);
  });
});
