import * as vscode from 'vscode';
import { EngineError } from '../../core/engines/errors';
import type { MongoOperations } from '../../core/engines/mongodb/operations';
import {
  CopyText, CountDocuments, CreateIndex, DeleteDocuments, DeleteMatching, DocumentsChanged, DropIndex, Explain, FieldNames, FindPage, ListCollections,
  ListDatabases, ListIndexes, Navigate, NewDocument, OpenDocument, QueryHistory, SampleSchema, SaveView, type DocTarget, type MongoDocumentsInit,
} from '../../webviews/protocol/mongo-documents';
import { refName, refReadOnly } from '../access/database-ref';
import { withProgress } from '../commands/support';
import type { InspectorDefinition, InspectorHost, InspectorSession } from '../webviews/inspector';
import { refKey } from '../webviews/persisted-ref';
import type { DocumentBrowserMemory } from './browser-memory';
import type { MongoDocumentFiles } from './document-files';
import { withoutId } from './document-text';

export interface DocumentBrowserDeps {
  files: MongoDocumentFiles;
  memory: DocumentBrowserMemory;
}

const PAGE_SIZES = [10, 20, 50, 100, 200, 500];
/** Field names for completion come from this many sampled documents, kept this long. */
const FIELD_SAMPLE = 200;
const FIELD_CACHE_MS = 60_000;

const refused = () => new EngineError('cancelled', 'cancelled: nothing was changed');
/** Writes on a read-only database are refused before anyone is asked to confirm them (DatabaseAccess and the platform refuse them too). */
function writable(ref: InspectorHost<DocTarget>['ref'], what: string): void {
  if (refReadOnly(ref)) throw new EngineError('read_only', `${refName(ref)} is read-only: ${what} is not allowed`);
}
const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : `${one}s`}`;

/**
 * The MongoDB document browser: one panel per database (InspectorPanels), its collection chosen
 * inside. Every request runs an operation of the engine's table through DatabaseAccess (directly
 * or through the platform, which enforces roles and read-only); destructive ones are confirmed
 * here, on the host, with a modal that says how much they touch: the webview is never trusted to
 * have asked.
 */
export function documentBrowser(deps: DocumentBrowserDeps): InspectorDefinition<DocTarget> {
  return {
    viewType: 'ogelbase.mongoDocuments',
    bundle: 'mongo-documents',
    engine: 'mongodb',
    title: (ref) => `Documents: ${refName(ref)}`,
    attach: (host) => new DocumentBrowserSession(host, deps),
  };
}

class DocumentBrowserSession implements InspectorSession<DocTarget> {
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly fieldCache = new Map<string, { at: number; fields: string[] }>();

  constructor(
    private readonly host: InspectorHost<DocTarget>,
    private readonly deps: DocumentBrowserDeps,
  ) {
    const call = host.access.operations<MongoOperations>(host.ref);
    const d = host.dispatcher;
    const { ref } = host;
    d.onRequest(ListDatabases, (_p, { signal }) => call('listDatabases', {}, signal));
    d.onRequest(ListCollections, (p, { signal }) => call('listCollections', { db: p.db }, signal));
    d.onRequest(FindPage, async (p, { signal }) => {
      const { remember, keyset, after, total, ...q } = p;
      const page = await call('findPage', { ...q, ...(after === undefined ? {} : { after }), keyset, format: 'canonical', skip: after === undefined ? q.skip : 0 }, signal);
      if (remember) void deps.memory.remember(ref, p.db, p.collection, { filter: p.filter, projection: p.projection, sort: p.sort, skip: p.skip, limit: total });
      return page;
    });
    d.onRequest(CountDocuments, (p, { signal }) => call('countDocuments', p, signal));
    d.onRequest(ListIndexes, (p, { signal }) => call('listIndexes', p, signal));
    d.onRequest(Explain, (p, { signal }) => call('explain', { ...p, verbosity: 'executionStats' }, signal));
    d.onRequest(SampleSchema, (p, { signal }) => call('sampleSchema', p, signal));
    d.onRequest(QueryHistory, (p) => ({ entries: deps.memory.history(ref, p.db, p.collection) }));
    d.onRequest(FieldNames, (p, { signal }) => this.fieldNames(p.db, p.collection, signal));
    d.onRequest(OpenDocument, async (p) => {
      await deps.files.open(ref, p.db, p.collection, p.id);
      return { opened: true };
    });
    d.onRequest(NewDocument, async (p, { signal }) => {
      writable(ref, 'inserting a document');
      await deps.files.openNew(ref, p.db, p.collection, p.from === undefined ? '{\n  \n}\n' : await this.copyOf(p.db, p.collection, p.from, signal));
      return { opened: true };
    });
    d.onRequest(DeleteDocuments, async (p, { signal }) => {
      writable(ref, 'deleting documents');
      const what = p.ids.length === 1 ? `the document with _id ${p.ids[0]}` : plural(p.ids.length, 'document');
      const answer = await host.prompts().confirm(`Delete ${what} from ${p.db}.${p.collection}?`, 'This cannot be undone.', 'Delete');
      if (answer !== 'Delete') throw refused();
      let deleted = 0;
      for (const id of p.ids) {
        if (signal.aborted) break;
        deleted += (await call('deleteDocument', { db: p.db, collection: p.collection, id }, signal)).deleted;
      }
      host.log.info(`[mongodb] deleted ${plural(deleted, 'document')} from ${p.db}.${p.collection}`);
      return { deleted };
    });
    d.onRequest(DeleteMatching, (p, { signal }) => {
      writable(ref, 'deleting documents');
      return this.deleteMatching(p.db, p.collection, p.filter, signal);
    });
    d.onRequest(CreateIndex, async (p, { signal }) => {
      writable(ref, 'creating an index');
      const flags = [p.unique && 'unique', p.sparse && 'sparse', p.expireAfterSeconds !== undefined && `expiring after ${p.expireAfterSeconds} s`].filter(Boolean).join(', ');
      const detail = `Keys ${p.keys}${flags ? ` (${flags})` : ''}. Building an index reads the whole collection and takes locks for a moment; on a large collection it can take a while.`;
      if ((await host.prompts().confirm(`Create an index on ${p.db}.${p.collection}?`, detail, 'Create Index')) !== 'Create Index') throw refused();
      return call('createIndex', { ...p, name: p.name, expireAfterSeconds: p.expireAfterSeconds }, signal);
    });
    d.onRequest(DropIndex, async (p, { signal }) => {
      writable(ref, 'dropping an index');
      const detail = 'Queries that use it will scan instead, until it is built again.';
      if ((await host.prompts().confirm(`Drop the index ${p.name} of ${p.db}.${p.collection}?`, detail, 'Drop Index')) !== 'Drop Index') throw refused();
      return call('dropIndex', p, signal);
    });
    d.onCommand(SaveView, (view) => deps.memory.saveView(ref, view));
    d.onCommand(CopyText, (p) => vscode.env.clipboard.writeText(p.text));
    this.subscriptions.push(
      deps.files.onDidChangeDocument((change) => {
        if (change.refKey === refKey(ref)) d.notify(DocumentsChanged, { db: change.db, collection: change.collection });
      }),
    );
  }

  async init(): Promise<MongoDocumentsInit> {
    return { target: this.host.target, lastView: this.deps.memory.lastView(this.host.ref), pageSizes: PAGE_SIZES, defaultPageSize: 20 };
  }

  navigate(target: DocTarget): void {
    this.host.dispatcher.notify(Navigate, target);
  }

  /** A document's text without its _id: the template of "Duplicate". */
  private async copyOf(db: string, collection: string, id: string, signal: AbortSignal): Promise<string> {
    const { document } = await this.host.access.operations<MongoOperations>(this.host.ref)('getDocument', { db, collection, id }, signal);
    return `${withoutId(document)}\n`;
  }

  private async fieldNames(db: string, collection: string, signal: AbortSignal): Promise<{ fields: string[] }> {
    const key = `${db}.${collection}`;
    const cached = this.fieldCache.get(key);
    if (cached && Date.now() - cached.at < FIELD_CACHE_MS) return { fields: cached.fields };
    const schema = await this.host.access.operations<MongoOperations>(this.host.ref)('sampleSchema', { db, collection, size: FIELD_SAMPLE }, signal);
    const fields = [...new Set(schema.fields.map((f) => f.path.replace(/\[\]/g, '')).filter(Boolean))].slice(0, 1000);
    this.fieldCache.set(key, { at: Date.now(), fields });
    return { fields };
  }

  /**
   * Delete-many: the exact count first (progress with Cancel, the server-side count stopped on
   * cancel), then a confirmation that names it, then deleteMany with that count as the expected
   * one (the engine refuses when the filter matches a different number by then).
   */
  private async deleteMatching(db: string, collection: string, filter: string, signal: AbortSignal): Promise<{ deleted: number; counted: number }> {
    const call = this.host.access.operations<MongoOperations>(this.host.ref);
    const counted = await withProgress(`Counting the documents of ${db}.${collection} that match`, (progressSignal) => {
      const both = AbortSignal.any([signal, progressSignal]);
      return call('countDocuments', { db, collection, filter }, both).then((r) => r.count);
    }).catch((error: unknown) => {
      throw error instanceof vscode.CancellationError ? refused() : error;
    });
    if (counted === 0) return { deleted: 0, counted };
    const scope = filter.trim() ? `matching ${filter.trim()}` : 'that is, every document of the collection';
    const answer = await this.host.prompts().confirm(`Delete ${plural(counted, 'document')} from ${db}.${collection}?`, `All ${plural(counted, 'document')} ${scope}. This cannot be undone.`, 'Delete');
    if (answer !== 'Delete') throw refused();
    const { deleted } = await call('deleteMany', { db, collection, filter, expectedCount: counted }, signal);
    this.host.log.info(`[mongodb] deleted ${plural(deleted, 'document')} of ${db}.${collection} matching a filter`);
    return { deleted, counted };
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
