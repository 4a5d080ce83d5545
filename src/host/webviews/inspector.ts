import type * as vscode from 'vscode';
import type { DatabaseAccess } from '../access/database-access';
import type { DatabaseRef } from '../access/database-ref';
import type { Config } from '../config';
import type { Log } from '../log';
import type { Prompts } from '../prompts';
import type { MessageDispatcher } from './dispatcher';

/**
 * What an inspector (the Redis key browser, the document browser, the table inspector) declares
 * to get a panel of its own from `InspectorPanels`: one panel per (inspector, database), re-focused
 * when opened again, restored after a window reload by a WebviewPanelSerializer.
 *
 *   export const redisKeyBrowser: InspectorDefinition<KeyTarget> = {
 *     viewType: 'ogelbase.redisKeys', bundle: 'redis-keys', engine: 'redis',
 *     title: (ref) => `Keys: ${refName(ref)}`,
 *     attach: (host) => new RedisKeyBrowserSession(host),
 *   };
 *
 * `viewType` must also be listed in package.json `activationEvents` as `onWebviewPanel:<viewType>`
 * (a test checks it), so VS Code activates the extension to restore the panel after a reload.
 */
export interface InspectorDefinition<Target> {
  /** The webview panel type; also names the serializer. */
  viewType: string;
  /** `dist/webviews/<bundle>.js` and `.css`, built from `src/webviews/<bundle>/main.ts`. */
  bundle: string;
  /** The engine whose databases it inspects (others are refused). */
  engine: 'postgres' | 'redis' | 'mongodb';
  title(ref: DatabaseRef): string;
  /** Wires the protocol of one panel: registers the handlers on `host.dispatcher`. */
  attach(host: InspectorHost<Target>): InspectorSession<Target>;
}

/** What an inspector's host side gets for one panel. */
export interface InspectorHost<Target> {
  readonly ref: DatabaseRef;
  readonly dispatcher: MessageDispatcher;
  readonly access: DatabaseAccess;
  readonly config: Config;
  readonly log: Log;
  readonly prompts: () => Prompts;
  /** Where the panel was first opened (a key clicked in the tree); undefined when restored or opened on the database. */
  readonly target: Target | undefined;
  readonly panel: vscode.WebviewPanel;
}

export interface InspectorSession<Target> extends vscode.Disposable {
  /** The inspector's own part of the ready handshake (`PanelInit.init`): settings, capabilities, the first target. */
  init?(signal: AbortSignal): Promise<unknown>;
  /** The panel was opened again with a target (another key clicked): show it. */
  navigate(target: Target): void;
}
