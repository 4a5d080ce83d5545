/**
 * Local connections through the commands (Add Local Connection, Test Connection, Copy, Edit,
 * Remove) against the harness's real Redis, plus the small commands: Refresh, Load More, Retry,
 * Open Walkthrough, Open Settings, Show Log.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { parseConnectionString } from '../../src/core/connection-strings';
import type { Explorer } from '../../src/host/explorer';
import { localSecretKey, type LocalConnection } from '../../src/host/local/local-connection';
import { vscodePrompts } from '../../src/host/prompts';
import type { DatabaseNode, ExplorerNode } from '../../src/host/tree/nodes';
import { commandRunner, captureMessages, logTexts, confirm, input, leaksIn, passwordOf, pick, ScriptedPrompts, type ShownMessage } from '../support/extension-host/scripted-ui';
import { registerSecret } from '../support/secrets';
import { freePort } from '../support/services/ports';

const C = {
  addLocal: 'ogelbase.local.add',
  edit: 'ogelbase.database.edit',
  remove: 'ogelbase.database.remove',
  test: 'ogelbase.database.testConnection',
  copy: 'ogelbase.database.copyConnectionString',
  refresh: 'ogelbase.explorer.refresh',
  loadMore: 'ogelbase.tree.loadMore',
  retry: 'ogelbase.tree.retry',
  walkthrough: 'ogelbase.openWalkthrough',
  settings: 'ogelbase.openSettings',
  showLog: 'ogelbase.showLog',
};

describe('commands: local connections and the small commands', function () {
  this.timeout(120_000);
  let explorer: Explorer;
  let unreachable: string;
  const redisUrl = process.env.OGELBASE_TEST_REDIS_URL!;
  const prompts = new ScriptedPrompts();
  let capture: { messages: ShownMessage[]; restore(): void };
  const secrets: string[] = [passwordOf(redisUrl)];
  const asked: string[] = [];

  const run = (command: string, ...args: unknown[]) => commandRunner(prompts, capture, asked)(command, ...args);
  const find = (name: string): LocalConnection | undefined => explorer.local.list().find((c) => c.name === name);
  const row = async (name: string): Promise<DatabaseNode> => {
    explorer.localTree.refresh();
    const rows = (await explorer.localTree.getChildren()) as ExplorerNode[];
    const found = rows.find((n): n is DatabaseNode => n.kind === 'database' && n.ref.scope === 'local' && n.ref.local.name === name);
    assert.ok(found, `the Local Connections tree lists ${name}`);
    return found;
  };

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    const fakePassword = 'Local-unreachable-pw-55';
    registerSecret(fakePassword);
    secrets.push(fakePassword);
    unreachable = `redis://default:${fakePassword}@127.0.0.1:${await freePort()}/0`;
    explorer.prompts = prompts;
    capture = captureMessages(vscode);
  });

  after(async () => {
    capture?.restore();
    if (explorer) {
      explorer.prompts = vscodePrompts;
      for (const c of explorer.local.list().filter((c) => c.name.startsWith('local-'))) await explorer.local.remove(c.id);
    }
    await vscode.env.clipboard.writeText('');
  });

  afterEach(() => prompts.reset());

  it('Add Local Connection validates as typed, probes from this machine, and keeps the string in secret storage only', async () => {
    const malformed = 'redis://default:Local-malformed-pw-1@127.0.0.1:notaport/0';
    registerSecret('Local-malformed-pw-1');
    secrets.push('Local-malformed-pw-1');
    prompts.answer(pick('Redis'), input('local-redis'), input(malformed), input(redisUrl), pick('Read and write'), input('my laptop redis'));
    const shown = await run(C.addLocal);
    let expected = '';
    try {
      parseConnectionString('redis', malformed);
    } catch (error) {
      expected = (error as Error).message;
    }
    assert.equal(prompts.questions[2]!.rejected[0]!.message, expected);
    assert.match(expected, /^Invalid Redis connection string: /);
    assert.match(shown[0]!.message, /^Added local-redis \(Redis \d+\.\d+\.\d+, \d+ ms\)$/);
    const saved = find('local-redis');
    assert.ok(saved);
    assert.equal(saved.endpoint, `127.0.0.1:${new URL(redisUrl).port}`);
    assert.match(saved.masked, /\*\*\*\*/);
    assert.equal(saved.description, 'my laptop redis');
    assert.equal(await explorer.context.secrets.get(localSecretKey(saved.id)), redisUrl);
    const state = JSON.stringify(explorer.context.globalState.keys().map((k) => explorer.context.globalState.get(k)));
    assert.ok(!state.includes(passwordOf(redisUrl)), 'no password in globalState');
  });

  it('Add Local Connection refuses a name already taken, as typed', async () => {
    prompts.answer(pick('Redis'), input('LOCAL-REDIS'), input('local-down'), input(unreachable), pick('Read and write'), input(''), confirm('Save Anyway'));
    const shown = await run(C.addLocal);
    assert.equal(prompts.questions[1]!.rejected[0]!.message, 'LOCAL-REDIS is already taken: choose another name.');
    assert.match(prompts.questions.at(-1)!.detail!, /refused the connection/);
    assert.deepEqual(shown.map((m) => m.message), ['Added local-down (Redis, not reachable when tested: fix it with Edit Database)']);
  });

  it('Test Connection on a local row connects directly; an unreachable one fails with Show Log', async () => {
    let shown = await run(C.test, await row('local-redis'));
    assert.match(shown[0]!.message, /^local-redis: connected in \d+ ms \(Redis \d+\.\d+\.\d+, directly\)$/);
    shown = await run(C.test, await row('local-down'));
    assert.equal(shown[0]!.severity, 'error');
    assert.match(shown[0]!.message, /^local-down: Redis at 127\.0\.0\.1:\d+ refused the connection.*\(directly\)$/);
    assert.deepEqual(shown[0]!.actions, ['Show Log']);
  });

  it('Copy Connection String of a local connection: masked, or the stored string after a confirmation', async () => {
    const node = await row('local-redis');
    prompts.answer(pick('Copy masked'));
    await run(C.copy, node);
    assert.equal(await vscode.env.clipboard.readText(), find('local-redis')!.masked);
    prompts.answer(pick('Reveal and copy'), confirm('Copy with Password'));
    await run(C.copy, node);
    assert.ok((await vscode.env.clipboard.readText()) === redisUrl);
    await vscode.env.clipboard.writeText('');
  });

  it('Edit and Remove a local connection from the palette (the connection is picked)', async () => {
    prompts.answer(pick('local-down'), pick('Name'), input('local-spare'));
    let shown = await run(C.edit);
    assert.deepEqual(shown.map((m) => m.message), ['Renamed local-down to local-spare.']);
    const spare = find('local-spare')!;

    prompts.answer(pick('local-spare'), confirm('Cancel'));
    shown = await run(C.remove);
    assert.equal(prompts.questions[1]!.message, "Remove local connection 'local-spare'?");
    assert.deepEqual(shown, []);
    assert.ok(find('local-spare'));

    prompts.answer(confirm('Remove'));
    shown = await run(C.remove, await row('local-spare'));
    assert.deepEqual(shown.map((m) => m.message), ['Removed local connection local-spare.']);
    assert.equal(find('local-spare'), undefined);
    assert.equal(await explorer.context.secrets.get(localSecretKey(spare.id)), undefined);
  });

  it('Refresh (all, or one row), Show Log, Open Settings and Open Walkthrough run without an error', async () => {
    assert.deepEqual(await run(C.refresh), []);
    assert.deepEqual(await run(C.refresh, await row('local-redis')), []);
    // Settings before Show Log: opening the Settings editor right after the Output panel took focus
    // waits about 10 s in the workbench (not in the command).
    assert.deepEqual(await run(C.settings), []);
    assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'Settings');
    assert.deepEqual(await run(C.showLog), []);
    assert.deepEqual(await run(C.walkthrough), []);
    let label: string | undefined;
    for (const deadline = Date.now() + 5_000; !label?.match(/welcome|walkthrough|get started/i) && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
      label = vscode.window.tabGroups.activeTabGroup.activeTab?.label;
    }
    assert.match(label ?? '', /welcome|walkthrough|get started/i, `the walkthrough opened (active tab: ${label})`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Load More and Retry say where they run when given no row', async () => {
    let shown = await run(C.loadMore);
    assert.deepEqual(shown.map((m) => [m.severity, m.message]), [['error', 'Load More runs from a "Load more" row of the explorer.']]);
    shown = await run(C.retry);
    assert.deepEqual(shown.map((m) => [m.severity, m.message]), [['error', 'Retry runs from an error row of the explorer.']]);
  });

  it('no message, question, log line or secret-storage key name holds a password', async () => {
    const logs = logTexts(explorer.context.logUri.fsPath);
    assert.ok(logs.some((text) => text.includes('[commands] added local connection local-redis')), 'the log file was found and holds this suite\'s lines');
    const texts = [...capture.messages.map((m) => m.message), ...asked, ...(await explorer.vault.keys()), ...logs];
    assert.deepEqual(leaksIn(texts, secrets), []);
  });
});
