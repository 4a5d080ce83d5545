/**
 * "OgelBase: Start Local Platform" run as the user runs it (`executeCommand`): the bundled server
 * (dist/server/index.js) on the Node that runs the extension host, its data in the extension's
 * global storage, a sign-in to it whose token lands in SecretStorage, then "Stop Local Platform".
 * (In this development folder the installed PGlite is used; the download path is unit tested.)
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Explorer } from '../../src/host/explorer';
import { platformSecretPrefix } from '../../src/host/platform/session';
import { captureMessages, commandRunner, ScriptedPrompts, type ShownMessage } from '../support/extension-host/scripted-ui';
import { registerSecret } from '../support/secrets';

describe('Start Local Platform (the bundled server on VS Code\'s Node)', function () {
  this.timeout(300_000);
  let explorer: Explorer;
  const prompts = new ScriptedPrompts();
  let capture: { messages: ShownMessage[]; restore(): void };
  const run = (command: string) => commandRunner(prompts, capture, [])(command);
  let previousPrompts: Explorer['prompts'];

  before(async () => {
    explorer = await vscode.extensions.getExtension<Explorer>('ogelbase.ogelbase-explorer')!.activate();
    await explorer.ready;
    previousPrompts = explorer.prompts;
    explorer.prompts = prompts;
    capture = captureMessages(vscode);
  });
  after(async () => {
    if (explorer.localPlatform.isRunning) await explorer.localPlatform.stop();
    if (explorer.session.signedIn) await explorer.session.signOut();
    await vscode.workspace.getConfiguration('ogelbase.localPlatform').update('runtime', undefined, vscode.ConfigurationTarget.Global);
    capture?.restore();
    explorer.prompts = previousPrompts;
  });

  // Node only: the harness's extension host has no `bun` on its PATH, so the Bun runtime is not tried here.
  for (const runtime of ['node'] as const) it(`on ${runtime}: starts the server, signs in to it (token in SecretStorage), and Stop Local Platform stops it`, async () => {
    await vscode.workspace.getConfiguration('ogelbase.localPlatform').update('runtime', runtime, vscode.ConfigurationTarget.Global);
    if (explorer.session.signedIn) await explorer.session.signOut();
    await run('ogelbase.localPlatform.start');
    assert.ok(explorer.localPlatform.isRunning, 'the server runs');
    const url = explorer.localPlatform.url!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(explorer.session.signedIn?.platform.url, url, 'signed in to the local platform');
    const token = await explorer.vault.get(`${platformSecretPrefix(url)}token`);
    assert.match(String(token), /^ogb_/, 'the token is in SecretStorage');
    registerSecret(String(token));
    const orgs = (await (await fetch(`${url}/api/platform/organizations`, { headers: { authorization: `Bearer ${String(token)}` } })).json()) as { slug: string }[];
    assert.deepEqual(orgs.map((o) => o.slug), ['demo']);
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string };
    assert.equal(health.status, 'healthy');

    await run('ogelbase.localPlatform.stop');
    assert.equal(explorer.localPlatform.isRunning, false);
    assert.ok(capture.messages.some((m) => /Stopped the local platform/.test(m.message)));
    const answered = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3_000) }).then(() => true, () => false);
    assert.equal(answered, false, 'nothing answers on its port once stopped');
  });
});
