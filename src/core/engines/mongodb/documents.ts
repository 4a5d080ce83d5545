import type { Document, Filter, MongoClient } from 'mongodb';
import { EngineError } from '../errors';
import { clamp, maxTimeFor } from './bounds';
import { estimatedCount } from './counts';
import { forDisplay, parseEjsonObject, parseEjsonValue, toCanonicalText } from './ejson';
import { parseQueryObject, type QueryPolicy } from './query-guard';
import { abortable, writing } from './errors';
import { MONGO_LIMITS, type DeleteManyParams, type DocumentIdParams, type FindPageParams, type FindPageResult, type InsertDocumentParams, type Namespace, type ReplaceDocumentParams } from './types';

const NO_JS: QueryPolicy = { serverJavaScript: false };
const collectionOf = (client: MongoClient, ns: Namespace) => client.db(ns.db).collection<Document>(ns.collection);
/** An `_id` may be any BSON value; the driver's Filter type assumes ObjectId. */
const byId = (id: unknown) => ({ _id: id }) as Filter<Document>;

/**
 * One page of documents. The server is asked for limit + 1 documents in one batch (the extra one
 * only tells whether a next page exists), so a page never pulls more than that whatever the
 * collection's size. Without a filter the total comes from metadata, at once; an exact count of a
 * filter is countDocuments, which the UI runs in the background.
 */
export async function findPage(client: MongoClient, params: FindPageParams, signal?: AbortSignal, policy: QueryPolicy = NO_JS): Promise<FindPageResult> {
  const filter = parseQueryObject(params.filter, 'filter', policy);
  const projection = parseQueryObject(params.projection, 'projection', policy);
  const sort = parseQueryObject(params.sort, 'sort', policy);
  const limit = clamp(params.limit, MONGO_LIMITS.pageSize.default, 1, MONGO_LIMITS.pageSize.max);
  const skip = clamp(params.skip, 0, 0, MONGO_LIMITS.skip.max);
  const maxTimeMS = maxTimeFor(client, params.maxTimeMS, MONGO_LIMITS.findTimeMs);
  return abortable(client, 'find', signal, async (comment) => {
    const collection = collectionOf(client, params);
    const unfiltered = Object.keys(filter).length === 0;
    // promoteValues: false keeps Int32/Long/Double apart, so ids are exact and big Longs keep every digit.
    const cursor = collection.find(filter, { projection, sort, skip, limit: limit + 1, batchSize: limit + 1, maxTimeMS, comment, signal, promoteValues: false });
    const [raw, estimate] = await Promise.all([cursor.toArray(), unfiltered ? estimatedCount(collection, comment, signal) : undefined]);
    const page = raw.slice(0, limit);
    const shown = page.map(forDisplay);
    return {
      documents: shown.map((s) => s.document),
      ids: page.map((d) => (d._id === undefined ? null : toCanonicalText(d._id))),
      truncated: shown.flatMap((s, i) => (s.truncated ? [i] : [])),
      hasMore: raw.length > limit,
      ...(estimate === undefined ? {} : { estimatedCount: estimate }),
    };
  });
}

/** The whole document as canonical Extended JSON text, for an editor: every BSON type spelled out. */
export async function getDocument(client: MongoClient, params: DocumentIdParams, signal?: AbortSignal): Promise<{ document: string }> {
  const id = parseEjsonValue(params.id, 'id');
  return abortable(client, 'get', signal, async (comment) => {
    const doc = await collectionOf(client, params).findOne(byId(id), { promoteValues: false, comment, signal, maxTimeMS: MONGO_LIMITS.findTimeMs.default });
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
 * it, edited), so every BSON type the user did not touch is written back as it was.
 */
export async function replaceDocument(client: MongoClient, params: ReplaceDocumentParams, signal?: AbortSignal): Promise<{ modified: boolean }> {
  const id = parseEjsonValue(params.id, 'id');
  const document = parseEjsonObject(params.document, 'document', { required: true });
  return writing(signal, async () => {
    const result = await collectionOf(client, params).replaceOne(byId(id), document);
    if (result.matchedCount === 0) throw new EngineError('not_found', `MongoDB: no document with _id ${params.id} to replace (it may have been deleted)`);
    return { modified: result.modifiedCount > 0 };
  });
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
