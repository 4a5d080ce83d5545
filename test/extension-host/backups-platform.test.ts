/**
 * Backups kept by a real platform (the companion server on the harness's PostgreSQL), from the
 * extension: Back Up Database through the platform, the Backups row listing it, Download (every
 * file checked against the manifest), Restore from the row (the plan asked first), Delete (asked
 * first, naming what it holds). The database is reached through the platform only.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import * as vscode from 'vscode';
import { PlatformClient } from '../../src/core/api/client';
import { CommandIds as C } from '../../src/host/commands/ids';
import type { Explorer } from '../../src/host/explorer';
import { vscodePrompts } from '../../src/host/prompts';
import { withBackupsFolder } from '../../src/host/backups/tree';
import type { DatabaseNode, ExplorerNode } from '../../src/host/tree/nodes';
import type { ChildSource, RunControl } from '../../src/host/tree/paging';
import { startPlatform, type PlatformService } from '../support/platform';
import { captureMessages, commandRunner, confirm, dismiss, leaksIn, logTexts, passwordOf, path, ScriptedPrompts, type ShownMessage } from '../support/extension-host/scripted-ui';
import { rows, setSetting, unique } from '../support/extension-host/tree-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/services/postgres';

describe('platform backups from the extension: Back Up, the Backups row, Download, Restore, Delete', function () {
  this.timeout(240_000);
  let explorer: Explorer;
  let platform: PlatformService;
  let postgres: TestDatabase;
  let capture: { messages: ShownMessage[]; restore(): void };
  let work: string;
  let originalMode: unknown;
  const name = `bk-shop-${unique()}`;
  const prompts = new ScriptedPrompts();
  const asked: string[] = [];
  const runCommand = (command: string, ...args: unknown[]) => commandRunner(prompts, capture, asked)(command, ...args);
  const tree = () => explorer.platformTree;

  const databaseNode = async (): Promise<DatabaseNode> => {
    tree().refresh();
    const organization = (await tree().getChildren()).find((n) => n.kind === 'organization' && n.organization.slug === platform.organization);
    const project = (await tree().getChildren(organization)).find((n) => n.kind === 'project' && n.project.ref === platform.projectRef);
    const row = (await tree().getChildren(project)).find((n): n is DatabaseNode => n.kind === 'database' && n.ref.scope === 'platform' && n.ref.info.name === name);
    assert.ok(row, `the tree lists ${name}`);
    return row;
  };
  const backupRows = async () => {
    const folder = (await rows(tree(), await databaseNode()))[0]!;
    assert.equal(folder.label, 'Backups', 'the Backups row comes first under the database');
    return rows(tree(), folder.node as ExplorerNode);
  };
  const count = async (db: pg.Client) => (await db.query('SELECT count(*)::int AS n FROM orders')).rows[0].n as number;

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    originalMode = vscode.workspace.getConfiguration('ogelbase').inspect('connectionMode')?.globalValue;
    await setSetting('connectionMode', 'platform');
    work = mkdtempSync(join(tmpdir(), 'ogelbase-bk-platform-'));
    postgres = await createTestDatabase(process.env.OGELBASE_TEST_PG_URL!, 'bkplat');
    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    await db.query("CREATE TABLE orders (id int PRIMARY KEY, note text); INSERT INTO orders SELECT g, 'n' || g FROM generate_series(1, 800) g");
    await db.end();
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL, env: { BACKUP_DIR: join(work, 'platform-backups') } });
    await new PlatformClient({ url: platform.url, token: platform.token }).createDatabase({ projectRef: platform.projectRef, name, type: 'postgres', connectionString: postgres.url });
    await explorer.session.signIn(platform.url, platform.token, 'backups test platform');
    explorer.prompts = prompts;
    capture = captureMessages(vscode);
  });

  after(async () => {
    capture?.restore();
    if (explorer) {
      explorer.prompts = vscodePrompts;
      await explorer.session.signOut(platform?.url).catch(() => undefined);
    }
    await setSetting('connectionMode', originalMode).catch(() => undefined);
    await platform?.destroy();
    await postgres?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  afterEach(() => prompts.reset());

  it('backs up on the platform, lists it under Backups, downloads it checked, restores it from the row, deletes it', async () => {
    // Through the platform only: no question where the backup goes.
    const made = await runCommand(C.backupDatabase, await databaseNode());
    assert.match(made.at(-1)?.message ?? '', new RegExp(`^Backed up ${name} on the platform: 1 table, 800 rows, `));
    const listed = (await backupRows()).filter((r) => r.node.kind === 'item');
    assert.equal(listed.length, 1);
    const row = listed[0]!;
    assert.match(row.description, /^\S+ \S+ · 1 table, 800 rows$/);
    assert.match(row.context, /^backup\.item\.completed\.download\.manage/);

    prompts.answer(path(work));
    const downloaded = await runCommand(C.downloadBackup, row.node);
    assert.match(downloaded.at(-1)?.message ?? '', /every file matches its manifest/);
    const folders = readdirSync(work).filter((f) => f !== 'platform-backups');
    assert.equal(folders.length, 1, `one folder downloaded, no partial one: ${folders.join(', ')}`);
    assert.ok(existsSync(join(work, folders[0]!, 'manifest.json')));

    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    try {
      await db.query('DELETE FROM orders WHERE id > 50');
      prompts.answer(dismiss());
      await runCommand(C.restoreDatabase, row.node);
      const question = prompts.questions.find((q) => q.kind === 'confirm');
      assert.match(question?.message ?? '', new RegExp(`^Restore ${name} from the platform backup of `));
      assert.match(question?.detail ?? '', /public\.orders: 50 rows now → 800 from the backup/);
      assert.equal(await count(db), 50, 'declined: nothing restored');

      prompts.answer(confirm('Restore'));
      const restored = await runCommand(C.restoreDatabase, row.node);
      assert.equal(restored.at(-1)?.severity, 'info', restored.at(-1)?.message);
      assert.equal(await count(db), 800);
    } finally {
      await db.end();
    }

    prompts.answer(confirm('Delete'));
    const deleted = await runCommand(C.deleteBackup, row.node);
    assert.match(prompts.questions[0]?.detail ?? '', /It holds 1 table, 800 rows, .*cannot be undone/);
    assert.match(deleted.at(-1)?.message ?? '', new RegExp(`^Deleted the backup of ${name}`));
    const after = await backupRows();
    assert.deepEqual(after.map((r) => r.label), ['No backups yet: back up now']);
  });

  it('no token or password in what was shown, asked or logged', () => {
    const texts = [...capture.messages.map((m) => m.message), ...asked, ...logTexts(explorer.context.logUri.fsPath)];
    assert.deepEqual(leaksIn(texts, [platform.token, passwordOf(process.env.OGELBASE_TEST_PG_URL!)]), []);
  });
});

describe('the Backups row beside a platform database\'s own rows', () => {
  const database = {
    kind: 'database',
    id: 'db:test',
    ref: { scope: 'platform', platformUrl: 'http://127.0.0.1:1', role: 'owner', info: { id: 'd1', name: 'big-cache', type: 'redis' } },
  } as unknown as Parameters<typeof withBackupsFolder>[0];

  it('hands a run (Filter Keys, Scan to the end) through to the engine\'s listing, and lists Backups first', async () => {
    const runs: (RunControl | undefined)[] = [];
    const engine: ChildSource = { what: 'keys of big-cache', first: async (run) => (runs.push(run), { nodes: [] }) };
    const source = withBackupsFolder(database, engine, () => undefined)!;
    const run: RunControl = { stop: new AbortController().signal, report: () => undefined };
    const page = await source.first(run);
    assert.equal(runs[0], run, 'without the run a filtered scan stops at the budget of a click (100,000 keys)');
    await source.first();
    assert.equal(runs[1], undefined);
    assert.deepEqual(page.nodes.map((n) => n.kind === 'item' && n.itemKind), ['backup.folder']);
  });

  it('keeps the Backups row beside the error row when the engine cannot list', async () => {
    const lines: string[] = [];
    const engine: ChildSource = { what: 'keys of big-cache', first: () => Promise.reject(new Error('connection refused')) };
    const page = await withBackupsFolder(database, engine, (line) => lines.push(line))!.first();
    assert.deepEqual(page.nodes.map((n) => n.kind), ['item', 'error']);
    assert.match(lines[0]!, /could not load keys of big-cache: connection refused/);
  });
});
