import type * as vscode from 'vscode';
import type { Explorer } from '../explorer';
import { CommandIds } from './ids';
import { registerCommand } from './register';
import { requireSignedIn } from './support';

/** Health and metrics share one live panel: without a session there is nothing to show. */
async function showPanel(explorer: Explorer): Promise<void> {
  requireSignedIn(explorer, 'see its health and metrics');
  await explorer.healthPanel.show();
}

export function registerHealthCommands(explorer: Explorer): vscode.Disposable[] {
  return [registerCommand(CommandIds.showHealthReport, explorer.log, () => showPanel(explorer))];
}
