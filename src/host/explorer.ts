import * as vscode from 'vscode';
import { CommandIds } from './commands/ids';
import { registerCommand } from './commands/register';
import { DisposableStore } from './disposable';
import { createLog, type Log } from './log';
import { ExplorerTree } from './tree/explorer-tree';

/**
 * The extension's one long-lived object: built in `activate`, it owns every disposable and hands
 * its dependencies to the parts it creates. Tests reach it through the value `activate` returns.
 */
export class Explorer extends DisposableStore {
  readonly log: Log;
  readonly tree: ExplorerTree;
  /** Milliseconds spent in the constructor, i.e. in `activate`. */
  readonly activationMs: number;

  constructor(readonly context: vscode.ExtensionContext) {
    super();
    const started = performance.now();
    this.log = this.register(createLog());
    this.tree = this.register(new ExplorerTree());
    this.register(vscode.window.createTreeView('ogelbase.explorer', { treeDataProvider: this.tree, showCollapseAll: true }));
    this.register(
      registerCommand(CommandIds.openSettings, this.log, () =>
        vscode.commands.executeCommand('workbench.action.openSettings', '@ext:ogelbase.ogelbase-explorer'),
      ),
    );
    this.register(registerCommand(CommandIds.showLog, this.log, () => this.log.show(true)));
    this.activationMs = performance.now() - started;
    this.log.info(`activated in ${this.activationMs.toFixed(1)} ms`);
  }
}
