import * as vscode from 'vscode';

/**
 * The questions commands ask, behind one interface: VS Code's own input boxes, quick picks and
 * modal messages in use, a scripted stand-in in the extension-host tests, so the real commands
 * (with their real validation) run end to end without a person at the keyboard.
 */
export interface Prompts {
  input(options: vscode.InputBoxOptions): Promise<string | undefined>;
  pick<T extends vscode.QuickPickItem>(items: readonly T[] | Promise<readonly T[]>, options: vscode.QuickPickOptions): Promise<T | undefined>;
  /** A modal confirmation; resolves with the chosen action's title, or undefined when dismissed. */
  confirm(message: string, detail: string, ...actions: string[]): Promise<string | undefined>;
  /** The save dialog: where something new goes (a backup folder). */
  saveDialog(options: vscode.SaveDialogOptions): Promise<vscode.Uri | undefined>;
  /** The open dialog: an existing file or folder (one). */
  openDialog(options: vscode.OpenDialogOptions): Promise<vscode.Uri | undefined>;
}

export const vscodePrompts: Prompts = {
  input: async (options) => vscode.window.showInputBox({ ignoreFocusOut: true, ...options }),
  pick: async (items, options) => vscode.window.showQuickPick(items, { ignoreFocusOut: true, ...options }),
  confirm: async (message, detail, ...actions) => vscode.window.showWarningMessage(message, { modal: true, detail }, ...actions),
  saveDialog: async (options) => vscode.window.showSaveDialog(options),
  openDialog: async (options) => (await vscode.window.showOpenDialog({ ...options, canSelectMany: false }))?.[0],
};
