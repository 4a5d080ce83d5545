/**
 * The MongoDB document browser as a person uses it, in Chromium against code-server with the
 * installed .vsix, the companion server (every call goes through the platform:
 * `ogelbase.connectionMode: platform`) and the MongoDB of the run (the wire test server, or a real
 * one with MONGODB_URL): opened from the tree, queries good and bad, paging, the table and the
 * tree, a document with every BSON type edited in a real editor and saved unchanged, conflicts,
 * insert/duplicate/delete with confirmations, indexes, explain, schema, hostile data shown as
 * text, a read-only database, and the state kept across close and reload. Screenshots of the table,
 * the tree and the editor in light and dark go to <results>/screenshots (copies in docs/images/).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BSON, Int32, MongoClient, ObjectId, type Document } from 'mongodb';
import type { Locator } from 'playwright-core';
import { PlatformClient } from '../../src/core/api/client';
import { everyType } from '../support/engines/bson-samples';
import { startPlatform, type PlatformService } from '../support/platform';
import { webview } from '../support/vscode/webview';
import { notification, runCommand, showOgelBase, waitForText, withWorkbench } from '../support/vscode/workbench';

const run = randomBytes(3).toString('hex');
const DB = `docs_${run}`;
const PEOPLE = 60;
const personId = (i: number) => new ObjectId(`65f00000000000000000${i.toString(16).padStart(4, '0')}`);
const HOSTILE_KEY = '<img src=x onerror=document.title="pwned">';

describe('the MongoDB document browser (code-server in Chromium, through the platform)', function () {
  let platform: PlatformService;
  let mongo: MongoClient;
  const settings: Record<string, unknown> = {
    'ogelbase.connectionMode': 'platform',
    'workbench.colorTheme': 'Default Light Modern',
    'workbench.preferredLightColorTheme': 'Default Light Modern',
    'workbench.preferredDarkColorTheme': 'Default Dark Modern',
  };

  before(async function () {
    this.timeout(180_000);
    mongo = new MongoClient(process.env.OGELBASE_TEST_MONGODB_URL!);
    const db = mongo.db(DB);
    await db.collection('people').insertMany(
      Array.from({ length: PEOPLE }, (_, k) => {
        const i = k + 1;
        return { _id: personId(i), name: `Person ${i}`, age: new Int32(20 + (i % 40)), email: `p${i}@example.com`, group: i % 12 === 0 ? 'purge' : `g${i % 3}`, tags: ['a', `t${i % 5}`], address: { city: `City ${i % 7}`, zip: String(10000 + i) } };
      }),
    );
    await db.collection<Document>('people').insertMany([
      { _id: 'hostile-1' as never, a: 'javascript:alert(1)', '<b>': 1 },
      { _id: 'hostile-2' as never, [HOSTILE_KEY]: '<script>alert(2)</script>' },
    ]);
    await db.collection('people').createIndex({ age: 1 });
    await db.createCollection('adults', { viewOn: 'people', pipeline: [{ $match: { age: { $gte: 50 } } }] });
    await db.collection('types').insertOne(everyType(new Int32(1)));
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL });
    const client = new PlatformClient({ url: platform.url, token: platform.token });
    const url = `${process.env.OGELBASE_TEST_MONGODB_URL!.replace(/\/$/, '')}/${DB}`;
    await client.createDatabase({ projectRef: platform.projectRef, name: 'docs-db', type: 'mongodb', connectionString: url, description: 'Documents' });
    await client.createDatabase({ projectRef: platform.projectRef, name: 'docs-readonly', type: 'mongodb', connectionString: url, readOnly: true });
    settings['ogelbase.platform.url'] = platform.url;
  });
  // Registered before withWorkbench's own `after` (which tidies the window away), so it runs first:
  // the next suite of the shared session starts signed out.
  after(async function () {
    this.timeout(60_000);
    await Promise.resolve()
      .then(() => runCommand(workbench().page, 'OgelBase: Sign Out'))
      .catch(() => undefined);
    await mongo?.db(DB).dropDatabase().catch(() => undefined);
    await mongo?.close();
    await platform?.destroy();
  });
  const workbench = withWorkbench('e2e-mongo-documents', { settings });
  afterEach(async function () {
    // A failure must not leave a modal or a quick input over the next test.
    if (this.currentTest?.state === 'failed') for (let i = 0; i < 3; i++) await workbench().page.keyboard.press('Escape');
  });

  const page = () => workbench().page;
  const sidebar = () => page().locator('#workbench\\.parts\\.sidebar');
  /** The browser's document (the webview's inner frame). */
  const view = () => webview(page());
  const table = () => view().getByRole('grid', { name: 'Documents as a table' });
  const tree = () => view().getByRole('grid', { name: 'Documents as a tree' });
  const button = (name: string | RegExp) => view().getByRole('button', { name, exact: typeof name === 'string' });
  const status = () => view().locator('[data-region="paging"]');
  /** The editor tab of a document, saved (not dirty). */
  const savedTab = () => page().locator('.tab.active[data-resource-name$=".json"]:not(.dirty)');
  const dialog = () => page().locator('.monaco-dialog-box').first();
  const editor = () => page().locator('.editor-instance .monaco-editor').last();
  const stored = (id: unknown, collection = 'people') => mongo.db(DB).collection<Document>(collection).findOne({ _id: id } as Document, { promoteValues: false, bsonRegExp: true });

  async function find(query: { filter?: string; projection?: string; sort?: string }): Promise<void> {
    await view().getByLabel('Filter', { exact: true }).fill(query.filter ?? '');
    await view().getByLabel('Projection').fill(query.projection ?? '');
    await view().getByLabel('Sort', { exact: true }).fill(query.sort ?? '');
    await button('Find').click();
  }
  const rows = (grid: Locator) => grid.locator('.vlist-row:not([hidden])');
  /** The texts of one column of the table's rendered rows, found by its header. */
  async function column(name: string): Promise<string[]> {
    const index = (await table().getByRole('columnheader').allInnerTexts()).indexOf(name);
    assert.ok(index >= 0, `no column ${name}`);
    return rows(table()).evaluateAll((list, i) => list.map((row) => (row.children[i] as unknown as { innerText: string }).innerText), index);
  }
  async function expandTree(name: string | RegExp, child: string | RegExp): Promise<void> {
    await sidebar().getByRole('treeitem', { name }).first().click({ timeout: 30_000 });
    await sidebar().getByRole('treeitem', { name: child }).first().waitFor({ timeout: 30_000 });
  }
  /** Ctrl+S in the active editor, once its tab shows an edit typed just before (a Duplicate opens unedited, so at most 5 s). */
  async function save(): Promise<void> {
    await page().locator('.tab.active.dirty[data-resource-name$=".json"]').first().waitFor({ timeout: 5000 }).catch(() => undefined);
    await editor().click({ position: { x: 300, y: 120 } });
    await page().keyboard.press('Control+S');
  }
  /** The document once the database has it (the editor's save reaches the database a moment after the tab says saved). */
  async function eventually<T>(read: () => Promise<T | null>): Promise<T | null> {
    for (let i = 0; i < 50; i++) {
      const found = await read();
      if (found) return found;
      await new Promise((r) => setTimeout(r, 200));
    }
    return null;
  }
  /**
   * View: Close Editor, clicked by its exact name (Enter would run the palette's first row, which can
   * be a recently used "View: Close All Editors" and close the browser too).
   */
  async function closeEditor(): Promise<void> {
    await page().keyboard.press('F1');
    await page().locator('.quick-input-widget input.input').fill('>View: Close Editor');
    await page().locator('.quick-input-list .monaco-list-row').filter({ has: page().locator('.label-name').getByText('View: Close Editor', { exact: true }) }).first().click();
  }
  /** Replaces text in the active editor with the editor's own Replace All. */
  async function replaceInEditor(from: string, to: string): Promise<void> {
    await editor().click({ position: { x: 300, y: 120 } });
    await page().keyboard.press('Control+H');
    const find = page().locator('.editor-widget.find-widget textarea[aria-label="Find"], .editor-widget.find-widget input[aria-label="Find"]').first();
    await find.fill(from);
    const replace = page().locator('.editor-widget.find-widget textarea[aria-label="Replace"], .editor-widget.find-widget input[aria-label="Replace"]').first();
    await replace.fill(to);
    await page().keyboard.press('Control+Alt+Enter');
    await page().keyboard.press('Escape');
  }

  it('signs in, and opens a collection from the tree in the document browser', async function () {
    await showOgelBase(page());
    await runCommand(page(), 'OgelBase: Sign In');
    await page().locator('.quick-input-list .monaco-list-row', { hasText: platform.url }).first().click({ timeout: 15_000 });
    await page().locator('.quick-input-widget input[type="password"]').fill(platform.token);
    await page().keyboard.press('Enter');
    await expandTree(/Demo Organization/, /Demo Project/);
    await expandTree(/Demo Project/, /^docs-db/);
    await expandTree(/^docs-db\b/, new RegExp(`^${DB}`));
    await expandTree(new RegExp(`^${DB}`), /^people/);
    await sidebar().getByRole('treeitem', { name: /^people/ }).first().click();
    await table().waitFor({ timeout: 60_000 });
    await waitForText(status(), /20 documents shown of about 62/);
    assert.equal(await view().getByLabel('Collection', { exact: true }).inputValue(), 'people');
    assert.equal(await view().getByLabel('Database', { exact: true }).inputValue(), DB);
    assert.equal(await page().locator('.tab .label-name', { hasText: 'Documents: docs-db' }).count(), 1);
    // The kind of a view shows next to it.
    await view().getByLabel('Collection', { exact: true }).selectOption('adults');
    await waitForText(view().locator('.badge.kind'), /view on people/);
    await view().getByLabel('Collection', { exact: true }).selectOption('people');
    await waitForText(status(), /20 documents shown/);
  });

  it('shows the table of top-level fields, a nested value expanded below it, and the tree of every document', async function () {
    await page().mouse.move(5, 5);
    // A few documents, so that Person 1's row is not under the table's sticky header once the table
    // scrolls sideways to its address cell (how far depends on the width the panel has).
    await find({ filter: '{"name": {"$in": ["Person 1", "Person 2", "Person 3"]}}' });
    await waitForText(status(), /^\s*3 documents shown/);
    await rows(table()).filter({ hasText: '"Person 1"' }).first().locator('[data-field="address"]').click();
    await view().getByRole('grid', { name: 'The selected document' }).getByText('"City 1"').waitFor();
    await workbench().screenshot('mongo-documents-table-light');
    await button('Reset').click();
    await waitForText(status(), /20 documents shown of about/);
    await button('Tree').click();
    await tree().waitFor();
    await rows(tree()).filter({ hasText: personId(1).toHexString() }).first().click();
    await rows(tree()).filter({ hasText: 'address' }).first().click();
    await rows(tree()).filter({ hasText: 'zip' }).first().waitFor();
    assert.match((await rows(tree()).filter({ hasText: 'age' }).first().innerText()).replace(/\s+/g, ' '), /age : 21 Int32/);
    await workbench().screenshot('mongo-documents-tree-light');
    await button('Table').click();
  });

  it('filters, projects and sorts (mongosh style too), completes field names, and points at a mistake', async function () {
    await find({ filter: '{age: {$gte: 55}, group: {$ne: "purge"}}', projection: '{name: 1, age: 1}', sort: "{'age': -1}" });
    await waitForText(status(), /^.*?\b1?[0-9] documents? shown/);
    const ages = (await column('age')).map(Number);
    assert.ok(ages.length > 0 && ages.every((a, i) => a >= 55 && (i === 0 || a <= ages[i - 1]!)), `ages ${ages.join(',')}`);
    assert.deepEqual(await table().getByRole('columnheader').allInnerTexts(), ['_id', 'name', 'age']);
    // A mistake: shown under the field, with a caret at its position, and nothing else changes.
    await find({ filter: '{"age": {"$gt": }}' });
    const error = view().locator('.query-error');
    await waitForText(error, /filter is not valid Extended JSON: unexpected '}' at line 1, column 17 \(position 16\)/);
    assert.match(await error.locator('.pointer').innerText(), /\{"age": \{"\$gt": \}\}\n {16}\^/);
    assert.equal(await view().getByLabel('Filter', { exact: true }).getAttribute('aria-invalid'), 'true');
    await find({ filter: '{_id: ObjectId("not-hex")}' });
    await waitForText(error, /ObjectId\(…\): "not-hex" is not 24 hex digits/);
    // Field names from a sample complete as a key is typed.
    const filter = view().getByLabel('Filter', { exact: true });
    await filter.fill('');
    await filter.pressSequentially('{addr');
    await view().getByRole('option', { name: 'address.city' }).waitFor();
    await page().keyboard.press('ArrowDown');
    await page().keyboard.press('Enter');
    assert.equal(await filter.inputValue(), '{"address.city": ');
    await filter.pressSequentially('"City 3"}');
    await button('Find').click();
    await waitForText(status(), /^\s*(8|9) documents shown/);
    // The query is in the collection's history.
    await button('History').click();
    await view().getByRole('option', { name: /\{"address\.city": "City 3"\}/ }).waitFor();
    await page().keyboard.press('Escape');
    await button('Reset').click();
    await waitForText(status(), /20 documents shown of about 62/);
  });

  it('pages by key as the table scrolls, and counts exactly on request', async function () {
    const grid = table();
    for (const shown of [40, 60, 62]) {
      await grid.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await waitForText(status(), new RegExp(`${shown} documents shown`));
    }
    assert.doesNotMatch(await status().innerText(), /scroll for more/);
    await button('Count').click();
    await waitForText(view().locator('.count-text'), /62 documents match exactly/);
    await find({ filter: '{"group": "purge"}' });
    await waitForText(status(), /5 documents shown/);
    await button('Count').click();
    await waitForText(view().locator('.count-text'), /5 documents match exactly/);
  });

  it('deletes every match after a confirmation that names the count', async function () {
    await button('Delete Matching…').click();
    await dialog().getByText(`Delete 5 documents from ${DB}.people?`).waitFor();
    await dialog().getByRole('button', { name: 'Delete' }).click();
    await waitForText(view().locator('[data-region="notice"]'), /Deleted 5 documents of the 5 documents that matched/);
    assert.equal(await mongo.db(DB).collection('people').countDocuments({ group: 'purge' }), 0);
  });

  it('opens the document with every BSON type in an editor, saves an edit, and reopens it unchanged', async function () {
    await view().getByLabel('Collection', { exact: true }).selectOption('types');
    await find({});
    await rows(table()).first().dblclick();
    await waitForText(editor().locator('.view-lines'), /"zebra": "key order is kept/);
    await page().getByRole('tab', { name: /^1\.json/ }).waitFor();
    await workbench().screenshot('mongo-documents-editor-light');
    await replaceInEditor('key order is kept', 'key order is still kept');
    await save();
    await savedTab().waitFor({ timeout: 30_000 });
    const expected = everyType(new Int32(1));
    expected.zebra = 'key order is still kept: this field comes first';
    // The tab turns clean when the save was written; the database is read until it shows the edit.
    let saved = (await stored(new Int32(1), 'types'))!;
    for (let i = 0; i < 100 && String(saved.zebra) !== expected.zebra; i++) {
      await new Promise((r) => setTimeout(r, 200));
      saved = (await stored(new Int32(1), 'types'))!;
    }
    const bytes = (v: unknown) => Buffer.from(BSON.serialize({ v }));
    const changed = Object.keys(expected).filter((k) => Buffer.compare(bytes(saved[k]), bytes(expected[k])) !== 0);
    assert.deepEqual(changed, [], `fields that changed: ${changed.map((k) => `${k}: ${JSON.stringify(BSON.EJSON.serialize({ v: saved[k] }))} instead of ${JSON.stringify(BSON.EJSON.serialize({ v: expected[k] }))}`).join('; ')}`);
    assert.equal(Buffer.compare(Buffer.from(BSON.serialize(saved)), Buffer.from(BSON.serialize(expected))), 0, 'every other byte is what it was (key order too)');
    await closeEditor();
    await rows(table()).first().dblclick();
    await waitForText(editor().locator('.view-lines'), /"zebra": "key order is still kept/);
    await savedTab().waitFor();
  });

  it('refuses to save over a document changed meanwhile, and marks an Extended JSON mistake at its line', async function () {
    // An unsaved edit in the editor while someone else changes the document: saving must not overwrite theirs.
    await replaceInEditor('"the empty key"', '"my edit"');
    await mongo.db(DB).collection('types').updateOne({ _id: new Int32(1) } as Document, { $set: { '': 'changed by someone else' } });
    await save();
    await notification(page(), /changed since it was opened, so nothing was saved/).waitFor({ timeout: 30_000 });
    assert.equal((await stored(new Int32(1), 'types'))![''], 'changed by someone else');
    await runCommand(page(), 'Notifications: Clear All Notifications');
    await runCommand(page(), 'File: Revert File');
    await waitForText(editor().locator('.view-lines'), /changed by someone else/);
    await replaceInEditor('"zebra": ', '"zebra" ');
    await save();
    await notification(page(), /not valid Extended JSON: expected .* after the key, found .* at line \d+, column \d+/).waitFor({ timeout: 30_000 });
    await editor().locator('.squiggly-error').first().waitFor();
    await runCommand(page(), 'Notifications: Clear All Notifications');
    await runCommand(page(), 'File: Revert File');
    await closeEditor();
  });

  it('inserts a document from a template and duplicates one, each saved by the editor', async function () {
    await view().getByLabel('Collection', { exact: true }).selectOption('people');
    await waitForText(status(), /documents shown/);
    await button('Insert').click();
    await waitForText(editor().locator('.view-lines'), /\{/);
    await editor().click({ position: { x: 300, y: 40 } });
    await page().keyboard.press('Control+Home');
    await page().keyboard.press('ArrowDown');
    await page().keyboard.press('End');
    await page().keyboard.insertText(`"name": "Inserted ${run}", "age": 99`);
    await save();
    await savedTab().waitFor({ timeout: 30_000 });
    assert.ok(await eventually(() => mongo.db(DB).collection('people').findOne({ name: `Inserted ${run}` })), 'the document is in the collection');
    await closeEditor();
    await find({ filter: `{"name": "Inserted ${run}"}` });
    await waitForText(status(), /^\s*1 document shown/);
    await rows(table()).first().click();
    await button('Duplicate').click();
    await waitForText(editor().locator('.view-lines'), new RegExp(`Inserted ${run}`));
    assert.doesNotMatch(await editor().locator('.view-lines').innerText(), /_id/);
    await save();
    await savedTab().waitFor({ timeout: 30_000 });
    await closeEditor();
    // The browser refreshed itself when the editor saved.
    await waitForText(status(), /^\s*2 documents shown/);
  });

  it('deletes a document after a confirmation that names it, and keeps it when cancelled', async function () {
    await rows(table()).first().click();
    await button('Delete').click();
    await dialog().getByText(/Delete the document with _id \{"\$oid":"[0-9a-f]{24}"\} from/).waitFor();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await mongo.db(DB).collection('people').countDocuments({ name: `Inserted ${run}` }), 2);
    await rows(table()).first().click();
    await button('Delete').click();
    await dialog().getByRole('button', { name: 'Delete' }).click();
    await waitForText(view().locator('[data-region="notice"]'), /Deleted 1 document$/);
    assert.equal(await mongo.db(DB).collection('people').countDocuments({ name: `Inserted ${run}` }), 1);
  });

  it('shows hostile field names and values as text', async function () {
    await find({ filter: '{"_id": {"$in": ["hostile-1", "hostile-2"]}}' });
    await waitForText(status(), /2 documents shown/);
    const headers = await table().getByRole('columnheader').allInnerTexts();
    assert.ok(headers.includes('<b>') && headers.includes(HOSTILE_KEY), headers.join(' | '));
    await table().getByText('"javascript:alert(1)"').waitFor();
    await table().getByText('"<script>alert(2)</script>"').waitFor();
    assert.equal(await view().locator('img, [onerror]').count(), 0);
    assert.notEqual(await page().title(), 'pwned');
  });

  it('lists indexes with size and use, creates and drops one, each confirmed', async function () {
    await button('Reset').click();
    await view().getByRole('tab', { name: 'Indexes' }).click();
    const grid = view().getByRole('grid', { name: 'Indexes' });
    await grid.getByText('age_1').waitFor();
    assert.match(await rows(grid).filter({ hasText: 'age_1' }).innerText(), /age: 1[\s\S]*\d+(\.\d)? KiB[\s\S]*\d+ since/);
    await view().getByLabel('Index keys').fill('{"email": 1}');
    await view().getByLabel('Unique').check();
    await view().getByLabel('Sparse').check(); // the hostile documents have no email
    await button('Create Index').click();
    await dialog().getByText(`Create an index on ${DB}.people?`).waitFor();
    await dialog().getByRole('button', { name: 'Create Index' }).click();
    await grid.getByText('email_1').waitFor();
    await rows(grid).filter({ hasText: 'email_1' }).click();
    await button('Drop Index').click();
    await dialog().getByText(`Drop the index email_1 of ${DB}.people?`).waitFor();
    await dialog().getByRole('button', { name: 'Drop Index' }).click();
    await grid.getByText('email_1').waitFor({ state: 'hidden' }); // the virtual list keeps its row elements, hidden
  });

  it('explains the current query and samples the schema', async function () {
    await view().getByRole('tab', { name: 'Documents' }).click();
    await find({ filter: '{"age": {"$gte": 58}}' });
    await view().getByRole('tab', { name: 'Explain' }).click();
    const summary = view().locator('.explain-summary');
    await waitForText(summary, /Index used\s+age_1/);
    assert.match(await summary.innerText(), /Documents examined\s+\d+[\s\S]*Documents returned\s+\d+/);
    await view().getByText('Raw plan').click();
    await waitForText(view().locator('.explain-body pre'), /"winningPlan"/);
    await view().getByRole('tab', { name: 'Schema' }).click();
    const fields = view().getByRole('grid', { name: 'Fields of the sampled documents' });
    await fields.getByText('address.city').waitFor({ timeout: 30_000 });
    assert.match(await rows(fields).filter({ hasText: /^age/ }).first().innerText(), /int 100%/);
    await view().getByRole('tab', { name: 'Documents' }).click();
  });

  it('refuses server-side JavaScript in a filter with a clear error', async function () {
    await find({ filter: '{"$where": "sleep(100) || true"}' });
    await waitForText(view().locator('.documents-panel'), /\$where/);
    assert.equal(await rows(table()).count(), 0);
    await button('Reset').click();
  });

  it('keeps its state when closed and reopened, and after a window reload', async function () {
    await find({ filter: '{"group": "g1"}', sort: '{"age": 1}' });
    await button('Tree').click();
    await waitForText(status(), /documents shown/);
    await runCommand(page(), 'View: Close All Editors');
    await sidebar().getByRole('treeitem', { name: /^people/ }).first().click();
    await tree().waitFor({ timeout: 60_000 });
    assert.equal(await view().getByLabel('Filter', { exact: true }).inputValue(), '{"group": "g1"}');
    assert.equal(await view().getByLabel('Sort', { exact: true }).inputValue(), '{"age": 1}');
    await runCommand(page(), 'Developer: Reload Window');
    await tree().waitFor({ timeout: 120_000 });
    assert.equal(await view().getByLabel('Filter', { exact: true }).inputValue(), '{"group": "g1"}');
    await waitForText(status(), /documents shown/);
    await button('Table').click();
  });

  it('looks right in the dark theme too', async function () {
    await runCommand(page(), 'Preferences: Toggle between Light/Dark Themes');
    await page().locator('.monaco-workbench.vs-dark').waitFor();
    await page().mouse.move(5, 5);
    await find({ filter: '{"name": {"$in": ["Person 1", "Person 2", "Person 3"]}}' });
    await waitForText(status(), /^\s*3 documents shown/);
    await rows(table()).filter({ hasText: '"Person 1"' }).first().locator('[data-field="address"]').click();
    await view().getByRole('grid', { name: 'The selected document' }).getByText('"City 1"').waitFor();
    await workbench().screenshot('mongo-documents-table-dark');
    await button('Reset').click();
    await waitForText(status(), /documents shown of about/);
    await button('Tree').click();
    await rows(tree()).filter({ hasText: personId(1).toHexString() }).first().click();
    await workbench().screenshot('mongo-documents-tree-dark');
    await button('Table').click();
    await view().getByLabel('Collection', { exact: true }).selectOption('types');
    await waitForText(status(), /1 document shown/);
    await rows(table()).first().dblclick();
    await waitForText(editor().locator('.view-lines'), /"zebra"/);
    await workbench().screenshot('mongo-documents-editor-dark');
    await runCommand(page(), 'Preferences: Toggle between Light/Dark Themes');
  });

  it('shows no write controls on a read-only database, and its editor cannot change the document', async function () {
    await runCommand(page(), 'View: Close All Editors');
    // After the window reload of an earlier test the project may be folded again.
    if (!(await sidebar().getByRole('treeitem', { name: /^docs-readonly/ }).first().isVisible())) {
      if (!(await sidebar().getByRole('treeitem', { name: /Demo Project/ }).first().isVisible())) await expandTree(/Demo Organization/, /Demo Project/);
      await expandTree(/Demo Project/, /^docs-readonly/);
    }
    await expandTree(/^docs-readonly/, new RegExp(`^${DB}`));
    await sidebar().getByRole('treeitem', { name: new RegExp(`^${DB}`) }).last().click();
    await sidebar().getByRole('treeitem', { name: /^people/ }).last().click();
    await table().waitFor({ timeout: 60_000 });
    await view().locator('.badge.read-only').waitFor();
    for (const name of ['Insert', 'Duplicate', 'Delete', 'Delete Matching…']) assert.equal(await button(name).isVisible(), false, `${name} is hidden`);
    await rows(table()).first().dblclick(); // "hostile-1": strings sort before ObjectIds
    await waitForText(editor().locator('.view-lines'), /"_id"/);
    await editor().click({ position: { x: 300, y: 60 } });
    await page().keyboard.type('x');
    // VS Code's own refusal (its wording depends on why the editor is read-only).
    await page().getByText(/Cannot edit in read-only editor|Editor is read-only because the file is read-only/).first().waitFor({ timeout: 15_000 });
    await runCommand(page(), 'View: Close All Editors');
  });
});
