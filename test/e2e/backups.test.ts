/**
 * Backups as a user runs them, in Chromium on the installed .vsix against a real platform: Back Up
 * Database from the palette for a Redis of 200,000 keys into a folder on this machine (the save
 * dialog, progress, the toast), keys changed and deleted, Restore Database from that folder (the
 * plan asked first, progress) and every key back; a PostgreSQL database backed up on the platform,
 * listed under its Backups row, rows changed, restored from the row's context menu. The README
 * shows the screenshots of the Backups row and of the restore's question.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PlatformClient } from '../../src/core/api/client';
import { startPlatform, type PlatformService } from '../support/platform';
import { registerSecret } from '../support/secrets';
import { createTestDatabase, type TestDatabase } from '../support/services/postgres';
import { startRedis, type RedisService } from '../support/services/redis';
import { expectNotification, notification, runCommand, showOgelBase, withWorkbench } from '../support/vscode/workbench';

const KEYS = 200_000;

describe('backups (code-server in Chromium, a real platform, Redis and PostgreSQL)', function () {
  let platform: PlatformService;
  let redis: RedisService;
  let database: TestDatabase;
  let work: string;
  // Direct where the role allows (owner here): a backup can then go to this machine as well as to
  // the platform (through the platform only, the platform is the one place it can go).
  const settings: Record<string, unknown> = { 'ogelbase.connectionMode': 'direct' };

  before(async function () {
    this.timeout(180_000);
    work = mkdtempSync(join(tmpdir(), 'ogelbase-e2e-backups-'));
    redis = await startRedis({ debug: true });
    registerSecret(redis.password);
    const filler = new Redis(redis.url);
    await filler.call('DEBUG', 'POPULATE', String(KEYS), 'item');
    await filler.hset('profile:1', { name: 'Ada', langs: 'en,fr' });
    await filler.set('session:1', 'live', 'EX', 3600);
    filler.disconnect();
    database = await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'e2ebk');
    const sql = new pg.Client(database.url);
    await sql.connect();
    await sql.query("CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 5000) g");
    await sql.end();
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL, env: { BACKUP_DIR: join(work, 'platform-backups') } });
    const client = new PlatformClient({ url: platform.url, token: platform.token });
    await client.createDatabase({ projectRef: platform.projectRef, name: 'bk-cache', type: 'redis', connectionString: redis.url });
    await client.createDatabase({ projectRef: platform.projectRef, name: 'bk-orders', type: 'postgres', connectionString: database.url });
    settings['ogelbase.platform.url'] = platform.url;
    // Backups on this machine are proposed in the suite's own folder (the default is the home folder).
    settings['ogelbase.backup.folder'] = work;
  });
  after(async function () {
    this.timeout(60_000);
    await runCommand(workbench().page, 'OgelBase: Sign Out').catch(() => undefined);
    await platform?.destroy();
    await redis?.destroy();
    await database?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });
  // Declared after the suite's own after hook, so that hook still has the page.
  const workbench = withWorkbench('e2e-backups', { settings });

  const page = () => workbench().page;
  const sidebar = () => page().locator('#workbench\\.parts\\.sidebar');
  const row = (name: string | RegExp) => sidebar().getByRole('treeitem', { name }).first();
  const pick = (text: string | RegExp) => page().locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  const inputBox = () => page().locator('.quick-input-widget input.input');
  const dialog = () => page().locator('.monaco-dialog-box');
  const away = async () => {
    await page().keyboard.press('Escape');
    await page().mouse.move(1100, 800);
  };
  const expand = async (name: string | RegExp, child: string | RegExp) => {
    if (await row(child).isVisible().catch(() => false)) return;
    await away();
    await row(name).locator('.monaco-tl-twistie').click({ timeout: 30_000 });
    await row(child).waitFor({ timeout: 60_000 });
  };
  /** The text of the modal, then a click on `action`. */
  const answerModal = async (action: string) => {
    await dialog().waitFor({ timeout: 60_000 });
    const text = (await dialog().innerText()).replace(/\u00a0/g, ' ');
    await dialog().getByRole('button', { name: action }).click();
    await dialog().waitFor({ state: 'hidden', timeout: 15_000 });
    return text;
  };
  const clearToasts = () => runCommand(page(), 'Notifications: Clear All Notifications');
  /** Back Up Database from the palette: the database, then where the backup goes. */
  const startBackup = async (database: RegExp, where: string) => {
    await runCommand(page(), 'OgelBase: Back Up Database');
    await pick(database).click({ timeout: 30_000 });
    await pick(where).click({ timeout: 30_000 });
  };
  /** OK in code-server's file dialog (a quick input), pressed again while the dialog is still open. */
  const fileDialog = async () => {
    await inputBox().waitFor({ timeout: 30_000 });
    const ok = page().locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).first();
    for (let attempt = 0; attempt < 5 && (await inputBox().isVisible()); attempt++) {
      await page().waitForTimeout(500);
      if (await ok.isVisible()) await ok.click().catch(() => undefined);
      else await page().keyboard.press('Enter');
      await inputBox().waitFor({ state: 'hidden', timeout: 3000 }).catch(() => undefined);
    }
  };

  it('signs in, and every platform database has a Backups row first', async () => {
    await showOgelBase(page());
    await runCommand(page(), 'OgelBase: Sign In');
    await pick(platform.url).click({ timeout: 15_000 });
    await page().locator('.quick-input-widget input[type="password"]').fill(platform.token);
    await page().keyboard.press('Enter');
    await expectNotification(page(), /Signed in to .* as demo@/);
    await expand(/Demo Organization/, /Demo Project/);
    await expand(/Demo Project/, /^bk-orders/);
    await expand(/^bk-orders/, /^Backups/);
    await expand(/^Backups/, /^No backups yet: back up now/);
    await clearToasts();
  });

  it('backs up a Redis of 200,000 keys from the palette into a folder on this machine, with progress, and restores every key', async function () {
    this.timeout(300_000);
    await startBackup(/^bk-cache/, 'On this machine');
    // The save dialog (code-server's own) proposes a new folder named after the database in
    // ogelbase.backup.folder; OK takes it. (Typing another path races the dialog, which may take OK
    // before it has read what was typed: the proposal is what a user most often accepts anyway.)
    await inputBox().waitFor({ timeout: 30_000 });
    // The dialog fills its box in steps (the folder, then the proposed name).
    let folder = '';
    for (let i = 0; i < 75 && !/\/bk-cache-[^/]+$/.test(folder); i++) {
      await page().waitForTimeout(200);
      folder = await inputBox().inputValue();
    }
    assert.ok(folder.startsWith(join(work, 'bk-cache-')), `the proposed folder: ${folder}`);
    await fileDialog();
    const done = notification(page(), /Backed up bk-cache: /);
    await done.waitFor({ timeout: 180_000 });
    const said = (await done.innerText()).replace(/\u00a0/g, ' ');
    assert.match(said, /Backed up bk-cache: 200,002 keys, [\d.]+ [KM]B, to /, said);
    assert.ok(said.includes(folder), said);
    const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { engine: string; files: { path: string; sha256: string }[] };
    assert.equal(manifest.engine, 'redis');
    const top = new Set(['manifest.json', ...manifest.files.map((f) => f.path.split('/')[0]!)]);
    assert.deepEqual(readdirSync(folder).sort(), [...top].sort(), 'nothing else beside the backup (no temporary name left)');
    await clearToasts();

    const client = new Redis(redis.url);
    try {
      await client.set('item:7', 'changed');
      await client.del('item:8', 'profile:1');
      await client.set('extra:1', 'added after the backup');
      await runCommand(page(), 'OgelBase: Restore Database');
      await pick(/^bk-cache/).click({ timeout: 30_000 });
      await pick('A backup folder on this machine').click({ timeout: 30_000 });
      // The open dialog proposes the backup just made (its manifest.json): OK takes it.
      let proposed = '';
      for (let i = 0; i < 75 && proposed !== join(folder, 'manifest.json'); i++) {
        await page().waitForTimeout(200);
        proposed = await inputBox().inputValue().catch(() => '');
      }
      assert.equal(proposed, join(folder, 'manifest.json'), 'Restore proposes the backup made from here');
      await fileDialog();
      // Nothing is touched before the question, which says what the restore does.
      const plan = await answerModal('Restore');
      assert.match(plan, /Restore bk-cache from /);
      assert.match(plan, /Overwritten: 200,000 keys/);
      assert.match(plan, /Added: 2 keys/, 'the two keys deleted since come back');
      assert.match(plan, /Left alone: 1 key\b/, 'the key added since is left alone');
      await notification(page(), 'Restoring bk-cache').waitFor({ timeout: 60_000 });
      await notification(page(), /Restored 200,002 keys into .*every one is there/).waitFor({ timeout: 240_000 });
      assert.equal(await client.get('item:7'), 'value:7');
      assert.equal(await client.get('item:8'), 'value:8');
      assert.deepEqual(await client.hgetall('profile:1'), { name: 'Ada', langs: 'en,fr' });
      assert.equal(await client.get('extra:1'), 'added after the backup');
      const ttl = await client.ttl('session:1');
      assert.ok(ttl > 3500 && ttl <= 3600, `the TTL came back: ${ttl}`);
      assert.equal(await client.dbsize(), KEYS + 3);
    } finally {
      client.disconnect();
    }
    await clearToasts();
  });

  it('backs up PostgreSQL on the platform with progress, lists it under Backups, and restores it from the row', async function () {
    this.timeout(300_000);
    await startBackup(/^bk-orders/, 'On the platform');
    // The platform's job is followed (at least one poll): its progress shows while it runs.
    await notification(page(), 'Backing up bk-orders on the platform').waitFor({ timeout: 30_000 });
    await notification(page(), /Backed up bk-orders on the platform: 1 table, 5,000 rows/).waitFor({ timeout: 120_000 });
    const backupRow = sidebar().getByRole('treeitem', { name: /^\d{4}-\d\d-\d\d \d\d:\d\d/ }).first();
    await backupRow.waitFor({ timeout: 30_000 });
    assert.match((await backupRow.innerText()).replace(/\u00a0/g, ' '), /completed|rows|table/);
    await away();
    await workbench().screenshot('backups-row');

    const sql = new pg.Client(database.url);
    await sql.connect();
    try {
      await sql.query("DELETE FROM orders WHERE id > 4000; UPDATE orders SET note = 'changed' WHERE id = 1");
      // The row's context menu: Restore Database. A click that came while the menu was still
      // settling leaves it open: the menu is opened and clicked again (at most three times).
      for (let attempt = 1; ; attempt++) {
        await page().keyboard.press('Escape');
        await backupRow.click({ button: 'right' });
        const item = page().locator('.monaco-menu .action-item', { hasText: 'Restore Database' }).first();
        await item.waitFor({ timeout: 15_000 });
        await item.hover();
        await item.click({ timeout: 15_000 });
        if (await dialog().waitFor({ timeout: 20_000 }).then(() => true, () => attempt === 3)) break;
      }
      await dialog().waitFor({ timeout: 1000 });
      await workbench().screenshot('restore-plan');
      const plan = await answerModal('Restore');
      assert.match(plan, /Restore bk-orders from the platform backup of /);
      assert.match(plan, /public\.orders: 4,000 rows now → 5,000 from the backup/);
      await notification(page(), /Restored 1 table into .*every table's rows match the backup/).waitFor({ timeout: 180_000 });
      assert.equal((await sql.query('SELECT count(*)::int AS n FROM orders')).rows[0].n, 5000);
      assert.equal((await sql.query('SELECT note FROM orders WHERE id = 1')).rows[0].note, 'order 1');
    } finally {
      await sql.end();
    }
    assert.ok(existsSync(join(work, 'platform-backups')), 'the platform kept it in its BACKUP_DIR');
    await clearToasts();
  });
});
