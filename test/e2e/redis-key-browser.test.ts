/**
 * The Redis key browser as a person uses it, in Chromium against code-server with the packaged
 * extension, the companion server and the harness's real Redis (standalone, and the 3-master
 * Cluster): opened from a key in the tree and from the palette, filters and "Scan more", every
 * viewer on small and large values, every edit and its read-only refusal, bad input, a change made
 * elsewhere, hostile and binary names and values shown as text, state after close/reopen and after
 * a reload, and screenshots (hash, stream, binary string; light and dark) for the README.
 * One suite, one window, data seeded once.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { FrameLocator, Locator } from 'playwright-core';
import { PlatformClient } from '../../src/core/api/client';
import { startPlatform, type PlatformService } from '../support/platform';
import { registerSecret } from '../support/secrets';
import { seedShop, type SeededDatabases } from '../support/seed';
import { waitForWorkbenchUi } from '../support/vscode/browser';
import { writeUserSettings } from '../support/vscode/code-server';
import { currentSession } from '../support/vscode/e2e-session';
import { answerDialog, editorTabs, webview } from '../support/vscode/webview';
import { runCommand, showOgelBase, waitForText, withWorkbench } from '../support/vscode/workbench';

const BIG_HASH = 20_000;
const BIG_LIST = 20_000;
const MANY = 3_000;
const MIB = 1024 * 1024;

describe('the Redis key browser (code-server in Chromium, a real platform and Redis)', function () {
  let platform: PlatformService;
  let shop: SeededDatabases;
  let redis: Redis;
  let P: string;
  let clusterPassword: string;
  const settings: Record<string, unknown> = {};

  before(async function () {
    this.timeout(300_000);
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL });
    shop = await seedShop(platform);
    P = `${shop.redisPrefix}:kb`;
    redis = new Redis(process.env.OGELBASE_TEST_REDIS_URL!);
    const batch = redis.pipeline();
    batch.hset(`${P}:user:1`, { name: 'Ada', email: 'ada@example.com', '<img src=x onerror=alert(1)>': '<script>alert(2)</script>' });
    batch.set(`${P}:<script>alert(1)</script>`, 'javascript:alert(3)');
    batch.set(`${P}:bin`, Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    batch.set(Buffer.concat([Buffer.from(`${P}:raw-`), Buffer.from([0xff, 0xfe, 0x01])]), 'x');
    batch.set(`${P}:config`, JSON.stringify({ theme: 'dark', sizes: [1, 2, 3] }));
    for (let i = 0; i < 30; i++) batch.xadd(`${P}:events`, `${1_700_000_000_000 + i}-0`, 'type', i % 2 ? 'signup' : 'login', 'user', `u${i}`);
    batch.xgroup('CREATE', `${P}:events`, 'mailers', '0');
    batch.zadd(`${P}:board`, ...Array.from({ length: 100 }, (_, i) => [i, `player-${String(i).padStart(3, '0')}`]).flat());
    batch.sadd(`${P}:tags`, ...Array.from({ length: 50 }, (_, i) => `tag-${i}`));
    batch.set(`${P}:big:string`, 'a'.repeat(MIB));
    for (let i = 0; i < 30; i++) batch.set(`${P}:doomed:${i}`, String(i));
    for (let i = 0; i < MANY; i++) batch.set(`${P}:many:${String(i).padStart(5, '0')}`, String(i));
    for (let i = 0; i < BIG_HASH; i += 1000) batch.hset(`${P}:big:hash`, Object.fromEntries(Array.from({ length: 1000 }, (_, j) => [`field-${String(i + j).padStart(6, '0')}`, `value ${i + j}`])));
    for (let i = 0; i < BIG_LIST; i += 1000) batch.rpush(`${P}:queue`, ...Array.from({ length: 1000 }, (_, j) => `job-${i + j}`));
    await batch.exec();
    await redis.xreadgroup('GROUP', 'mailers', 'c1', 'COUNT', 5, 'STREAMS', `${P}:events`, '>');
    // The Cluster, registered as a second Redis database of the project.
    clusterPassword = process.env.OGELBASE_TEST_REDIS_CLUSTER_PASSWORD!;
    registerSecret(clusterPassword);
    const client = new PlatformClient({ url: platform.url, token: platform.token });
    await client.createDatabase({ projectRef: platform.projectRef, name: 'sessions-cluster', type: 'redis', connectionString: `redis+cluster://:${encodeURIComponent(clusterPassword)}@${process.env.OGELBASE_TEST_REDIS_CLUSTER_NODES}`, description: 'three masters' });
    settings['ogelbase.platform.url'] = platform.url;
    settings['ogelbase.healthCheckInterval'] = 3600;
  });
  const workbench = withWorkbench('e2e-key-browser', { settings });
  after(async function () {
    this.timeout(120_000);
    redis?.disconnect();
    await shop?.cleanUp();
    await platform?.destroy();
  });

  const sidebar = () => workbench().page.locator('#workbench\\.parts\\.sidebar');
  const frame = (): FrameLocator => webview(workbench().page);
  const status = () => frame().locator('.key-list > .status');
  const viewStatus = () => frame().locator('.key-view > .status');
  const keysGrid = () => frame().getByRole('grid', { name: 'Keys' });
  const button = (name: string | RegExp, within?: Locator) => (within ?? frame().locator('body')).getByRole('button', { name, exact: typeof name === 'string' }).first();
  const field = (name: string) => frame().getByRole('textbox', { name, exact: true }).first();

  /** Filters the list to `pattern` and opens the first key row whose text matches `row`. */
  async function openKey(pattern: string, row: string | RegExp): Promise<void> {
    await field('Pattern').fill(pattern);
    await field('Pattern').press('Enter');
    await keysGrid().getByRole('row', { name: row }).first().click({ timeout: 30_000 });
  }
  const header = () => frame().locator('.key-header');
  /** Runs a palette command after a webview had the focus (keys typed there may not reach the workbench). */
  async function command(title: string): Promise<void> {
    const page = workbench().page;
    for (let attempt = 1; ; attempt++) {
      // A click on the active tab takes the focus back from the webview (whose document keeps F1)
      // without switching to another panel.
      const tab = page.locator('.tabs-container .tab.active').first();
      if (await tab.isVisible()) await tab.click();
      try {
        await runCommand(page, title);
        return;
      } catch (error) {
        if (attempt === 3) throw error;
        await page.keyboard.press('Escape');
        await page.waitForTimeout(1000);
      }
    }
  }
  /** @vscode-elements buttons are custom elements: disabled shows as the attribute (and aria-disabled). */
  const enabled = async (locator: Locator) => (await locator.getAttribute('aria-disabled')) !== 'true';

  it('opens from a click on a key in the tree, on that key', async () => {
    const { page } = workbench();
    await showOgelBase(page);
    // The bottom panel (an earlier suite's Output) would leave the webview half the window.
    if (await page.locator('#workbench\\.parts\\.panel').isVisible()) await runCommand(page, 'View: Toggle Panel Visibility');
    await runCommand(page, 'OgelBase: Sign In');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: platform.url }).first().click({ timeout: 15_000 });
    await page.locator('.quick-input-widget input[type="password"]').fill(platform.token);
    await page.keyboard.press('Enter');
    const view = sidebar();
    const expand = async (row: RegExp, child: RegExp) => {
      await view.getByRole('treeitem', { name: row }).first().click({ timeout: 60_000 });
      await view.getByRole('treeitem', { name: child }).first().waitFor({ timeout: 60_000 });
    };
    await expand(/Demo Organization/, /Demo Project/);
    await expand(/Demo Project/, /^cache/);
    await expand(/^cache/, new RegExp(`^${shop.redisPrefix}\\b`));
    await expand(new RegExp(`^${shop.redisPrefix}\\b`), /^kb\b/);
    await expand(/^kb\b/, /^many\b/);
    // kb's own "user" namespace comes before the shop's (which stays collapsed).
    await expand(/^user\b/, /^1\b/);
    await view.getByRole('treeitem', { name: /^1\b/ }).first().click();
    await editorTabs(page, 'Keys: cache').first().waitFor({ timeout: 30_000 });
    await waitForText(header(), new RegExp(`${P}:user:1`));
    await waitForText(header(), /hash · no TTL/);
    const fields = frame().getByRole('grid', { name: `Fields of ${P}:user:1` });
    await fields.getByRole('row', { name: /Ada/ }).waitFor({ timeout: 30_000 });
    // A hostile field and value show as the characters they are; nothing of them runs or renders.
    await fields.getByRole('row', { name: /<img src=x onerror=alert\(1\)>/ }).waitFor();
    await fields.getByText('<script>alert(2)</script>').waitFor();
    assert.equal(await frame().locator('img, [onerror]').count(), 0);
    assert.deepEqual(await frame().locator('script').evaluateAll((scripts) => scripts.filter((s) => /alert/.test(s.textContent ?? '')).length), 0);
  });

  it('opens from the palette with a database picker, and re-focuses the open panel instead of a second one', async () => {
    const { page } = workbench();
    await command('OgelBase: Open Key Browser');
    const rows = page.locator('.quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'sessions-cluster' }).first().waitFor({ timeout: 30_000 });
    assert.equal(await rows.filter({ hasText: 'orders-db' }).count(), 0, 'only Redis databases are offered');
    await rows.filter({ hasText: /^cache/ }).first().click();
    await page.waitForTimeout(500);
    assert.equal(await editorTabs(page, 'Keys: cache').count(), 1);
  });

  it('filters by pattern, scans more with the keys scanned so far until the scan finishes, and by type', async () => {
    await field('Pattern').fill(`${P}:many:*`);
    await field('Pattern').press('Enter');
    await waitForText(status(), /^500 keys · [\d,]+ scanned · more to scan/);
    for (let i = 0; i < 200 && !/scan finished/.test(await status().innerText()); i++) {
      const more = button('Scan more');
      if (await enabled(more)) await more.click();
      await workbench().page.waitForTimeout(150);
    }
    await waitForText(status(), new RegExp(`^${MANY.toLocaleString('en-US')} keys · [\\d,]+ scanned · scan finished`));
    // Scrolling reaches the last key (virtualized rows are recycled, not all rendered).
    await keysGrid().evaluate((grid) => (grid.scrollTop = grid.scrollHeight));
    await keysGrid().locator(`.vlist-row[aria-rowindex="${MANY + 1}"]`).waitFor();
    assert.ok((await keysGrid().getByRole('row').count()) < 200, 'only the rows in view are in the DOM');

    await field('Pattern').fill(`${P}:*`);
    await frame().getByRole('combobox', { name: 'Type' }).click();
    await frame().getByRole('option', { name: 'hash', exact: true }).click();
    await waitForText(status(), /scan/);
    for (let i = 0; i < 100 && !/scan finished/.test(await status().innerText()); i++) {
      if (await enabled(button('Scan more'))) await button('Scan more').click();
      await workbench().page.waitForTimeout(150);
    }
    await waitForText(status(), /^2 keys · .* scan finished/);
    await keysGrid().getByRole('row', { name: /big:hash/ }).waitFor();
    await frame().getByRole('combobox', { name: 'Type' }).click();
    await frame().getByRole('option', { name: 'All types' }).click();
  });

  it('shows an invalid pattern as a readable error', async () => {
    await field('Pattern').fill(`${P}:[abc`);
    await field('Pattern').press('Enter');
    await waitForText(status(), /without its closing "\]"/);
  });

  it('views a large hash by HSCAN pages, a JSON string pretty, a binary string and a binary key name in hex', async () => {
    await openKey(`${P}:big:hash`, /big:hash/);
    const fields = frame().getByRole('grid', { name: `Fields of ${P}:big:hash` });
    await waitForText(frame().locator('.paged .status'), new RegExp(`of ${BIG_HASH.toLocaleString('en-US')} fields loaded · more to load`));
    await button('Load more').click();
    await waitForText(frame().locator('.paged .status'), /^(4\d\d|[5-9]\d\d)/);
    assert.ok((await fields.getByRole('row').count()) < 200);

    await openKey(`${P}:config`, /config/);
    await waitForText(frame().locator('pre.value'), /"theme": "dark",\n {2}"sizes": \[/);

    await openKey(`${P}:bin`, /:bin\b/);
    const hex = frame().getByRole('grid', { name: `Bytes of ${P}:bin` });
    await hex.getByRole('row', { name: /00000000 00 01 02 03 04 05 06 07 +08 09 0a/ }).waitFor({ timeout: 30_000 });
    await hex.getByRole('row', { name: /00000040 .* @ABCDEFGHIJKLMNO/ }).waitFor();
    await waitForText(frame().locator('.viewer'), /binary: hex and ASCII/);

    await openKey(`${P}:raw-*`, /raw-/);
    await waitForText(header(), /raw-\\xff\\xfe\\x01/);
  });

  it('pages a large string by windows with its size shown, and a large list by LRANGE windows with jump to index', async () => {
    await openKey(`${P}:big:string`, /big:string/);
    await waitForText(frame().locator('.viewer'), /1\.0 MiB · showing bytes 0–65,535 of 1,048,576/);
    await button('Next').click();
    await waitForText(frame().locator('.viewer'), /showing bytes 65,536–131,071/);
    await openKey(`${P}:queue`, /queue/);
    await waitForText(frame().locator('.paged .status'), /^200 of 20,000 elements loaded/);
    await field('Jump to index').fill('15000');
    await field('Jump to index').press('Enter');
    await frame().getByRole('grid', { name: `Elements of ${P}:queue` }).getByRole('row', { name: /15,000 job-15000/ }).waitFor({ timeout: 30_000 });
  });

  it('ranges a sorted set by rank and by score, lists a set, and a stream with its consumer groups and pending counts', async () => {
    await openKey(`${P}:board`, /board/);
    const members = frame().getByRole('grid', { name: `Members of ${P}:board` });
    await members.getByRole('row', { name: /^0 0 player-000/ }).waitFor({ timeout: 30_000 });
    await frame().getByRole('combobox', { name: 'Range by' }).click();
    await frame().getByRole('option', { name: 'By score' }).click();
    await field('Min score').fill('(40');
    await field('Max score').fill('45');
    await button('Apply').click();
    await members.getByRole('row', { name: /^41 41 player-041/ }).waitFor({ timeout: 30_000 });
    await waitForText(frame().locator('.paged .status'), /^5 of 5 members/);

    await openKey(`${P}:tags`, /tags/);
    await waitForText(frame().locator('.paged .status'), /of 50 members loaded/);

    await openKey(`${P}:events`, /events/);
    await frame().getByRole('grid', { name: `Entries of ${P}:events` }).getByRole('row', { name: /1700000000000-0 type=login +user=u0/ }).waitFor({ timeout: 30_000 });
    const groups = frame().getByRole('table', { name: 'Consumer groups' });
    await waitForText(groups, /mailers\s+1\s+5\s+1700000000004-0/);
  });

  it('shows hostile key names as text', async () => {
    await openKey(`${P}:<script>*`, /<script>alert\(1\)<\/script>/);
    await waitForText(header(), /<script>alert\(1\)<\/script>/);
    await waitForText(frame().locator('pre.value'), /^javascript:alert\(3\)$/);
    assert.deepEqual(await frame().locator('script').evaluateAll((scripts) => scripts.filter((s) => /alert/.test(s.textContent ?? '')).length), 0);
  });

  it('edits a string, a hash field, a list element, a set member and a zset score, and adds fields and members', async () => {
    await openKey(`${P}:config`, /config/);
    await button('Edit').click();
    await frame().getByRole('textbox', { name: 'Value' }).fill('{"theme":"light"}');
    await button('Save').click();
    await waitForText(viewStatus(), /Saved/);
    assert.equal(await redis.get(`${P}:config`), '{"theme":"light"}');

    await openKey(`${P}:user:1`, /user:1/);
    const fields = frame().getByRole('grid', { name: `Fields of ${P}:user:1` });
    await fields.getByRole('row', { name: /^name Ada/ }).click();
    await frame().getByRole('textbox', { name: 'Value of name' }).fill('Grace');
    await button('Save').click();
    await waitForText(viewStatus(), /Field saved/);
    assert.equal(await redis.hget(`${P}:user:1`, 'name'), 'Grace');
    await field('Field').fill('role');
    await field('Value').fill('admin');
    await button('Add field').click();
    await waitForText(viewStatus(), /Add field: done/);
    assert.equal(await redis.hget(`${P}:user:1`, 'role'), 'admin');

    await openKey(`${P}:queue`, /queue/);
    await frame().getByRole('grid', { name: `Elements of ${P}:queue` }).getByRole('row', { name: /^1 job-1$/ }).click();
    await frame().getByRole('textbox', { name: 'Element 1' }).fill('job-one');
    await button('Save').click();
    await waitForText(viewStatus(), /Element saved/);
    assert.equal(await redis.lindex(`${P}:queue`, 1), 'job-one');

    await openKey(`${P}:tags`, /tags/);
    // SSCAN order is Redis' own: the member filter (SSCAN MATCH) brings the one to edit into view.
    await field('Member filter').fill('tag-7');
    await field('Member filter').press('Enter');
    await frame().getByRole('grid', { name: `Members of ${P}:tags` }).getByRole('row', { name: /^tag-7$/ }).click();
    await frame().getByRole('textbox', { name: 'Member', exact: true }).first().fill('tag-seven');
    await button('Save').click();
    await waitForText(viewStatus(), /Member saved/);
    assert.equal(await redis.sismember(`${P}:tags`, 'tag-seven'), 1);

    await openKey(`${P}:board`, /board/);
    await frame().getByRole('grid', { name: `Members of ${P}:board` }).getByRole('row', { name: /player-003/ }).first().click();
    await field('Score').fill('1000');
    await button('Save score').click();
    await waitForText(viewStatus(), /Score saved/);
    assert.equal(await redis.zscore(`${P}:board`, 'player-003'), '1000');
  });

  it('refuses a non-numeric score and an out-of-range TTL with readable errors, writing nothing', async () => {
    await frame().getByRole('grid', { name: `Members of ${P}:board` }).getByRole('row', { name: /player-004/ }).first().click();
    await field('Score').fill('abc');
    await button('Save score').click();
    await waitForText(viewStatus(), /score: "abc" is not a number/);
    assert.equal(await redis.zscore(`${P}:board`, 'player-004'), '4');
    await field('TTL (seconds)').fill('99999999999');
    await button('Set TTL').click();
    await waitForText(viewStatus(), /ttl must be at most 2147483647/);
    assert.equal(await redis.ttl(`${P}:board`), -1);
  });

  it('sets and removes a TTL, and renames a key', async () => {
    await field('TTL (seconds)').fill('3600');
    await button('Set TTL').click();
    await waitForText(header(), /zset · 1 h/);
    assert.ok((await redis.ttl(`${P}:board`)) > 3500);
    await button('Remove TTL').click();
    await waitForText(header(), /zset · no TTL/);
    await field('New name').fill(`${P}:leaderboard`);
    await button('Rename').click();
    await waitForText(header(), new RegExp(`${P}:leaderboard`));
    assert.equal(await redis.exists(`${P}:board`), 0);
    assert.equal(await redis.zcard(`${P}:leaderboard`), 100);
  });

  it('adds a key of each type', async () => {
    for (const [type, extra] of [['string', {}], ['hash', { Field: 'f' }], ['list', {}], ['set', {}], ['zset', { Score: '2.5' }], ['stream', { Field: 'kind' }]] as const) {
      await button('New key').click();
      await frame().getByRole('combobox', { name: 'Key type' }).click();
      await frame().getByRole('option', { name: type, exact: true }).click();
      await field('Key name').fill(`${P}:new:${type}`);
      for (const [label, value] of Object.entries(extra)) await field(label).fill(value);
      await field('Value').fill(`first ${type}`);
      await button('Create').click();
      await waitForText(header(), new RegExp(`${P}:new:${type}[\\s\\S]*${type} · no TTL`));
      assert.equal(await redis.type(`${P}:new:${type}`), type);
    }
    await button('New key').click();
    await field('Key name').fill(`${P}:new:string`);
    await field('Value').fill('again');
    await button('Create').click();
    await waitForText(viewStatus(), /already exists/);
  });

  it('refuses a stale overwrite when the value changed elsewhere, and offers a refresh', async () => {
    await openKey(`${P}:user:1`, /user:1/);
    const fields = frame().getByRole('grid', { name: `Fields of ${P}:user:1` });
    await fields.getByRole('row', { name: /^email / }).click();
    await redis.hset(`${P}:user:1`, 'email', 'changed@elsewhere');
    await frame().getByRole('textbox', { name: 'Value of email' }).fill('mine@here');
    await button('Save').click();
    await waitForText(viewStatus(), /changed since it was read \(the field is now "changed@elsewhere"\)/);
    assert.equal(await redis.hget(`${P}:user:1`, 'email'), 'changed@elsewhere');
    await button('Refresh', viewStatus()).click();
    await fields.getByRole('row', { name: /changed@elsewhere/ }).waitFor();
  });

  it('deletes a key after a confirmation naming it, a selection, and keys by pattern after confirming their count', async () => {
    const { page } = workbench();
    await openKey(`${P}:new:list`, /new:list/);
    await button('Delete key').click();
    assert.match(await answerDialog(page, 'Delete key', 'Delete'), new RegExp(`Delete key "${P}:new:list"\\?`));
    await waitForText(viewStatus(), /Deleted/);
    assert.equal(await redis.exists(`${P}:new:list`), 0);

    await field('Pattern').fill(`${P}:new:*`);
    await field('Pattern').press('Enter');
    await waitForText(status(), /^5 keys/);
    await keysGrid().getByRole('row', { name: /new:set/ }).click();
    await keysGrid().getByRole('row', { name: /new:zset/ }).click({ modifiers: ['Control'] });
    await button('Delete selected').click();
    assert.match(await answerDialog(page, 'Delete 2 keys', 'Delete'), /Delete 2 keys/);
    await waitForText(status(), /Deleted 2 keys/);
    assert.equal(await redis.exists(`${P}:new:set`, `${P}:new:zset`), 0);

    await field('Pattern').fill(`${P}:doomed:*`);
    await button('Delete matching…').click();
    assert.match(await answerDialog(page, 'Delete 30 keys', 'Delete'), new RegExp(`Delete 30 keys matching "${P}:doomed:\\*"\\?`));
    await waitForText(status(), /Deleted 30 keys matching/);
    assert.equal((await redis.scan('0', 'MATCH', `${P}:doomed:*`, 'COUNT', 100000))[1].length, 0);
  });

  it('comes back as it was after the panel is closed and reopened, and after a window reload', async () => {
    const { page } = workbench();
    await openKey(`${P}:user:*`, /user:1/);
    await page.waitForTimeout(500); // the view state is written at most every 150 ms
    await command('View: Close All Editors');
    await editorTabs(page, 'Keys: cache').waitFor({ state: 'detached' });
    await command('OgelBase: Open Key Browser');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: /^cache/ }).first().click({ timeout: 30_000 });
    await waitForText(header(), new RegExp(`${P}:user:1`));
    assert.equal(await field('Pattern').inputValue(), `${P}:user:*`);

    // As a person reloads: the workbench saves its editors, then the extension restores the panel
    // through its WebviewPanelSerializer from the state the webview kept.
    await command('Developer: Reload Window');
    await waitForWorkbenchUi(page, 120_000);
    await editorTabs(page, 'Keys: cache').first().waitFor({ timeout: 120_000 });
    await waitForText(header(), new RegExp(`${P}:user:1`), 120_000);
    assert.equal(await field('Pattern').inputValue(), `${P}:user:*`);
    await frame().getByRole('grid', { name: `Fields of ${P}:user:1` }).getByRole('row', { name: /^name / }).waitFor();
  });

  it('saves screenshots of a hash, a stream and a binary string, light and dark', async () => {
    const { page, screenshot } = workbench();
    const session = currentSession();
    for (const theme of ['Default Dark Modern', 'Default Light Modern'] as const) {
      // The theme set in settings.json, and the window reloaded (the panel comes back by its serializer).
      writeUserSettings(session.userDataDir, { ...settings, 'workbench.colorTheme': theme });
      await command('Developer: Reload Window');
      await waitForWorkbenchUi(page, 120_000);
      const kind = theme.includes('Light') ? 'light' : 'dark';
      await page.locator(`.monaco-workbench.${kind === 'light' ? 'vs' : 'vs-dark'}`).waitFor({ timeout: 30_000 });
      await frame().locator(`body.vscode-${kind}`).waitFor({ timeout: 30_000 });
      await page.mouse.move(5, 700);
      for (const [name, pattern, row] of [['hash', `${P}:user:*`, /user:1/], ['stream', `${P}:events`, /events/], ['binary', `${P}:bin`, /:bin\b/]] as const) {
        await openKey(pattern, row);
        await frame().locator('.viewer .vlist-row').first().waitFor({ timeout: 30_000 });
        await page.waitForTimeout(300);
        await screenshot(`key-browser-${name}-${kind}`);
      }
    }
    writeUserSettings(session.userDataDir, settings);
    await showOgelBase(page);
  });

  it('browses a Cluster: keys from every master, with the node each lives on', async () => {
    const { page } = workbench();
    const cluster = new Redis.Cluster(process.env.OGELBASE_TEST_REDIS_CLUSTER_NODES!.split(',').map((n) => ({ host: n.split(':')[0], port: Number(n.split(':')[1]) })), { redisOptions: { password: clusterPassword } });
    const keys = Array.from({ length: 30 }, (_, i) => `${P}:c:${i}`);
    try {
      await Promise.all(keys.map((k, i) => cluster.set(k, String(i))));
      await command('OgelBase: Open Key Browser');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sessions-cluster' }).first().click({ timeout: 30_000 });
      await editorTabs(page, 'Keys: sessions-cluster').first().waitFor({ timeout: 30_000 });
      await command('View: Close Other Editors in Group');
      await waitForText(frame().locator('.db-header'), /cluster \(3 masters\)/);
      await field('Pattern').fill(`${P}:c:*`);
      await field('Pattern').press('Enter');
      for (let i = 0; i < 50 && !/scan finished/.test(await status().innerText()); i++) {
        if (await enabled(button('Scan more'))) await button('Scan more').click();
        await page.waitForTimeout(150);
      }
      await waitForText(status(), /^30 keys · .* scan finished/);
      const nodes = await keysGrid().locator('.vlist-row:not([hidden]) .vlist-cell:nth-child(5)').allInnerTexts();
      assert.equal(new Set(nodes.filter(Boolean)).size, 3, `nodes shown: ${[...new Set(nodes)].join(', ')}`);
      await keysGrid().getByRole('row', { name: /c:7\b/ }).click();
      await waitForText(header(), /node [\d.]+:\d+ · slot \d+/);
    } finally {
      await Promise.all(keys.map((k) => cluster.del(k)));
      cluster.disconnect();
    }
  });

  it('shows no write controls on a read-only database, whose writes the platform refuses anyway', async () => {
    const { page } = workbench();
    const client = new PlatformClient({ url: platform.url, token: platform.token });
    await client.updateDatabase(shop.redis.id, { readOnly: true });
    try {
      await command('View: Close All Editors');
      await command('OgelBase: Open Key Browser');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: /^cache/ }).first().click({ timeout: 30_000 });
      await openKey(`${P}:user:1`, /user:1/);
      await waitForText(frame().locator('.db-header'), /read-only/);
      await frame().getByRole('grid', { name: `Fields of ${P}:user:1` }).getByRole('row', { name: /^name / }).click();
      for (const name of ['Delete key', 'Set TTL', 'Rename', 'New key', 'Delete selected', 'Delete matching…', 'Add field', 'Save']) {
        assert.equal(await frame().getByRole('button', { name, exact: true }).count(), 0, `${name} is shown on a read-only database`);
      }
      const refused = await client.operation('redis', shop.redis.id, 'hashSet', { key: `${P}:user:1`, field: 'name', value: 'x' }).catch((e: Error) => e);
      assert.match(String((refused as Error).message), /read-only/);
    } finally {
      await client.updateDatabase(shop.redis.id, { readOnly: false });
    }
  });
});
