import * as vscode from 'vscode';
import { CspViolation, MAX_STATE_CHARS, PersistedDatabaseSchema, readyRequest, SaveState, ShowLog, WebviewError, type PanelInit } from '../../webviews/protocol/base';
import type { DatabaseAccess } from '../access/database-access';
import { refReadOnly, refType, type DatabaseRef } from '../access/database-ref';
import type { Config } from '../config';
import { DisposableStore } from '../disposable';
import type { LocalConnections } from '../local/local-connection';
import type { Log } from '../log';
import type { PlatformSession } from '../platform/session';
import type { Prompts } from '../prompts';
import { MessageDispatcher } from './dispatcher';
import { messageHtml, webviewHtml, webviewOptions } from './html';
import type { InspectorDefinition, InspectorHost, InspectorSession } from './inspector';
import { persistRef, refKey, resolvePersisted } from './persisted-ref';

export interface PanelDeps {
  extensionUri: vscode.Uri;
  access: DatabaseAccess;
  config: Config;
  log: Log;
  session: PlatformSession;
  local: LocalConnections;
  /** Resolves once the previous sign-in has been restored (panels restored after a reload wait for it). */
  whenReady(): Promise<void>;
  prompts: () => Prompts;
}

/** One open panel, as tests and commands see it. */
export interface OpenPanel<Target> {
  definition: InspectorDefinition<Target>;
  ref: DatabaseRef;
  panel: vscode.WebviewPanel;
  dispatcher: MessageDispatcher;
  session: InspectorSession<Target>;
}

/**
 * Every inspector panel of the extension: one per (inspector, database), revealed instead of
 * duplicated when opened again (a new target is handed to the open panel), and restored after a
 * window reload by the inspector's WebviewPanelSerializer from the database identity the webview
 * keeps in its state. Each panel gets its own MessageDispatcher; closing the panel aborts whatever
 * it still had running.
 */
export class InspectorPanels extends DisposableStore {
  private readonly open = new Map<string, OpenPanel<unknown>>();
  /** The last view state of each (inspector, database), so a panel closed and opened again comes back as it was. */
  private readonly views = new Map<string, unknown>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a panel opens or closes. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: PanelDeps) {
    super();
    this.register(this.changed);
    this.register({ dispose: () => [...this.open.values()].forEach((p) => p.panel.dispose()) });
  }

  /** Registers an inspector's serializer; call once per inspector at activation. */
  registerInspector<Target>(definition: InspectorDefinition<Target>): void {
    this.register(
      vscode.window.registerWebviewPanelSerializer(definition.viewType, {
        deserializeWebviewPanel: (panel, state) => this.revive(definition as InspectorDefinition<unknown>, panel, state),
      }),
    );
  }

  /** Opens the inspector on a database, or reveals its panel and hands it the target. */
  show<Target>(definition: InspectorDefinition<Target>, ref: DatabaseRef, target?: Target): OpenPanel<Target> {
    if (refType(ref) !== definition.engine) throw new Error(`${definition.title(ref)} works on ${definition.engine} databases only`);
    const existing = this.find(definition, ref);
    if (existing) {
      existing.panel.reveal();
      if (target !== undefined) existing.session.navigate(target);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(definition.viewType, definition.title(ref), vscode.ViewColumn.Active, webviewOptions(this.deps.extensionUri));
    return this.adopt(definition, panel, ref, target);
  }

  find<Target>(definition: InspectorDefinition<Target>, ref: DatabaseRef): OpenPanel<Target> | undefined {
    return this.open.get(`${definition.viewType}|${refKey(ref)}`) as OpenPanel<Target> | undefined;
  }

  /** Every open panel (tests, and closing a database's panels when it is removed). */
  list(): OpenPanel<unknown>[] {
    return [...this.open.values()];
  }

  /**
   * What the serializer runs after a window reload: reads the database identity the webview kept
   * (`state.$panel`, validated), finds the database again and adopts the panel; when it cannot, the
   * panel shows why (signed out, database removed) instead of staying blank.
   */
  async revive<Target>(definition: InspectorDefinition<Target>, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const persisted = PersistedDatabaseSchema.safeParse((state as { $panel?: unknown } | undefined)?.$panel);
    try {
      if (!persisted.success) throw new Error('the panel kept no database to reopen');
      await this.deps.whenReady();
      const ref = await resolvePersisted(persisted.data, this.deps.session, this.deps.local);
      if (this.find(definition, ref)) throw new Error('this database is already open in another panel');
      panel.webview.options = webviewOptions(this.deps.extensionUri);
      this.adopt(definition, panel, ref, undefined);
      this.deps.log.info(`[webviews] restored ${definition.viewType} for ${ref.scope === 'local' ? ref.local.name : ref.info.name}`);
    } catch (error) {
      const message = (error as Error).message;
      this.deps.log.warn(`[webviews] could not restore a ${definition.viewType} panel: ${message}`);
      panel.webview.options = { enableScripts: false, localResourceRoots: webviewOptions(this.deps.extensionUri).localResourceRoots };
      panel.webview.html = messageHtml(panel.webview, this.deps.extensionUri, panel.title, `Could not reopen: ${message}.`);
    }
  }

  private adopt<Target>(definition: InspectorDefinition<Target>, panel: vscode.WebviewPanel, ref: DatabaseRef, target: Target | undefined): OpenPanel<Target> {
    const key = `${definition.viewType}|${refKey(ref)}`;
    const name = ref.scope === 'local' ? ref.local.name : ref.info.name;
    const { log } = this.deps;
    panel.title = definition.title(ref);
    const icons = vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'engines');
    panel.iconPath = { light: vscode.Uri.joinPath(icons, `${definition.engine}-light.svg`), dark: vscode.Uri.joinPath(icons, `${definition.engine}-dark.svg`) };
    const dispatcher = new MessageDispatcher({ post: (message) => panel.webview.postMessage(message), log, scope: `${definition.bundle}: ${name}` });
    const host: InspectorHost<Target> = { ref, dispatcher, access: this.deps.access, config: this.deps.config, log, prompts: this.deps.prompts, target, panel };
    const session = definition.attach(host);
    const init = (): Omit<PanelInit<unknown>, 'init'>['database'] => ({
      name,
      engine: definition.engine,
      readOnly: refReadOnly(ref),
      endpoint: ref.scope === 'local' ? ref.local.endpoint : ref.info.endpoint,
      persisted: persistRef(ref),
    });
    // Every inspector answers the handshake the same way; its own part comes from `session.init` when it has one.
    dispatcher.onRequest(readyRequest<unknown>(), async (_params, context) => ({
      database: init(),
      init: session.init ? await session.init(context.signal) : {},
      ...(this.views.has(key) ? { state: this.views.get(key) } : {}),
    }));
    dispatcher.onCommand(SaveState, (p) => {
      const size = JSON.stringify(p.view ?? null).length;
      if (size > MAX_STATE_CHARS) log.warn(`[webviews] ${definition.bundle}: a view state of ${size} characters was not kept (limit ${MAX_STATE_CHARS})`);
      else this.views.set(key, p.view);
    });
    dispatcher.onCommand(ShowLog, () => log.show(true));
    dispatcher.onCommand(CspViolation, (p) => log.error(`[webviews] ${definition.bundle}: Content-Security-Policy blocked ${p.blocked} (${p.directive})`));
    dispatcher.onCommand(WebviewError, (p) => log.error(`[webviews] ${definition.bundle}: ${p.message}`));
    const entry: OpenPanel<Target> = { definition, ref, panel, dispatcher, session };
    this.open.set(key, entry as OpenPanel<unknown>);
    const subscriptions = [
      panel.webview.onDidReceiveMessage((message: unknown) => void dispatcher.receive(message)),
      panel.onDidDispose(() => {
        this.open.delete(key);
        dispatcher.dispose();
        session.dispose();
        for (const s of subscriptions) s.dispose();
        this.changed.fire();
      }),
    ];
    panel.webview.html = webviewHtml(panel.webview, this.deps.extensionUri, definition.bundle, panel.title);
    this.changed.fire();
    return entry;
  }
}
