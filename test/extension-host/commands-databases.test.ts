/**
 * Add, Edit, Remove, Test Connection and Copy Connection String on a real platform's databases
 * (the harness's PostgreSQL, Redis and MongoDB behind it), run with `executeCommand` from the
 * palette and from the rows of the real Platform tree, with scripted answers validated as typed.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { PlatformClient } from '../../src/core/api/client';
import type { DatabaseInfo } from '../../src/core/api/types';
import { parseConnectionString, type EngineType } from '../../src/core/connection-strings';
import type { Explorer } from '../../src/host/explorer';
import { vscodePrompts } from '../../src/host/prompts';
import type { DatabaseNode, ExplorerNode, ProjectNode } from '../../src/host/tree/nodes';
import { startPlatform, type PlatformService } from '../support/platform';
import { commandRunner, captureMessages, logTexts, confirm, dismiss, input, leaksIn, passwordOf, pick, ScriptedPrompts, type ShownMessage } from '../support/extension-host/scripted-ui';
import { registerSecret } from '../support/secrets';
import { freePort } from '../support/services/ports';

const C = {
  signIn: 'ogelbase.platform.signIn',
  add: 'ogelbase.database.add',
  edit: 'ogelbase.database.edit',
  remove: 'ogelbase.database.remove',
  test: 'ogelbase.database.testConnection',
  copy: 'ogelbase.database.copyConnectionString',
};

/** Malformed strings of each engine, each with the problem its parser names. */
const MALFORMED: Record<EngineType, { label: string; value: string }> = {
  postgres: { label: 'PostgreSQL', value: 'postgresql://app:Malformed-pg-pw1@db.example.com:99999/app' },
  redis: { label: 'Redis', value: 'redis://default:Malformed-redis-pw1@127.0.0.1:6379/zero' },
  mongodb: { label: 'MongoDB', value: 'mongodb://app:Malformed-mongo-pw1@mongo.example.com:27017/app?readPreference=sideways' },
};

function parserMessage(type: EngineType, value: string): string {
  try {
    parseConnectionString(type, value);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${value} parsed: it is not malformed`);
}

describe('commands: platform databases (add, edit, remove, test, copy)', function () {
  this.timeout(120_000);
  let explorer: Explorer;
  let platform: PlatformService;
  let owner: PlatformClient;
  let developerToken: string;
  let unreachable: string;
  const redisUrl = process.env.OGELBASE_TEST_REDIS_URL!;
  const pgUrl = process.env.OGELBASE_TEST_PG_URL!;
  const mongoUrl = process.env.OGELBASE_TEST_MONGODB_URL!;
  const prompts = new ScriptedPrompts();
  let capture: { messages: ShownMessage[]; restore(): void };
  const secrets: string[] = [];
  const asked: string[] = [];

  const run = (command: string, ...args: unknown[]) => commandRunner(prompts, capture, asked)(command, ...args);
  const databases = async () => (await owner.databases(platform.projectRef, { limit: 500, offset: 0 })).databases;
  const find = async (name: string): Promise<DatabaseInfo | undefined> => (await databases()).find((d) => d.name === name);

  /** The project row and its database rows, from the real Platform tree. */
  const projectNode = async (): Promise<ProjectNode> => {
    explorer.platformTree.refresh();
    const organizations = (await explorer.platformTree.getChildren()) as ExplorerNode[];
    const organization = organizations.find((n) => n.kind === 'organization' && n.organization.slug === platform.organization);
    assert.ok(organization, `the tree lists organization ${platform.organization}`);
    const projects = (await explorer.platformTree.getChildren(organization)) as ExplorerNode[];
    const project = projects.find((n): n is ProjectNode => n.kind === 'project' && n.project.ref === platform.projectRef);
    assert.ok(project, `the tree lists project ${platform.projectRef}`);
    return project;
  };
  const databaseNode = async (name: string): Promise<DatabaseNode> => {
    const rows = (await explorer.platformTree.getChildren(await projectNode())) as ExplorerNode[];
    const row = rows.find((n): n is DatabaseNode => n.kind === 'database' && n.ref.scope === 'platform' && n.ref.info.name === name);
    assert.ok(row, `the tree lists database ${name}`);
    return row;
  };
  /** The answers of the add wizard after its project step. */
  const wizard = (engine: string, name: string, connectionString: string, access = 'Read and write', description = '') => [
    pick(engine),
    input(name),
    input(connectionString),
    pick(access),
    input(description),
  ];

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    platform = await startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL });
    owner = new PlatformClient({ url: platform.url, token: platform.token });
    platform.command(['user', 'create', '--email', 'dev@ogelbase.dev']);
    platform.command(['member', 'add', '--org', platform.organization, '--email', 'dev@ogelbase.dev', '--role', 'developer']);
    developerToken = String(platform.command(['token', 'create', '--email', 'dev@ogelbase.dev']).token);
    registerSecret(developerToken);
    const fakePassword = 'Unreachable-pw-7431';
    registerSecret(fakePassword);
    unreachable = `redis://default:${fakePassword}@127.0.0.1:${await freePort()}/0`;
    for (const value of Object.values(MALFORMED)) registerSecret(passwordOf(value.value));
    secrets.push(platform.token, developerToken, fakePassword, passwordOf(redisUrl), passwordOf(pgUrl), ...Object.values(MALFORMED).map((m) => passwordOf(m.value)));
    if (passwordOf(mongoUrl)) secrets.push(passwordOf(mongoUrl));
    explorer.prompts = prompts;
    capture = captureMessages(vscode);
    await run(C.signIn, { url: platform.url, token: platform.token });
    assert.equal(explorer.session.signedIn?.platform.url, platform.url);
  });

  after(async () => {
    capture?.restore();
    if (explorer) {
      explorer.prompts = vscodePrompts;
      await explorer.session.signOut(platform?.url);
    }
    await vscode.env.clipboard.writeText('');
    await platform?.destroy();
  });

  afterEach(() => prompts.reset());

  it('Add Database rejects a malformed connection string of each engine as typed, with the engine\'s own message', async () => {
    for (const [type, bad] of Object.entries(MALFORMED) as [EngineType, { label: string; value: string }][]) {
      prompts.answer(pick(bad.label), input('-not a name!'), input(`${type}-db`), input(bad.value), dismiss());
      const shown = await run(C.add);
      assert.deepEqual(shown, [], 'dismissing the wizard is silent');
      const nameQuestion = prompts.questions[1]!;
      assert.match(nameQuestion.rejected[0]!.message, /starts with a letter or digit/);
      const stringQuestion = prompts.questions[2]!;
      assert.equal(stringQuestion.password, false);
      assert.match(stringQuestion.prompt!, /stored encrypted/);
      assert.equal(stringQuestion.rejected.length, 1);
      assert.equal(stringQuestion.rejected[0]!.message, parserMessage(type, bad.value));
      assert.match(stringQuestion.rejected[0]!.message, new RegExp(`^Invalid ${bad.label} connection string: `));
    }
    assert.deepEqual(await databases(), []);
  });

  it('Add Database from the palette tests through the platform, saves, and says what it reached', async () => {
    // One organization with one project: both are taken without asking.
    prompts.answer(...wizard('Redis', 'redis-cache', redisUrl));
    const shown = await run(C.add);
    assert.equal(shown.length, 1, JSON.stringify(shown));
    assert.match(shown[0]!.message, /^Added redis-cache \(Redis \d+\.\d+\.\d+, \d+ ms\)$/);
    const saved = await find('redis-cache');
    assert.ok(saved);
    assert.equal(saved.type, 'redis');
    assert.match(saved.connectionString, /\*\*\*\*/);
    assert.equal(saved.readOnly, false);
  });

  it('Add Database from a project row of the tree (PostgreSQL, read-only, with a description; MongoDB)', async () => {
    const project = await projectNode();
    prompts.answer(...wizard('PostgreSQL', 'orders db', pgUrl, 'Read-only', 'the shop orders'));
    let shown = await run(C.add, project);
    assert.match(shown[0]!.message, /^Added orders db \(PostgreSQL \S+.*, \d+ ms\)$/);
    const orders = await find('orders db');
    assert.equal(orders?.readOnly, true);
    assert.equal(orders?.description, 'the shop orders');
    assert.equal(prompts.questions[0]!.title, `Add Database to ${project.project.name} (1/5)`);

    prompts.answer(...wizard('MongoDB', 'mongo-main', mongoUrl));
    shown = await run(C.add, await projectNode());
    assert.match(shown[0]!.message, /^Added mongo-main \(MongoDB \S+, \d+ ms\)$/);
  });

  it('Add Database with an unreachable host: Cancel saves nothing, Edit loops back, Save Anyway saves', async () => {
    prompts.answer(...wizard('Redis', 'flaky', unreachable), confirm('Cancel'));
    let shown = await run(C.add);
    assert.deepEqual(shown, []);
    const failed = prompts.questions.at(-1)!;
    assert.equal(failed.message, 'Could not connect to flaky.');
    assert.match(failed.detail!, /Redis at 127\.0\.0\.1:\d+ refused the connection/);
    assert.deepEqual(failed.choices, ['Edit Connection String', 'Save Anyway'], 'Edit Connection String is first: the default button of the modal');
    assert.equal(await find('flaky'), undefined);

    prompts.answer(...wizard('Redis', 'fixed', unreachable), confirm('Edit Connection String'), input(MALFORMED.redis.value), input(redisUrl));
    shown = await run(C.add);
    assert.equal(prompts.questions.at(-1)!.rejected[0]!.message, parserMessage('redis', MALFORMED.redis.value));
    assert.match(shown[0]!.message, /^Added fixed \(Redis [\d.]+, \d+ ms\)$/);

    prompts.answer(...wizard('Redis', 'flaky', unreachable), confirm('Save Anyway'));
    shown = await run(C.add);
    assert.deepEqual(shown.map((m) => m.message), ['Added flaky (Redis, not reachable when tested: fix it with Edit Database)']);
    assert.ok(await find('flaky'));
  });

  it('Test Connection from a row: version and path on success, a clear error with Show Log on failure', async () => {
    let shown = await run(C.test, await databaseNode('redis-cache'));
    assert.equal(shown.length, 1);
    assert.equal(shown[0]!.severity, 'info');
    assert.match(shown[0]!.message, /^redis-cache: connected in \d+ ms \(Redis \d+\.\d+\.\d+, through the platform\)$/);

    shown = await run(C.test, await databaseNode('flaky'));
    assert.equal(shown.length, 1);
    assert.equal(shown[0]!.severity, 'error');
    assert.match(shown[0]!.message, /^flaky: Redis at 127\.0\.0\.1:\d+ refused the connection.*\(through the platform\)$/);
    assert.deepEqual(shown[0]!.actions, ['Show Log']);
  });

  it('Edit Database: name, connection string (validated as typed, then tested), read-only, description', async () => {
    prompts.answer(pick('Name'), input('bad/name'), input('redis-main'));
    let shown = await run(C.edit, await databaseNode('redis-cache'));
    assert.match(prompts.questions[1]!.rejected[0]!.message, /letters, digits, spaces/);
    assert.deepEqual(shown.map((m) => m.message), ['Renamed redis-cache to redis-main.']);
    assert.ok(await find('redis-main'));

    prompts.answer(pick('Connection String'), input(MALFORMED.redis.value), input(redisUrl));
    shown = await run(C.edit, await databaseNode('flaky'));
    assert.equal(prompts.questions[1]!.rejected[0]!.message, parserMessage('redis', MALFORMED.redis.value));
    assert.match(shown[0]!.message, /^Updated the connection string of flaky \(Redis [\d.]+, \d+ ms\)\.$/);
    shown = await run(C.test, await databaseNode('flaky'));
    assert.match(shown[0]!.message, /^flaky: connected in/);

    prompts.answer(pick('Read-only'), pick('Read-only'));
    shown = await run(C.edit, await databaseNode('flaky'));
    assert.deepEqual(shown.map((m) => m.message), ['flaky is now read-only.']);
    assert.equal((await find('flaky'))?.readOnly, true);

    prompts.answer(pick('Description'), input('x'.repeat(501)), input('cache of sessions'));
    shown = await run(C.edit, await databaseNode('flaky'));
    assert.match(prompts.questions[1]!.rejected[0]!.message, /at most 500 characters/);
    assert.equal((await find('flaky'))?.description, 'cache of sessions');
    assert.deepEqual(shown.map((m) => m.message), ['Updated the description of flaky.']);
  });

  it('Copy Connection String: masked by default; revealed by an owner after a confirmation naming the audit log', async () => {
    const node = await databaseNode('redis-main');
    prompts.answer(pick('Copy masked'));
    let shown = await run(C.copy, node);
    assert.equal(await vscode.env.clipboard.readText(), node.ref.scope === 'platform' ? node.ref.info.connectionString : '');
    assert.match(await vscode.env.clipboard.readText(), /\*\*\*\*/);
    assert.deepEqual(shown.map((m) => m.message), ['Copied the connection string of redis-main (password masked).']);

    prompts.answer(pick('Reveal and copy'), confirm('Cancel'));
    shown = await run(C.copy, node);
    assert.deepEqual(shown, []);
    assert.match(prompts.questions[1]!.detail!, /audit log/);
    assert.match(await vscode.env.clipboard.readText(), /\*\*\*\*/, 'declined: the clipboard still holds the masked string');

    prompts.answer(pick('Reveal and copy'), confirm('Reveal and Copy'));
    shown = await run(C.copy, node);
    assert.ok((await vscode.env.clipboard.readText()) === redisUrl, 'the clipboard holds the stored connection string');
    assert.deepEqual(shown.map((m) => m.message), ['Copied the connection string of redis-main with its password: paste it only where it is safe.']);
    await vscode.env.clipboard.writeText('');
  });

  it('Remove Database: declined keeps it; accepted removes record and stored string', async () => {
    prompts.answer(confirm('Cancel'));
    let shown = await run(C.remove, await databaseNode('fixed'));
    assert.deepEqual(shown, []);
    assert.equal(prompts.questions[0]!.message, `Remove database 'fixed' from project ${platform.projectRef}?`);
    assert.equal(prompts.questions[0]!.detail, 'The database itself and its data are not touched; its record and stored connection string are.');
    assert.deepEqual(prompts.questions[0]!.choices, ['Remove']);
    assert.ok(await find('fixed'));

    prompts.answer(confirm('Remove'));
    shown = await run(C.remove, await databaseNode('fixed'));
    assert.deepEqual(shown.map((m) => m.message), [`Removed fixed from ${platform.projectRef}.`]);
    assert.equal(await find('fixed'), undefined);
  });

  it('Load More appends the next page under a project row; Retry re-lists after the platform came back', async () => {
    await vscode.workspace.getConfiguration('ogelbase').update('tree.pageSize', 10, vscode.ConfigurationTarget.Global);
    try {
      const existing = (await databases()).length;
      for (let i = existing; i < 12; i++) {
        await owner.createDatabase({ projectRef: platform.projectRef, name: `filler-${i}`, type: 'redis', connectionString: 'redis://127.0.0.1:1/0' });
      }
      const project = await projectNode();
      let rows = (await explorer.platformTree.getChildren(project)) as ExplorerNode[];
      assert.equal(rows.filter((n) => n.kind === 'database').length, 10);
      const more = rows.at(-1)!;
      assert.equal(more.kind, 'loadMore');
      assert.deepEqual(await run('ogelbase.tree.loadMore', more), []);
      rows = (await explorer.platformTree.getChildren(project)) as ExplorerNode[];
      assert.equal(rows.filter((n) => n.kind === 'database').length, 12);
      assert.ok(!rows.some((n) => n.kind === 'loadMore'));

      await platform.stop();
      try {
        explorer.platformTree.refresh(project);
        rows = (await explorer.platformTree.getChildren(project)) as ExplorerNode[];
      } finally {
        await platform.start();
      }
      assert.equal(rows.length, 1);
      const failed = rows[0]!;
      assert.equal(failed.kind, 'error');
      assert.deepEqual(await run('ogelbase.tree.retry', failed), []);
      rows = (await explorer.platformTree.getChildren(project)) as ExplorerNode[];
      assert.equal(rows.filter((n) => n.kind === 'database').length, 10);
    } finally {
      await vscode.workspace.getConfiguration('ogelbase').update('tree.pageSize', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a developer picks a database from the palette; revealing its string is refused with a clear message', async () => {
    await run(C.signIn, { url: platform.url, token: developerToken });
    // With local connections the palette asks "local or platform" first; without, the platform is taken.
    if (explorer.local.list().length > 0) prompts.answer(pick('A database of'));
    prompts.answer(pick('redis-main'), pick('Reveal and copy'));
    const shown = await run(C.copy);
    assert.equal(shown.length, 1);
    assert.equal(shown[0]!.severity, 'error');
    assert.equal(shown[0]!.message, `Revealing the connection string of redis-main needs the owner or admin role; yours in ${platform.organization} is developer. Copy it masked instead.`);
    assert.deepEqual(shown[0]!.actions, ['Show Log']);
    assert.notEqual(await vscode.env.clipboard.readText(), redisUrl);
  });

  it('no message, question, log line or secret-storage key name holds a password or token', async () => {
    const logs = logTexts(explorer.context.logUri.fsPath);
    assert.ok(logs.some((text) => text.includes('[commands] added redis-cache')), 'the log file was found and holds this suite\'s lines');
    const texts = [...capture.messages.map((m) => m.message), ...asked, ...(await explorer.vault.keys()), ...logs];
    assert.deepEqual(leaksIn(texts, secrets), []);
  });
});
