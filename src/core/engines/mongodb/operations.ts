import { z } from 'zod';
import { defineOperation, type OperationTable } from '../operations';
import type { MongoEngine } from './engine';
import { MONGO_LIMITS as L } from './types';

/**
 * The MongoDB operation table: each entry becomes `POST /api/platform/databases/{id}/mongodb/{name}`
 * on the companion server, and the extension calls the same names on the engine. The schemas refuse
 * what the engine would clamp, with a message that says the limit.
 */
const op = defineOperation<MongoEngine>();

const db = z.string({ error: 'db must be a string' }).min(1, 'db is required')
  .max(63, 'db is at most 63 characters')
  .refine((s) => !/[/\\. "$\0]/.test(s), 'db cannot contain / \\ . space " $ or NUL');
const collection = z.string({ error: 'collection must be a string' }).min(1, 'collection is required')
  .max(255, 'collection is at most 255 characters')
  .refine((s) => !s.includes('\0') && !s.includes('$'), 'collection cannot contain $ or NUL');
const ns = { db, collection };

/** Extended JSON text of a filter, projection, sort or index keys (parsed and checked by the engine). */
const ejson = (what: string) => z.string({ error: `${what} must be Extended JSON text, e.g. {"name": "value"}` })
  .max(L.queryTextChars, `${what} is longer than ${L.queryTextChars / 1024} KiB`);
const documentText = z.string({ error: 'document must be canonical Extended JSON text' }).min(1, 'document is required')
  .max(L.documentTextChars, 'document is longer than 24 MiB of text (a BSON document is at most 16 MiB)');
const idText = z.string({ error: 'id must be the _id as canonical Extended JSON text, e.g. {"$oid": "…"}' }).min(1, 'id is required')
  .max(16 * 1024, 'id is longer than 16 KiB');
const int = (what: string, min: number, max: number) => z.number({ error: `${what} must be a number` })
  .int(`${what} must be a whole number`).min(min, `${what} is at least ${min}`).max(max, `${what} is at most ${max}`);

const none = z.object({}).strict();

export const mongoOperations = {
  serverInfo: op({ kind: 'read', summary: 'Server version, topology and wire version', params: none, run: (e, _p, c) => e.serverInfo(c) }),
  listDatabases: op({ kind: 'read', summary: 'Databases with their size on disk', params: none, run: (e, _p, c) => e.listDatabases(c) }),
  listCollections: op({
    kind: 'read',
    summary: 'Collections, views and time-series collections of a database, with estimated counts',
    params: z.object({ db, limit: int('limit', 1, L.collections.max).optional() }).strict(),
    run: (e, p, c) => e.listCollections(p, c),
  }),
  findPage: op({
    kind: 'read',
    summary: 'One page of documents (filter, projection, sort, skip, limit) as Extended JSON; the next page by key (after)',
    params: z.object({
      ...ns, filter: ejson('filter').optional(), projection: ejson('projection').optional(), sort: ejson('sort').optional(),
      skip: int('skip', 0, L.skip.max).optional(),
      limit: int('limit', 1, L.pageSize.max).default(L.pageSize.default),
      maxTimeMS: int('maxTimeMS', 1, L.findTimeMs.max).optional(),
      after: ejson('after').min(2, 'after is the next token of the previous page').optional(),
      keyset: z.boolean({ error: 'keyset must be true or false' }).optional(),
      format: z.enum(['relaxed', 'canonical'], { error: 'format is relaxed or canonical' }).optional(),
    }).strict(),
    run: (e, p, c) => e.findPage(p, c),
  }),
  countDocuments: op({
    kind: 'read',
    summary: 'Exact count of the documents matching a filter (cancellable)',
    params: z.object({ ...ns, filter: ejson('filter').optional(), maxTimeMS: int('maxTimeMS', 1, L.countTimeMs.max).optional() }).strict(),
    run: (e, p, c) => e.countDocuments(p, c),
  }),
  getDocument: op({
    kind: 'read',
    summary: 'One document by _id as canonical Extended JSON text, for editing',
    params: z.object({ ...ns, id: idText }).strict(),
    run: (e, p, c) => e.getDocument(p, c),
  }),
  insertDocument: op({
    kind: 'write',
    summary: 'Insert one document (canonical Extended JSON text)',
    params: z.object({ ...ns, document: documentText }).strict(),
    run: (e, p, c) => e.insertDocument(p, c),
  }),
  replaceDocument: op({
    kind: 'write',
    summary: 'Replace the document with this _id, BSON types preserved; refused (409) if it changed since `expected`',
    params: z.object({ ...ns, id: idText, document: documentText, expected: documentText.optional() }).strict(),
    run: (e, p, c) => e.replaceDocument(p, c),
  }),
  deleteDocument: op({
    kind: 'write',
    summary: 'Delete the document with this _id',
    params: z.object({ ...ns, id: idText }).strict(),
    run: (e, p, c) => e.deleteDocument(p, c),
  }),
  deleteMany: op({
    kind: 'write',
    summary: 'Delete every document matching a filter, if as many match as the user confirmed',
    params: z.object({ ...ns, filter: ejson('filter'), expectedCount: int('expectedCount', 0, Number.MAX_SAFE_INTEGER) }).strict(),
    run: (e, p, c) => e.deleteMany(p, c),
  }),
  listIndexes: op({ kind: 'read', summary: 'Indexes of a collection with their sizes and usage ($indexStats)', params: z.object(ns).strict(), run: (e, p, c) => e.listIndexes(p, c) }),
  createIndex: op({
    kind: 'write',
    summary: 'Create an index (keys as Extended JSON text)',
    params: z.object({
      ...ns, keys: ejson('keys').min(2, 'keys is required, e.g. {"email": 1}'),
      unique: z.boolean().optional(), sparse: z.boolean().optional(),
      name: z.string().min(1, 'name cannot be empty').max(128, 'name is at most 128 characters').optional(),
      expireAfterSeconds: int('expireAfterSeconds', 0, 2_147_483_647).optional(),
    }).strict(),
    run: (e, p, c) => e.createIndex(p, c),
  }),
  dropIndex: op({
    kind: 'write',
    summary: 'Drop an index by name (never _id_)',
    params: z.object({ ...ns, name: z.string().min(1, 'name is required').max(128, 'name is at most 128 characters') }).strict(),
    run: (e, p, c) => e.dropIndex(p, c),
  }),
  explain: op({
    kind: 'read',
    summary: 'Query plan of a find, with a summary (winning stage, index, documents examined)',
    params: z.object({
      ...ns, filter: ejson('filter').optional(), sort: ejson('sort').optional(), projection: ejson('projection').optional(),
      verbosity: z.enum(['queryPlanner', 'executionStats'], { error: 'verbosity is queryPlanner or executionStats' }).default('queryPlanner'),
    }).strict(),
    run: (e, p, c) => e.explain(p, c),
  }),
  sampleSchema: op({
    kind: 'read',
    summary: 'Fields and their BSON types from a $sample of the collection',
    params: z.object({ ...ns, size: int('size', 1, L.sampleSize.max).default(L.sampleSize.default) }).strict(),
    run: (e, p, c) => e.sampleSchema(p, c),
  }),
  collectionStats: op({
    kind: 'read',
    summary: 'Count, sizes and index sizes of a collection',
    params: z.object(ns).strict(),
    run: (e, p, c) => e.collectionStats(p, c),
  }),
} satisfies OperationTable<MongoEngine>;

export type MongoOperations = typeof mongoOperations;
