import * as vscode from 'vscode';
import type { MongoOperations } from '../../core/engines/mongodb/operations';
import { PersistedDatabaseSchema } from '../../webviews/protocol/base';
import type { DatabaseAccess } from '../access/database-access';
import { refName, refReadOnly, type DatabaseRef } from '../access/database-ref';
import type { LocalConnections } from '../local/local-connection';
import type { Log } from '../log';
import type { PlatformSession } from '../platform/session';
import { persistRef, refKey, resolvePersisted } from '../webviews/persisted-ref';

export const MONGO_DOCUMENT_SCHEME = 'ogelbase-mongodb';

/** One document open in an editor: where it lives, and what it was when last read (for the conflict check). */
interface OpenDocument {
  ref: DatabaseRef;
  db: string;
  collection: string;
  /** Canonical Extended JSON of `_id`; undefined for a document not inserted yet. */
  id?: string;
  /** The document as last read or saved: a save is refused when the stored one no longer equals it. */
  expected?: string;
  /** A new document's starting text. */
  template?: string;
  mtime: number;
  size: number;
}

export interface DocumentFilesDeps {
  access: DatabaseAccess;
  session: PlatformSession;
  local: LocalConnections;
  whenReady(): Promise<void>;
  log: Log;
}

/** A document changed through an editor: browsers of that collection refresh. */
export interface DocumentChange {
  refKey: string;
  db: string;
  collection: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A short, path-safe name for an editor tab: the ObjectId's hex, the string or number itself. */
function labelOf(id: string | undefined): string {
  if (id === undefined) return 'new document';
  let label = id;
  try {
    const value = JSON.parse(id) as unknown;
    if (typeof value === 'string') label = value;
    else if (value && typeof value === 'object') label = String(Object.values(value as Record<string, unknown>)[0] ?? id);
  } catch {
    /* keep the text */
  }
  return label.replace(/[/\\\n\r\t]/g, '_').slice(0, 60) || 'document';
}

const safeSegment = (s: string) => s.replace(/[/\\]/g, '_');

/**
 * MongoDB documents as files of their own URI scheme, so a document opens in a real VS Code text
 * editor (search, folding, multi-cursor, undo, JSON validation) and Save writes it back:
 * `ogelbase-mongodb:/<db>/<collection>/<id>.json?ref=…&db=…&collection=…&id=…`. Reading gives canonical Extended JSON
 * (getDocument: every BSON type spelled out); saving is replaceDocument with the text as read, so a
 * document changed by someone else meanwhile is refused (conflict) instead of overwritten, and an
 * Extended JSON mistake is marked at its line. A new document (`new=`) is inserted on its first save.
 * The URI carries the database's persisted identity (ids only), so editors reopen after a reload.
 */
export class MongoDocumentFiles implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly changes = new vscode.EventEmitter<DocumentChange>();
  /** Fires after a save or insert from an editor. */
  readonly onDidChangeDocument = this.changes.event;
  private readonly documents = new Map<string, OpenDocument>();
  private readonly refs = new Map<string, DatabaseRef>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('OgelBase MongoDB');
  private newCount = 0;

  constructor(private readonly deps: DocumentFilesDeps) {}

  /** The URI of a stored document (`id`), or of a new one to insert (`template`). */
  uri(ref: DatabaseRef, db: string, collection: string, id: string | undefined): vscode.Uri {
    this.refs.set(refKey(ref), ref);
    const query = new URLSearchParams({ ref: JSON.stringify(persistRef(ref)), db, collection });
    if (id === undefined) query.set('new', String(++this.newCount));
    else query.set('id', id);
    return vscode.Uri.from({ scheme: MONGO_DOCUMENT_SCHEME, path: `/${safeSegment(db)}/${safeSegment(collection)}/${labelOf(id)}.json`, query: query.toString() });
  }

  /** Opens a stored document in an editor beside the browser. */
  async open(ref: DatabaseRef, db: string, collection: string, id: string): Promise<void> {
    const uri = this.uri(ref, db, collection, id);
    const known = this.documents.get(uri.toString());
    if (known) {
      // VS Code may still hold the text it read before (a closed editor's model lives on): the entry
      // keeps what that text was read from, so a save stays conflict-checked, and the text is read
      // again from the database (a model without unsaved changes reloads on this event).
      known.mtime = Date.now();
      this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    } else this.documents.set(uri.toString(), { ref, db, collection, id, mtime: Date.now(), size: 0 });
    await this.show(uri);
  }

  /** Opens an editor on a new document; its first save inserts it. */
  async openNew(ref: DatabaseRef, db: string, collection: string, template: string): Promise<void> {
    const uri = this.uri(ref, db, collection, undefined);
    this.documents.set(uri.toString(), { ref, db, collection, template, mtime: Date.now(), size: template.length });
    await this.show(uri);
  }

  private async show(uri: vscode.Uri): Promise<void> {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  }

  /** The document behind a URI: known in this window, or found again from the URI after a reload. */
  private async entry(uri: vscode.Uri): Promise<OpenDocument> {
    const known = this.documents.get(uri.toString());
    if (known) return known;
    const query = new URLSearchParams(uri.query);
    const db = query.get('db');
    const collection = query.get('collection');
    let persisted: unknown;
    try {
      persisted = JSON.parse(query.get('ref') ?? 'null');
    } catch {
      persisted = null;
    }
    const parsed = PersistedDatabaseSchema.safeParse(persisted);
    if (!parsed.success || !db || !collection) throw vscode.FileSystemError.FileNotFound(uri);
    await this.deps.whenReady();
    const key = parsed.data.scope === 'local' ? `local|${parsed.data.localId}` : `platform|${parsed.data.platformUrl}|${parsed.data.databaseId}`;
    const ref = this.refs.get(key) ?? (await resolvePersisted(parsed.data, this.deps.session, this.deps.local));
    const id = query.get('id') ?? undefined;
    const entry: OpenDocument = { ref, db, collection, id, template: id === undefined ? '{\n  \n}\n' : undefined, mtime: Date.now(), size: 0 };
    this.documents.set(uri.toString(), entry);
    return entry;
  }

  private call(entry: OpenDocument) {
    return this.deps.access.operations<MongoOperations>(entry.ref);
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    // `/<db>` and `/<db>/<collection>` (what VS Code's writeFile checks before writing a document) are folders.
    if (!uri.path.endsWith('.json')) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0, permissions: vscode.FilePermission.Readonly };
    const entry = await this.entry(uri);
    return {
      type: vscode.FileType.File,
      ctime: entry.mtime,
      mtime: entry.mtime,
      size: entry.size,
      ...(refReadOnly(entry.ref) ? { permissions: vscode.FilePermission.Readonly } : {}),
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const entry = await this.entry(uri);
    if (entry.id === undefined) return encoder.encode(entry.template ?? '{}\n');
    const { document } = await this.call(entry)('getDocument', { db: entry.db, collection: entry.collection, id: entry.id });
    entry.expected = document;
    entry.size = document.length;
    return encoder.encode(`${document}\n`);
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const entry = await this.entry(uri);
    const name = `${entry.db}.${entry.collection}`;
    if (refReadOnly(entry.ref)) throw vscode.FileSystemError.NoPermissions(`${refName(entry.ref)} is read-only: ${name} cannot be changed from here`);
    const text = decoder.decode(content);
    const call = this.call(entry);
    const ns = { db: entry.db, collection: entry.collection };
    try {
      if (entry.id === undefined) {
        entry.id = (await call('insertDocument', { ...ns, document: text })).insertedId;
        this.deps.log.info(`[mongodb] inserted a document into ${name}`);
      } else {
        await call('replaceDocument', { ...ns, id: entry.id, document: text, expected: entry.expected });
        this.deps.log.info(`[mongodb] saved a document of ${name}`);
      }
    } catch (error) {
      this.mark(uri, error);
      throw new Error((error as Error).message, { cause: error });
    }
    this.diagnostics.delete(uri);
    // What is stored now (the server may have put _id first, or added it): the next save compares with this.
    entry.expected = (await call('getDocument', { ...ns, id: entry.id })).document;
    entry.mtime = Date.now();
    entry.size = content.length;
    this.emitter.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    this.changes.fire({ refKey: refKey(entry.ref), ...ns });
  }

  /** An Extended JSON mistake reported "at line L, column C" is marked there in the editor. */
  private mark(uri: vscode.Uri, error: unknown): void {
    const message = (error as Error).message;
    const at = /at line (\d+), column (\d+)/.exec(message);
    if (!at) return this.diagnostics.delete(uri);
    const position = new vscode.Position(Number(at[1]) - 1, Math.max(0, Number(at[2]) - 1));
    const diagnostic = new vscode.Diagnostic(new vscode.Range(position, position.translate(0, 1)), message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'MongoDB';
    this.diagnostics.set(uri, [diagnostic]);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(`${uri.path}: delete documents from the document browser (it asks first)`);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  dispose(): void {
    this.emitter.dispose();
    this.changes.dispose();
    this.diagnostics.dispose();
  }
}
