import type { Document, MongoClient } from 'mongodb';
import { maxTimeFor } from './bounds';
import { toDisplay } from './ejson';
import { parseQueryObject, type QueryPolicy } from './query-guard';
import { abortable } from './errors';
import { MONGO_LIMITS, type ExplainParams, type ExplainResult, type ExplainSummary, type JsonObject } from './types';

/** Stages that read data; the first one found is "the" winning stage a person asks about. */
const ACCESS_STAGES = new Set([
  'COLLSCAN', 'IXSCAN', 'IDHACK', 'EXPRESS_IDHACK', 'EXPRESS_IXSCAN', 'EXPRESS_CLUSTERED_IXSCAN', 'CLUSTERED_IXSCAN',
  'COUNT_SCAN', 'DISTINCT_SCAN', 'TEXT_MATCH', 'GEO_NEAR_2D', 'GEO_NEAR_2DSPHERE', 'EOF', 'RECORD_STORE_FAST_COUNT',
]);

/** Parts of an explain that describe plans which did not win. */
const LOSING = new Set(['rejectedPlans', 'allPlansExecution']);

/**
 * Every `stage` and the first `indexName` in a plan, depth first. This reads the classic layout
 * (stage/inputStage), the slot-based one (queryPlan), sharded plans (shards[]) and aggregations
 * over a view ($cursor) alike, because it only looks at keys, not at the shape.
 */
function walk(node: unknown, found: { stages: string[]; indexName?: string }, depth = 0): void {
  if (depth > 100 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) return node.forEach((n) => walk(n, found, depth + 1));
  for (const [k, v] of Object.entries(node)) {
    if (LOSING.has(k)) continue;
    if (k === 'stage' && typeof v === 'string') found.stages.push(v);
    else if (k === 'indexName' && typeof v === 'string') found.indexName ??= v;
    else walk(v, found, depth + 1);
  }
}

export function summarizeExplain(raw: Document): ExplainSummary {
  const found: { stages: string[]; indexName?: string } = { stages: [] };
  walk(raw.queryPlanner ?? raw.stages ?? raw.shards ?? raw, found);
  const summary: ExplainSummary = { stages: found.stages };
  const winning = found.stages.find((s) => ACCESS_STAGES.has(s)) ?? found.stages.at(-1);
  if (winning) summary.winningStage = winning;
  if (found.indexName) summary.indexName = found.indexName;
  const stats = (raw.executionStats ?? findExecutionStats(raw)) as Document | undefined;
  if (stats) {
    const n = (v: unknown) => (v === undefined ? undefined : Number(v));
    Object.assign(summary, JSON.parse(JSON.stringify({
      docsExamined: n(stats.totalDocsExamined), keysExamined: n(stats.totalKeysExamined),
      returned: n(stats.nReturned), executionTimeMillis: n(stats.executionTimeMillis),
    })) as Partial<ExplainSummary>);
  }
  return summary;
}

/** An aggregation's explain (a find on a view) nests executionStats inside its $cursor stage. */
function findExecutionStats(raw: Document): unknown {
  const stages = Array.isArray(raw.stages) ? (raw.stages as Document[]) : [];
  return stages.find((s) => s.$cursor?.executionStats)?.$cursor.executionStats;
}

/** How the server would run (queryPlanner) or ran (executionStats) a find, with a short summary. */
export async function explain(client: MongoClient, params: ExplainParams, signal?: AbortSignal, policy: QueryPolicy = { serverJavaScript: false }): Promise<ExplainResult> {
  const filter = parseQueryObject(params.filter, 'filter', policy);
  const sort = parseQueryObject(params.sort, 'sort', policy);
  const projection = parseQueryObject(params.projection, 'projection', policy);
  const maxTimeMS = maxTimeFor(client, undefined, MONGO_LIMITS.explainTimeMs);
  return abortable(client, 'explain', signal, async (comment) => {
    const cursor = client.db(params.db).collection(params.collection).find(filter, { sort, projection, comment, signal });
    const raw = await cursor.explain({ verbosity: params.verbosity ?? 'queryPlanner', maxTimeMS });
    return { summary: summarizeExplain(raw), plan: toDisplay(raw) as JsonObject };
  });
}
