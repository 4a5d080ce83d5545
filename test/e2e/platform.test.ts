/**
 * The explorer signed in to a real platform, as a person uses it in Chromium: sign in through the
 * command palette, browse the tree down to columns, keys and collections, watch the status bar go
 * degraded (Redis stopped) and offline (platform stopped), sign out. Screenshots of the tree and
 * the status bar are saved to <results>/screenshots (the README shows copies in docs/images).
 */
import assert from 'node:assert/strict';
import type { Locator } from 'playwright-core';
import { startPlatform, type PlatformService } from '../support/platform';
import { registerSecret } from '../support/secrets';
import { seedShop, type SeededDatabases } from '../support/seed';
import { startRedis, type RedisService } from '../support/services/redis';
import { expectNotification, notification, runCommand, showOgelBase, withWorkbench } from '../support/vscode/workbench';

/** Expands a tree row (a click toggles it) and waits for one of its children to show. */
async function expand(view: Locator, row: string | RegExp, child: string | RegExp): Promise<void> {
  const item = view.getByRole('treeitem', { name: row }).first();
  await item.click({ timeout: 30_000 });
  const target = view.getByRole('treeitem', { name: child }).first();
  // A row that opens something when clicked (a table opens the table inspector) expands with the keyboard.
  if (!(await target.waitFor({ timeout: 3000 }).then(() => true, () => false))) await item.locator('.monaco-tl-twistie').click();
  await target.waitFor({ timeout: 30_000 });
}

describe('the Platform view signed in (code-server in Chromium, a real platform)', function () {
  let redis: RedisService;
  let platform: PlatformService;
  let shop: SeededDatabases;
  const settings: Record<string, unknown> = {};

  before(async function () {
    this.timeout(180_000);
    redis = await startRedis();
    registerSecret(redis.password);
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL, env: { REDIS_URL: redis.url } });
    shop = await seedShop(platform);
    // Filled in before withWorkbench's own hook reads it: the workbench starts with the platform's URL.
    settings['ogelbase.platform.url'] = platform.url;
    settings['ogelbase.healthCheckInterval'] = 10;
  });
  const workbench = withWorkbench('e2e-platform', { settings });
  after(async function () {
    this.timeout(60_000);
    await shop?.cleanUp();
    await platform?.destroy();
    await redis?.destroy();
  });

  const sidebar = () => workbench().page.locator('#workbench\\.parts\\.sidebar');
  const statusItem = () => workbench().page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: 'OgelBase' }).first();

  it('refuses a wrong token with an error notification that says so', async () => {
    const { page } = workbench();
    await showOgelBase(page);
    await runCommand(page, 'OgelBase: Sign In');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: platform.url }).first().click({ timeout: 15_000 });
    const token = page.locator('.quick-input-widget input[type="password"]');
    await token.waitFor({ timeout: 15_000 });
    await token.fill('ogb_not-a-real-token');
    await page.keyboard.press('Enter');
    await notification(page, `Sign-in to ${platform.url} refused`).waitFor({ timeout: 60_000 });
    // Back at the token, with the URL kept and the reason given; Escape gives up.
    await page.locator('.quick-input-title', { hasText: `Sign In (2/2): token for ${platform.url}` }).waitFor({ timeout: 15_000 });
    assert.match(await page.locator('.quick-input-message').innerText(), /refused: .* Correct it, or press Enter to try again/);
    await page.keyboard.press('Escape');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 15_000 });
    // Still signed out: the welcome content is (again) what the view shows once the quick input has closed.
    await sidebar().locator('.welcome-view-content').first().waitFor({ state: 'visible', timeout: 15_000 });
    await runCommand(page, 'Notifications: Clear All Notifications');
    // Cleared before the next test signs in, so that its toast cannot be cleared with these.
    await page.locator('.notifications-toasts .notification-list-item').first().waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('signs in through the command palette with the platform URL and a token', async () => {
    const { page } = workbench();
    await runCommand(page, 'OgelBase: Sign In');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: platform.url }).first().click({ timeout: 15_000 });
    const token = page.locator('.quick-input-widget input[type="password"]');
    await token.waitFor({ timeout: 15_000 });
    await token.fill(platform.token);
    await page.keyboard.press('Enter');
    // First the toast (it goes away by itself after a while), then what it announces.
    await expectNotification(page, /Signed in to .* as /, 40_000);
    await sidebar().getByRole('treeitem', { name: /Demo Organization/ }).waitFor({ timeout: 60_000 });
    await statusItem().locator('.codicon-pass-filled').waitFor({ timeout: 60_000 });

  });

  it('browses organizations, projects and databases down to columns, keys and collections', async () => {
    const { page, screenshot } = workbench();
    const view = sidebar();
    await expand(view, /Demo Organization/, /Demo Project/);
    await expand(view, /Demo Project/, /orders-db/);
    await expand(view, /orders-db/, /^public/);
    await expand(view, /^public/, /^customers/);
    await expand(view, /^customers/, /^email/);
    await expand(view, /^cache/, new RegExp(`^${shop.redisPrefix}`));
    await expand(view, new RegExp(`^${shop.redisPrefix}`), /^user/);
    await expand(view, /^user/, /^1\b|user:1/);
    await expand(view, /^catalog/, new RegExp(`^${shop.mongoDatabase}`));
    await expand(view, new RegExp(`^${shop.mongoDatabase}`), /^products/);
    await expand(view, /^products/, /sku_1/);
    assert.ok(await view.getByRole('treeitem', { name: /cheap_products/ }).first().isVisible());
    await page.mouse.move(900, 500);
    await screenshot('tree');
  });

  it('shows the platform healthy in the status bar, with each service in the tooltip', async () => {
    const { page, screenshot } = workbench();
    await statusItem().hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'healthy' }).first();
    await hover.waitFor({ timeout: 15_000 });
    for (const service of ['postgres', 'redis']) assert.match(await hover.innerText(), new RegExp(service));
    await screenshot('status-bar-healthy');
  });

  it('turns degraded, naming Redis, when Redis stops; healthy when it returns', async () => {
    const { page, screenshot } = workbench();
    await page.mouse.move(900, 500);
    await redis.stop();
    await runCommand(page, 'OgelBase: Refresh');
    await statusItem().filter({ hasText: 'redis' }).waitFor({ timeout: 60_000 });
    // One warning per degradation, with a way to the report.
    const warning = notification(page, /is degraded: redis unhealthy/);
    await warning.waitFor({ timeout: 30_000 });
    assert.ok(await warning.getByRole('button', { name: 'Show Health Report' }).isVisible());
    await statusItem().hover();
    await page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'degraded' }).first().waitFor({ timeout: 15_000 });
    await screenshot('status-bar');
    await page.mouse.move(900, 500);
    await redis.start();
    await runCommand(page, 'OgelBase: Refresh');
    await statusItem().locator('.codicon-pass-filled').waitFor({ timeout: 60_000 });
  });

  it('shows offline when the platform stops, the tree a row to retry; both recover when it returns', async () => {
    const { page, screenshot } = workbench();
    await platform.stop();
    await runCommand(page, 'OgelBase: Refresh');
    await statusItem().filter({ hasText: 'offline' }).waitFor({ timeout: 60_000 });
    // The tree re-lists on Refresh: the organizations cannot load, which shows as an error row, not an empty view.
    const errorRow = sidebar().getByRole('treeitem', { name: /Could not load .*cannot reach the platform/ }).first();
    await errorRow.waitFor({ timeout: 60_000 });
    await screenshot('status-bar-offline');
    await platform.start();
    await errorRow.click(); // the row's command is Retry
    await sidebar().getByRole('treeitem', { name: /Demo Organization/ }).waitFor({ timeout: 60_000 });
    await runCommand(page, 'OgelBase: Refresh');
    await statusItem().locator('.codicon-pass-filled').waitFor({ timeout: 60_000 });
  });

  it('signs out through the palette: the welcome content returns', async () => {
    const { page } = workbench();
    // A click on a table opened the table inspector; the focus goes back to the workbench (the
    // active tab) and the editors close before the palette is used.
    const tab = page.locator('.tabs-container .tab.active').first();
    if (await tab.isVisible()) {
      await tab.click();
      await runCommand(page, 'View: Close All Editors');
    }
    await runCommand(page, 'OgelBase: Sign Out');
    await sidebar().locator('.welcome-view-content').first().getByText('No OgelBase platform is connected yet').waitFor({ timeout: 30_000 });
  });
});
