/**
 * The health status bar and report against a real platform whose Redis, and then the platform
 * itself, is stopped and started during the test (real processes, real VS Code).
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Explorer } from '../../src/host/explorer';
import type { HealthState } from '../../src/host/health/health-state';
import { startPlatform, type PlatformService } from '../support/platform';
import { registerSecret } from '../support/secrets';
import { startRedis, type RedisService } from '../support/services/redis';

type Kind = HealthState['kind'];

describe('health status bar (real platform, services stopped mid-test)', function () {
  this.timeout(180_000);
  let explorer: Explorer;
  let redis: RedisService;
  let platform: PlatformService;
  const warnings: string[] = [];
  const original = vscode.window.showWarningMessage;

  /** Checks until the status bar reaches `kind` (the platform and ioredis reconnect on their own schedules). */
  async function until(kind: Kind, attempts = 60): Promise<HealthState> {
    let state = await explorer.statusBar.refresh();
    for (let i = 0; i < attempts && state.kind !== kind; i++) {
      await new Promise((r) => setTimeout(r, 250));
      state = await explorer.statusBar.refresh();
    }
    assert.equal(state.kind, kind, `status bar is ${state.kind}, expected ${kind}`);
    return state;
  }

  before(async () => {
    redis = await startRedis();
    registerSecret(redis.password);
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL, env: { REDIS_URL: redis.url } });
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    // Count the notifications the status bar raises, without showing them.
    (vscode.window as { showWarningMessage: unknown }).showWarningMessage = (message: string) => {
      warnings.push(message);
      return Promise.resolve(undefined);
    };
  });

  after(async () => {
    (vscode.window as { showWarningMessage: unknown }).showWarningMessage = original;
    await explorer.session.signOut(platform.url).catch(() => undefined);
    await platform.destroy();
    await redis.destroy();
  });

  it('shows "signed out" and offers sign-in before any platform is connected', async () => {
    await explorer.session.signOut(platform.url);
    const state = await explorer.statusBar.refresh();
    assert.equal(state.kind, 'signedOut');
    assert.equal(explorer.statusBar.view.command, 'ogelbase.platform.signIn');
  });

  it('turns healthy at once on sign-in, listing each service with status and latency', async () => {
    const changed = new Promise<HealthState>((resolve) => {
      const subscription = explorer.statusBar.onDidChange((state) => {
        if (state.kind === 'healthy') {
          subscription.dispose();
          resolve(state);
        }
      });
    });
    await explorer.session.signIn(platform.url, platform.token, 'test platform');
    const state = await changed; // the sign-in itself triggered the check
    assert.equal(state.kind, 'healthy');
    const view = explorer.statusBar.view;
    assert.match(view.text, /OgelBase/);
    assert.match(view.tooltip, /postgres/);
    assert.match(view.tooltip, /redis/);
    assert.match(view.tooltip, /\d+ ms/);
    assert.equal(view.command, 'ogelbase.health.showReport');
  });

  it('turns degraded when Redis stops, names it, and notifies once, not on every poll', async () => {
    warnings.length = 0;
    await redis.stop();
    const state = await until('degraded');
    assert.deepEqual(state.kind === 'degraded' && state.failing, ['redis']);
    assert.match(explorer.statusBar.view.text, /redis/);
    assert.equal(explorer.statusBar.view.background, 'warning');
    await explorer.statusBar.refresh();
    await explorer.statusBar.refresh();
    assert.equal(warnings.length, 1, `expected one notification, got: ${warnings.join(' | ')}`);
    assert.match(warnings[0]!, /degraded: redis unhealthy/);
  });

  it('turns healthy again when Redis is back', async () => {
    await redis.start();
    await until('healthy');
  });

  it('turns offline at once when any platform call cannot reach it, re-checks within 15 s, and recovers when a call succeeds again', async () => {
    const interval = explorer.statusBar.nextCheckInMs;
    const client = explorer.session.signedIn!.client;
    await platform.stop();
    // Not a health check: an ordinary call (the tree's) fails, and the status bar says so at once.
    await assert.rejects(client.organizations(), /cannot reach the platform/);
    const state = explorer.statusBar.state;
    assert.equal(state.kind, 'offline', 'the failed call itself turned the status bar offline');
    assert.match(state.kind === 'offline' ? state.message : '', /^cannot reach the platform at http:\/\/127\.0\.0\.1:\d+: connection refused: nothing listens on 127\.0\.0\.1:\d+$/);
    assert.equal(explorer.statusBar.view.background, 'error');
    assert.match(explorer.statusBar.view.accessibleLabel, /^OgelBase platform test platform is offline: cannot reach the platform at .*connection refused.*\. Checking again shortly; activate for the health report\.$/);
    // Checks while offline come soon and grow, but never further apart than ~15 s.
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await explorer.statusBar.refresh();
      delays.push(explorer.statusBar.nextCheckInMs);
    }
    assert.deepEqual(delays, [...delays].sort((x, y) => x - y), `offline checks back off: ${delays.join(', ')}`);
    assert.ok(delays.every((d) => d <= 15_000) && delays.at(-1) === Math.min(15_000, interval), `at most 15 s apart: ${delays.join(', ')}`);

    await platform.start();
    const healthy = new Promise<HealthState>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the status bar did not turn healthy within 10 s of a successful call')), 10_000);
      const subscription = explorer.statusBar.onDidChange((next) => {
        if (next.kind !== 'healthy') return;
        clearTimeout(timer);
        subscription.dispose();
        resolve(next);
      });
    });
    // A successful ordinary call while offline triggers a check: no refresh() here.
    await client.organizations();
    await healthy;
    assert.equal(explorer.statusBar.nextCheckInMs, interval, 'back to the configured interval');
  });

  it('opens the health report webview with the services and metrics', async () => {
    await vscode.commands.executeCommand('ogelbase.health.showReport');
    // The tab list reaches the extension host a moment after the panel opens.
    for (let i = 0; i < 50 && vscode.window.tabGroups.activeTabGroup.activeTab?.label !== 'Platform Health'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(vscode.window.tabGroups.activeTabGroup.activeTab?.label, 'Platform Health');
    await vscode.commands.executeCommand('ogelbase.health.showReport');
    assert.equal(vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Platform Health').length, 1, 'one panel, revealed again');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('never puts a token or password in the tooltip or the accessible label', () => {
    for (const secret of [platform.token, redis.password]) {
      assert.ok(!explorer.statusBar.view.tooltip.includes(secret));
      assert.ok(!explorer.statusBar.view.accessibleLabel.includes(secret));
    }
  });
});
