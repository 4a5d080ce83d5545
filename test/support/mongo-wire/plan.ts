/**
 * The little query planning this server does, so that what a real mongod answers from an index is
 * answered here without reading the whole collection: a sort that an index provides (the `_id`
 * order of a browser's pages) walks the documents in that index's order, starting at the bound
 * the filter puts on its first field (a keyset page's `{_id: {$gt: …}}`, also inside `$or`/`$and`),
 * and every query notes which index it used, for $indexStats.
 */
import { resolve } from 'mingo/util';
import type { Clock } from './context';
import type { Matcher } from './engine';
import { bsonCompare, rank, rankOfAlias, sortKey } from './order';
import type { Collection, IndexSpec, Rec } from './store';
import { isDoc, num, type Doc } from './values';

/** A bound on a field: a value, or the first (or last) value of a BSON type. */
type Bound = { value: unknown } | { rank: number };

function compareBound(a: Bound, b: Bound, edge: 1 | -1): number {
  if ('value' in a && 'value' in b) return bsonCompare(a.value, b.value);
  // A type's bound sits before (lower bounds) or after (upper bounds) every value of that type.
  const rankOf = (x: Bound) => ('rank' in x ? x.rank : rank(x.value));
  const c = rankOf(a) - rankOf(b);
  if (c) return Math.sign(c);
  return 'rank' in a ? ('rank' in b ? 0 : -edge) : edge;
}

/**
 * The lowest (edge 1) or highest (edge -1) value `field` can hold in a document matching `filter`,
 * when the filter says; undefined when it does not.
 */
export function boundOf(filter: unknown, field: string, edge: 1 | -1): Bound | undefined {
  if (!isDoc(filter)) return undefined;
  const tighter = (a: Bound | undefined, b: Bound | undefined) => (!a ? b : !b ? a : compareBound(a, b, edge) * edge > 0 ? a : b);
  const looser = (a: Bound, b: Bound) => (compareBound(a, b, edge) * edge < 0 ? a : b);
  let bound: Bound | undefined;
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) for (const f of value) bound = tighter(bound, boundOf(f, field, edge));
    else if (key === '$or' && Array.isArray(value) && value.length > 0) {
      const each = value.map((f) => boundOf(f, field, edge));
      if (each.every((b) => b !== undefined)) bound = tighter(bound, (each as Bound[]).reduce(looser));
    } else if (key === field) bound = tighter(bound, fieldBound(value, edge));
  }
  return bound;
}

function fieldBound(condition: unknown, edge: 1 | -1): Bound | undefined {
  if (!isDoc(condition) || !Object.keys(condition).some((k) => k.startsWith('$'))) return Array.isArray(condition) ? undefined : { value: condition };
  let bound: Bound | undefined;
  const take = (b: Bound) => (bound = !bound || compareBound(b, bound, edge) * edge > 0 ? b : bound);
  for (const [op, v] of Object.entries(condition)) {
    if (op === '$eq' && !Array.isArray(v)) take({ value: v });
    if (edge === 1 && (op === '$gt' || op === '$gte')) take({ value: v });
    if (edge === -1 && (op === '$lt' || op === '$lte')) take({ value: v });
    if (op === '$type') {
      const ranks = (Array.isArray(v) ? v : [v]).map((t) => rankOfAlias(String(t))).filter((r) => r >= 0);
      if (ranks.length > 0) take({ rank: edge === 1 ? Math.min(...ranks) : Math.max(...ranks) });
    }
  }
  return bound;
}

/** An index whose key pattern is the sort (or its exact reverse): it gives the order, no sort needed. */
export function indexForSort(coll: Collection, sort: Doc): { ix: IndexSpec; reverse: boolean } | undefined {
  const wanted = Object.entries(sort).map(([k, d]) => [k, num(d, 1) < 0 ? -1 : 1] as const);
  if (wanted.length === 0) return undefined;
  for (const ix of coll.indexes) {
    const keys = Object.entries(ix.key).map(([k, d]) => [k, num(d, 1) < 0 ? -1 : 1] as const);
    if (keys.length !== wanted.length || keys.some(([k], i) => k !== wanted[i]![0])) continue;
    if (keys.every(([, d], i) => d === wanted[i]![1])) return { ix, reverse: false };
    if (keys.every(([, d], i) => d === -wanted[i]![1])) return { ix, reverse: true };
  }
  return undefined;
}

/** The index a query on `filter` would use (an equality on _id, a sort it provides, or a filtered first field). */
export function plannedIndex(coll: Collection, filter: Doc, sort: Doc): IndexSpec | undefined {
  const keys = Object.keys(filter);
  const id = filter._id;
  if (keys.length === 1 && keys[0] === '_id' && !(isDoc(id) && Object.keys(id).some((k) => k.startsWith('$')))) return coll.indexes[0];
  return indexForSort(coll, sort)?.ix ?? coll.indexes.find((ix) => keys.includes(Object.keys(ix.key)[0]!));
}

/**
 * The matching records in the order of `sort`, which an index provides: a binary search finds
 * where the filter's bound on the first key starts, then records are matched lazily from there.
 */
export function* indexScan(coll: Collection, ordered: { ix: IndexSpec; reverse: boolean }, filter: Doc, match: Matcher, clock: Clock): Generator<Rec> {
  const { recs, multikey } = coll.inIndexOrder(ordered.ix);
  const [field, ixDir] = Object.entries(ordered.ix.key)[0]!;
  const valueDir = (num(ixDir, 1) < 0 ? -1 : 1) * (ordered.reverse ? -1 : 1);
  const keyAt = (i: number) => ({ value: sortKey(resolve(recs[i]!.plain, field), num(ixDir, 1) < 0 ? -1 : 1) ?? null });
  const bound = multikey ? undefined : boundOf(filter, field, valueDir as 1 | -1);
  // Walking direction through the array, and the first position that can match.
  const step = ordered.reverse ? -1 : 1;
  let lo = 0;
  let hi = recs.length;
  if (bound) {
    // The first position (in walking order) whose key is not before the bound.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const pos = step === 1 ? mid : recs.length - 1 - mid;
      if (compareBound(keyAt(pos), bound, valueDir as 1 | -1) * valueDir < 0) lo = mid + 1;
      else hi = mid;
    }
  } else lo = 0;
  for (let n = lo; n < recs.length; n++) {
    if ((n & 255) === 0) clock.tick();
    const rec = recs[step === 1 ? n : recs.length - 1 - n]!;
    if (!rec.deleted && match(rec.plain)) yield rec;
  }
}
