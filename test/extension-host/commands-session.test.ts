/**
 * Sign In (with its retries), Sign Out, Switch Platform and Show Health Report, run as the user runs
 * them (`executeCommand`) against two real platforms, with scripted answers that go through the
 * commands' own validation.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { Explorer } from '../../src/host/explorer';
import { platformSecretPrefix } from '../../src/host/platform/session';
import { vscodePrompts } from '../../src/host/prompts';
import { startPlatform, type PlatformService } from '../support/platform';
import { commandRunner, captureMessages, logTexts, dismiss, input, leaksIn, pick, ScriptedPrompts, type ShownMessage } from '../support/extension-host/scripted-ui';
import { registerSecret } from '../support/secrets';
import { freePort } from '../support/services/ports';

const C = {
  signIn: 'ogelbase.platform.signIn',
  signOut: 'ogelbase.platform.signOut',
  switch: 'ogelbase.platform.switch',
  health: 'ogelbase.health.showReport',
};

const tokenKey = (url: string) => `${platformSecretPrefix(url)}token`;
const host = (url: string) => new URL(url).host;

describe('commands: sign in, sign out, switch platform, health (real platforms)', function () {
  this.timeout(120_000);
  let explorer: Explorer;
  let a: PlatformService;
  let b: PlatformService;
  let notPlatform: Server;
  let notPlatformUrl: string;
  let futurePlatform: Server;
  let futurePlatformUrl: string;
  const prompts = new ScriptedPrompts();
  let capture: { messages: ShownMessage[]; restore(): void };
  const secrets: string[] = [];

  /** Every question text shown during the suite, for the leak check at the end. */
  const asked: string[] = [];
  const run = (command: string, ...args: unknown[]) => commandRunner(prompts, capture, asked)(command, ...args);
  const signOutEverywhere = async () => {
    for (const p of explorer.session.knownPlatforms()) await explorer.session.signOut(p.url);
    if (explorer.session.signedIn) await explorer.session.signOut();
  };

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    [a, b] = await Promise.all([startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL }), startPlatform({ databaseUrl: process.env.OGELBASE_TEST_PG_URL })]);
    secrets.push(a.token, b.token);
    notPlatform = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Some site</title><p>Hello</p>'));
    await new Promise<void>((resolve) => notPlatform.listen(0, '127.0.0.1', resolve));
    notPlatformUrl = `http://127.0.0.1:${(notPlatform.address() as AddressInfo).port}`;
    // A platform of a later, incompatible API version.
    futurePlatform = createServer((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-ogelbase-api-version': '2' })
        .end(JSON.stringify({ user: { id: 'u', email: 'x@example.com', displayName: null }, authenticatedBy: 'api_token', apiVersion: 2, serverVersion: '9.0.0' })),
    );
    await new Promise<void>((resolve) => futurePlatform.listen(0, '127.0.0.1', resolve));
    futurePlatformUrl = `http://127.0.0.1:${(futurePlatform.address() as AddressInfo).port}`;
    explorer.prompts = prompts;
    capture = captureMessages(vscode);
    await signOutEverywhere();
  });

  after(async () => {
    capture?.restore();
    if (explorer) {
      explorer.prompts = vscodePrompts;
      await signOutEverywhere();
    }
    notPlatform?.close();
    futurePlatform?.close();
    await Promise.all([a?.destroy(), b?.destroy()]);
  });

  afterEach(() => prompts.reset());

  it('Show Health Report and Add Database say to sign in first when signed out', async () => {
    const expected = {
      [C.health]: 'Sign in to an OgelBase platform to see its health and metrics.',
      'ogelbase.database.add': 'Sign in to an OgelBase platform to add a database.',
    };
    for (const [command, message] of Object.entries(expected)) {
      const shown = await run(command);
      assert.deepEqual(shown, [{ severity: 'info', message, actions: ['Sign In'] }]);
    }
  });

  it('Sign In refuses a wrong token with the platform\'s 401 message and stores nothing', async () => {
    const wrong = `${a.token.slice(0, -4)}${a.token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    registerSecret(wrong);
    secrets.push(wrong);
    // Refused, the token step opens again with what was typed; Escape ends the command.
    prompts.answer(pick('Other URL'), input(a.url), input(wrong), dismiss());
    const shown = await run(C.signIn);
    assert.equal(shown.length, 1);
    assert.equal(shown[0]!.severity, 'error');
    assert.match(shown[0]!.message, new RegExp(`^Sign-in to ${a.url.replace(/\./g, '\\.')} refused: .*(unknown|invalid)`, 'i'));
    assert.deepEqual(shown[0]!.actions, ['Show Log']);
    assert.equal(explorer.session.signedIn, undefined);
    assert.deepEqual((await explorer.vault.keys()).filter((k) => k.startsWith('ogelbase.platform:')), []);
    assert.equal(await explorer.context.secrets.get(tokenKey(a.url)), undefined);
  });

  it('Sign In keeps what was typed: back at the token after a refusal, with the URL kept', async () => {
    const wrong = `${a.token.slice(0, -4)}${a.token.slice(-4) === 'CCCC' ? 'DDDD' : 'CCCC'}`;
    registerSecret(wrong);
    secrets.push(wrong);
    prompts.answer(pick('Other URL'), input(a.url), input(wrong), input(wrong), input(a.token));
    const shown = await run(C.signIn);
    const titles = prompts.questions.map((q) => q.title);
    assert.deepEqual(titles, ['Sign In (1/2): platform', 'Sign In (1/2): platform URL', `Sign In (2/2): token for ${a.url}`, `Sign In (2/2): token for ${a.url}`, `Sign In (2/2): token for ${a.url}`]);
    const again = prompts.questions[3]!;
    assert.equal(again.value, wrong, 'the token step opens with the token that was typed');
    assert.match(again.prompt!, /^Sign-in to .* refused: .* Correct it, or press Enter to try again\. \(Your personal API token/, 'and says why it failed');
    assert.deepEqual(
      shown.map((m) => m.severity),
      ['error', 'error', 'info'],
      'each failure is shown (the unchanged token was tried twice), then the success',
    );
    assert.equal(shown[2]!.message, `Signed in to ${host(a.url)} as ${a.email}`);
    assert.equal(explorer.session.signedIn?.platform.url, a.url);
    await signOutEverywhere();
  });

  it('Sign In keeps what was typed: back at the URL, with the cause, after an unreachable URL; the token is kept', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    prompts.answer(pick('Other URL'), input(closed), input(a.token), input(a.url));
    const shown = await run(C.signIn);
    assert.deepEqual(
      prompts.questions.map((q) => [q.title, q.value]),
      [
        ['Sign In (1/2): platform', undefined],
        ['Sign In (1/2): platform URL', explorer.config.defaultPlatformUrl.replace(/\/+$/, '')],
        [`Sign In (2/2): token for ${closed}`, undefined],
        ['Sign In (1/2): platform URL', closed],
      ],
      'after the failure only the URL is asked again, opened with the URL typed; the token is not asked again',
    );
    assert.equal(shown[0]!.message, `Sign-in failed: cannot reach the platform at ${closed}: connection refused: nothing listens on ${host(closed)}`);
    assert.ok(prompts.questions[3]!.prompt!.startsWith(`${shown[0]!.message} Correct it, or press Enter to try again.`), 'the URL step says why it failed');
    assert.deepEqual(shown[0]!.actions, ['Show Log']);
    assert.deepEqual(shown.slice(1), [{ severity: 'info', message: `Signed in to ${host(a.url)} as ${a.email}`, actions: [] }]);
    await signOutEverywhere();
  });

  it('Sign In names an unreachable URL', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const shown = await run(C.signIn, { url: closed, token: a.token });
    assert.equal(shown.length, 1);
    assert.equal(shown[0]!.severity, 'error');
    assert.match(shown[0]!.message, new RegExp(`cannot reach the platform at ${closed.replace(/\./g, '\\.')}: connection refused`));
    assert.equal(explorer.session.signedIn, undefined);
    assert.equal(await explorer.context.secrets.get(tokenKey(closed)), undefined);
  });

  it('Sign In says when the URL is not an OgelBase platform (a web server answering 200 HTML)', async () => {
    const shown = await run(C.signIn, { url: notPlatformUrl, token: a.token });
    assert.equal(shown.length, 1);
    assert.equal(shown[0]!.severity, 'error');
    assert.match(shown[0]!.message, /is not an OgelBase platform/);
    assert.equal(explorer.session.signedIn, undefined);
    assert.equal(await explorer.context.secrets.get(tokenKey(notPlatformUrl)), undefined);
  });

  it('Sign In refuses a platform of another API version, saying which side to update', async () => {
    const shown = await run(C.signIn, { url: futurePlatformUrl, token: a.token });
    assert.deepEqual(shown.map((m) => [m.severity, m.message]), [['error', 'Sign-in failed: the platform speaks API version 2, this extension speaks 1: update the extension']]);
    assert.equal(explorer.session.signedIn, undefined);
    assert.equal(await explorer.context.secrets.get(tokenKey(futurePlatformUrl)), undefined);
  });

  it('Sign In validates the URL and the token as typed, then signs in and keeps the token in secret storage only', async () => {
    prompts.answer(pick('Other URL'), input('not a url'), input(`ftp://${host(a.url)}`), input(`${a.url}/`), input(''), input(`${a.token} `), input(a.token));
    const shown = await run(C.signIn);
    const [platformQuestion, urlQuestion, tokenQuestion] = prompts.questions;
    assert.ok(platformQuestion!.choices!.includes('Other URL…'));
    assert.deepEqual(urlQuestion!.rejected.map((r) => r.message), ['Not a URL: enter it as http://host:port or https://host.', 'The URL must start with http:// or https://.']);
    assert.equal(tokenQuestion!.password, true);
    assert.equal(tokenQuestion!.rejected.length, 2);
    assert.match(tokenQuestion!.rejected[0]!.message, /^Enter your API token/);
    assert.equal(tokenQuestion!.rejected[1]!.message, 'A token has no spaces or line breaks: paste it again.');
    assert.deepEqual(shown, [{ severity: 'info', message: `Signed in to ${host(a.url)} as ${a.email}`, actions: [] }]);
    assert.equal(explorer.session.signedIn?.platform.url, a.url);
    assert.equal(await explorer.context.secrets.get(tokenKey(a.url)), a.token);
    assert.ok(!explorer.context.globalState.keys().some((k) => JSON.stringify(explorer.context.globalState.get(k) ?? null).includes(a.token)), 'no token in globalState');
  });

  it('Show Health Report opens the Platform Health webview panel (health and metrics in one)', async () => {
    for (const command of [C.health, C.health]) {
      const shown = await run(command);
      assert.deepEqual(shown, []);
      // The tab model reaches the extension host shortly after the panel opens.
      let tabs: vscode.Tab[] = [];
      let panel: vscode.Tab | undefined;
      for (const deadline = Date.now() + 10_000; !panel && Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
        tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs);
        panel = tabs.find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('ogelbase.healthReport'));
      }
      assert.ok(panel, `a Platform Health panel is open (tabs: ${tabs.map((t) => t.label).join(', ')})`);
      assert.equal(panel.label, 'Platform Health');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Switch Platform signs in to a platform without a token (asks the token only), then switches with stored tokens', async () => {
    await run(C.signIn, { url: b.url, token: b.token, name: 'staging' });
    assert.equal(explorer.session.signedIn?.platform.url, b.url);
    assert.equal(explorer.session.signedIn?.platform.name, 'staging');

    prompts.answer(pick(host(a.url)));
    let shown = await run(C.switch);
    const offered = prompts.questions[0]!.choices!;
    assert.ok(offered.includes('staging') && offered.includes(host(a.url)) && offered.includes('Add a platform…'), offered.join(' | '));
    assert.deepEqual(shown, [{ severity: 'info', message: `Switched to ${host(a.url)}.`, actions: [] }]);
    assert.equal(explorer.session.signedIn?.platform.url, a.url);

    prompts.answer(pick('staging'));
    shown = await run(C.switch);
    assert.equal(explorer.session.signedIn?.platform.url, b.url);
    assert.equal(shown[0]!.message, 'Switched to staging.');

    // B signed out: switching to it runs the sign-in for B and asks for its token only.
    await explorer.session.signOut(b.url);
    prompts.answer(pick('staging'), input(b.token));
    shown = await run(C.switch);
    assert.equal(prompts.questions.length, 2);
    assert.match(prompts.questions[1]!.title!, new RegExp(`token for ${b.url.replace(/\./g, '\\.')}`));
    assert.equal(explorer.session.signedIn?.platform.url, b.url);
    assert.equal(shown[0]!.message, `Signed in to staging as ${b.email}`);

    prompts.answer(dismiss());
    shown = await run(C.switch);
    assert.deepEqual(shown, [], 'a dismissed switch is silent');
    assert.equal(explorer.session.signedIn?.platform.url, b.url);

    // "Add a platform…" runs the whole Sign In flow.
    await explorer.session.signOut(a.url);
    prompts.answer(pick('Add a platform'), pick('Other URL'), input(a.url), input(a.token));
    shown = await run(C.switch);
    assert.equal(explorer.session.signedIn?.platform.url, a.url);
    assert.equal(shown[0]!.message, `Signed in to ${host(a.url)} as ${a.email}`);
    prompts.answer(pick('staging'));
    await run(C.switch);
    assert.equal(explorer.session.signedIn?.platform.url, b.url);
  });

  it('Sign Out asks which platform when several have tokens; "All platforms" removes every platform secret', async () => {
    // B is active, A still has its token; a cached connection string sits under A's prefix too.
    assert.equal(explorer.session.signedIn?.platform.url, b.url);
    await explorer.vault.store(`${platformSecretPrefix(a.url)}db:00000000-0000-0000-0000-000000000000`, 'redis://default:cached-pw-123456@127.0.0.1:1/0');
    registerSecret('cached-pw-123456');
    prompts.answer(pick('All platforms'));
    const shown = await run(C.signOut);
    const choices = prompts.questions[0]!.choices!;
    assert.ok(choices.includes('staging') && choices.includes(host(a.url)) && choices.includes('All platforms'), choices.join(' | '));
    assert.deepEqual(shown, [{ severity: 'info', message: 'Signed out of 2 platforms.', actions: [] }]);
    assert.equal(explorer.session.signedIn, undefined);
    assert.deepEqual((await explorer.vault.keys()).filter((k) => k.startsWith('ogelbase.platform:')), []);
    for (const url of [a.url, b.url]) assert.equal(await explorer.context.secrets.get(tokenKey(url)), undefined);
  });

  it('Sign Out of the only signed-in platform asks nothing; signed out, it says so', async () => {
    await run(C.signIn, { url: a.url, token: a.token });
    let shown = await run(C.signOut);
    assert.equal(prompts.questions.length, 0);
    assert.deepEqual(shown, [{ severity: 'info', message: `Signed out of ${host(a.url)}.`, actions: [] }]);
    assert.equal(await explorer.context.secrets.get(tokenKey(a.url)), undefined);
    shown = await run(C.signOut);
    assert.deepEqual(shown, [{ severity: 'info', message: 'Not signed in to any OgelBase platform.', actions: [] }]);
  });

  it('no message, question, log line or secret-storage key name holds a token', async () => {
    const logs = logTexts(explorer.context.logUri.fsPath);
    assert.ok(logs.some((text) => text.includes('[session] signed out of')), 'the log file was found and holds this suite\'s lines');
    const texts = [...capture.messages.map((m) => m.message), ...asked, ...(await explorer.vault.keys()), ...logs];
    assert.deepEqual(leaksIn(texts, secrets), []);
  });
});
