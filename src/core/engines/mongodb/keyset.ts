import type { Document } from 'mongodb';
import { EngineError } from '../errors';
import { bsonTypeName, isPlainObject, numericValue, parseEjsonValue, toCanonicalText } from './ejson';

/*
 * Keyset paging: the next page is "the documents after the last one shown, in sort order", a
 * range on the sort key that an index answers at once, instead of skip, which makes the server
 * walk past every document before the page (page 10,000 of 20 costs 200,000 documents).
 *
 * The sort is made total by `_id` (appended when absent), so no two documents tie. A range on one
 * field is type-bracketed in MongoDB ({"$gt": 5} matches numbers only), while the sort orders
 * across types (numbers < strings < objects < … < dates), so "after v" is `$gt: v` OR "a type
 * that sorts after v's type" ($type), and a missing field sorts as null.
 */

export interface SortKey {
  path: string;
  direction: 1 | -1;
}

/** mongod's order of BSON types in a sort (numbers of every width compare as one type). */
const TYPE_ORDER: string[][] = [
  ['minKey'],
  ['undefined', 'null'],
  ['int', 'long', 'double', 'decimal'],
  ['string', 'symbol'],
  ['object'],
  ['array'],
  ['binData'],
  ['objectId'],
  ['bool'],
  ['date'],
  ['timestamp'],
  ['regex'],
  ['dbPointer'],
  ['javascript'],
  ['javascriptWithScope'],
  ['maxKey'],
];
const rankOf = (value: unknown): number => {
  const name = bsonTypeName(value);
  const rank = TYPE_ORDER.findIndex((group) => group.includes(name));
  return rank < 0 ? TYPE_ORDER.findIndex((g) => g.includes('object')) : rank;
};
const NULL_RANK = 1;

/** The field this engine adds to an inclusion projection to read the sort key of each document. */
export const KEYSET_FIELD = '__ogelbaseKeyset';

/**
 * The sort as keys, `_id` appended to make it total; undefined when it cannot be paged by key
 * ({"$meta": "textScore"}, or a direction that is not 1 or -1).
 */
export function sortKeys(sort: Document): SortKey[] | undefined {
  const keys: SortKey[] = [];
  for (const [path, direction] of Object.entries(sort)) {
    const n = numericValue(direction);
    if (n !== 1 && n !== -1) return undefined;
    keys.push({ path, direction: n });
    if (path === '_id') return keys; // unique: whatever follows never decides an order
  }
  keys.push({ path: '_id', direction: 1 });
  return keys;
}

export const sortDocument = (keys: SortKey[]): Document => Object.fromEntries(keys.map((k) => [k.path, k.direction]));

const isNullish = (v: unknown) => v === null || v === undefined;

/** "Sorts after `value` on `path` in `direction`": a range within its type, or any type beyond it. */
function after(path: string, value: unknown, direction: 1 | -1): Document {
  const rank = rankOf(value);
  const beyond = TYPE_ORDER.filter((_, r) => (direction === 1 ? r > rank : r < rank)).flat();
  const branches: Document[] = [];
  if (!isNullish(value) && rank !== 0 && rank !== TYPE_ORDER.length - 1) branches.push({ [path]: { [direction === 1 ? '$gt' : '$lt']: value } });
  if (beyond.length > 0) branches.push({ [path]: { $type: beyond } });
  // A missing field sorts as null, and $type never matches it.
  if (direction === -1 && rank > NULL_RANK) branches.push({ [path]: { $exists: false } });
  if (branches.length === 0) return { [path]: { $in: [] } }; // MaxKey ascending, MinKey descending: nothing comes after
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

/** Equal to `value` in sort terms: null also matches a missing field, numbers match across widths. */
const equal = (path: string, value: unknown): Document => ({ [path]: isNullish(value) ? null : { $eq: value } });

/** The documents after the one whose sort key is `values`, in the order of `keys`. */
export function afterFilter(keys: SortKey[], values: unknown[]): Document {
  const branches = keys.map((key, i) => {
    const parts = [...keys.slice(0, i).map((k, j) => equal(k.path, values[j])), after(key.path, values[i], key.direction)];
    return parts.length === 1 ? parts[0]! : { $and: parts };
  });
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

/** The page token of `values`: canonical Extended JSON text, so every BSON type comes back as it was. */
export const keysetToken = (values: unknown[]) => toCanonicalText(values);

/** Reads a token back; it must hold one value per sort key. */
export function parseKeysetToken(text: string, keys: SortKey[]): unknown[] {
  const values = parseEjsonValue(text, 'after');
  if (!Array.isArray(values) || values.length !== keys.length) {
    throw new EngineError('invalid_input', `after must be the page token findPage returned for this sort (${keys.length} value(s): ${keys.map((k) => k.path).join(', ')})`);
  }
  return values;
}

/**
 * A document's sort key, or undefined when a path runs into an array: an array sorts by its
 * smallest (or largest) element, which a range cannot express, so such a query pages by skip.
 */
export function keyOf(doc: Document, keys: SortKey[]): unknown[] | undefined {
  const computed = doc[KEYSET_FIELD];
  if (Array.isArray(computed)) return computed.some(Array.isArray) ? undefined : computed.map((v) => v ?? null);
  const values: unknown[] = [];
  for (const { path } of keys) {
    let value: unknown = doc;
    for (const part of path.split('.')) {
      if (Array.isArray(value)) return undefined;
      value = isPlainObject(value) ? value[part] : undefined;
    }
    if (Array.isArray(value)) return undefined;
    values.push(value ?? null);
  }
  return values;
}

const truthy = (v: unknown) => {
  if (typeof v === 'boolean') return v;
  const n = numericValue(v);
  return n !== undefined && n !== 0;
};
const isOperator = (v: unknown) => isPlainObject(v) && ['$slice', '$elemMatch', '$meta'].some((k) => k in v);

/**
 * The projection to send so each document still shows its sort key, and what to take out of the
 * documents afterwards so they look as the caller's projection asked:
 * - an inclusion projection gets a computed field holding the key (`["$path", …]`);
 * - an exclusion projection stops excluding what the key needs, which is then removed again.
 */
export function keysetProjection(projection: Document, keys: SortKey[]): { projection: Document; strip: string[] } {
  const entries = Object.entries(projection);
  if (entries.length === 0) return { projection, strip: [] };
  const inclusion = entries.some(([k, v]) => k !== '_id' && (truthy(v) || (isPlainObject(v) && !isOperator(v)) || typeof v === 'string'));
  if (inclusion) return { projection: { ...projection, [KEYSET_FIELD]: keys.map((k) => `$${k.path}`) }, strip: [KEYSET_FIELD] };
  const strip: string[] = [];
  const kept: Document = {};
  for (const [field, value] of entries) {
    const needed = !truthy(value) && !isOperator(value) && keys.some((k) => k.path === field || k.path.startsWith(`${field}.`) || field.startsWith(`${k.path}.`));
    if (needed) strip.push(field);
    else kept[field] = value;
  }
  return { projection: kept, strip };
}

/** Removes a dotted path from a document (what the caller's projection had excluded). */
export function removePath(doc: Document, path: string): void {
  const parts = path.split('.');
  let at: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    at = isPlainObject(at) ? at[part] : undefined;
    if (at === undefined) return;
  }
  if (isPlainObject(at)) delete at[parts.at(-1)!];
}

/** How one page is asked for, and how its documents are read back (see findPage). */
export interface PagePlan {
  filter: Document;
  projection: Document;
  sort: Document;
  /** The next page's `after` token from the last document of this one; undefined when it must be paged by skip. */
  token(last: Document): string | undefined;
  /** Takes out what only the engine asked for (the key of an inclusion projection, fields it had to keep). */
  tidy(docs: Document[]): void;
}

/**
 * The find of one page. Without a sort, documents come in `_id` order (the _id index), unless
 * `keyset` is false: views and time-series collections have no such index, so they page in natural
 * order by skip. `after` (a token of the previous page) narrows the filter to what follows it.
 */
export function pagePlan(query: { filter: Document; projection: Document; sort: Document }, options: { keyset?: boolean; after?: string }): PagePlan {
  const natural = options.keyset === false && Object.keys(query.sort).length === 0;
  const keys = natural ? undefined : sortKeys(query.sort);
  if (!keys) {
    if (options.after !== undefined) throw new EngineError('invalid_input', 'after needs a sort by fields (1 or -1) or the default _id order; page this query with skip');
    return { ...query, token: () => undefined, tidy: () => undefined };
  }
  const { projection, strip } = keysetProjection(query.projection, keys);
  const range = options.after === undefined ? undefined : afterFilter(keys, parseKeysetToken(options.after, keys));
  const filter = range === undefined ? query.filter : Object.keys(query.filter).length === 0 ? range : { $and: [query.filter, range] };
  return {
    filter,
    projection,
    sort: sortDocument(keys),
    token: (last) => {
      const values = keyOf(last, keys);
      return values && keysetToken(values);
    },
    tidy: (docs) => {
      for (const doc of docs) for (const path of strip) removePath(doc, path);
    },
  };
}
