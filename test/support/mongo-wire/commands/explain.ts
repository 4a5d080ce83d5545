/**
 * explain for find, aggregate and count. There is no query planner: the
 * plan shape is derived from the filter (IDHACK for `_id` equality, IXSCAN
 * when an index's leading field is filtered on, else COLLSCAN) and
 * executionStats come from actually running the scan.
 */
import { Clock, type Ctx, type Handler } from '../context';
import { matcher, scan, sortRecs, window } from '../engine';
import { CommandError } from '../errors';
import type { Collection, Rec } from '../store';
import { isDoc, num, plainDoc, type Doc } from '../values';
import { SERVER_VERSION } from './admin';
import { findSpec, readable } from './read';

const VERBOSITIES = ['queryPlanner', 'executionStats', 'allPlansExecution'];

function accessPlan(coll: Collection | undefined, filter: Doc): Doc {
  const keys = Object.keys(filter);
  const isEq = (v: unknown) => !isDoc(v) || !Object.keys(v).some((k) => k.startsWith('$'));
  if (keys.length === 1 && keys[0] === '_id' && isEq(filter._id)) return { stage: 'IDHACK' };
  const ix = coll?.indexes.find((i) => keys.includes(Object.keys(i.key)[0]));
  if (!ix) return { stage: 'COLLSCAN', filter, direction: 'forward' };
  return {
    stage: 'FETCH', filter,
    inputStage: {
      stage: 'IXSCAN', keyPattern: ix.key, indexName: ix.name, isMultiKey: false, isUnique: Boolean(ix.unique),
      isSparse: false, isPartial: false, indexVersion: 2, direction: 'forward', indexBounds: {},
    },
  };
}

interface Shape {
  filter: Doc;
  sort: Doc;
  skip: number;
  limit: number;
  projection: Doc;
}

function winningPlan(coll: Collection | undefined, s: Shape): Doc {
  let plan = accessPlan(coll, s.filter);
  if (Object.keys(s.sort).length) {
    plan = { stage: 'SORT', sortPattern: s.sort, memLimit: 104857600, ...(s.limit ? { limitAmount: s.limit } : {}), type: 'simple', inputStage: plan };
  }
  if (s.skip) plan = { stage: 'SKIP', skipAmount: s.skip, inputStage: plan };
  if (s.limit && !Object.keys(s.sort).length) plan = { stage: 'LIMIT', limitAmount: s.limit, inputStage: plan };
  if (Object.keys(s.projection).length) plan = { stage: 'PROJECTION_SIMPLE', transformBy: s.projection, inputStage: plan };
  return plan;
}

/** Run the scan for real, counting what a collection scan would examine. */
function executionStats(coll: Collection | undefined, s: Shape, plan: Doc): Doc {
  const started = Date.now();
  let examined = 0;
  let nReturned = 0;
  if (coll) {
    const match = matcher(s.filter);
    let recs: Iterable<Rec> = scan(coll, (d) => (examined++, match(d)), new Clock());
    if (Object.keys(s.sort).length) recs = sortRecs([...recs], s.sort);
    for (const _ of window(recs, s.skip, s.limit)) nReturned++;
  }
  const indexed = plan.stage !== 'COLLSCAN' && JSON.stringify(plan).includes('IXSCAN');
  const docsExamined = indexed || plan.stage === 'IDHACK' ? nReturned : examined;
  const executionTimeMillis = Date.now() - started;
  return {
    executionSuccess: true, nReturned, executionTimeMillis,
    totalKeysExamined: indexed || plan.stage === 'IDHACK' ? nReturned : 0, totalDocsExamined: docsExamined,
    executionStages: { ...plan, nReturned, executionTimeMillisEstimate: executionTimeMillis, works: examined + 1, advanced: nReturned, isEOF: 1, docsExamined },
    allPlansExecution: [],
  };
}

function explainReply(ctx: Ctx, coll: Collection | undefined, ns: string, s: Shape, verbosity: string, command: Doc, planOverride?: Doc): Doc {
  const plan = planOverride ?? winningPlan(coll, s);
  const out: Doc = {
    explainVersion: '1',
    queryPlanner: {
      namespace: ns, indexFilterSet: false, parsedQuery: s.filter, queryHash: '00000000', planCacheKey: '00000000',
      maxIndexedOrSolutionsReached: false, maxIndexedAndSolutionsReached: false, maxScansToExplodeReached: false,
      winningPlan: plan, rejectedPlans: [],
    },
  };
  if (verbosity !== 'queryPlanner') out.executionStats = executionStats(coll, s, plan);
  return {
    ...out, command,
    serverInfo: { host: ctx.server.host, port: ctx.server.port, version: SERVER_VERSION, gitVersion: 'wire-test' },
    ok: 1,
  };
}

const shapeOf = (cmd: Doc): Shape => {
  const f = findSpec(cmd);
  return { filter: plainDoc(f.filter), sort: plainDoc(f.sort), skip: num(f.skip, 0), limit: Math.abs(num(f.limit, 0)), projection: plainDoc(f.projection) };
};

/** Pipelines made only of these are answered like a find (mongod pushes them into the query layer). */
const PUSHDOWN = new Set(['$match', '$sort', '$skip', '$limit', '$project']);

export function explainAggregate(cmd: Doc, ctx: Ctx, verbosity: string): Doc {
  const pipeline = (Array.isArray(cmd.pipeline) ? cmd.pipeline : []).filter(isDoc);
  const name = String(cmd.aggregate);
  const coll = readable(ctx, name);
  const lead = isDoc(pipeline[0]?.$match) ? pipeline[0].$match : {};
  const rest = isDoc(pipeline[0]?.$match) ? pipeline.slice(1) : pipeline;
  const shape: Shape = { filter: plainDoc(lead), sort: {}, skip: 0, limit: 0, projection: {} };
  const ns = `${ctx.db}.${name}`;
  const base = explainReply(ctx, coll, ns, shape, verbosity, cmd);
  if (rest.every((s) => PUSHDOWN.has(Object.keys(s)[0]))) return base;
  const { queryPlanner, executionStats: stats, command, serverInfo } = base;
  return {
    explainVersion: '1',
    stages: [{ $cursor: { queryPlanner, ...(stats ? { executionStats: stats } : {}) } }, ...rest],
    command, serverInfo, ok: 1,
  };
}

const explain: Handler = (cmd, ctx) => {
  const verbosity = typeof cmd.verbosity === 'string' ? cmd.verbosity : 'allPlansExecution';
  if (!VERBOSITIES.includes(verbosity)) throw new CommandError(2, 'BadValue', `verbosity string must be one of {${VERBOSITIES.join(', ')}}`);
  const inner = cmd.explain;
  if (!isDoc(inner)) throw new CommandError(2, 'BadValue', 'explain command requires a nested object');
  const op = Object.keys(inner)[0];
  if (op === 'find') {
    const coll = readable(ctx, inner.find);
    return explainReply(ctx, coll, `${ctx.db}.${String(inner.find)}`, shapeOf(inner), verbosity, inner);
  }
  if (op === 'aggregate') return explainAggregate(inner, ctx, verbosity);
  if (op === 'count') {
    const coll = readable(ctx, inner.count);
    const filter = plainDoc(inner.query);
    const shape: Shape = { filter, sort: {}, skip: num(inner.skip, 0), limit: num(inner.limit, 0), projection: {} };
    const scanPlan = Object.keys(filter).length ? { stage: 'COUNT', inputStage: accessPlan(coll, filter) } : { stage: 'RECORD_STORE_FAST_COUNT' };
    return explainReply(ctx, coll, `${ctx.db}.${String(inner.count)}`, shape, verbosity, inner, scanPlan);
  }
  throw new CommandError(238, 'NotImplemented', `explain of ${op} is not implemented by the wire-test server`);
};

export const explainCommands: Record<string, Handler> = { explain };
