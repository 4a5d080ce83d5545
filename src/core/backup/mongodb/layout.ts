import { createHash } from 'node:crypto';
import { BSON, type Document } from 'mongodb';

/**
 * mongodump's names and metadata, as mongo-tools writes them (mongodump/prepare.go,
 * mongodump/metadata_dump.go, common/archive): so the real `mongorestore` reads what we write.
 */

/** The folder every directory-layout dump lives in (mongorestore's default input). */
export const DUMP_ROOT = 'dump';
export const ARCHIVE_FILE = 'dump.archive';

/** Go's url.QueryEscape: unreserved bytes as they are, space as `+`, everything else `%XX` per UTF-8 byte. */
export function queryEscape(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A collection's file name without extension: the escaped name, or for one that would exceed 255
 * bytes with `.metadata.json.gz`, its first 208 escaped bytes, `%24` and the unpadded base64url
 * of its SHA-1 (mongodump's outputPath).
 */
export function collectionFileBase(collection: string): string {
  const escaped = queryEscape(collection);
  if (escaped.length <= 238) return escaped;
  return `${escaped.slice(0, 208)}%24${createHash('sha1').update(collection, 'utf8').digest('base64url')}`;
}

const gz = (name: string, gzip: boolean) => (gzip ? `${name}.gz` : name);

/** `dump/<db>/<collection>.bson[.gz]` (a time-series collection's data is its buckets collection). */
export const bsonPath = (db: string, dataCollection: string, gzip: boolean) => gz(`${DUMP_ROOT}/${db}/${collectionFileBase(dataCollection)}.bson`, gzip);
export const metadataPath = (db: string, collection: string, gzip: boolean) => gz(`${DUMP_ROOT}/${db}/${collectionFileBase(collection)}.metadata.json`, gzip);
export const preludePath = (gzip: boolean) => gz(`${DUMP_ROOT}/prelude.json`, gzip);

/** mongodump refuses database names with these (util.ValidateDBName); so do we, before they reach a path. */
// eslint-disable-next-line no-control-regex -- NUL is one of the refused characters
export const invalidDbName = (name: string) => name.length === 0 || name.length > 64 || /[/\\. "$*<>:|?\u0000]/.test(name);

/** Collections mongodump leaves out: `system.*` (but system.js), names with `$`. */
export const skippedCollection = (name: string) => (name.startsWith('system.') && name !== 'system.js') || name.includes('$');

export interface CollectionInfo {
  name: string;
  type: 'collection' | 'view' | 'timeseries';
  /** listCollections' `options`, BSON types kept (Int32, Long, Double). */
  options: Document;
  /** info.uuid as 32 hex digits, or empty. */
  uuid: string;
}

/** Where a collection's documents are: itself, or `system.buckets.<name>` for a time series. */
export const dataCollection = (c: Pick<CollectionInfo, 'name' | 'type'>) => (c.type === 'timeseries' ? `system.buckets.${c.name}` : c.name);

/**
 * The `<collection>.metadata.json` document: `options` (left out when empty), `indexes`, `uuid`
 * (left out when unknown), `collectionName`, `type`, in canonical Extended JSON v2 without
 * spaces, as mongodump's Metadata struct marshals it.
 */
export function metadataJson(info: CollectionInfo, indexes: Document[]): string {
  const doc: Document = {};
  if (Object.keys(info.options).length > 0) doc.options = info.options;
  doc.indexes = info.type === 'view' ? [] : indexes;
  if (info.uuid) doc.uuid = info.uuid;
  doc.collectionName = info.name;
  doc.type = info.type;
  return BSON.EJSON.stringify(doc, { relaxed: false });
}

/** The metadata document back, BSON types kept. */
export function parseMetadata(text: string): { options: Document; indexes: Document[]; collectionName?: string; type?: string; uuid?: string } {
  const doc = BSON.EJSON.parse(text, { relaxed: false }) as Document;
  return {
    options: (doc.options as Document | undefined) ?? {},
    indexes: Array.isArray(doc.indexes) ? (doc.indexes as Document[]) : [],
    collectionName: typeof doc.collectionName === 'string' ? doc.collectionName : undefined,
    type: typeof doc.type === 'string' ? doc.type : undefined,
    uuid: typeof doc.uuid === 'string' ? doc.uuid : undefined,
  };
}

/** `prelude.json`: the server and tool versions, as mongodump writes it (Go's json.Marshal of PreludeData). */
export const preludeJson = (serverVersion: string, toolVersion: string) => JSON.stringify({ ServerVersion: serverVersion, ToolVersion: toolVersion });
