import type { Document } from 'mongodb';
import { EngineError } from '../errors';
import { isPlainObject, parseEjsonObject } from './ejson';

/** What a query may ask of the server beyond reading (the database's settings decide). */
export interface QueryPolicy {
  /** $where, $function and $accumulator run JavaScript inside mongod: refused unless enabled. */
  serverJavaScript: boolean;
}

export const SERVER_JAVASCRIPT_OPERATORS = ['$where', '$function', '$accumulator'] as const;
/** Stages that write: never part of a filter, a projection or a sort, whatever the policy. */
export const WRITING_OPERATORS = ['$out', '$merge'] as const;

const JS = new Set<string>(SERVER_JAVASCRIPT_OPERATORS);
const WRITES = new Set<string>(WRITING_OPERATORS);

/** The first refused operator in `value` (a parsed filter, projection or sort) and its path, if any. */
export function refusedOperator(value: unknown, policy: QueryPolicy, path = '', depth = 0): { operator: string; path: string } | undefined {
  if (depth > 200) return { operator: '(nesting deeper than 200 levels)', path };
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : isPlainObject(value) ? Object.entries(value) : [];
  for (const [key, child] of entries) {
    const here = path ? `${path}.${key}` : key;
    if (WRITES.has(key) || (!policy.serverJavaScript && JS.has(key))) return { operator: key, path: here };
    const found = refusedOperator(child, policy, here, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * A filter, projection or sort as Extended JSON text, parsed, with every operator that would run
 * JavaScript on the server ($where, $function, $accumulator, unless the database allows it) or write
 * ($out, $merge) refused, at any depth ($expr, $and, $lookup pipelines…).
 */
export function parseQueryObject(text: string | undefined, what: string, policy: QueryPolicy): Document {
  const value = parseEjsonObject(text, what);
  const refused = refusedOperator(value, policy);
  if (refused) {
    const why = WRITES.has(refused.operator)
      ? 'it writes, and this operation only reads'
      : 'it runs JavaScript on the database server, which this database does not allow (an owner or admin can enable serverJavaScript)';
    throw new EngineError('invalid_input', `MongoDB: ${what} uses ${refused.operator} at ${refused.path}: ${why}`);
  }
  return value;
}
