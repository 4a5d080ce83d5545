import { BSON, type Collection, type Document, type Filter, type MongoClient } from 'mongodb';
import { EngineError } from '../errors';
import { clamp, maxTimeFor } from './bounds';
import { estimatedCount } from './counts';
import { forDisplay, parseEjsonObject, parseEjsonValue, toCanonicalText } from './ejson';
import { parseQueryObject, type QueryPolicy } from './query-guard';
import { abortable, writing } from './errors';
import { pagePlan } from './keyset';
import { MONGO_LIMITS, type DeleteManyParams, type DocumentIdParams, type FindPageParams, type FindPageResult, type InsertDocumentParams, type Namespace, type ReplaceDocumentParams } from './types';

const NO_JS: QueryPolicy = { serverJavaScript: false };
const collectionOf = (client: MongoClient, ns: Namespace) => client.db(ns.db).collection<Document>(ns.collection);
/** An `_id` may be any BSON value; the driver's Filter type assumes ObjectId. */
const byId = (id: unknown) => ({ _id: id }) as Filter<Document>;

/**
 * One page of documents. The server is asked for limit + 1 documents in one batch (the extra one
 * only tells whether a next page exists), so a page never pulls more than that whatever the
 * collection's size. Without a filter the total comes from metadata, at once; an exact count of a
 * filter is countDocuments, which the UI runs in the background. The next page is asked for with
 * `after: next`, a range on the sort key (keyset.ts), so page 10,000 costs what page 1 costs.
 */
export async function findPage(client: MongoClient, params: FindPageParams, signal?: AbortSignal, policy: QueryPolicy = NO_JS): Promise<FindPageResult> {
  const filter = parseQueryObject(params.filter, 'filter', policy);
  const projection = parseQueryObject(params.projection, 'projection', policy);
  const sort = parseQueryObject(params.sort, 'sort', policy);
  const limit = clamp(params.limit, MONGO_LIMITS.pageSize.default, 1, MONGO_LIMITS.pageSize.max);
  const skip = clamp(params.skip, 0, 0, MONGO_LIMITS.skip.max);
  const maxTimeMS = maxTimeFor(client, params.maxTimeMS, MONGO_LIMITS.findTimeMs);
  const plan = pagePlan({ filter, projection, sort }, params);
  return abortable(client, 'find', signal, async (comment) => {
    const collection = collectionOf(client, params);
    const unfiltered = Object.keys(filter).length === 0 && params.after === undefined;
    // promoteValues: false keeps Int32/Long/Double apart, so ids are exact and big Longs keep every digit.
    const cursor = collection.find(plan.filter, {
      projection: plan.projection, sort: plan.sort, skip, limit: limit + 1, batchSize: limit + 1, maxTimeMS, comment, signal, promoteValues: false, bsonRegExp: true,
    });
    const [raw, estimate] = await Promise.all([cursor.toArray(), unfiltered ? estimatedCount(collection, comment, signal) : undefined]);
    const page = raw.slice(0, limit);
    const next = raw.length > limit ? plan.token(page.at(-1)!) : undefined;
    plan.tidy(page);
    const shown = page.map((d) => forDisplay(d, params.format));
    return {
      documents: shown.map((s) => s.document),
      ids: page.map((d) => (d._id === undefined ? null : toCanonicalText(d._id))),
      truncated: shown.flatMap((s, i) => (s.truncated ? [i] : [])),
      hasMore: raw.length > limit,
      paging: next === undefined ? 'skip' : 'keyset',
      ...(next === undefined ? {} : { next }),
      ...(estimate === undefined ? {} : { estimatedCount: estimate }),
    };
  });
}

/** The whole document as canonical Extended JSON text, for an editor: every BSON type spelled out. */
export async function getDocument(client: MongoClient, params: DocumentIdParams, signal?: AbortSignal): Promise<{ document: string }> {
  const id = parseEjsonValue(params.id, 'id');
  return abortable(client, 'get', signal, async (comment) => {
    const doc = await collectionOf(client, params).findOne(byId(id), { promoteValues: false, bsonRegExp: true, comment, signal, maxTimeMS: MONGO_LIMITS.findTimeMs.default });
    if (!doc) throw new EngineError('not_found', `MongoDB: no document with _id ${params.id} in ${params.db}.${params.collection} (it may have been deleted)`);
    return { document: toCanonicalText(doc, 2) };
  });
}

export async function insertDocument(client: MongoClient, params: InsertDocumentParams, signal?: AbortSignal): Promise<{ insertedId: string }> {
  const document = parseEjsonObject(params.document, 'document', { required: true });
  return writing(signal, async () => {
    const result = await collectionOf(client, params).insertOne(document);
    return { insertedId: toCanonicalText(result.insertedId) };
  });
}

/**
 * Replaces the document with this _id by `document` (canonical Extended JSON, as getDocument gave
 * it, edited), so every BSON type the user did not touch is written back as it was. With
 * `expected` (the text getDocument gave when the editor opened), the replace happens only if the
 * stored document still equals it (one atomic replaceOne whose filter compares $$ROOT), and
 * otherwise fails with `conflict`: an edit never silently overwrites someone else's.
 */
export async function replaceDocument(client: MongoClient, params: ReplaceDocumentParams, signal?: AbortSignal): Promise<{ modified: boolean }> {
  const id = parseEjsonValue(params.id, 'id');
  const document = parseEjsonObject(params.document, 'document', { required: true });
  const expected = params.expected === undefined ? undefined : parseEjsonObject(params.expected, 'expected', { required: true });
  return writing(signal, async () => {
    const collection = collectionOf(client, params);
    const result = await collection.replaceOne(await unchangedSince(collection, id, expected, document), document);
    if (result.matchedCount === 0) {
      if (expected && (await collection.countDocuments(byId(id), { limit: 1 })) > 0) {
        throw new EngineError('conflict', `MongoDB: the document with _id ${params.id} changed since it was opened, so nothing was saved; reopen it to see the current version and edit again`);
      }
      throw new EngineError('not_found', `MongoDB: no document with _id ${params.id} to replace (it may have been deleted)`);
    }
    return { modified: result.modifiedCount > 0 };
  });
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

/** Past this, the filter and the replacement together could pass the 16 MiB limit of one statement. */
const ATOMIC_CHECK_BYTES = 7 * 1024 * 1024;

/**
 * The replace filter: the _id, and when `expected` is given, the stored document equal to it
 * ($literal: its field names and values are data, never operators). A document too big to send
 * twice is read and compared byte for byte first; between that read and the write another writer
 * could still slip in, which the atomic filter rules out for every other size.
 */
async function unchangedSince(collection: Collection<Document>, id: unknown, expected: Document | undefined, document: Document): Promise<Filter<Document>> {
  if (!expected) return byId(id);
  if (BSON.calculateObjectSize(expected) + BSON.calculateObjectSize(document) <= ATOMIC_CHECK_BYTES) {
    return { _id: id, $expr: { $eq: ['$$ROOT', { $literal: expected }] } } as Filter<Document>;
  }
  const current = await collection.findOne(byId(id), { promoteValues: false, bsonRegExp: true });
  const same = current !== null && sameBytes(BSON.serialize(current), BSON.serialize(expected));
  return same ? byId(id) : ({ _id: id, $expr: { $literal: false } } as Filter<Document>);
}

export async function deleteDocument(client: MongoClient, params: DocumentIdParams, signal?: AbortSignal): Promise<{ deleted: number }> {
  const id = parseEjsonValue(params.id, 'id');
  return writing(signal, async () => {
    const result = await collectionOf(client, params).deleteOne(byId(id));
    if (result.deletedCount === 0) throw new EngineError('not_found', `MongoDB: no document with _id ${params.id} to delete (it may have been deleted already)`);
    return { deleted: result.deletedCount };
  });
}

/**
 * Deletes every document matching `filter`, but only if as many match now as the user was shown
 * when confirming (an empty filter must be confirmed with the whole collection's exact count).
 * Documents written between the count and the delete can still slip in: the check catches a stale
 * confirmation, it is not a transaction.
 */
export async function deleteMany(client: MongoClient, params: DeleteManyParams, signal?: AbortSignal, policy: QueryPolicy = NO_JS): Promise<{ deleted: number }> {
  const filter = parseQueryObject(params.filter, 'filter', policy);
  const maxTimeMS = maxTimeFor(client, undefined, MONGO_LIMITS.countTimeMs);
  const collection = collectionOf(client, params);
  const { count } = await abortable(client, 'deleteMany-count', signal, async (comment) => ({
    count: await collection.countDocuments(filter, { maxTimeMS, comment, signal }),
  }));
  if (count !== params.expectedCount) {
    const scope = Object.keys(filter).length === 0 ? 'the collection holds' : 'the filter matches';
    throw new EngineError('invalid_input', `MongoDB: nothing was deleted: ${scope} ${count} document(s) now, not the ${params.expectedCount} that were confirmed; review and confirm again`);
  }
  return writing(signal, async () => ({ deleted: (await collection.deleteMany(filter)).deletedCount }));
}
