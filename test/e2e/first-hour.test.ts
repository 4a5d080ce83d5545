/**
 * A new user's first hour, in Chromium on the installed .vsix, against a real platform whose Redis
 * holds 1,000,000 keys (DEBUG POPULATE, one second): the walkthrough, a sign-in that fails and is
 * fixed in place, database commands from the palette with their toasts, the modal's default button,
 * Filter Keys, context menus on keys, tables and collections, Load more and Scan to the end, a key
 * name with a line break, and the status bar and health panel through a platform outage. The README
 * shows the screenshots of the filtered tree and of a context menu.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { Locator } from 'playwright-core';
import { PlatformClient } from '../../src/core/api/client';
import { startPlatform, type PlatformService } from '../support/platform';
import { registerSecret } from '../support/secrets';
import { seedShop, type SeededDatabases } from '../support/seed';
import { freePort } from '../support/services/ports';
import { startRedis, type RedisService } from '../support/services/redis';
import { closeAllEditors, expectNotification, notification, runCommand, setSideBarWidth, showOgelBase, waitForText, withWorkbench } from '../support/vscode/workbench';

const PREFIXES = ['cart', 'order', 'session', 'user'];
const PER_PREFIX = 250_000;

describe('the first hour (code-server in Chromium, a real platform, 1,000,000 Redis keys)', function () {
  let big: RedisService;
  let platform: PlatformService;
  let shop: SeededDatabases;
  let client: PlatformClient;
  const settings: Record<string, unknown> = {};

  before(async function () {
    this.timeout(180_000);
    big = await startRedis({ debug: true });
    registerSecret(big.password);
    const filler = new Redis(big.url);
    for (const prefix of PREFIXES) await filler.call('DEBUG', 'POPULATE', String(PER_PREFIX), prefix);
    // A SCAN during a rehash may repeat keys: let Redis finish growing its table before the counts are read.
    for (let i = 0; i < 100 && String(await filler.call('DEBUG', 'HTSTATS', '0')).includes('rehashing'); i++) await new Promise((r) => setTimeout(r, 100));
    filler.disconnect();
    // The platform's own keys (rate limits, breakers) go to database 1 of that Redis, so that the
    // 1,000,000-key database 0 the tests scan holds only what the test wrote there.
    const platformRedis = new URL(big.url);
    platformRedis.pathname = '/1';
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL, env: { REDIS_URL: platformRedis.toString() } });
    shop = await seedShop(platform);
    client = new PlatformClient({ url: platform.url, token: platform.token });
    await client.createDatabase({ projectRef: platform.projectRef, name: 'big-cache', type: 'redis', connectionString: big.url, description: '1,000,000 keys' });
    await client.createDatabase({ projectRef: platform.projectRef, name: 'down-cache', type: 'redis', connectionString: `redis://127.0.0.1:${await freePort()}/0` });
    const shared = new Redis(process.env.OGELBASE_TEST_REDIS_URL!);
    await shared.set(`${shop.redisPrefix}:nl:line1\nline2`, 'a key with a line break in its name');
    shared.disconnect();
    settings['ogelbase.platform.url'] = platform.url;
    settings['ogelbase.healthCheckInterval'] = 60;
  });
  const workbench = withWorkbench('e2e-first-hour', { settings });
  after(async function () {
    this.timeout(60_000);
    await shop?.cleanUp();
    await platform?.destroy();
    await big?.destroy();
  });

  const page = () => workbench().page;
  const sidebar = () => page().locator('#workbench\\.parts\\.sidebar');
  const row = (name: string | RegExp) => sidebar().getByRole('treeitem', { name }).first();
  const statusItem = () => page().locator('#ogelbase\\.ogelbase-explorer\\.ogelbase\\.health');
  const pick = (text: string | RegExp) => page().locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  const inputBox = () => page().locator('.quick-input-widget input.input');
  /** Moves the pointer off the tree, so no hover covers the row to click. */
  const away = async () => {
    await page().keyboard.press('Escape');
    await page().mouse.move(1100, 800);
  };
  const expand = async (name: string | RegExp, child: string | RegExp) => {
    await away();
    await row(name).click({ timeout: 30_000 });
    await row(child).waitFor({ timeout: 60_000 });
  };
  const contextMenu = async (target: Locator): Promise<string[]> => {
    await away();
    await target.click({ button: 'right', timeout: 30_000 });
    await page().locator('.monaco-menu').first().waitFor({ timeout: 15_000 });
    return (await page().locator('.monaco-menu .action-item').allInnerTexts()).filter(Boolean);
  };
  const menuItem = (text: string) => page().locator('.monaco-menu .action-item', { hasText: text }).first();
  const clearToasts = () => runCommand(page(), 'Notifications: Clear All Notifications');
  /** The side bar's width before the suite widened it (restored when the suite ends). */
  let sideBarWidth: number | undefined;

  it('opens the walkthrough with its first step not ticked, offering Start Local Platform, its text not clipped', async () => {
    // A clean window for the screenshots: no panel below.
    if (await page().locator('#workbench\\.parts\\.panel').isVisible()) await runCommand(page(), 'View: Toggle Panel Visibility');
    await runCommand(page(), 'OgelBase: Open Walkthrough');
    const first = page().locator('.getting-started-step[data-step-id$="#server"]');
    await first.waitFor({ timeout: 30_000 });
    await first.getByRole('button', { name: 'Start Local Platform' }).waitFor({ timeout: 30_000 });
    const frame = page().frameLocator('.getting-started-media iframe.webview.ready').frameLocator('iframe#active-frame');
    await frame.locator('code').first().waitFor({ timeout: 30_000 });
    // Nothing runs off the side: not the page, not a code span or block.
    const widths = await frame.locator('body').evaluate((body) => {
      const page = body.ownerDocument.scrollingElement ?? body;
      const clipped = [...body.querySelectorAll('pre')].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent);
      return { scroll: page.scrollWidth, client: page.clientWidth, clipped };
    });
    assert.ok(widths.scroll <= widths.client + 1, `the step's text scrolls sideways: ${widths.scroll} px in ${widths.client} px`);
    assert.deepEqual(widths.clipped, [], 'a code block is clipped');
    assert.equal(await first.getAttribute('aria-checked'), 'false', 'shown is not done: the step waits for a sign-in');
    await closeAllEditors(page());
  });

  it('signs in after a failure: the toast names the cause, the URL box comes back with the URL, the token is kept', async () => {
    await showOgelBase(page());
    const closed = `http://127.0.0.1:${await freePort()}`;
    await runCommand(page(), 'OgelBase: Sign In');
    await pick('Other URL').click({ timeout: 15_000 });
    await inputBox().fill(closed);
    await page().keyboard.press('Enter');
    const token = page().locator('.quick-input-widget input[type="password"]');
    await token.waitFor({ timeout: 15_000 });
    await token.fill(platform.token);
    await page().keyboard.press('Enter');
    await notification(page(), `Sign-in failed: cannot reach the platform at ${closed}: connection refused: nothing listens on 127.0.0.1:`).waitFor({ timeout: 60_000 });
    // Back at the step that failed, with what was typed and why it failed.
    await page().locator('.quick-input-title', { hasText: 'Sign In (1/2): platform URL' }).waitFor({ timeout: 15_000 });
    assert.equal(await inputBox().inputValue(), closed);
    assert.match(await page().locator('.quick-input-message').innerText(), /connection refused: nothing listens on .* Correct it, or press Enter to try again/);
    await inputBox().fill(platform.url);
    await page().keyboard.press('Enter');
    await expectNotification(page(), /Signed in to .* as demo@/);
    await row(/Demo Organization/).waitFor({ timeout: 60_000 });
    await statusItem().locator('.codicon-pass-filled').waitFor({ timeout: 60_000 });
    // What a screen reader reads: a sentence, not the tooltip's Markdown table.
    const spoken = (await statusItem().getAttribute('aria-label')) ?? '';
    assert.match(spoken, /^OgelBase platform .+ is healthy: postgres healthy in \d+ ms, redis healthy in \d+ ms\. Activate for the health report\.$/);
    await clearToasts();
  });

  it('runs Test Connection from the palette through the database picker, with a toast for each result', async () => {
    // Listed in the palette (they ask for the database there): each one is found by its title.
    for (const command of ['Edit Database', 'Remove Database', 'Copy Connection String']) {
      await page().keyboard.press('F1');
      await inputBox().waitFor({ state: 'visible', timeout: 15_000 });
      await inputBox().fill(`>OgelBase: ${command}`);
      await pick(`OgelBase: ${command}`).waitFor({ timeout: 15_000 });
      await page().keyboard.press('Escape');
      await inputBox().waitFor({ state: 'hidden', timeout: 15_000 });
    }
    await runCommand(page(), 'OgelBase: Test Connection');
    await pick(/^cache/).click({ timeout: 30_000 });
    await notification(page(), /cache: connected in \d+ ms \(Redis \d+\.\d+\.\d+, (directly|through the platform)\)/).waitFor({ timeout: 60_000 });
    await runCommand(page(), 'OgelBase: Test Connection');
    await pick(/^down-cache/).click({ timeout: 30_000 });
    await notification(page(), /down-cache: Redis at 127\.0\.0\.1:\d+ refused the connection/).waitFor({ timeout: 60_000 });
    await clearToasts();
  });

  it('makes Edit Connection String the default button of the "could not connect" modal: Enter edits, nothing is saved', async () => {
    const before = (await client.databases(platform.projectRef, { limit: 100, offset: 0 })).total;
    await runCommand(page(), 'OgelBase: Add Database');
    await pick('Redis').click({ timeout: 30_000 });
    await inputBox().fill('typo-cache');
    await page().keyboard.press('Enter');
    await page().locator('.quick-input-title', { hasText: '(3/5)' }).waitFor({ timeout: 15_000 });
    await inputBox().fill(`redis://127.0.0.1:${await freePort()}/0`);
    await page().keyboard.press('Enter');
    await pick('Read and write').click({ timeout: 15_000 });
    await page().locator('.quick-input-title', { hasText: '(5/5)' }).waitFor({ timeout: 15_000 });
    await page().keyboard.press('Enter');
    const dialog = page().locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 60_000 });
    assert.match(await dialog.innerText(), /Could not connect to typo-cache/);
    assert.equal(await dialog.locator('.monaco-button:focus').innerText(), 'Edit Connection String');
    await page().keyboard.press('Enter');
    await page().locator('.quick-input-title', { hasText: 'Add Database to Demo Project (3/5)' }).waitFor({ timeout: 15_000 });
    assert.match(await inputBox().inputValue(), /^redis:\/\/127\.0\.0\.1:\d+\/0$/, 'the string typed comes back to be fixed');
    await page().keyboard.press('Escape');
    assert.equal((await client.databases(platform.projectRef, { limit: 100, offset: 0 })).total, before, 'nothing was saved');
  });

  it('finds user:4711* among 1,000,000 keys with Filter Keys, the pattern shown on the row', async () => {
    // Wide enough to read the rows in the screenshots (the walkthrough above needed the width).
    sideBarWidth = await setSideBarWidth(page(), 480);
    await expand(/Demo Organization/, /Demo Project/);
    await expand(/Demo Project/, /^big-cache/);
    const items = await contextMenu(row(/^big-cache/));
    assert.ok(items.includes('Filter Keys…'), `the menu of a Redis database: ${items.join(', ')}`);
    await menuItem('Filter Keys…').click();
    await inputBox().waitFor({ timeout: 15_000 });
    await inputBox().fill('user:4711*');
    await page().keyboard.press('Enter');
    await row(/^user:47119 /).waitFor({ timeout: 120_000 });
    const labels = await sidebar().getByRole('treeitem', { name: /^user:4711/ }).evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label')));
    assert.deepEqual(labels, ['user:4711', ...Array.from({ length: 10 }, (_, i) => `user:4711${i}`)].map((k) => `${k} string · no TTL`), 'every match, in order');
    assert.match((await row(/^big-cache/).getAttribute('aria-label')) ?? '', /^big-cache filtered: user:4711\* · 127\.0\.0\.1:\d+/);
    await away();
    await workbench().screenshot('filtered-tree');
  });

  it('gives keys, tables and collections a context menu that works', async () => {
    const keyItems = await contextMenu(row(/^user:4711 /));
    for (const item of ['Copy Key Name', 'Copy Value', 'Set TTL…', 'Delete Key…']) assert.ok(keyItems.includes(item), `${item} is missing from ${keyItems.join(', ')}`);
    await workbench().screenshot('context-menu');
    await menuItem('Copy Value').click();
    await notification(page(), 'Copied the value of user:4711: all 10 B.').waitFor({ timeout: 30_000 });

    await expand(/^orders-db/, /^public/);
    await expand(/^public/, /^customers/);
    const tableItems = await contextMenu(row(/^customers/));
    for (const item of ['Count Rows', 'SELECT … LIMIT 100 in a New SQL Document', 'Copy Qualified Name']) assert.ok(tableItems.includes(item), `${item} is missing from ${tableItems.join(', ')}`);
    await menuItem('Count Rows').click();
    await notification(page(), /public\.customers: 50 rows/).waitFor({ timeout: 30_000 });
    await contextMenu(row(/^orders /));
    await menuItem('SELECT … LIMIT 100').click();
    await waitForText(page().locator('.editor-instance .view-lines').first(), /FROM public\.orders\s+LIMIT 100;/);

    await expand(/^catalog/, new RegExp(`^${shop.mongoDatabase}`));
    await expand(new RegExp(`^${shop.mongoDatabase}`), /^products/);
    const collectionItems = await contextMenu(row(/^products/));
    for (const item of ['Count Documents', 'Copy Collection Name']) assert.ok(collectionItems.includes(item), `${item} is missing from ${collectionItems.join(', ')}`);
    await menuItem('Count Documents').click();
    await notification(page(), `${shop.mongoDatabase}.products: 30 documents.`).waitFor({ timeout: 30_000 });
    await runCommand(page(), 'View: Revert and Close Editor');
    await clearToasts();
  });

  it('at the top of 1,000,000 keys, every Load more adds rows or says how far it scanned; Scan to the end counts every key', async function () {
    // Scanning 1,000,000 keys to the end takes ~20 s on a quiet machine and minutes on a loaded one.
    this.timeout(420_000);
    await away();
    await row(/^big-cache/).hover();
    await row(/^big-cache/).locator('.action-label[aria-label="Clear Filter"]').click({ timeout: 15_000 });
    await row(/^user \d/).waitFor({ timeout: 60_000 });
    const more = sidebar().locator('.monaco-list-row[aria-label^="Load more keys: scanned"]').first();
    // The progress is what a screen reader reads, not "Load the next page".
    assert.match((await more.getAttribute('aria-label')) ?? '', /^Load more keys: scanned 10,000 of about 1,000,00\d keys so far$/);
    await away();
    await more.click();
    const noNews = row(/^Load more keys: scanned 110,000 of about 1,000,00\d keys, no new namespace yet$/);
    await noNews.waitFor({ timeout: 60_000 });
    assert.match(await noNews.innerText(), /^Scanned 110,000 of about 1,000,00\d keys, no new namespace yet: Load more…/);
    const toEnd = row(/^Scan to the end \(about 890,00\d keys left\)/);
    await toEnd.click();
    await notification(page(), 'Scanning the keys of big-cache').waitFor({ timeout: 30_000 });
    await sidebar().getByRole('treeitem', { name: /^(Scan to the end|Load more)/ }).first().waitFor({ state: 'detached', timeout: 360_000 });
    for (const prefix of PREFIXES) assert.match((await row(new RegExp(`^${prefix} `)).getAttribute('aria-label')) ?? '', new RegExp(`^${prefix} 250,000 keys`));
    await clearToasts();
  });

  it('shows a key whose name has a line break on one line, in the row and in its tooltip', async () => {
    await expand(/^cache/, new RegExp(`^${shop.redisPrefix}`));
    await expand(new RegExp(`^${shop.redisPrefix}`), /^nl /);
    await expand(/^nl /, /^line1\\nline2/);
    await away();
    await row(/^line1\\nline2/).hover();
    const hover = page().locator('.monaco-hover, .workbench-hover').filter({ hasText: 'line1' }).first();
    await hover.waitFor({ timeout: 15_000 });
    assert.equal(await hover.locator('strong').first().innerText(), `${shop.redisPrefix}:nl:line1\\nline2`, 'the bold title holds the whole name, its line break shown as \\n');
    assert.ok(!(await hover.innerText()).includes('**'), 'no stray Markdown');
    await away();
  });

  it('keeps the health panel live, marks it stale while the platform is down, and the status bar recovers within 20 s of its return', async function () {
    this.timeout(240_000);
    await runCommand(page(), 'OgelBase: Show Health Report and Metrics');
    const frame = page().frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const updated = frame.locator('#updated');
    const first = await waitForText(updated, /updated \d/, 30_000);
    await waitForText(frame.locator('main'), /Measured by bun [\d.]+ \(JavaScriptCore\) .* heap [\d.]+ MiB used of [\d.]+ MiB/);
    // A few seconds later, unasked, the time has moved on.
    const later = await waitForText(updated, new RegExp(`^(?!${first.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$)`), 20_000);
    assert.notEqual(later, first);

    await platform.stop();
    await frame.locator('.stale').waitFor({ timeout: 30_000 });
    assert.match(await frame.locator('.stale').innerText(), /^The last update failed: cannot reach the platform at .*: connection refused/);
    await statusItem().filter({ hasText: 'offline' }).waitFor({ timeout: 30_000 });
    assert.match((await statusItem().getAttribute('aria-label')) ?? '', /is offline: cannot reach the platform/);
    await workbench().screenshot('health-panel-offline');
    // Closed, the panel makes no calls: only the status bar's own offline re-checks can see the return.
    await runCommand(page(), 'View: Close All Editors');

    await platform.start();
    // No click, no refresh: the re-checks (at most 15 s apart while offline) find the platform back.
    await statusItem().locator('.codicon-pass-filled').waitFor({ timeout: 20_000 });
    await runCommand(page(), 'OgelBase: Show Health Report and Metrics');
    await frame.locator('h1', { hasText: ': healthy' }).waitFor({ timeout: 30_000 });
    await runCommand(page(), 'View: Close All Editors');
  });

  it('signs out, leaving the window as it found it', async () => {
    await runCommand(page(), 'OgelBase: Sign Out');
    await sidebar().locator('.welcome-view-content').first().getByText('No OgelBase platform is connected yet').waitFor({ timeout: 30_000 });
    // The side bar as wide as it was (the suites after this one lay out their panels in the rest).
    if (sideBarWidth !== undefined) await setSideBarWidth(page(), sideBarWidth);
  });
});
