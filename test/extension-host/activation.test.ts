/**
 * Runs inside the real VS Code extension host (code-server, or Electron with OGELBASE_VSCODE=electron):
 * activation, the contributed commands and the empty explorer, through the real `vscode` API.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Explorer } from '../../src/host/explorer';

const extensionId = 'ogelbase.ogelbase-explorer';

interface Contributes {
  commands: { command: string }[];
  views: Record<string, { id: string }[]>;
}

/** Commands VS Code itself registers for every contributed view (`<viewId>.focus` and friends). */
const viewCommandSuffixes = ['focus', 'resetViewLocation', 'toggleVisibility', 'removeView', 'open'];

describe('activation (real extension host)', () => {
  let extension: vscode.Extension<Explorer>;
  let explorer: Explorer;

  before(async () => {
    const found = vscode.extensions.getExtension<Explorer>(extensionId);
    assert.ok(found, `${extensionId} is not loaded`);
    extension = found;
    explorer = await extension.activate();
  });

  it('activates and returns the Explorer, which records its activation time', () => {
    assert.equal(extension.isActive, true);
    assert.equal(extension.exports, explorer);
    assert.equal(typeof explorer.activationMs, 'number');
    assert.ok(Number.isFinite(explorer.activationMs) && explorer.activationMs >= 0);
    // Printed, not asserted: wall-clock time on a shared 2-core machine is not a correctness property.
    console.log(`      activate() took ${explorer.activationMs.toFixed(1)} ms`);
  });

  it('registers exactly the commands package.json contributes (both ways)', async () => {
    const contributes = (extension.packageJSON as { contributes: Contributes }).contributes;
    const contributed = contributes.commands.map((c) => c.command).sort();
    const registered = await vscode.commands.getCommands(true);
    const missing = contributed.filter((id) => !registered.includes(id));
    assert.deepEqual(missing, [], 'contributed but not registered');

    const viewIds = Object.values(contributes.views).flat().map((view) => view.id);
    const generatedByVsCode = new Set(viewIds.flatMap((view) => viewCommandSuffixes.map((suffix) => `${view}.${suffix}`)));
    const ours = registered.filter((id) => id.startsWith('ogelbase.') && !generatedByVsCode.has(id)).sort();
    assert.deepEqual(ours, contributed, 'registered ogelbase.* commands and contributed commands differ');
  });

  it('runs ogelbase.showLog without error', async () => {
    await vscode.commands.executeCommand('ogelbase.showLog');
  });

  it('runs ogelbase.openSettings, which opens the Settings editor', async () => {
    await vscode.commands.executeCommand('ogelbase.openSettings');
    const label = vscode.window.tabGroups.activeTabGroup.activeTab?.label;
    assert.equal(label, 'Settings');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('shows no rows in the Platform view while signed out (so the welcome content shows)', async () => {
    await explorer.ready;
    assert.equal(explorer.session.signedIn, undefined);
    const children = await explorer.platformTree.getChildren();
    assert.deepEqual(children, []);
  });

  it('loads no database driver at activation: each engine bundle comes on first use', () => {
    // The extension requires dist/engines/<engine>.js by path; Node's module cache is shared with this test.
    const engines = Object.keys(require.cache).filter((path) => /[\\/]dist[\\/]engines[\\/]/.test(path));
    assert.deepEqual(engines, []);
    const extensionBundle = Object.keys(require.cache).find((path) => /[\\/]dist[\\/]extension\.js$/.test(path));
    assert.ok(extensionBundle, 'the extension bundle itself is in the module cache');
  });

  it('reveals the Platform view with ogelbase.explorer.focus', async () => {
    await vscode.commands.executeCommand('ogelbase.explorer.focus');
  });
});
