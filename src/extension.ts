import type * as vscode from 'vscode';
import { Explorer } from './host/explorer';

let explorer: Explorer | undefined;

export function activate(context: vscode.ExtensionContext): Explorer {
  explorer = new Explorer(context);
  context.subscriptions.push(explorer);
  return explorer;
}

export function deactivate(): void {
  explorer = undefined;
}
