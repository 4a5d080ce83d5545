import * as vscode from 'vscode';

/** The extension's single log, shown as "OgelBase" in the Output panel. */
export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel('OgelBase', { log: true });
}
