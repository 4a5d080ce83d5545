/**
 * Parameters and results of the MongoDB engine's operations. Everything here is plain JSON: the
 * extension calls the engine directly or through the companion server, and both must see the same
 * shapes. Filters, projections, sorts, keys and documents travel as Extended JSON text.
 */

/** A JSON object as it crosses the wire (documents are relaxed Extended JSON, see ejson.ts). */
export type JsonObject = Record<string, unknown>;

/**
 * Defaults and hard caps. The zod schemas (operations.ts) reject values past a cap with a message;
 * the engine clamps to the same caps too, because the extension may call it without the schemas.
 */
export const MONGO_LIMITS = {
  pageSize: { default: 20, max: 500 },
  skip: { max: 100_000_000 },
  sampleSize: { default: 1000, max: 10_000 },
  /** Per read (maxTimeMS). The engine also keeps every value under the client's socket timeout. */
  findTimeMs: { default: 15_000, max: 120_000 },
  countTimeMs: { default: 40_000, max: 600_000 },
  explainTimeMs: { default: 30_000, max: 300_000 },
  sampleTimeMs: { default: 30_000, max: 120_000 },
  /** listCollections: entries returned, and how many collections get an estimated count. */
  collections: { default: 1000, max: 10_000, estimated: 100 },
  /** Extended JSON text: a filter/projection/sort/keys, and a whole document (BSON caps it at 16 MiB). */
  queryTextChars: 64 * 1024,
  documentTextChars: 24 * 1024 * 1024,
  /** A document larger than this (BSON bytes) is shown with its biggest fields replaced by markers. */
  displayDocumentBytes: 256 * 1024,
  /** Schema sampling walks at most this deep and reports at most this many paths. */
  schemaDepth: 8,
  schemaFields: 1000,
  schemaArrayElements: 50,
} as const;

export interface MongoEngineOptions {
  /** Every write method throws EngineError('read_only') before reaching the server. */
  readOnly?: boolean;
  /** Accept $where, $function and $accumulator in filters, projections and sorts (off by default). */
  serverJavaScript?: boolean;
}

/** Names one collection (or view, or time-series collection). */
export interface Namespace {
  db: string;
  collection: string;
}

export interface ServerInfo {
  version: string;
  topology: 'standalone' | 'replicaSet' | 'sharded';
  maxWireVersion: number;
  /** Replica set name, when the server is a member of one. */
  setName?: string;
}

export interface DatabaseInfo {
  name: string;
  sizeOnDisk: number;
  empty: boolean;
}

export interface CollectionInfo {
  name: string;
  type: 'collection' | 'view' | 'timeseries';
  /** Views: the collection they read from, and their pipeline (relaxed Extended JSON). */
  viewOn?: string;
  pipeline?: unknown[];
  /** Time-series collections: timeField, metaField, granularity... */
  timeseries?: JsonObject;
  capped?: boolean;
  /** Collections only, from metadata (estimatedDocumentCount), for the first ones listed. */
  estimatedCount?: number;
}

export interface ListCollectionsResult {
  collections: CollectionInfo[];
  /** More collections exist than `limit`; the list holds the first ones the server returned. */
  truncated: boolean;
}

export interface FindPageParams extends Namespace {
  /** Extended JSON text; empty means every document. */
  filter?: string;
  projection?: string;
  sort?: string;
  skip?: number;
  limit?: number;
  maxTimeMS?: number;
  /** The `next` token of the previous page: this page starts after it (keyset paging). */
  after?: string;
  /** false: without a sort, natural order paged by skip (views, time-series); default: `_id` order, by key. */
  keyset?: boolean;
  /** `canonical` keeps every number's BSON type ({"$numberInt": "3"}); default `relaxed`. */
  format?: 'relaxed' | 'canonical';
}

export interface FindPageResult {
  /** Relaxed Extended JSON, for display (big integers stay {"$numberLong": "…"} so no digit is lost). */
  documents: JsonObject[];
  /** Each document's `_id` as canonical Extended JSON text (for getDocument, replace, delete), or null. */
  ids: (string | null)[];
  /** Indexes into `documents` of those shown with big fields replaced by {"$truncated": …} markers. */
  truncated: number[];
  hasMore: boolean;
  /**
   * How to ask for the next page: `keyset` with `after: next`; `skip` with skip = the documents
   * already shown (natural order, or a sort key that runs into an array).
   */
  paging: 'keyset' | 'skip';
  /** The token of the last document, for `after` (only when hasMore and paging is keyset). */
  next?: string;
  /** Only without a filter: the collection's count from metadata, answered at once. */
  estimatedCount?: number;
}

export interface FilterParams extends Namespace {
  filter?: string;
}

export interface CountParams extends FilterParams {
  maxTimeMS?: number;
}

export interface DocumentIdParams extends Namespace {
  /** The `_id` as canonical Extended JSON text, e.g. {"$oid":"…"} or "name" or {"$numberLong":"5"}. */
  id: string;
}

export interface InsertDocumentParams extends Namespace {
  /** The whole document as canonical Extended JSON text. */
  document: string;
}

export interface ReplaceDocumentParams extends DocumentIdParams {
  document: string;
  /** The document as it was read (getDocument's text): the replace fails with `conflict` when it changed since. */
  expected?: string;
}

export interface DeleteManyParams extends Namespace {
  filter: string;
  /** The count the user confirmed; the delete is refused when the current count differs. */
  expectedCount: number;
}

export interface IndexInfo {
  name: string;
  keys: JsonObject;
  unique: boolean;
  sparse: boolean;
  hidden?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: JsonObject;
  /** Bytes on disk (collStats indexSizes), when the server told. */
  size?: number;
  /** Operations that used the index since `since` ($indexStats; per mongod since its start), when the server told. */
  usage?: { ops: number; since: string };
}

export interface CreateIndexParams extends Namespace {
  /** Extended JSON text such as {"email": 1} or {"location": "2dsphere"}. */
  keys: string;
  unique?: boolean;
  sparse?: boolean;
  name?: string;
  expireAfterSeconds?: number;
}

export interface ExplainParams extends Namespace {
  filter?: string;
  sort?: string;
  projection?: string;
  verbosity?: 'queryPlanner' | 'executionStats';
}

export interface ExplainSummary {
  /** Every stage of the winning plan, outermost first. */
  stages: string[];
  /** The stage that reads the data: COLLSCAN, IXSCAN, IDHACK, EXPRESS_IXSCAN... */
  winningStage?: string;
  indexName?: string;
  /** executionStats only. */
  docsExamined?: number;
  keysExamined?: number;
  returned?: number;
  executionTimeMillis?: number;
}

export interface ExplainResult {
  summary: ExplainSummary;
  /** The server's explain output, as relaxed Extended JSON. */
  plan: JsonObject;
}

export interface SampleSchemaParams extends Namespace {
  size?: number;
}

export interface SchemaField {
  /** Dotted path; `[]` marks the elements of an array (`tags[]`, `items[].price`). */
  path: string;
  /** Sampled documents that have a value at this path. */
  count: number;
  /** count / sampled. */
  share: number;
  /** BSON type alias ($type names: string, int, long, double, decimal, objectId, date...) to documents. */
  types: Record<string, number>;
}

export interface SampleSchemaResult {
  sampled: number;
  fields: SchemaField[];
  /** Some paths were left out (too deep or too many). */
  truncated: boolean;
}

export interface CollectionStats {
  count?: number;
  size?: number;
  avgObjSize?: number;
  storageSize?: number;
  nindexes?: number;
  totalIndexSize?: number;
  indexSizes?: Record<string, number>;
  capped?: boolean;
}
