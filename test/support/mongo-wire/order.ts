/**
 * BSON types as mongod orders and names them: the comparison order across types (MinKey < null <
 * numbers < strings < objects < arrays < binData < ObjectId < bool < date < timestamp < regex <
 * code < MaxKey), sort keys of arrays (the smallest element ascending, the largest descending),
 * and a `$type` query operator that knows the BSON wrapper classes (mingo's own only knows JS
 * types, so `{"$type": "objectId"}` matched nothing).
 */
import { Context } from 'mingo';
import { resolve } from 'mingo/util';
import type { Doc } from './values';
import { numeric } from './values';

/** The typed original of each stored plain twin (filled by the store), so $type sees real BSON types. */
export const typedOf = new WeakMap<object, Doc>();

const tag = (v: unknown): string => (v !== null && typeof v === 'object' ? ((v as { _bsontype?: string })._bsontype ?? '') : '');

/** MongoDB's $type alias of one value (a missing value has none). */
export function typeAlias(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 'int' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (Array.isArray(v)) return 'array';
  const names: Record<string, string> = {
    Int32: 'int', Double: 'double', Long: 'long', Decimal128: 'decimal', ObjectId: 'objectId', Binary: 'binData', UUID: 'binData',
    Timestamp: 'timestamp', BSONRegExp: 'regex', BSONSymbol: 'symbol', MinKey: 'minKey', MaxKey: 'maxKey', DBRef: 'object',
  };
  const t = tag(v);
  if (t === 'Code') return (v as { scope?: unknown }).scope ? 'javascriptWithScope' : 'javascript';
  return names[t] ?? 'object';
}

const ORDER = ['minKey', 'null', 'number', 'string', 'object', 'array', 'binData', 'objectId', 'bool', 'date', 'timestamp', 'regex', 'dbPointer', 'javascript', 'javascriptWithScope', 'maxKey'];
const GROUP: Record<string, string> = { undefined: 'null', int: 'number', long: 'number', double: 'number', decimal: 'number', symbol: 'string' };
/** The place of a $type alias in the comparison order (-1 for an unknown alias). */
export const rankOfAlias = (alias: string): number => ORDER.indexOf(GROUP[alias] ?? alias);
/** The place of a value's type in the comparison order (a missing value sorts as null). */
export const rank = (v: unknown): number => rankOfAlias(typeAlias(v) ?? 'null');

const cmp = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
const bytes = (v: unknown) => Buffer.from((v as { buffer: Uint8Array }).buffer);

/** mongod's comparison of two values (documents field by field, arrays element by element). */
export function bsonCompare(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return cmp(ra, rb);
  switch (ORDER[ra]) {
    case 'number':
      return cmp(numeric(a) ?? Number(a), numeric(b) ?? Number(b));
    case 'string':
      return Buffer.compare(Buffer.from(String(a), 'utf8'), Buffer.from(String(b), 'utf8'));
    case 'object': {
      const ea = Object.entries(a as Doc);
      const eb = Object.entries(b as Doc);
      for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
        const c = cmp(rank(ea[i]![1]), rank(eb[i]![1])) || cmp(ea[i]![0], eb[i]![0]) || bsonCompare(ea[i]![1], eb[i]![1]);
        if (c) return c;
      }
      return cmp(ea.length, eb.length);
    }
    case 'array': {
      const xa = a as unknown[];
      const xb = b as unknown[];
      for (let i = 0; i < Math.min(xa.length, xb.length); i++) {
        const c = bsonCompare(xa[i], xb[i]);
        if (c) return c;
      }
      return cmp(xa.length, xb.length);
    }
    case 'binData':
      return cmp(bytes(a).length, bytes(b).length) || cmp((a as { sub_type: number }).sub_type, (b as { sub_type: number }).sub_type) || Buffer.compare(bytes(a), bytes(b));
    case 'objectId':
      return Buffer.compare((a as { id: Uint8Array }).id, (b as { id: Uint8Array }).id);
    case 'bool':
      return cmp(Number(a), Number(b));
    case 'date':
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 'timestamp': {
      const ta = a as { t: number; i: number };
      const tb = b as { t: number; i: number };
      return cmp(ta.t, tb.t) || cmp(ta.i, tb.i);
    }
    case 'regex': {
      const pa = a instanceof RegExp ? [a.source, a.flags] : [(a as { pattern: string }).pattern, (a as { options: string }).options];
      const pb = b instanceof RegExp ? [b.source, b.flags] : [(b as { pattern: string }).pattern, (b as { options: string }).options];
      return cmp(pa[0]!, pb[0]!) || cmp(pa[1]!, pb[1]!);
    }
    case 'javascript':
    case 'javascriptWithScope':
      return cmp(String((a as { code: string }).code), String((b as { code: string }).code));
    default:
      return 0;
  }
}

/** The value a sort orders a document by: an array sorts by its smallest element ascending, its largest descending. */
export function sortKey(value: unknown, direction: number): unknown {
  if (!Array.isArray(value)) return value ?? null;
  if (value.length === 0) return undefined;
  return value.reduce((best, v) => (bsonCompare(v, best) * direction < 0 ? v : best));
}

/** `{"$type": alias | number | [..]}` on the typed document, as mongod answers it. */
const NUMBERS: Record<number, string> = {
  1: 'double', 2: 'string', 3: 'object', 4: 'array', 5: 'binData', 6: 'undefined', 7: 'objectId', 8: 'bool', 9: 'date', 10: 'null', 11: 'regex',
  12: 'dbPointer', 13: 'javascript', 14: 'symbol', 15: 'javascriptWithScope', 16: 'int', 17: 'timestamp', 18: 'long', 19: 'decimal', [-1]: 'minKey', 127: 'maxKey',
};
function matchesType(value: unknown, wanted: string[]): boolean {
  const check = (v: unknown) => {
    const alias = typeAlias(v);
    return alias !== undefined && (wanted.includes(alias) || (wanted.includes('number') && ['int', 'long', 'double', 'decimal'].includes(alias)));
  };
  if (Array.isArray(value)) return wanted.includes('array') || value.some(check);
  return check(value);
}

const $type = (selector: string, value: unknown) => {
  const wanted = (Array.isArray(value) ? value : [value]).map((t) => (typeof t === 'string' ? t : (NUMBERS[numeric(t) ?? NaN] ?? String(t))));
  return (doc: Doc): boolean => {
    const typed = typedOf.get(doc) ?? doc;
    return matchesType(resolve(typed, selector, { unwrapArray: true }), wanted);
  };
};

/** The query context every matcher of the server uses (a context cannot replace mingo's own $type, hence the name). */
export const QUERY_CONTEXT = Context.init({ query: { $bsonType: $type } as never });

/** A filter with each query `$type` turned into `$bsonType` (not inside $expr, where $type is an expression). */
export function withBsonType(filter: unknown): unknown {
  if (Array.isArray(filter)) return filter.map(withBsonType);
  if (filter === null || typeof filter !== 'object' || Object.getPrototypeOf(filter) !== Object.prototype) return filter;
  return Object.fromEntries(Object.entries(filter as Doc).map(([k, v]) => [k === '$type' ? '$bsonType' : k, k === '$expr' || k === '$where' ? v : withBsonType(v)]));
}
