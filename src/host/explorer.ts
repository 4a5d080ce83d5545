import * as vscode from 'vscode';
import { DatabaseAccess } from './access/database-access';
import { registerCommands } from './commands';
import { ContextKeys } from './commands/ids';
import { showFailure } from './commands/support';
import { Config } from './config';
import { DisposableStore } from './disposable';
import { HealthReportPanel } from './health/report-panel';
import { HealthStatusBar } from './health/status-bar';
import { LocalConnectionStore } from './local/local-store';
import { signInFromHandoff } from './local-platform/handoff';
import { LocalPlatform } from './local-platform/local-platform';
import { createLog, type Log } from './log';
import { PlatformSession } from './platform/session';
import { vscodePrompts, type Prompts } from './prompts';
import { SecretVault } from './secrets';
import { LocalTree, PlatformTree } from './tree/explorer-tree';
import { SqlEditor } from './postgres/sql-editor';
import { tableInspector } from './postgres/table-inspector';
import type { InspectorDefinition } from './webviews/inspector';
import { InspectorPanels } from './webviews/panels';
import type { TableTarget } from '../webviews/protocol/pg-table';
import { DocumentBrowserMemory } from './mongodb/browser-memory';
import { documentBrowser } from './mongodb/document-browser';
import { MONGO_DOCUMENT_SCHEME, MongoDocumentFiles } from './mongodb/document-files';
import type { DocTarget } from '../webviews/protocol/mongo-documents';
import { redisKeyBrowser } from './redis/key-browser';
import type { ExplorerNode } from './tree/nodes';

/**
 * The extension's one long-lived object: built in `activate`, it owns every disposable and hands
 * its dependencies to the parts it creates. Nothing here touches the network or loads a database
 * driver, so activation stays fast; the session restores itself in the background. Tests reach
 * this object through the value `activate` returns.
 */
export class Explorer extends DisposableStore {
  readonly log: Log;
  readonly config = new Config();
  readonly vault: SecretVault;
  readonly session: PlatformSession;
  readonly access: DatabaseAccess;
  readonly local: LocalConnectionStore;
  readonly platformTree: PlatformTree;
  readonly localTree: LocalTree;
  readonly platformView: vscode.TreeView<ExplorerNode>;
  readonly localView: vscode.TreeView<ExplorerNode>;
  readonly statusBar: HealthStatusBar;
  readonly healthPanel: HealthReportPanel;
  /** The companion server "Start Local Platform" runs, stopped with the extension. */
  readonly localPlatform: LocalPlatform;
  /** Every inspector panel (key browser, document browser, table inspector): one per (inspector, database). */
  readonly inspectors: InspectorPanels;
  /** The PostgreSQL table inspector (one panel per database) and the SQL editor with its results panels. */
  readonly tableInspector: InspectorDefinition<TableTarget>;
  readonly sql: SqlEditor;
  /** MongoDB documents as files (`ogelbase-mongodb:`), edited in text editors and saved back. */
  readonly mongoFiles: MongoDocumentFiles;
  /** The MongoDB document browser (its panels are in `inspectors`). */
  readonly documentBrowser: InspectorDefinition<DocTarget>;
  /** How commands ask questions; the extension-host tests swap in scripted answers. */
  prompts: Prompts = vscodePrompts;
  /** Milliseconds spent in the constructor, i.e. in `activate`. */
  readonly activationMs: number;
  /** Resolves once the previous session (if any) has been restored. */
  readonly ready: Promise<void>;

  constructor(readonly context: vscode.ExtensionContext) {
    super();
    const started = performance.now();
    this.log = this.register(createLog());
    this.vault = new SecretVault(context.secrets, context.globalState);
    this.session = this.register(new PlatformSession(context.globalState, this.vault, this.config, this.log));
    this.access = this.register(new DatabaseAccess(context.extensionPath, this.session, this.vault, this.config, this.log));
    this.local = this.register(new LocalConnectionStore(context.globalState, this.vault));
    this.platformTree = this.register(new PlatformTree(this.session, this.access, this.config, this.log));
    this.localTree = this.register(new LocalTree(this.local, this.access, this.config, this.log));
    this.platformView = this.register(vscode.window.createTreeView('ogelbase.explorer', { treeDataProvider: this.platformTree, showCollapseAll: true }));
    this.localView = this.register(vscode.window.createTreeView('ogelbase.localConnections', { treeDataProvider: this.localTree, showCollapseAll: true }));
    this.statusBar = this.register(new HealthStatusBar(this.session, this.config, this.log));
    this.healthPanel = this.register(new HealthReportPanel(context.extensionUri, this.session, this.statusBar, this.log));
    this.localPlatform = this.register(new LocalPlatform(context, this.log));
    this.inspectors = this.register(
      new InspectorPanels({
        extensionUri: context.extensionUri,
        access: this.access,
        config: this.config,
        log: this.log,
        session: this.session,
        local: this.local,
        whenReady: () => this.ready,
        prompts: () => this.prompts,
      }),
    );
    this.sql = this.register(new SqlEditor(this));
    this.tableInspector = tableInspector(async (ref, sql) => void (await this.sql.documents.open(ref, sql)));
    this.inspectors.registerInspector(this.tableInspector);
    this.mongoFiles = this.register(new MongoDocumentFiles({ access: this.access, session: this.session, local: this.local, whenReady: () => this.ready, log: this.log }));
    this.register(vscode.workspace.registerFileSystemProvider(MONGO_DOCUMENT_SCHEME, this.mongoFiles, { isCaseSensitive: true }));
    this.documentBrowser = documentBrowser({ files: this.mongoFiles, memory: new DocumentBrowserMemory(context.globalState) });
    this.inspectors.registerInspector(this.documentBrowser);
    this.inspectors.registerInspector(redisKeyBrowser);
    // The database commands are in the palette whenever there is a database to pick.
    const noteLocal = () => void vscode.commands.executeCommand('setContext', ContextKeys.hasLocalConnections, this.local.list().length > 0);
    noteLocal();
    this.register(this.local.onDidChange(noteLocal));
    for (const disposable of registerCommands(this)) this.register(disposable);
    // Switching platforms or signing out closes the direct connections of the previous one; a new
    // connection mode makes every database choose its path again.
    this.register(this.session.onDidChange(() => void this.access.reset()));
    this.register(this.config.onDidChange((event) => event.affectsConfiguration('ogelbase.connectionMode') && void this.access.reset()));
    this.ready = this.session
      .restore()
      .catch((error: unknown) => this.log.error(`[session] could not restore: ${(error as Error).message}`))
      // Opened by `npm start`: sign in to the platform it started (only when OGELBASE_SIGN_IN_FILE is set).
      .then(() => signInFromHandoff(this))
      .then(
        () => undefined,
        (error: unknown) => showFailure(this, `Could not sign in to the platform npm start started: ${(error as Error).message}`),
      );
    this.activationMs = performance.now() - started;
    this.log.info(`activated in ${this.activationMs.toFixed(1)} ms`);
  }
}
