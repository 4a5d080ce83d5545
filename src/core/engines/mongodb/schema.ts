import type { Document, MongoClient } from 'mongodb';
import { clamp, maxTimeFor } from './bounds';
import { bsonTypeName, isPlainObject } from './ejson';
import { abortable } from './errors';
import { MONGO_LIMITS, type SampleSchemaParams, type SampleSchemaResult, type SchemaField } from './types';

/**
 * The shape of a collection from a random sample ($sample, as Compass does): every path with the
 * BSON types found there and the share of sampled documents that have it. Documents are read with
 * promoteValues: false so an Int32, a Long and a Double are told apart.
 */
export class SchemaAccumulator {
  private readonly fields = new Map<string, { count: number; types: Map<string, number> }>();
  private sampled = 0;
  private truncated = false;

  add(doc: Document): void {
    this.sampled++;
    const seen = new Map<string, Set<string>>();
    this.walkObject(doc, '', 0, seen);
    for (const [path, types] of seen) {
      const field = this.fields.get(path)!;
      field.count++;
      for (const t of types) field.types.set(t, (field.types.get(t) ?? 0) + 1);
    }
  }

  /** Notes that `path` holds a value of `value`'s type in the current document; false past the field cap. */
  private note(path: string, value: unknown, seen: Map<string, Set<string>>): boolean {
    if (!this.fields.has(path)) {
      if (this.fields.size >= MONGO_LIMITS.schemaFields) {
        this.truncated = true;
        return false;
      }
      this.fields.set(path, { count: 0, types: new Map() });
    }
    let types = seen.get(path);
    if (!types) seen.set(path, (types = new Set()));
    types.add(bsonTypeName(value));
    return true;
  }

  private walkValue(value: unknown, path: string, depth: number, seen: Map<string, Set<string>>): void {
    if (!this.note(path, value, seen)) return;
    if (!isPlainObject(value) && !Array.isArray(value)) return;
    if (depth >= MONGO_LIMITS.schemaDepth) {
      this.truncated = true;
      return;
    }
    if (Array.isArray(value)) {
      // Elements share one path, `[]`-marked; a long array is judged by its first elements.
      for (const element of value.slice(0, MONGO_LIMITS.schemaArrayElements)) this.walkValue(element, `${path}[]`, depth + 1, seen);
    } else {
      this.walkObject(value, path, depth + 1, seen);
    }
  }

  private walkObject(value: Record<string, unknown>, prefix: string, depth: number, seen: Map<string, Set<string>>): void {
    for (const [key, v] of Object.entries(value)) this.walkValue(v, prefix ? `${prefix}.${key}` : key, depth, seen);
  }

  result(): SampleSchemaResult {
    const fields: SchemaField[] = [...this.fields.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, f]) => ({
        path,
        count: f.count,
        share: this.sampled ? f.count / this.sampled : 0,
        types: Object.fromEntries([...f.types.entries()].sort((a, b) => b[1] - a[1])),
      }));
    return { sampled: this.sampled, fields, truncated: this.truncated };
  }
}

export async function sampleSchema(client: MongoClient, params: SampleSchemaParams, signal?: AbortSignal): Promise<SampleSchemaResult> {
  const size = clamp(params.size, MONGO_LIMITS.sampleSize.default, 1, MONGO_LIMITS.sampleSize.max);
  const maxTimeMS = maxTimeFor(client, undefined, MONGO_LIMITS.sampleTimeMs);
  return abortable(client, 'sample', signal, async (comment) => {
    const cursor = client.db(params.db).collection(params.collection)
      .aggregate([{ $sample: { size } }], { maxTimeMS, comment, signal, promoteValues: false, batchSize: 1000 });
    const schema = new SchemaAccumulator();
    try {
      for await (const doc of cursor) schema.add(doc);
    } finally {
      await cursor.close();
    }
    return schema.result();
  });
}
