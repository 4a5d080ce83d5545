import * as vscode from 'vscode';
import type { Log } from '../log';
import type { CommandId } from './ids';

/**
 * Registers a command whose failures are logged and shown briefly with a "Show Log" action,
 * so no command can surface an unhandled rejection or a raw stack to the user.
 */
export function registerCommand(
  id: CommandId,
  log: Log,
  handler: (...args: unknown[]) => unknown,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (error) {
      if (error instanceof vscode.CancellationError) return undefined;
      const message = error instanceof Error ? error.message : String(error);
      log.error(`[${id}] ${message}`);
      // Not awaited: the command ends now; the notification stays until the user dismisses it.
      void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
        if (choice === 'Show Log') log.show(true);
      });
      return undefined;
    }
  });
}
