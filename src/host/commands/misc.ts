import * as vscode from 'vscode';
import type { Explorer } from '../explorer';
import { CommandIds } from './ids';
import { registerCommand } from './register';
import { asNode, treeOf, withProgress } from './support';

const EXTENSION_ID = 'ogelbase.ogelbase-explorer';

/** Refresh, Load More and Retry act on the tree the row belongs to; Refresh without a row, on everything. */
export function registerTreeCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.refresh, explorer.log, async (arg) => {
      const node = asNode(arg);
      // Roles may have changed on the platform: the next use of a revealed string asks again.
      explorer.access.invalidateRoles();
      if (node) {
        treeOf(explorer, node).refresh(node);
        return;
      }
      explorer.platformTree.refresh();
      explorer.localTree.refresh();
      await explorer.statusBar.refresh();
    }),
    registerCommand(CommandIds.loadMore, explorer.log, async (arg) => {
      const node = asNode(arg);
      if (node?.kind !== 'loadMore') throw new Error('Load More runs from a "Load more" row of the explorer.');
      await treeOf(explorer, node).loadMore(node);
    }),
    // A scan that found nothing new within a click's budget goes on to the end, with progress and Cancel.
    registerCommand(CommandIds.scanToEnd, explorer.log, async (arg) => {
      const node = asNode(arg);
      if (node?.kind !== 'loadMore') throw new Error('Scan to the End runs from a "Scan to the end" row of the explorer.');
      const tree = treeOf(explorer, node);
      await withProgress(`Scanning the ${tree.whatOf(node.parentId) ?? 'keys'} (stops at the first new row)`, (signal, report) => tree.loadMore(node, { stop: signal, report }));
    }),
    registerCommand(CommandIds.retry, explorer.log, async (arg) => {
      const node = asNode(arg);
      if (node?.kind !== 'error') throw new Error('Retry runs from an error row of the explorer.');
      await treeOf(explorer, node).retry(node);
    }),
  ];
}

export function registerWorkbenchCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.openWalkthrough, explorer.log, () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#ogelbase.gettingStarted`, false),
    ),
    registerCommand(CommandIds.openSettings, explorer.log, () => vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${EXTENSION_ID}`)),
    registerCommand(CommandIds.showLog, explorer.log, () => explorer.log.show(true)),
  ];
}
