/**
 * The PostgreSQL table inspector and SQL editor as a person uses them in Chromium, against the
 * installed .vsix, the companion server (every call goes through the platform) and a real
 * PostgreSQL: open from the tree, page both ways, sort, filter, edit and delete (previewed, then
 * checked in the database), a table without a primary key, composite keys, odd identifiers,
 * hostile names and values shown as text, state kept across a reload; the SQL editor's run,
 * selection and statement under the cursor, a syntax error marked in the editor, the row cap and
 * Fetch More, Cancel (the backend leaves pg_stat_activity), EXPLAIN, export, a read-only refusal.
 * Screenshots (grid, SQL editor with a result, a plan; dark and light) go to <results>/screenshots.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { PlatformClient } from '../../src/core/api/client';
import { startPlatform, type PlatformService } from '../support/platform';
import { createTestDatabase, type TestDatabase } from '../support/services/postgres';
import { waitForWorkbenchUi } from '../support/vscode/browser';
import { closeAllEditors, notification, runCommand, showOgelBase, waitForText, withWorkbench } from '../support/vscode/workbench';

const HOSTILE = '<img src=x onerror=alert(1)>';
const webview = (page: Page): FrameLocator => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

async function expand(view: Locator, row: string | RegExp, child: string | RegExp): Promise<void> {
  const item = view.getByRole('treeitem', { name: row }).first();
  await item.click({ timeout: 30_000 });
  const target = view.getByRole('treeitem', { name: child }).first();
  // Rows that open something on click (tables) expand with the keyboard (or their twistie).
  if (!(await target.waitFor({ timeout: 3000 }).then(() => true, () => false))) await item.locator('.monaco-tl-twistie').click();
  await target.waitFor({ timeout: 30_000 });
}

describe('the PostgreSQL table inspector and SQL editor (code-server in Chromium, through the platform)', function () {
  let platform: PlatformService;
  let database: TestDatabase;
  let sql: pg.Client;
  const settings: Record<string, unknown> = { 'ogelbase.connectionMode': 'platform', 'ogelbase.postgres.pageSize': 200, 'ogelbase.postgres.maxRows': 1000 };

  before(async function () {
    this.timeout(180_000);
    database = await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'inspect');
    sql = new pg.Client(database.url);
    await sql.connect();
    await sql.query(`
      CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL);
      INSERT INTO customers SELECT g, 'c' || g || '@example.com' FROM generate_series(1, 20) g;
      CREATE TABLE items (id int PRIMARY KEY, name text, note text, price numeric(10,2), data jsonb, blob bytea, tags text[], customer_id int REFERENCES customers(id));
      INSERT INTO items SELECT g, 'item ' || g, CASE WHEN g % 3 = 0 THEN NULL WHEN g % 3 = 1 THEN '' ELSE 'note ' || g END, (g * 7 % 1000) / 10.0,
        jsonb_build_object('n', g, 'long', repeat('x', 300)), decode(lpad(to_hex(g), 8, '0'), 'hex'), ARRAY['a', 'b c'], 1 + g % 20 FROM generate_series(1, 1000) g;
      CREATE TABLE pairs (a int, b text, v int, PRIMARY KEY (a, b));
      INSERT INTO pairs SELECT g % 5, 'k' || (g / 5), g FROM generate_series(0, 49) g;
      CREATE TABLE nokey (x int, y text);
      INSERT INTO nokey VALUES (1, 'one'), (2, 'two');
      CREATE SCHEMA "Sp ace";
      CREATE TABLE "Sp ace"."Wéird ""T"" name" ("id ü" int PRIMARY KEY, "${HOSTILE}" text, raw bytea);
      INSERT INTO "Sp ace"."Wéird ""T"" name" VALUES (1, '${HOSTILE}', decode('3c7363726970743e00ff0d', 'hex')), (2, '<script>document.title="pwned"</script>', NULL),
        (3, E'line1\\rline2', NULL), (4, 'ü 😀 ' || chr(8238) || 'evil', NULL), (5, repeat('x', 200000), NULL);
      ANALYZE;
    `);
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL });
    const client = new PlatformClient({ url: platform.url, token: platform.token });
    await client.createDatabase({ projectRef: platform.projectRef, name: 'inspect-db', type: 'postgres', connectionString: database.url, description: 'table inspector e2e' });
    await client.createDatabase({ projectRef: platform.projectRef, name: 'inspect-ro', type: 'postgres', connectionString: database.url, description: 'read-only', readOnly: true });
    settings['ogelbase.platform.url'] = platform.url;
  });
  after(async function () {
    this.timeout(60_000);
    const page = workbench().page;
    await runCommand(page, 'OgelBase: Sign Out').catch(() => undefined);
    await sql?.end();
    await platform?.destroy();
    await database?.drop();
  });
  // Declared after the suite's own after hook, so that hook still has the page (withWorkbench's forgets it).
  const workbench = withWorkbench('e2e-postgres', { settings });

  const sidebar = () => workbench().page.locator('#workbench\\.parts\\.sidebar');
  const grid = () => webview(workbench().page).getByRole('grid').first();
  const position = () => webview(workbench().page).locator('.position');
  const firstIds = async (n = 3) => (await grid().locator('.vlist-row:not([hidden])').evaluateAll((rows, count) => rows.map((r) => Number(r.getAttribute('aria-rowindex'))).sort((a, b) => a - b).slice(0, count), n)).length;
  const cellText = (row: number, column: number) => grid().locator(`.vlist-row[aria-rowindex="${row + 2}"] .vlist-cell`).nth(column + 1);
  const confirmModal = async (expect: RegExp, action: string) => {
    const dialog = workbench().page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    const text = (await dialog.innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, expect);
    await dialog.getByRole('button', { name: action }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    return text;
  };
  /** Closes every editor; the untitled SQL documents the suite typed into are closed without saving. */
  const closeAll = () => closeAllEditors(workbench().page);
  const toggleTheme = async () => {
    await runCommand(workbench().page, 'Preferences: Toggle between Light/Dark Themes');
    await workbench().page.waitForTimeout(1000);
  };
  /** Shows the OgelBase side bar (the shared helper clicks its activity item only when that does not hide it). */
  const ensureSidebar = () => showOgelBase(workbench().page);
  /** Expands the tree down a path of rows (each only when its child is not showing yet). */
  const reveal = async (...path: RegExp[]) => {
    const view = sidebar();
    await ensureSidebar();
    for (let i = 0; i + 1 < path.length; i++) {
      if (!(await view.getByRole('treeitem', { name: path[i + 1] }).first().isVisible().catch(() => false))) await expand(view, path[i]!, path[i + 1]!);
    }
  };
  const dbPath = [/Demo Organization/, /Demo Project/, /^inspect-db/];
  /**
   * New Query from a database row's context menu; returns its editor. The menu is opened again
   * when no editor came (a right-click can land while the tree re-renders the row).
   */
  const newQueryFromTree = async (database: string) => {
    const page = workbench().page;
    const editor = page.locator(`.monaco-editor[data-uri*="${database}"]`).first();
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Escape');
      await sidebar().getByRole('treeitem', { name: new RegExp(`^${database}`) }).first().click({ button: 'right' });
      await page.locator('.monaco-menu .action-item', { hasText: 'New Query' }).first().click({ timeout: 15_000 });
      try {
        await editor.waitFor({ timeout: 15_000 });
        return editor;
      } catch (error) {
        if (attempt === 2) throw error;
      }
    }
  };
  const openTableFromTree = async (schema: RegExp, table: RegExp) => {
    await reveal(...dbPath, schema, table);
    await sidebar().getByRole('treeitem', { name: table }).first().click();
  };

  it('signs in and opens a table from the tree: types and key markers, NULL apart from the empty string, bytea as hex', async () => {
    const { page, screenshot } = workbench();
    await ensureSidebar();
    await runCommand(page, 'OgelBase: Sign In');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: platform.url }).first().click({ timeout: 15_000 });
    await page.locator('.quick-input-widget input[type="password"]').fill(platform.token);
    await page.keyboard.press('Enter');
    await openTableFromTree(/^public/, /^items/);
    await grid().waitFor({ timeout: 60_000 });
    await waitForText(position(), /Rows 1–200/);
    const header = await grid().locator('.vlist-header').innerText();
    for (const text of ['id', 'integer', 'price', 'numeric(10,2)', 'jsonb', 'bytea', 'text[]']) assert.ok(header.includes(text), `header shows ${text}: ${header}`);
    assert.equal(await grid().locator('.vlist-header .codicon-key').count(), 1, 'the primary key is marked');
    assert.equal(await grid().locator('.vlist-header .codicon-references').count(), 1, 'the foreign key is marked');
    assert.equal(await cellText(0, 2).innerText(), "''", 'row 1 note is the empty string');
    assert.equal(await cellText(2, 2).innerText(), 'NULL');
    assert.ok(await cellText(2, 2).locator('.value.null').count(), 'NULL has its own look');
    assert.match(await cellText(0, 5).innerText(), /^\\x00000001$/);
    assert.equal(await cellText(0, 6).innerText(), '{a, "b c"}');
    await webview(page).getByText('≈ 1,000 rows').waitFor({ timeout: 30_000 });
    await page.mouse.move(5, 400);
    await screenshot('table-grid-light');
    await toggleTheme();
    await screenshot('table-grid-dark');
    await toggleTheme();
  });

  it('pages forward, back, to the last page and to the first (keyset both ways)', async () => {
    const frame = webview(workbench().page);
    await frame.getByRole('button', { name: 'Next Page' }).click();
    await waitForText(position(), /Rows 201–400/);
    await waitForText(cellText(0, 0), /^201$/);
    await frame.getByRole('button', { name: 'Last Page' }).click();
    await waitForText(position(), /Last 200 rows/);
    await waitForText(cellText(0, 0), /^801$/);
    await frame.getByRole('button', { name: 'Previous Page' }).click();
    await waitForText(cellText(0, 0), /^601$/);
    await frame.getByRole('button', { name: 'First Page' }).click();
    await waitForText(position(), /Rows 1–200/);
    await waitForText(cellText(0, 0), /^1$/);
    assert.ok((await firstIds()) > 0);
  });

  it('sorts by a column (both ways) and filters with contains and a comparison', async () => {
    const frame = webview(workbench().page);
    const priceHeader = grid().locator('.vlist-header [data-column="price"]');
    await priceHeader.click();
    await waitForText(priceHeader, /▲/);
    const lowest = (await sql.query('SELECT id FROM items ORDER BY price, id LIMIT 1')).rows[0].id;
    await waitForText(cellText(0, 0), new RegExp(`^${lowest}$`));
    await priceHeader.click();
    await waitForText(priceHeader, /▼/);
    const highest = (await sql.query('SELECT id FROM items ORDER BY price DESC, id DESC LIMIT 1')).rows[0].id;
    await waitForText(cellText(0, 0), new RegExp(`^${highest}$`));
    await priceHeader.click(); // third click: unsorted
    await frame.getByRole('button', { name: 'Filter', exact: true }).click();
    await frame.getByRole('combobox', { name: 'Filter column' }).selectOption('name');
    await frame.getByRole('combobox', { name: 'Filter operator' }).selectOption('contains');
    await frame.getByRole('textbox', { name: 'Filter value' }).fill('99');
    await frame.getByRole('button', { name: 'Add Filter' }).click();
    await frame.getByRole('combobox', { name: 'Filter column' }).nth(1).selectOption('id');
    await frame.getByRole('combobox', { name: 'Filter operator' }).nth(1).selectOption('<');
    await frame.getByRole('textbox', { name: 'Filter value' }).nth(1).fill('500');
    await frame.getByRole('button', { name: 'Apply' }).click();
    await waitForText(position(), /Rows 1–5$/);
    const expected = (await sql.query("SELECT count(*)::int AS n FROM items WHERE name ILIKE '%99%' AND id < 500")).rows[0].n;
    assert.equal(expected, 5);
    await frame.getByRole('button', { name: 'Count Rows' }).click();
    await frame.getByText('5 rows').first().waitFor({ timeout: 30_000 });
    await frame.getByRole('button', { name: 'Clear' }).click();
    await waitForText(position(), /Rows 1–200/);
  });

  it('edits a cell and deletes a row: each statement previewed, then checked in the database', async () => {
    const frame = webview(workbench().page);
    await cellText(3, 1).click();
    const editor = frame.getByRole('textbox', { name: 'New value of name' });
    await editor.fill("it's <b>renamed</b>");
    await frame.getByRole('button', { name: 'Save' }).click();
    await confirmModal(/UPDATE "public"."items" AS t SET "name" = 'it''s <b>renamed<\/b>'::text WHERE t."id" = '4'::integer/, 'Update');
    await frame.getByText('Updated name of 1 row.').waitFor({ timeout: 30_000 });
    assert.equal((await sql.query('SELECT name FROM items WHERE id = 4')).rows[0].name, "it's <b>renamed</b>");
    assert.equal(await cellText(3, 1).innerText(), "it's <b>renamed</b>");
    await cellText(4, 0).click();
    await frame.getByRole('button', { name: 'Delete Rows' }).click();
    await confirmModal(/Delete 1 row from public\.items[\s\S]*DELETE FROM "public"."items" AS t WHERE t."id" = '5'::integer/, 'Delete 1 Row');
    await frame.getByText('Deleted 1 row.').waitFor({ timeout: 30_000 });
    assert.equal((await sql.query('SELECT 1 FROM items WHERE id = 5')).rowCount, 0);
  });

  it('follows a foreign key to the referenced row, and comes back', async () => {
    const frame = webview(workbench().page);
    await cellText(0, 7).locator('button.fk').click();
    await waitForText(frame.locator('.title'), /public\.customers/);
    await waitForText(position(), /Rows 1–1$/);
    assert.equal(await cellText(0, 0).innerText(), '2');
    await frame.getByRole('button', { name: 'Back' }).click();
    await waitForText(frame.locator('.title'), /public\.items/);
  });

  it('keeps the table, sort, filters and page when the window reloads, and when the panel is closed and opened again', async () => {
    const { page } = workbench();
    const frame = webview(page);
    await frame.getByRole('button', { name: 'Next Page' }).click();
    await waitForText(position(), /Rows 201–400/);
    await page.waitForTimeout(500); // the state is written at most every 150 ms
    // As users reload: the workbench shuts down properly (saving each editor's state), then loads again.
    await runCommand(page, 'Developer: Reload Window');
    await page.waitForTimeout(3000);
    await waitForWorkbenchUi(page, 120_000);
    await webview(page).getByRole('grid').first().waitFor({ timeout: 120_000 });
    await waitForText(webview(page).locator('.title'), /public\.items/, 60_000);
    await waitForText(webview(page).locator('.position'), /Rows 201–400/, 60_000);
    // Closed, then opened again from the same tree row: the same page comes back.
    await closeAll();
    await openTableFromTree(/^public/, /^items/);
    await waitForText(webview(page).locator('.title'), /public\.items/, 60_000);
    await waitForText(webview(page).locator('.position'), /Rows 201–400/, 60_000);
  });

  it('a table without a primary key is read-only in the grid and says so; a composite key edits by both columns', async () => {
    await openTableFromTree(/^public/, /^nokey/);
    const frame = webview(workbench().page);
    await waitForText(frame.locator('.banner'), /no primary key/);
    assert.equal(await frame.getByRole('button', { name: 'Add Row' }).isVisible(), false);
    await openTableFromTree(/^public/, /^pairs/);
    await waitForText(frame.locator('.title'), /public\.pairs/);
    await waitForText(position(), /Rows 1–50/);
    await cellText(0, 2).click();
    await frame.getByRole('textbox', { name: 'New value of v' }).fill('4242');
    await frame.getByRole('button', { name: 'Save' }).click();
    await confirmModal(/WHERE t."a" = '0'::integer AND t."b" = 'k0'::text/, 'Update');
    await frame.getByText('Updated v of 1 row.').waitFor({ timeout: 30_000 });
    assert.equal((await sql.query(`SELECT v FROM pairs WHERE a = 0 AND b = 'k0'`)).rows[0].v, 4242);
  });

  it('shows identifiers with quotes, spaces and unicode, and hostile names and values as text', async () => {
    const { page } = workbench();
    await openTableFromTree(/^Sp ace/, /Wéird "T" name/);
    const frame = webview(page);
    await waitForText(frame.locator('.title'), /Sp ace\.Wéird "T" name/);
    await waitForText(grid().locator('.vlist-header'), new RegExp(HOSTILE.replace(/[()]/g, '\\$&')));
    assert.equal(await cellText(0, 1).innerText(), HOSTILE);
    assert.equal(await cellText(1, 1).innerText(), '<script>document.title="pwned"</script>');
    assert.equal(await cellText(0, 2).textContent(), '\\x3c7363726970743e00ff0d', 'bytea as hex, never decoded');
    assert.equal(await cellText(2, 1).textContent(), 'line1\\rline2', 'a carriage return shows as \\r');
    assert.equal(await cellText(3, 1).textContent(), 'ü 😀 \\u202eevil', 'a right-to-left override shows as its escape, not reversing "evil"');
    assert.match((await cellText(4, 1).textContent()) ?? '', /^x{500}… \(195 KiB\)$/, 'huge text: cut in the cell, with its size');
    await cellText(4, 1).click();
    await waitForText(frame.locator('.side'), /over 64 KiB: it is shown cut, and cannot be edited here/);
    assert.equal(await frame.getByRole('textbox', { name: /New value of/ }).count(), 0, 'a cut value offers no editor');
    assert.equal(await frame.locator('img').count(), 0, 'no element was made from a value');
    assert.equal(await frame.locator('script', { hasText: 'pwned' }).count(), 0, 'no script was made from a value');
    assert.notEqual(await page.title(), 'pwned');
  });

  it('a read-only database shows no write controls in the table inspector, and says why', async () => {
    const { page } = workbench();
    await closeAll();
    await ensureSidebar();
    // Fold inspect-db away so the rows below are those of inspect-ro.
    const writable = sidebar().getByRole('treeitem', { name: /^inspect-db/ }).first();
    if ((await writable.getAttribute('aria-expanded')) === 'true') await writable.locator('.monaco-tl-twistie').click();
    await reveal(/Demo Organization/, /Demo Project/, /^inspect-ro/, /^public/, /^items/);
    await sidebar().getByRole('treeitem', { name: /^items/ }).first().click();
    const frame = webview(page);
    await waitForText(frame.locator('.title'), /public\.items/, 60_000);
    await waitForText(frame.locator('.banner'), /read-only for you/, 60_000);
    await waitForText(position(), /Rows 1–200/);
    for (const name of ['Add Row', 'Delete Rows']) assert.equal(await frame.getByRole('button', { name }).isVisible(), false, `${name} is hidden`);
    await cellText(0, 1).click();
    await waitForText(frame.locator('.side'), /read-only for you/);
    assert.equal(await frame.getByRole('textbox', { name: 'New value of name' }).count(), 0, 'no editor');
    assert.equal(await frame.getByRole('button', { name: 'Save' }).count(), 0, 'no Save');
    await closeAll();
  });

  it('New Query opens a SQL document bound to the database; Ctrl+Enter runs the statement under the cursor, then a selection of several', async () => {
    const { page, screenshot } = workbench();
    await runCommand(page, 'View: Close All Editors');
    await reveal(...dbPath);
    const editor = await newQueryFromTree('inspect-db');
    await page.locator('#workbench\\.parts\\.statusbar').getByText('inspect-db').first().waitFor({ timeout: 30_000 });
    await editor.click();
    await page.keyboard.type("SELECT id, name, note FROM items WHERE id <= 3 ORDER BY id;\nSELECT count(*) AS total FROM items;\n", { delay: 1 });
    await page.keyboard.press('ArrowUp'); // the cursor is on the second statement
    await page.keyboard.press('Control+Enter');
    const results = webview(page);
    await waitForText(results.locator('.result-info'), /1 row/, 60_000);
    assert.equal(await results.getByRole('grid').locator('.vlist-row:not([hidden]) .vlist-cell').nth(1).innerText(), '999');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+Enter');
    await waitForText(results.locator('.head'), /2 statements/, 60_000);
    await waitForText(results.locator('.head'), /Done in/, 60_000);
    await results.getByRole('tab', { name: /1: SELECT id, name/ }).click();
    await waitForText(results.locator('.result-info'), /3 rows/);
    await page.mouse.move(5, 400);
    await screenshot('sql-result-light');
    await toggleTheme();
    await screenshot('sql-result-dark');
    await toggleTheme();
  });

  it('marks a syntax error in the editor, caps rows with Fetch More, and explains a statement as a plan tree', async () => {
    const { page, screenshot } = workbench();
    const editor = page.locator('.monaco-editor[data-uri*="inspect-db"]').first();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('SELECT id FROM items WHERE id = 1 ORDER BY nme;', { delay: 1 });
    await page.keyboard.press('Control+Enter');
    const results = webview(page);
    await waitForText(results.locator('.error-box'), /column "nme" does not exist/, 60_000);
    await editor.locator('.squiggly-error').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Control+A');
    await page.keyboard.type('SELECT g FROM generate_series(1, 2500) g', { delay: 1 });
    await page.keyboard.press('Control+Enter');
    await waitForText(results.locator('.result-info'), /1,000 rows.*capped at 1,000/s, 60_000);
    await results.getByRole('button', { name: 'Fetch More' }).click();
    await waitForText(results.locator('.result-info'), /2,000 rows/, 60_000);
    // Fetch More left the focus in the results panel: back to the editor before typing.
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('SELECT c.email, count(*) FROM items i JOIN customers c ON c.id = i.customer_id GROUP BY c.email ORDER BY 2 DESC;', { delay: 1 });
    await page.keyboard.press('Enter');
    await page.keyboard.type('SELECT 1;', { delay: 1 });
    // The extension host's copy of the document follows the editor asynchronously (seconds on a loaded
    // machine); its CodeLenses come from that copy, so two "Run" lenses mean it has the new text.
    const runLenses = editor.locator('.codelens-decoration a', { hasText: 'Run' });
    for (let i = 0; i < 150 && (await runLenses.count()) !== 2; i++) await page.waitForTimeout(200);
    assert.equal(await runLenses.count(), 2, 'one Run lens per statement of the new text');
    await editor.locator('.codelens-decoration a', { hasText: 'Explain' }).first().click();
    await results.getByRole('tree', { name: 'Query plan' }).waitFor({ timeout: 60_000 });
    assert.ok((await results.locator('.plan-node.hot').count()) >= 1, 'the costliest nodes are marked');
    await page.mouse.move(5, 400);
    await screenshot('sql-plan-light');
    await toggleTheme();
    await screenshot('sql-plan-dark');
    await toggleTheme();
    await results.locator('.plan [role="tab"][data-tab="text"]').click();
    const planText = results.locator('pre[aria-label="Plan text"]');
    await planText.waitFor({ timeout: 30_000 });
    for (let i = 0; i < 100 && !/Hash Join|Seq Scan|HashAggregate/.test((await planText.textContent()) ?? ''); i++) await page.waitForTimeout(200);
    assert.match((await planText.textContent()) ?? '', /Hash Join|Seq Scan|HashAggregate/);
    await results.locator('.plan [role="tab"][data-tab="tree"]').click();
  });

  it('cancels a running query on the server: the backend leaves pg_stat_activity', async () => {
    const { page } = workbench();
    const editor = page.locator('.monaco-editor[data-uri*="inspect-db"]').first();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('SELECT pg_sleep(30)', { delay: 1 });
    await page.keyboard.press('Control+Enter');
    const sleeping = async () => (await sql.query("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()")).rowCount! > 0;
    for (let i = 0; i < 200 && !(await sleeping()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(await sleeping(), 'the query is running');
    await webview(page).getByRole('button', { name: 'Cancel' }).click();
    await waitForText(webview(page).locator('.head'), /Cancelled/, 30_000);
    for (let i = 0; i < 100 && (await sleeping()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await sleeping(), false, 'the backend is gone');
  });

  it('exports a result to CSV, streamed to the file with progress', async () => {
    const { page, workspace } = workbench();
    const editor = page.locator('.monaco-editor[data-uri*="inspect-db"]').first();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('SELECT id, name, note FROM items ORDER BY id', { delay: 1 });
    await page.keyboard.press('Control+Enter');
    const results = webview(page);
    await waitForText(results.locator('.result-info'), /999 rows/, 60_000);
    await results.getByRole('button', { name: 'Export CSV' }).click();
    const target = join(workspace, 'items-export.csv');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill(target);
    await page.keyboard.press('Enter');
    const done = notification(page, /Exported 999 rows/);
    await done.waitFor({ timeout: 60_000 });
    // The file as the notification names it (relative to the workspace folder).
    const named = /to (.+?) in [\d.]+ s/.exec((await done.innerText()).replace(/\u00a0/g, ' '))?.[1];
    const file = named ? (named.startsWith('/') ? named : join(workspace, named)) : target;
    const lines = readFileSync(file, 'utf8').split('\r\n');
    assert.equal(lines[0], 'id,name,note');
    assert.equal(lines[1], '1,item 1,""');
    assert.equal(lines[3], '3,item 3,');
    assert.equal(lines.length, 1001);
    assert.equal(existsSync(`${file}.part`), false);
  });

  it('shows a read-only refusal from the platform as a clear error', async () => {
    const { page } = workbench();
    await closeAll();
    await reveal(/Demo Organization/, /Demo Project/, /^inspect-ro/);
    const editor = await newQueryFromTree('inspect-ro');
    await editor.click();
    await page.keyboard.type("UPDATE items SET name = 'x' WHERE id = 1", { delay: 1 });
    await page.keyboard.press('Control+Enter');
    await waitForText(webview(page).locator('.error-box'), /Read-only: .*read-only transaction/, 60_000);
    assert.equal((await sql.query('SELECT name FROM items WHERE id = 1')).rows[0].name, 'item 1');
    await closeAll();
  });
});
