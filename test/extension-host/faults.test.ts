/**
 * The explorer when its companion server goes away (issue 9): the platform process is killed while
 * the tree is open and a page of keys is loading, then frozen (SIGSTOP: it accepts connections and
 * never answers), then brought back. Nothing may hang: the page ends as an error row with Retry,
 * the status bar says offline, and both recover once the server is back.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import * as vscode from 'vscode';
import { PlatformClient } from '../../src/core/api/client';
import type { Explorer } from '../../src/host/explorer';
import type { HealthState } from '../../src/host/health/health-state';
import type { ExplorerNode } from '../../src/host/tree/nodes';
import { startPlatform, type PlatformService } from '../support/platform';
import { find, listed, rows, setSetting, unique, type Row } from '../support/extension-host/tree-fixtures';

describe('faults: the companion server stops while the tree is open', function () {
  this.timeout(180_000);
  let explorer: Explorer;
  let tree: Explorer['platformTree'];
  let platform: PlatformService;
  let database: Row;
  const prefix = `faults${unique()}`;
  const redisUrl = process.env.OGELBASE_TEST_REDIS_URL!;
  const saved: Record<string, unknown> = {};

  /** Checks until the status bar reaches `kind`. */
  async function until(kind: HealthState['kind'], attempts = 80): Promise<HealthState> {
    let state = await explorer.statusBar.refresh();
    for (let i = 0; i < attempts && state.kind !== kind; i++) {
      await new Promise((r) => setTimeout(r, 250));
      state = await explorer.statusBar.refresh();
    }
    assert.equal(state.kind, kind, `the status bar is ${state.kind}, expected ${kind}`);
    return state;
  }
  const databaseRow = async () => {
    const organization = find(await rows(tree), 'Demo Organization');
    const project = find(await rows(tree, organization.node), 'Demo Project');
    return find(await rows(tree, project.node), `faults-cache-${prefix}`);
  };
  const errorRow = (list: Row[]) => list.find((r) => r.node.kind === 'error');

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    tree = explorer.platformTree;
    const seed = new Redis(redisUrl);
    await seed.mset(`${prefix}:a`, '1', `${prefix}:b`, '2', `${prefix}:c`, '3');
    seed.disconnect();
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL });
    await new PlatformClient({ url: platform.url, token: platform.token }).createDatabase({ projectRef: platform.projectRef, name: `faults-cache-${prefix}`, type: 'redis', connectionString: redisUrl });
    for (const key of ['connectionMode', 'requestTimeout']) saved[key] = vscode.workspace.getConfiguration('ogelbase').inspect(key)?.globalValue;
    // Through the platform, so that the server going away is what the tree meets; a short request deadline for the frozen server.
    await setSetting('connectionMode', 'platform');
    await setSetting('requestTimeout', 3);
    await explorer.session.signIn(platform.url, platform.token, 'faults platform');
    await until('healthy');
    database = await databaseRow();
    assert.ok(listed(await rows(tree, database.node)).length > 0, 'the keys list while the server runs');
  });

  after(async () => {
    if (platform?.pid) {
      try {
        process.kill(platform.pid, 'SIGCONT');
      } catch {
        /* not running */
      }
    }
    await explorer.session.signOut(platform?.url).catch(() => undefined);
    for (const [key, value] of Object.entries(saved)) await setSetting(key, value).catch(() => undefined);
    await platform?.destroy();
    const cleanup = new Redis(redisUrl);
    await cleanup.del(`${prefix}:a`, `${prefix}:b`, `${prefix}:c`);
    cleanup.disconnect();
  });

  it('killed while a page of keys is loading: the page ends as an error row with Retry, the status bar turns offline', async () => {
    // Redis holds the SCAN (CLIENT PAUSE), so the platform request is in flight when the server dies.
    const admin = new Redis(redisUrl);
    await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
    admin.disconnect();
    tree.refresh(database.node);
    const loading = rows(tree, database.node);
    await new Promise((r) => setTimeout(r, 500));
    process.kill(platform.pid!, 'SIGKILL');
    const list = await loading;
    const error = errorRow(list);
    assert.ok(error, `an error row, got: ${list.map((r) => r.label).join(', ')}`);
    assert.match(error.label, /^Could not load .*cannot reach the platform/);
    assert.equal(error.context, 'error');
    assert.equal(error.item.command?.command, 'ogelbase.tree.retry');
    const state = await until('offline', 10);
    assert.match(state.kind === 'offline' ? state.message : '', /cannot reach the platform/);
    assert.match(explorer.statusBar.view.text, /offline/);
  });

  it('frozen (it accepts connections and never answers): requests end at the request timeout, nothing hangs', async () => {
    await platform.start();
    await until('healthy');
    process.kill(platform.pid!, 'SIGSTOP');
    try {
      tree.refresh();
      const organizations = await rows(tree);
      const error = errorRow(organizations);
      assert.ok(error, `an error row, got: ${organizations.map((r) => r.label).join(', ')}`);
      assert.match(error.label, /did not answer within 3 s/);
      const state = await explorer.statusBar.refresh();
      assert.equal(state.kind, 'offline');
      assert.match(state.kind === 'offline' ? state.message : '', /did not answer within 3 s/);
    } finally {
      process.kill(platform.pid!, 'SIGCONT');
    }
  });

  it('recovers when the server is back: Retry lists the rows again and the status bar turns healthy', async () => {
    await until('healthy');
    const organizations = await rows(tree);
    const error = errorRow(organizations);
    if (error) await vscode.commands.executeCommand('ogelbase.tree.retry', error.node as ExplorerNode);
    database = await databaseRow();
    tree.refresh(database.node);
    const keys = await rows(tree, database.node);
    assert.equal(errorRow(keys), undefined, keys.map((r) => r.label).join(', '));
    assert.ok(listed(keys).length > 0);
    assert.equal(explorer.statusBar.state.kind, 'healthy');
  });
});
