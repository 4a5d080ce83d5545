import { BSON, Long, type Document } from 'mongodb';
import { EngineError } from '../errors';
import { shellToJson, ShellSyntaxError } from './shell-syntax';
import { MONGO_LIMITS, type JsonObject } from './types';

const { EJSON } = BSON;

/**
 * Extended JSON in and out. Text from the user is parsed in canonical mode ({ relaxed: false }) on
 * purpose: relaxed parsing turns {"$numberLong": "9007199254740993"} into the double
 * 9007199254740992 and {"$numberDouble": "3.0"} into an Int32, which would silently change a
 * filter's value or a document's types. Canonical parsing keeps Int32/Long/Double/Decimal128 as
 * typed, and plain JSON numbers still compare equal in queries (MongoDB compares numbers by value).
 */

/** Where a problem sits in the text, as a person counts: line and column, both from 1. */
function where(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `at line ${line}, column ${position - before.lastIndexOf('\n')} (position ${position})`;
}

/**
 * Text that is not JSON is read once more as mongosh would take it (shell-syntax.ts: ObjectId("…"),
 * ISODate("…"), unquoted keys, /regex/i…); what neither accepts is reported in words a person can
 * act on, at the position of the mistake in the text as typed.
 */
function parseShellText(what: string, text: string): unknown {
  let json: string;
  try {
    json = shellToJson(text);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    throw new EngineError('invalid_input', `${what} is not valid Extended JSON: ${error.problem} ${where(text, error.position)}`);
  }
  try {
    return EJSON.parse(json, { relaxed: false });
  } catch (error) {
    throw new EngineError('invalid_input', `${what} is not valid Extended JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** An invalid {"$date": "…"} parses into an Invalid Date without complaint; find it and say where. */
function findInvalidDate(value: unknown, path: string, depth = 0): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? path || '(the value itself)' : undefined;
  if (depth > 100 || value === null || typeof value !== 'object') return undefined;
  if (!Array.isArray(value) && !isPlainObject(value)) return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = findInvalidDate(v, path ? `${path}.${k}` : k, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Any Extended JSON value (an `_id` may be a string, a number, an ObjectId, a document...). */
export function parseEjsonValue(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = EJSON.parse(text, { relaxed: false });
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw new EngineError('invalid_input', `${what} is not valid Extended JSON: ${error instanceof Error ? error.message : String(error)}`);
    value = parseShellText(what, text);
  }
  const badDate = findInvalidDate(value, '');
  if (badDate !== undefined) throw new EngineError('invalid_input', `${what} holds an invalid date at ${badDate}: use {"$date": "2024-01-31T00:00:00Z"}`);
  return value;
}

function describeKind(value: unknown): string {
  const type = bsonTypeName(value);
  if (['int', 'long', 'double', 'decimal'].includes(type)) return 'a number';
  return type === 'array' ? 'an array' : type === 'null' ? 'null' : type === 'objectId' ? 'an ObjectId' : type === 'bool' ? 'a boolean' : `a ${type}`;
}

/** A filter, projection, sort, index key or document: must be a JSON object. Blank text is {}. */
export function parseEjsonObject(text: string | undefined, what: string, options: { required?: boolean } = {}): Document {
  if (text === undefined || text.trim() === '') {
    if (options.required) throw new EngineError('invalid_input', `${what} is required`);
    return {};
  }
  const value = parseEjsonValue(text, what);
  if (!isPlainObject(value)) {
    throw new EngineError('invalid_input', `${what} must be a JSON object such as {"name": "value"}, not ${describeKind(value)}`);
  }
  return value;
}

/** Canonical Extended JSON text: every BSON type spelled out, so an edit round trip keeps them. */
export function toCanonicalText(value: unknown, indent?: number): string {
  return EJSON.stringify(value as Document, undefined, indent, { relaxed: false });
}

/**
 * Relaxed Extended JSON as a plain object tree, for display. Longs that a JS number cannot hold
 * exactly stay {"$numberLong": "…"}: relaxed mode would print 9007199254740993 as …992. A Timestamp
 * is a subclass of Long in js-bson, so types are told apart by their BSON tag, not by `instanceof`
 * (else a Timestamp shows as a Long, and the largest one as a number past int64). -0.0 stays
 * {"$numberDouble": "-0.0"}: as a JSON number it would print as 0.
 */
export function toDisplay(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? toDisplay(Long.fromBigInt(value)) : (value ?? null);
  const tag = (value as { _bsontype?: string })._bsontype;
  if (tag === 'Long') {
    const long = value as Long;
    return Number.isSafeInteger(long.toNumber()) ? long.toNumber() : { $numberLong: long.toString() };
  }
  if (tag === 'Double' && Object.is((value as { value: number }).value, -0)) return { $numberDouble: '-0.0' };
  if (depth > 150) return EJSON.serialize(value as Document, { relaxed: true });
  if (Array.isArray(value)) return value.map((v) => toDisplay(v, depth + 1));
  if (isPlainObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = toDisplay(v, depth + 1);
    return out;
  }
  return EJSON.serialize(value as Document, { relaxed: true });
}

/** Canonical Extended JSON as a plain object tree: every number keeps its BSON type ({"$numberInt": "3"}). */
export function toCanonicalDisplay(value: unknown): unknown {
  if (value === undefined) return null;
  return EJSON.serialize({ v: value } as Document, { relaxed: false }).v;
}

export type DisplayFormat = 'relaxed' | 'canonical';
const renderers: Record<DisplayFormat, (value: unknown) => unknown> = { relaxed: (v) => toDisplay(v), canonical: toCanonicalDisplay };

/**
 * A document for a page of results, within MONGO_LIMITS.displayDocumentBytes: past the cap, `_id`
 * and the small fields are kept (in order, while the budget lasts) and the others are replaced by
 * {"$truncated": {"type", "bytes"}} so the page stays light; getDocument gives the whole document.
 */
export function forDisplay(doc: Document, format: DisplayFormat = 'relaxed'): { document: JsonObject; truncated: boolean } {
  const render = renderers[format];
  const cap = MONGO_LIMITS.displayDocumentBytes;
  if (BSON.calculateObjectSize(doc) <= cap) return { document: render(doc) as JsonObject, truncated: false };
  let budget = cap;
  const document: JsonObject = {};
  for (const [k, v] of Object.entries(doc)) {
    const bytes = BSON.calculateObjectSize({ [k]: v });
    if (k === '_id' || bytes <= Math.min(budget, cap / 16)) {
      document[k] = render(v);
      budget -= bytes;
    } else {
      document[k] = { $truncated: { type: bsonTypeName(v), bytes } };
    }
  }
  return { document, truncated: true };
}

/** The value of a JS number or a BSON number wrapper (Int32, Double, Long, Decimal128). */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const tag = (value as { _bsontype?: string } | null)?._bsontype;
  if (tag === 'Int32' || tag === 'Double' || tag === 'Long' || tag === 'Decimal128') return Number(String(value));
  return undefined;
}

const TYPE_ALIASES: Record<string, string> = {
  Int32: 'int', Double: 'double', Long: 'long', Decimal128: 'decimal', ObjectId: 'objectId', Binary: 'binData',
  Timestamp: 'timestamp', BSONRegExp: 'regex', Code: 'javascript', BSONSymbol: 'symbol', MinKey: 'minKey',
  MaxKey: 'maxKey', DBRef: 'object',
};

/** MongoDB's $type alias of a deserialized value (read with promoteValues: false to tell numbers apart). */
export function bsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined': return 'undefined';
    case 'string': return 'string';
    case 'boolean': return 'bool';
    case 'bigint': return 'long';
    case 'number': return Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? 'int' : 'double';
  }
  if (value instanceof Date) return 'date';
  if (value instanceof RegExp) return 'regex';
  if (Array.isArray(value)) return 'array';
  const tag = (value as { _bsontype?: string })._bsontype;
  return tag === undefined ? 'object' : (TYPE_ALIASES[tag] ?? tag);
}
