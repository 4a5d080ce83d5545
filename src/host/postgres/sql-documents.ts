import * as vscode from 'vscode';
import { PersistedDatabaseSchema, type PersistedDatabase } from '../../webviews/protocol/base';
import { refName, type DatabaseRef } from '../access/database-ref';
import { DisposableStore } from '../disposable';
import type { LocalConnections } from '../local/local-connection';
import type { Log } from '../log';
import type { PlatformSession } from '../platform/session';
import { persistRef, resolvePersisted } from '../webviews/persisted-ref';

const STATE_KEY = 'ogelbase.sqlDocuments';

/**
 * Which database each SQL document runs on. A binding is kept per document URI in the workspace's
 * state as the database's identity (ids only, as panels keep it), so an untitled query restored
 * after a reload is still bound; it is resolved again through the signed-in platform (the caller's
 * role may have changed) or the local connections. A status bar item shows the active SQL
 * document's database and switches it.
 */
export class SqlDocuments extends DisposableStore {
  private readonly resolved = new Map<string, DatabaseRef>();
  private readonly changed = this.register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;
  private readonly item: vscode.StatusBarItem;
  private counter = 0;

  constructor(
    private readonly state: vscode.Memento,
    private readonly session: PlatformSession,
    private readonly local: LocalConnections,
    private readonly log: Log,
    changeCommand: string,
  ) {
    super();
    this.item = this.register(vscode.window.createStatusBarItem('ogelbase.sqlDatabase', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'OgelBase: SQL Database';
    this.item.command = changeCommand;
    this.register(vscode.window.onDidChangeActiveTextEditor(() => void this.updateItem()));
    this.register(this.changed.event(() => void this.updateItem()));
    this.register(session.onDidChange(() => this.resolved.clear()));
    void this.updateItem();
  }

  private stored(): Record<string, PersistedDatabase> {
    return this.state.get<Record<string, PersistedDatabase>>(STATE_KEY, {});
  }

  /** Binds a document to a database (remembered across reloads). */
  async bind(uri: vscode.Uri, ref: DatabaseRef): Promise<void> {
    const key = uri.toString();
    this.resolved.set(key, ref);
    const all = this.stored();
    all[key] = persistRef(ref);
    // Bounded: the oldest bindings go first.
    const entries = Object.entries(all).slice(-500);
    await this.state.update(STATE_KEY, Object.fromEntries(entries));
    this.changed.fire(uri);
  }

  isBound(uri: vscode.Uri): boolean {
    return this.resolved.has(uri.toString()) || uri.toString() in this.stored();
  }

  /** The database a document runs on, or undefined when it has none (or it can no longer be found). */
  async refFor(uri: vscode.Uri): Promise<DatabaseRef | undefined> {
    const key = uri.toString();
    const known = this.resolved.get(key);
    if (known) return known;
    const persisted = PersistedDatabaseSchema.safeParse(this.stored()[key]);
    if (!persisted.success) return undefined;
    try {
      const ref = await resolvePersisted(persisted.data, this.session, this.local);
      this.resolved.set(key, ref);
      return ref;
    } catch (error) {
      this.log.warn(`[sql] ${uri.toString(true)}: its database cannot be reached (${(error as Error).message})`);
      return undefined;
    }
  }

  /** A new untitled SQL document bound to `ref`, named after it, opened in the active column. */
  async open(ref: DatabaseRef, content = ''): Promise<vscode.TextEditor> {
    const base = refName(ref).replace(/[^\w.-]+/g, '-').slice(0, 60) || 'query';
    // A name is taken when a document has it, when a binding was kept for it (an untitled document of
    // an earlier session that VS Code restores after a reload, which this window may not have
    // loaded yet), or when VS Code says so ("file already exists"): then the next number is tried.
    const taken = (uri: vscode.Uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString()) || uri.toString() in this.stored();
    let uri: vscode.Uri;
    let document: vscode.TextDocument;
    for (let attempt = 1; ; attempt++) {
      do uri = vscode.Uri.from({ scheme: 'untitled', path: `${base}-${++this.counter}.sql` });
      while (taken(uri));
      await this.bind(uri, ref);
      try {
        document = await vscode.workspace.openTextDocument(uri);
        break;
      } catch (error) {
        if (attempt >= 20 || !/already exists/i.test((error as Error).message)) throw error;
        this.log.info(`[sql] ${uri.toString(true)} exists already (a restored document): trying the next name`);
      }
    }
    const editor = await vscode.window.showTextDocument(document, { preview: false });
    if (document.languageId !== 'sql') await vscode.languages.setTextDocumentLanguage(document, 'sql');
    if (content) await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), content));
    return editor;
  }

  private async updateItem(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== 'sql') {
      this.item.hide();
      return;
    }
    const ref = await this.refFor(editor.document.uri);
    this.item.text = `$(database) ${ref ? refName(ref) : 'No database'}`;
    this.item.tooltip = ref ? `This SQL runs on ${refName(ref)} (PostgreSQL). Click to change.` : 'Choose the PostgreSQL database this SQL runs on';
    this.item.show();
  }
}
