import type * as vscode from 'vscode';
import type { Explorer } from '../explorer';
import { CommandIds } from './ids';
import { registerCommand } from './register';
import { requireSignedIn } from './support';

/** The health report and the metrics are the platform's: without a session there is nothing to show. */
async function showPanel(explorer: Explorer, focus: 'health' | 'metrics'): Promise<void> {
  requireSignedIn(explorer, focus === 'health' ? 'see its health report' : 'see its metrics');
  await explorer.healthPanel.show(focus);
}

export function registerHealthCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.showHealthReport, explorer.log, () => showPanel(explorer, 'health')),
    registerCommand(CommandIds.showMetrics, explorer.log, () => showPanel(explorer, 'metrics')),
  ];
}
