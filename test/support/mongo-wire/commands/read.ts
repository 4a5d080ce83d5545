/**
 * Read commands. find and aggregate return lazy cursors: only the documents
 * of the current batch are produced, so `find().limit(50)` over 200k
 * documents touches ~50 of them unless a sort forces a full pass.
 */
import { Clock, type Ctx, type Handler } from '../context';
import { aggregateDocs, findDocs, finishFind, matcher, needsFullScan, window, type FindSpec } from '../engine';
import { collect } from '../ops';
import { CommandError, badValue } from '../errors';
import { explainAggregate } from './explain';
import type { Collection } from '../store';
import { bool, canon, isDoc, num, pathValues, type Doc } from '../values';

/** Collection to read; a missing one reads as empty, like mongod. */
export function readable(ctx: Ctx, name: unknown): Collection | undefined {
  if (typeof name !== 'string' || !name) throw badValue(`collection name has invalid type ${typeof name}`);
  return ctx.server.store.get(ctx.db, name);
}

export const findSpec = (cmd: Doc): FindSpec => ({
  filter: cmd.filter, sort: cmd.sort, projection: cmd.projection, skip: cmd.skip, limit: cmd.limit,
});

const find: Handler = async (cmd, ctx) => {
  ctx.server.counters.query++;
  if (cmd.filter !== undefined && !isDoc(cmd.filter)) throw badValue("BSON field 'FindCommandRequest.filter' is the wrong type, expected type 'object'");
  const coll = readable(ctx, cmd.find);
  const spec = findSpec(cmd);
  const clock = new Clock(num(cmd.maxTimeMS, 0));
  clock.start();
  // A sort no index gives reads every match first: with pauses, so it can be killed.
  const docs = !coll ? [] : needsFullScan(coll, spec) ? finishFind(coll, await collect(coll, matcher(spec.filter), clock, ctx.op), spec) : findDocs(ctx.server.store, coll, spec, clock);
  clock.stop();
  // Negative limits (legacy "single batch") arrive from the driver as singleBatch + positive limit.
  const limit = Math.abs(num(cmd.limit, 0));
  const batchSize = num(cmd.batchSize, 101);
  const first = limit && limit < batchSize ? limit : batchSize;
  return ctx.server.cursors.first(`${ctx.db}.${String(cmd.find)}`, docs, first, bool(cmd.singleBatch), clock);
};

const getMore: Handler = (cmd, ctx) => {
  ctx.server.counters.getmore++;
  const id = num(cmd.getMore, 0);
  return ctx.server.cursors.more(id, `${ctx.db}.${String(cmd.collection)}`, num(cmd.batchSize, Infinity));
};

const killCursors: Handler = (cmd, ctx) => {
  const ids = (Array.isArray(cmd.cursors) ? cmd.cursors : []).map((c) => num(c, 0));
  const { killed, notFound } = ctx.server.cursors.kill(ids);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

const count: Handler = async (cmd, ctx) => {
  ctx.server.counters.command++;
  const coll = readable(ctx, cmd.count);
  if (!coll) return { n: 0, ok: 1 };
  const clock = new Clock(num(cmd.maxTimeMS, 0));
  clock.start();
  let n = 0;
  if (!isDoc(cmd.query) || !Object.keys(cmd.query).length) {
    // Like mongod, an unfiltered count is answered from metadata (estimatedDocumentCount).
    n = Math.max(0, coll.type === 'view' ? [...findDocs(ctx.server.store, coll, {}, clock)].length : coll.count);
    n = Math.max(0, n - num(cmd.skip, 0));
    if (num(cmd.limit, 0)) n = Math.min(n, Math.abs(num(cmd.limit, 0)));
  } else if (coll.type === 'view') {
    for (const _ of window(findDocs(ctx.server.store, coll, { filter: cmd.query }, clock), num(cmd.skip, 0), Math.abs(num(cmd.limit, 0)))) n++;
  } else {
    const matched = (await collect(coll, matcher(cmd.query), clock, ctx.op)).length;
    const limit = Math.abs(num(cmd.limit, 0));
    n = Math.max(0, matched - num(cmd.skip, 0));
    if (limit) n = Math.min(n, limit);
  }
  return { n, ok: 1 };
};

const distinct: Handler = async (cmd, ctx) => {
  const coll = readable(ctx, cmd.distinct);
  if (typeof cmd.key !== 'string') throw badValue("BSON field 'distinct.key' is missing but a required field");
  const seen = new Map<string, unknown>();
  const clock = new Clock(num(cmd.maxTimeMS, 0));
  clock.start();
  const docs = !coll ? [] : coll.type === 'view' ? findDocs(ctx.server.store, coll, { filter: cmd.query }, clock) : (await collect(coll, matcher(cmd.query), clock, ctx.op)).map((r) => r.doc);
  for (const doc of docs) {
    for (const v of pathValues(doc, cmd.key.split('.'))) {
      for (const x of Array.isArray(v) ? v : [v]) if (!seen.has(canon(x))) seen.set(canon(x), x);
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

/** Stages that read their whole input before giving anything out. */
const BLOCKING = new Set(['$group', '$sort', '$count', '$bucket', '$bucketAuto', '$facet', '$sortByCount', '$sample', '$setWindowFields']);

const aggregate: Handler = async (cmd, ctx) => {
  ctx.server.counters.command++;
  if (!Array.isArray(cmd.pipeline)) throw badValue("'pipeline' option must be specified as an array");
  if (bool(cmd.explain)) return explainAggregate(cmd, ctx, 'queryPlanner');
  if (!isDoc(cmd.cursor)) {
    throw new CommandError(9, 'FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const dbLevel = num(cmd.aggregate, 0) === 1;
  const name = dbLevel ? null : String(cmd.aggregate);
  const coll = name === null ? undefined : readable(ctx, name);
  const clock = new Clock(num(cmd.maxTimeMS, 0));
  clock.start();
  // A blocking stage over a collection: its (leading $match's) documents are read with pauses, so it can be killed.
  const stages = cmd.pipeline.filter(isDoc);
  const lead = isDoc(stages[0]?.$match) ? stages[0].$match : undefined;
  const blocking = coll?.type === 'collection' && stages.some((st) => BLOCKING.has(Object.keys(st)[0] ?? ''));
  const matched = blocking ? await collect(coll, matcher(lead), clock, ctx.op) : undefined;
  const docs = aggregateDocs(ctx.server.store, ctx.db, name, cmd.pipeline, clock, matched);
  clock.stop();
  const batchSize = isDoc(cmd.cursor) ? num(cmd.cursor.batchSize, 101) : 101;
  return ctx.server.cursors.first(`${ctx.db}.${dbLevel ? '$cmd.aggregate' : name}`, docs, batchSize, false, clock);
};

export const readCommands: Record<string, Handler> = { find, getMore, killCursors, count, distinct, aggregate };
