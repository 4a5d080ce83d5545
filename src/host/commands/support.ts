import * as vscode from 'vscode';
import { PlatformError } from '../../core/api/client';
import { ENGINE_LABEL, type EngineType } from '../../core/connection-strings';
import type { DatabaseRef } from '../access/database-ref';
import type { Explorer } from '../explorer';
import type { ExplorerNode } from '../tree/nodes';
import { CommandIds } from './ids';

/**
 * Runs cancellable work under a notification progress. The work gets an AbortSignal tied to the
 * Cancel button; when the user cancels, the command ends at once with a CancellationError (which
 * the command wrapper keeps silent) even if the work itself cannot be interrupted.
 */
export function withProgress<T>(title: string, work: (signal: AbortSignal, report: (message: string) => void) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      let subscription: vscode.Disposable | undefined;
      const cancelled = new Promise<never>((_resolve, reject) => {
        subscription = token.onCancellationRequested(() => {
          controller.abort();
          reject(new vscode.CancellationError());
        });
      });
      try {
        return await Promise.race([work(controller.signal, (message) => progress.report({ message })), cancelled]);
      } catch (error) {
        if (token.isCancellationRequested || (error instanceof PlatformError && error.code === 'cancelled')) throw new vscode.CancellationError();
        throw error;
      } finally {
        subscription?.dispose();
      }
    }),
  );
}

/** Ends a command silently: the user dismissed a question. */
export function cancelled(): never {
  throw new vscode.CancellationError();
}

/** The answer, or a silent end of the command when the question was dismissed. */
export function required<T>(answer: T | undefined): T {
  return answer === undefined ? cancelled() : answer;
}

export function info(message: string): void {
  void vscode.window.showInformationMessage(message);
}

/** An error the user should see but that is not the command's own failure (a failed connection test). */
export function showFailure(explorer: Explorer, message: string): void {
  explorer.log.error(`[commands] ${message}`);
  // Not awaited: a notification stays pending until dismissed, and the command must end now.
  void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
    if (choice === 'Show Log') explorer.log.show(true);
  });
}

/** The first argument of a command run from a tree row, if it is one of our nodes. */
export function asNode(arg: unknown): ExplorerNode | undefined {
  return typeof arg === 'object' && arg !== null && 'kind' in arg && 'id' in arg ? (arg as ExplorerNode) : undefined;
}

export function refOf(node: ExplorerNode | undefined): DatabaseRef | undefined {
  return node && (node.kind === 'database' || node.kind === 'item') ? node.ref : undefined;
}

/** Which tree a node belongs to: by its database's scope, else by the id root the Local tree owns. */
export function treeOf(explorer: Explorer, node: ExplorerNode): Explorer['platformTree'] | Explorer['localTree'] {
  const ref = refOf(node);
  if (ref) return ref.scope === 'local' ? explorer.localTree : explorer.platformTree;
  return explorer.localTree.owns(node) ? explorer.localTree : explorer.platformTree;
}

/** "Redis 7.0.15, 12 ms" for a successful test. */
export function describeProbe(type: EngineType, result: { latency: number; serverVersion?: string }): string {
  return `${ENGINE_LABEL[type]}${result.serverVersion ? ` ${result.serverVersion}` : ''}, ${result.latency} ms`;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The signed-in session, or (signed out) a short notice with a "Sign In" action and a silent end of
 * the command: being signed out is a state to leave, not a failure to log.
 */
export function requireSignedIn(explorer: Explorer, doing: string): NonNullable<Explorer['session']['signedIn']> {
  const signedIn = explorer.session.signedIn;
  if (signedIn) return signedIn;
  // Not awaited: the command ends now, the action runs whenever it is clicked.
  void vscode.window.showInformationMessage(`Sign in to an OgelBase platform to ${doing}.`, 'Sign In').then((choice) => {
    if (choice === 'Sign In') void vscode.commands.executeCommand(CommandIds.signIn);
  });
  return cancelled();
}
