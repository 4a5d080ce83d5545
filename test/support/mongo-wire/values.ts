/**
 * BSON value handling.
 *
 * Documents are decoded with `promoteValues: false`, so numbers arrive as
 * Int32/Double/Long/Decimal128 wrappers and are stored exactly as sent: a
 * document written with a Long comes back as a Long. mingo only understands
 * JS numbers, so every stored document also keeps a "plain" twin (numbers
 * unwrapped) that matching, sorting and aggregation run on. `retype` maps a
 * plain result back to BSON types using the typed originals as hints.
 * Known loss: Long beyond 2^53 and Decimal128 are compared as JS doubles.
 */
import { Decimal128, Double, Long } from 'bson';

export type Doc = Record<string, unknown>;

const bsontype = (v: unknown): string =>
  v !== null && typeof v === 'object' ? ((v as { _bsontype?: string })._bsontype ?? '') : '';

export const isDoc = (v: unknown): v is Doc => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/** The numeric value of any BSON number (JS number, Int32, Double, Long, Decimal128). */
export function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  switch (bsontype(v)) {
    case 'Int32':
    case 'Double':
      return (v as { value: number }).value;
    case 'Long':
      return (v as Long).toNumber();
    case 'Decimal128':
      return Number((v as Decimal128).toString());
  }
  return undefined;
}

/** Command parameters arrive as Int32/Long wrappers too; read them as numbers. */
export const num = (v: unknown, dflt: number): number => numeric(v) ?? dflt;
export const bool = (v: unknown): boolean => (numeric(v) ?? (v ? 1 : 0)) !== 0;

/**
 * A BSON regular expression as a JavaScript one, for mingo: `s` (dotAll) and `u` map to flags, `x`
 * (extended) drops the pattern's unescaped white space, `l` (locale) has no JavaScript meaning.
 * A pattern JavaScript cannot read stays a BSONRegExp (it then matches nothing).
 */
function jsRegExp(v: { pattern: string; options: string }): unknown {
  const pattern = v.options.includes('x') ? v.pattern.replace(/\\.|\s+|#[^\n]*/g, (m) => (m.startsWith('\\') ? m : '')) : v.pattern;
  try {
    return new RegExp(pattern, [...v.options].filter((o) => 'imsu'.includes(o)).join(''));
  } catch {
    return v;
  }
}

export function toPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(toPlain);
  if (bsontype(v) === 'BSONRegExp') return jsRegExp(v as { pattern: string; options: string });
  const n = numeric(v);
  if (n !== undefined) return n;
  if (!isDoc(v)) return v; // ObjectId, Date, Binary, RegExp, Timestamp... are shared as-is
  const out: Doc = {};
  for (const k of Object.keys(v)) out[k] = toPlain(v[k]);
  return out;
}
export const plainDoc = (v: unknown): Doc => (isDoc(v) ? (toPlain(v) as Doc) : {});

/** Deep copy of plain containers (leaves shared): mingo mutates nested objects in some stages. */
export function clonePlain<T>(v: T): T {
  if (Array.isArray(v)) return v.map(clonePlain) as T;
  if (!isDoc(v)) return v;
  const out: Doc = {};
  for (const k of Object.keys(v)) out[k] = clonePlain(v[k]);
  return out as T;
}

const RANK: Record<string, number> = { Int32: 1, Long: 2, Double: 3, Decimal128: 4 };

function typedNumber(n: number, hints: unknown[], widen: boolean): unknown {
  for (const h of hints) if (RANK[bsontype(h)] && numeric(h) === n) return h;
  if (!widen) return n;
  // A changed number keeps the widest type involved ($inc of a Long stays a Long,
  // $round of a Double stays a Double), which is also MongoDB's arithmetic rule.
  let best = '';
  for (const h of hints) if ((RANK[bsontype(h)] ?? 0) > (RANK[best] ?? 0)) best = bsontype(h);
  if (best === 'Double') return new Double(n);
  if (best === 'Long' && Number.isSafeInteger(n)) return Long.fromNumber(n);
  if (best === 'Decimal128') return Decimal128.fromString(String(n));
  return n;
}

const child = (h: unknown, k: string | number): unknown =>
  Array.isArray(h) ? h[Number(k)] : isDoc(h) ? h[String(k)] : undefined;

/** Rebuild BSON number types of a plain value from typed hints at the same paths. */
export function retype(v: unknown, hints: unknown[], widen = true): unknown {
  if (typeof v === 'number') return typedNumber(v, hints, widen);
  if (v instanceof RegExp) return hints.find((h) => bsontype(h) === 'BSONRegExp') ?? v;
  if (Array.isArray(v)) {
    // Array elements move ($pull, $sort, $push): match numbers by value anywhere in the hint arrays.
    const pool = hints.flatMap((h) => (Array.isArray(h) ? h : []));
    return v.map((x, i) =>
      typeof x === 'number' ? typedNumber(x, pool, false) : retype(x, hints.map((h) => child(h, i)), false));
  }
  if (!isDoc(v)) return v;
  const out: Doc = {};
  for (const k of Object.keys(v)) out[k] = retype(v[k], hints.map((h) => child(h, k)), widen);
  return out;
}

/** Canonical key for equality the way MongoDB sees it (1, 1.0 and 1L are the same key). */
export function canon(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  const n = numeric(v);
  if (n !== undefined) return `n${n}`;
  if (typeof v === 'string') return `s${JSON.stringify(v)}`;
  if (typeof v !== 'object') return `${typeof v}${String(v)}`;
  if (v instanceof Date) return `d${v.getTime()}`;
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (isDoc(v)) return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`;
  const t = bsontype(v);
  if (t === 'Binary') return `x${Buffer.from((v as { buffer: Uint8Array }).buffer).toString('hex')}`;
  return `${t || 'o'}${String(v)}`;
}

/** mongod's shell-like rendering used in `dup key: { ... }` messages. */
export function shellFormat(v: unknown): string {
  const n = numeric(v);
  if (n !== undefined) return String(n);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(shellFormat).join(', ')} ]`;
  if (isDoc(v)) return `{ ${Object.keys(v).map((k) => `${k}: ${shellFormat(v[k])}`).join(', ')} }`;
  if (bsontype(v) === 'ObjectId') return `ObjectId('${String(v)}')`;
  return String(v);
}

/** MongoDB always stores `_id` as the first field. */
export function idFirst(d: Doc): Doc {
  if (!('_id' in d) || Object.keys(d)[0] === '_id') return d;
  const { _id, ...rest } = d;
  return { _id, ...rest };
}

/** Read a dotted path, fanning out through arrays the way MongoDB paths do. */
export function pathValues(v: unknown, path: string[]): unknown[] {
  if (!path.length) return [v];
  if (Array.isArray(v)) return v.flatMap((x) => (isDoc(x) ? pathValues(x, path) : []));
  if (!isDoc(v) || !(path[0] in v)) return [];
  return pathValues(v[path[0]], path.slice(1));
}
