/**
 * Query execution on top of mingo: lazy scans (a find with a limit touches
 * only the documents it returns), sorting, projection, aggregation (views
 * expand to their pipeline) and update application with BSON types kept.
 */
import { Aggregator, Query, update as mingoUpdate } from 'mingo';
import { resolve } from 'mingo/util';
import { Long, ObjectId } from 'bson';
import type { Clock } from './context';
import { CommandError, badValue, immutableId, notImplemented, nsNotFound, viewWrite } from './errors';
import { bsonCompare, QUERY_CONTEXT, sortKey, withBsonType } from './order';
import { indexForSort, indexScan, plannedIndex } from './plan';
import type { Collection, Rec, Store } from './store';
import { canon, clonePlain, idFirst, isDoc, num, plainDoc, retype, toPlain, type Doc } from './values';

export type Matcher = (plain: Doc) => boolean;

export function matcher(filter: unknown): Matcher {
  const f = plainDoc(filter);
  if (!Object.keys(f).length) return () => true;
  if ('$where' in f) throw notImplemented('$where (server-side JavaScript)');
  const q = new Query(withBsonType(f) as Doc, { context: QUERY_CONTEXT }); // throws on unknown operators, mapped to BadValue in errors.ts
  return (d) => q.test(d);
}

export function* scan(coll: Collection, match: Matcher, clock: Clock): Generator<Rec> {
  const recs = coll.recs;
  for (let i = 0; i < recs.length; i++) {
    if ((i & 255) === 0) clock.tick();
    const rec = recs[i];
    if (!rec.deleted && match(rec.plain)) yield rec;
  }
}

export function sortRecs(recs: Rec[], sort: Doc): Rec[] {
  const keys = Object.entries(plainDoc(sort));
  if (keys.some(([, dir]) => typeof dir !== 'number')) throw notImplemented('$meta sort');
  if (keys.length === 1 && keys[0][0] === '$natural') return (keys[0][1] as number) < 0 ? recs.reverse() : recs;
  // mongod's order across types; an array sorts by its smallest element ascending, its largest descending.
  const keyed = recs.map((rec) => ({ rec, key: keys.map(([k, dir]) => sortKey(resolve(rec.plain, k), dir as number)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = bsonCompare(a.key[i], b.key[i]);
      if (c) return c * (keys[i]![1] as number);
    }
    return 0;
  });
  return keyed.map((k) => k.rec);
}

export function* window<T>(it: Iterable<T>, skip: number, limit: number): Generator<T> {
  if (limit <= 0) limit = Infinity;
  for (const x of it) {
    if (skip > 0) {
      skip--;
      continue;
    }
    if (limit-- <= 0) return;
    yield x;
  }
}

export function* mapIt<T, R>(it: Iterable<T>, f: (x: T) => R): Generator<R> {
  for (const x of it) yield f(x);
}

export function projector(projection: unknown): (rec: Rec) => Doc {
  const proj = plainDoc(projection);
  const keys = Object.keys(proj);
  if (!keys.length) return (rec) => rec.doc;
  // Fast path for plain top-level include/exclude lists (the common case);
  // it works on the typed document directly, so nothing needs retyping.
  if (keys.every((k) => !k.includes('.') && !k.startsWith('$') && ['number', 'boolean'].includes(typeof proj[k]))) {
    const on = (k: string) => Boolean(proj[k]);
    const inclusive = keys.some((k) => k !== '_id' && on(k));
    const keepId = !('_id' in proj) || on('_id');
    return ({ doc }) => {
      const out: Doc = {};
      for (const k of Object.keys(doc)) {
        const keep = k === '_id' ? keepId : inclusive ? k in proj && on(k) : !(k in proj);
        if (keep) out[k] = doc[k];
      }
      return out;
    };
  }
  const q = new Query({}, {});
  return (rec) => inDocumentOrder(idFirst(retype(q.find([rec.plain], proj).next(), [rec.doc]) as Doc), rec.doc);
}

/** mongod returns a projection's fields in the document's order, computed fields after them. */
function inDocumentOrder(out: Doc, doc: Doc): Doc {
  const ordered: Doc = {};
  for (const k of Object.keys(doc)) if (k in out) ordered[k] = out[k];
  for (const k of Object.keys(out)) if (!(k in ordered)) ordered[k] = out[k];
  return ordered;
}

export interface FindSpec {
  filter?: unknown;
  sort?: unknown;
  projection?: unknown;
  skip?: unknown;
  limit?: unknown;
}

/** Documents a find returns, lazily; views run as aggregations. */
export function findDocs(store: Store, coll: Collection, spec: FindSpec, clock: Clock): Iterable<Doc> {
  const skip = num(spec.skip, 0);
  const limit = Math.abs(num(spec.limit, 0));
  const sort = plainDoc(spec.sort);
  if (coll.type === 'view') {
    const stages: Doc[] = [{ $match: spec.filter ?? {} }];
    if (Object.keys(sort).length) stages.push({ $sort: sort });
    if (skip) stages.push({ $skip: skip });
    if (limit) stages.push({ $limit: limit });
    if (isDoc(spec.projection) && Object.keys(spec.projection).length) stages.push({ $project: spec.projection });
    return aggregateDocs(store, coll.db.name, coll.name, stages, clock);
  }
  const filter = plainDoc(spec.filter);
  coll.used(plannedIndex(coll, filter, sort)?.name);
  const ordered = indexForSort(coll, sort);
  let recs: Iterable<Rec>;
  if (ordered) recs = indexScan(coll, ordered, filter, matcher(spec.filter), clock);
  else {
    recs = scan(coll, matcher(spec.filter), clock);
    if (Object.keys(sort).length) recs = sortRecs([...recs], sort);
  }
  return mapIt(window(recs, skip, limit), projector(spec.projection));
}

/** Whether a find must read every match before returning the first (a sort no index provides). */
export const needsFullScan = (coll: Collection, spec: FindSpec): boolean =>
  coll.type !== 'view' && Object.keys(plainDoc(spec.sort)).length > 0 && !indexForSort(coll, plainDoc(spec.sort));

/** A find over records already matched (read with pauses by ops.collect): sort, window, projection. */
export function finishFind(coll: Collection, matched: Rec[], spec: FindSpec): Iterable<Doc> {
  coll.used(plannedIndex(coll, plainDoc(spec.filter), plainDoc(spec.sort))?.name);
  return mapIt(window(sortRecs(matched, plainDoc(spec.sort)), num(spec.skip, 0), Math.abs(num(spec.limit, 0))), projector(spec.projection));
}

/** Stages that never mutate their input documents, so stored plain docs can be fed uncloned. */
const SAFE_STAGES = new Set(['$match', '$sort', '$limit', '$skip', '$count', '$group', '$sample', '$sortByCount']);
const REFUSED_STAGES = ['$out', '$merge', '$currentOp', '$listSessions', '$listLocalSessions',
  '$planCacheStats', '$changeStream', '$search', '$searchMeta', '$geoNear', '$listSearchIndexes'];

const ID_CHANGING = new Set(['$group', '$bucket', '$bucketAuto', '$count', '$sortByCount', '$facet', '$replaceRoot',
  '$replaceWith', '$unionWith', '$documents']);

const stageName = (s: unknown): string => (isDoc(s) ? Object.keys(s)[0] ?? '' : '');

/** One document per index, as mongod's $indexStats gives them. */
function indexStatsDocs(coll: Collection, host: string): Doc[] {
  return coll.indexes.map((ix) => {
    const usage = coll.usage.get(ix.name) ?? { ops: 0, since: new Date() };
    return { name: ix.name, key: ix.key, host, accesses: { ops: Long.fromNumber(usage.ops), since: usage.since }, spec: ix };
  });
}

function collStatsDoc(coll: Collection, spec: Doc): Doc {
  const stats = coll.stats();
  const out: Doc = { ns: coll.ns, host: 'wire-test', localTime: new Date() };
  if (isDoc(spec.storageStats)) out.storageStats = stats;
  if (isDoc(spec.count)) out.count = coll.count;
  if (isDoc(spec.latencyStats)) out.latencyStats = { reads: {}, writes: {}, commands: {}, transactions: {} };
  if (isDoc(spec.queryExecStats)) out.queryExecStats = { collectionScans: { total: 0, nonTailable: 0 } };
  return out;
}

/**
 * Run an aggregation and yield typed output documents. Documents passed
 * through unchanged come back as the stored typed originals; reshaped
 * documents are retyped using the source document with the same `_id`.
 */
export function aggregateDocs(store: Store, db: string, name: string | null, pipeline: unknown[], clock: Clock, matched?: Rec[]): Iterable<Doc> {
  let coll = name === null ? undefined : store.get(db, name);
  let stages = pipeline.map((s) => toPlain(s) as Doc);
  for (let hops = 0; coll?.type === 'view' && hops < 20; hops++) {
    stages = [...(toPlain(coll.options.pipeline ?? []) as Doc[]), ...stages];
    coll = store.get(db, String(coll.options.viewOn));
  }
  stages.forEach((s, i) => {
    const op = stageName(s);
    if (!isDoc(s) || Object.keys(s).length !== 1) throw badValue('A pipeline stage specification object must contain exactly one field.');
    if (REFUSED_STAGES.includes(op)) throw notImplemented(`aggregation stage ${op}`);
    if ((op === '$collStats' || op === '$indexStats') && i > 0) {
      throw new CommandError(40602, 'Location40602', `${op} is only valid as the first stage in a pipeline`);
    }
  });
  const origin = new WeakMap<object, Rec>();
  let source: Iterable<Doc> = [];
  if (stageName(stages[0]) === '$collStats') {
    if (!coll) throw nsNotFound(`Collection [${db}.${name}] not found.`);
    source = [collStatsDoc(coll, stages.shift()!.$collStats as Doc)];
  } else if (stageName(stages[0]) === '$indexStats') {
    if (name !== null && store.get(db, name)?.type === 'view') throw viewWrite(`${db}.${name}`);
    stages.shift();
    source = coll ? indexStatsDocs(coll, 'wire-test') : [];
  } else if (coll) {
    const lead = stageName(stages[0]) === '$match' ? stages.shift()!.$match : undefined;
    const match = lead === undefined ? () => true : matcher(lead);
    coll.used(plannedIndex(coll, plainDoc(lead), {})?.name);
    const clone = !stages.every((s) => SAFE_STAGES.has(stageName(s)));
    source = mapIt(matched ?? scan(coll, match, clock), (rec) => {
      const p = clone ? clonePlain(rec.plain) : rec.plain;
      origin.set(p, rec);
      return p;
    });
  }
  // After these stages an output `_id` no longer names a source document.
  const idsKept = !stages.some((s) => ID_CHANGING.has(stageName(s)));
  const byId = (o: Doc): Rec | undefined => (idsKept && o._id !== undefined ? coll?.ids.get(canon(o._id)) : undefined);
  const typed = (o: Doc): Doc => {
    const passedThrough = origin.get(o);
    if (passedThrough) return passedThrough.doc;
    const source = byId(o);
    return idFirst(source ? (retype(o, [source.doc]) as Doc) : o);
  };
  const resolver = (other: string): Doc[] => (store.get(db, other)?.recs ?? []).map((r) => clonePlain(r.plain));
  // mingo's $sample draws with replacement; MongoDB's does not. Split the
  // pipeline around each $sample and draw distinct documents here instead.
  let out: Iterable<Doc> = source;
  let pending: Doc[] = [];
  const flush = (): void => {
    if (!pending.length) return;
    const it = new Aggregator(pending, { collectionResolver: resolver }).stream(out);
    out = { *[Symbol.iterator]() { for (let r = it.next(); !r.done; r = it.next()) yield r.value as Doc; } };
    pending = [];
  };
  for (const stage of stages) {
    if (stageName(stage) !== '$sample') {
      pending.push(stage);
      continue;
    }
    flush();
    const size = isDoc(stage.$sample) ? num(stage.$sample.size, -1) : -1;
    if (size < 0) throw new CommandError(28747, 'Location28747', 'size argument to $sample must not be negative');
    out = sampleDistinct(out, size);
  }
  flush();
  return mapIt(out, typed);
}

function* sampleDistinct(input: Iterable<Doc>, size: number): Generator<Doc> {
  const all = [...input];
  for (let i = 0; i < Math.min(size, all.length); i++) {
    const j = i + Math.floor(Math.random() * (all.length - i));
    [all[i], all[j]] = [all[j], all[i]];
    yield all[i];
  }
}

const UPDATE_OPS = new Set(['$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$push', '$pull',
  '$pullAll', '$addToSet', '$pop', '$currentDate', '$bit', '$setOnInsert']);

/** Typed operands of an update, laid out as a document, so `retype` can recover their BSON types. */
function operandOverlay(mod: Doc): Doc {
  const overlay: Doc = {};
  for (const [op, args] of Object.entries(mod)) {
    if (!isDoc(args) || !['$set', '$setOnInsert', '$inc', '$mul', '$min', '$max', '$push', '$addToSet'].includes(op)) continue;
    for (const [path, val] of Object.entries(args)) {
      const v = op === '$push' || op === '$addToSet' ? (isDoc(val) && Array.isArray(val.$each) ? val.$each : [val]) : val;
      const parts = path.split('.');
      let at = overlay;
      for (const p of parts.slice(0, -1)) at = (isDoc(at[p]) ? at[p] : (at[p] = {})) as Doc;
      at[parts[parts.length - 1]] = v;
    }
  }
  return overlay;
}

/**
 * Apply an update (`u` of an update statement) to `old` and return the new
 * typed document. `inserting` marks an upsert's insert, which honours
 * $setOnInsert (mingo lacks it, so it is folded into $set here).
 */
export function applyUpdate(old: Doc, u: unknown, inserting: boolean, arrayFilters?: unknown): Doc {
  const oldPlain = toPlain(old) as Doc;
  let plain: Doc;
  let hints: unknown[] = [old];
  if (Array.isArray(u)) {
    plain = new Aggregator(u.map((s) => toPlain(s) as Doc), {}).run([clonePlain(oldPlain)])[0] as Doc;
  } else if (!isDoc(u)) {
    throw new CommandError(14, 'TypeMismatch', 'Update argument must be either an object or an array');
  } else if (!Object.keys(u).some((k) => k.startsWith('$'))) {
    // Replacement document: keeps the old _id and must not change it.
    if ('_id' in u && old._id !== undefined && canon(u._id) !== canon(old._id)) throw immutableId();
    return idFirst({ ...(old._id === undefined ? {} : { _id: old._id }), ...u });
  } else {
    const mod: Doc = { ...u };
    for (const op of Object.keys(mod)) {
      if (!UPDATE_OPS.has(op)) {
        throw new CommandError(9, 'FailedToParse',
          `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
      }
    }
    const onInsert = mod.$setOnInsert;
    delete mod.$setOnInsert;
    if (inserting && isDoc(onInsert)) mod.$set = { ...(isDoc(mod.$set) ? mod.$set : {}), ...onInsert };
    hints = [operandOverlay(mod), old];
    plain = clonePlain(oldPlain);
    const filters = Array.isArray(arrayFilters) ? arrayFilters.map((f) => toPlain(f) as Doc) : undefined;
    if (Object.keys(mod).length) mingoUpdate(plain, toPlain(mod) as Doc, filters);
  }
  if (old._id !== undefined && canon(plain._id) !== canon(oldPlain._id)) throw immutableId();
  return idFirst(retype(plain, hints) as Doc);
}

/** The document an upsert starts from: the equality fields of its query (mongod's rule). */
export function upsertSeed(query: unknown): Doc {
  const seed: Doc = {};
  const visit = (q: unknown): void => {
    if (!isDoc(q)) return;
    for (const [k, v] of Object.entries(q)) {
      if (k === '$and' && Array.isArray(v)) v.forEach(visit);
      if (k.startsWith('$')) continue;
      const opKeys = isDoc(v) ? Object.keys(v).filter((x) => x.startsWith('$')) : [];
      if (opKeys.length && !(isDoc(v) && '$eq' in v)) continue;
      const value = opKeys.length && isDoc(v) ? v.$eq : v;
      const parts = k.split('.');
      let at = seed;
      for (const p of parts.slice(0, -1)) at = (isDoc(at[p]) ? at[p] : (at[p] = {})) as Doc;
      at[parts[parts.length - 1]] = value;
    }
  };
  visit(query);
  return seed;
}

/** Build the document an upsert inserts. */
export function upsertDoc(query: unknown, u: unknown, arrayFilters?: unknown): Doc {
  const seed = upsertSeed(query);
  const replacement = isDoc(u) && !Object.keys(u).some((k) => k.startsWith('$'));
  const doc = replacement ? { ...(seed._id === undefined ? {} : { _id: seed._id }), ...(u as Doc) } : applyUpdate(seed, u, true, arrayFilters);
  return idFirst(doc._id === undefined ? { _id: new ObjectId(), ...doc } : doc);
}
