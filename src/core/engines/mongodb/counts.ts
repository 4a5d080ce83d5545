import type { Collection, Document, MongoClient } from 'mongodb';
import { maxTimeFor } from './bounds';
import { parseQueryObject, type QueryPolicy } from './query-guard';
import { abortable } from './errors';
import { MONGO_LIMITS, type CountParams } from './types';

/**
 * The exact number of documents matching a filter: the background count a browser shows after its
 * first page. It can take long on a big collection, so it is bounded by maxTimeMS and cancellable:
 * the caller's signal aborts the driver's request and `abortable` kills the server-side operation.
 */
export async function countDocuments(client: MongoClient, params: CountParams, signal?: AbortSignal, policy: QueryPolicy = { serverJavaScript: false }): Promise<{ count: number }> {
  const filter = parseQueryObject(params.filter, 'filter', policy);
  const maxTimeMS = maxTimeFor(client, params.maxTimeMS, MONGO_LIMITS.countTimeMs);
  return abortable(client, 'count', signal, async (comment) => {
    const count = await client.db(params.db).collection(params.collection).countDocuments(filter, { maxTimeMS, comment, signal });
    return { count };
  });
}

/**
 * The collection's count from metadata (the `count` command without a query), which answers at
 * once on a collection. On a view or a time-series collection the server has to run the pipeline,
 * so it gets a short budget and a failure just means "no estimate". (The driver takes no signal here;
 * the budget bounds it.)
 */
export async function estimatedCount(collection: Collection<Document>, comment: string, signal?: AbortSignal): Promise<number | undefined> {
  try {
    return await collection.estimatedDocumentCount({ maxTimeMS: 1_000, comment });
  } catch (error) {
    if (signal?.aborted) throw error;
    return undefined;
  }
}
