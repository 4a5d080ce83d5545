// The operation table's types reach into the MongoDB driver's typings, which use Node's types
// without referencing them (ioredis' do): this brings them into the webview type-check only. No
// Node code reaches the bundle: these are type imports, and ESLint refuses `node:*` in webviews.
/// <reference types="node" />
import * as z from 'zod/mini';
import type { MongoOperations } from '../../core/engines/mongodb/operations';
import type { ResultOf } from '../../core/engines/operations';
import { command, notification, readyRequest, request } from './base';

/*
 * The MongoDB document browser's messages (host: src/host/mongodb/document-browser.ts, webview:
 * src/webviews/mongo-documents/). Shapes and bounds are checked here; the engine's operation table
 * then checks the meaning (Extended JSON, caps) on either path, direct or through the platform.
 */

type Mongo<K extends keyof MongoOperations> = ResultOf<MongoOperations, K>;

const KiB = 1024;
const str = (max: number) => z.string().check(z.maxLength(max));
const name = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));
/** Extended JSON or mongosh-style text of a filter, projection or sort (the engine caps it at 64 KiB). */
const queryText = str(64 * KiB);
/** A document's `_id` as canonical Extended JSON text. */
const idText = name(16 * KiB);
const Namespace = { db: name(64), collection: name(255) };

/** Where a panel opens or navigates: a database, and a collection of it when one was clicked. */
export interface DocTarget {
  db: string;
  collection?: string;
}

/** The query bar as typed (text, not parsed: the engine parses it and reports mistakes by position). */
export interface QueryText {
  filter: string;
  projection: string;
  sort: string;
  /** Documents to pass over before the first one shown. */
  skip: number;
  /** At most this many documents in all (0: no limit); pages stop there. */
  limit: number;
}
export const QueryTextSchema = z.strictObject({ filter: queryText, projection: queryText, sort: queryText, skip: int(0, 100_000_000), limit: int(0, 100_000_000) });

export type ResultsView = 'table' | 'tree';
export type BrowserTab = 'documents' | 'indexes' | 'explain' | 'schema';

/** What the host keeps of a panel between closing and reopening it (per database). */
export interface SavedView {
  db: string;
  collection: string;
  query: QueryText;
  view: ResultsView;
  tab: BrowserTab;
  pageSize: number;
}
export const SavedViewSchema = z.strictObject({
  ...Namespace,
  query: QueryTextSchema,
  view: z.enum(['table', 'tree']),
  tab: z.enum(['documents', 'indexes', 'explain', 'schema']),
  pageSize: int(1, 500),
});

export interface MongoDocumentsInit {
  /** Where the panel was opened (first handshake only): a collection clicked in the tree. */
  target?: DocTarget;
  /** The view this database's panel had when it was last closed. */
  lastView?: SavedView;
  /** Page sizes offered, and the default. */
  pageSizes: number[];
  defaultPageSize: number;
}

export const Ready = readyRequest<MongoDocumentsInit>();

export const ListDatabases = request<Mongo<'listDatabases'>>()('mongo/listDatabases', z.strictObject({}));
export const ListCollections = request<Mongo<'listCollections'>>()('mongo/listCollections', z.strictObject({ db: name(64) }));

/** One page: the first (no `after`), or the one after a page's `next` token (or at `skip`, when it said so). */
export const FindPage = request<Mongo<'findPage'>>()(
  'mongo/findPage',
  z.strictObject({
    ...Namespace,
    filter: queryText,
    projection: queryText,
    sort: queryText,
    skip: int(0, 100_000_000),
    limit: int(1, 500),
    after: z.optional(str(64 * KiB)),
    /** false: natural order by skip (views and time-series collections without a sort). */
    keyset: z.boolean(),
    /** Record the query in the collection's history (the first page of a query the user ran). */
    remember: z.boolean(),
    /** The query's own limit (0: none), kept in the history with it. */
    total: int(0, 100_000_000),
  }),
);

/** The exact count of a filter; cancelling it (lane `count`) stops the server-side operation too. */
export const CountDocuments = request<Mongo<'countDocuments'>>()('mongo/count', z.strictObject({ ...Namespace, filter: queryText }));

/** Opens one document in a VS Code editor (canonical Extended JSON; saving writes it back). */
export const OpenDocument = request<{ opened: boolean }>()('mongo/openDocument', z.strictObject({ ...Namespace, id: idText }));
/** Opens an editor on a new document: an empty template, or a copy of `from` without its _id; saving inserts it. */
export const NewDocument = request<{ opened: boolean }>()('mongo/newDocument', z.strictObject({ ...Namespace, from: z.optional(idText) }));
/** Deletes documents by _id after the host's confirmation naming how many; a refused confirmation answers `cancelled`. */
export const DeleteDocuments = request<{ deleted: number }>()('mongo/deleteDocuments', z.strictObject({ ...Namespace, ids: z.array(idText).check(z.minLength(1), z.maxLength(500)) }));
/** Counts what the filter matches (progress with Cancel), confirms with that count, then deletes exactly those. */
export const DeleteMatching = request<{ deleted: number; counted: number }>()('mongo/deleteMatching', z.strictObject({ ...Namespace, filter: queryText }));

export const ListIndexes = request<Mongo<'listIndexes'>>()('mongo/listIndexes', z.strictObject(Namespace));
/** Creates an index after the host's confirmation. */
export const CreateIndex = request<Mongo<'createIndex'>>()(
  'mongo/createIndex',
  z.strictObject({
    ...Namespace,
    keys: name(4 * KiB),
    name: z.optional(name(128)),
    unique: z.boolean(),
    sparse: z.boolean(),
    expireAfterSeconds: z.optional(int(0, 2_147_483_647)),
  }),
);
/** Drops an index after the host's confirmation naming it. */
export const DropIndex = request<Mongo<'dropIndex'>>()('mongo/dropIndex', z.strictObject({ ...Namespace, name: name(128) }));

export const Explain = request<Mongo<'explain'>>()('mongo/explain', z.strictObject({ ...Namespace, filter: queryText, projection: queryText, sort: queryText }));
export const SampleSchema = request<Mongo<'sampleSchema'>>()('mongo/sampleSchema', z.strictObject({ ...Namespace, size: int(1, 10_000) }));
/** Field paths for completion in the query bar, from a small sample (cached by the host per collection). */
export const FieldNames = request<{ fields: string[] }>()('mongo/fieldNames', z.strictObject(Namespace));
/** The collection's recent queries, newest first. */
export const QueryHistory = request<{ entries: QueryText[] }>()('mongo/history', z.strictObject(Namespace));

/** The panel's current view, kept by the host so closing and reopening the panel comes back to it. */
export const SaveView = command('mongo/saveView', SavedViewSchema);
/** Puts text on the clipboard (a document as Extended JSON). */
export const CopyText = command('mongo/copy', z.strictObject({ text: str(24 * 1024 * KiB) }));

/** Host → webview: the panel was opened again on another collection. */
export const Navigate = notification<DocTarget>()('mongo/navigate');
/** Host → webview: a document of this collection was saved, inserted or deleted from an editor. */
export const DocumentsChanged = notification<{ db: string; collection: string }>()('mongo/changed');
