import { EngineError } from '../errors';
import type { TypeCache, TypeInfo } from './types';

/**
 * The JSON encoding of PostgreSQL values, shared by results, filters, cursors and edits:
 * - bool → boolean; int2/int4/oid and finite float4/float8 → number; NaN/±Infinity → string;
 * - int8, numeric, money → string (no precision lost);
 * - json/jsonb → the JSON value itself;
 * - bytea → `{ "$bytes": base64 }`;
 * - timestamp/timestamptz → ISO 8601 strings with PostgreSQL's full precision (microseconds kept);
 * - arrays → JSON arrays of encoded elements (nested for several dimensions);
 * - everything else (uuid, enums, date, time, interval, ranges, geometry, network, xml, …) → its text.
 * A value larger than {@link CELL_CAP} bytes arrives cut, as `{ "$text": preview, "truncated": true, "size": n }`
 * (the first CELL_CAP characters) or `{ "$bytes": preview, "truncated": true, "size": n }` (the first
 * CELL_CAP bytes), `size` being the whole value's bytes, so a page stays bounded.
 * The column's type tells a json value from a marker.
 */
export type Cell = null | boolean | number | string | Cell[] | { [key: string]: unknown };

export type BytesValue = {
  $bytes: string;
  truncated?: true;
  size?: number;
};
export type TruncatedText = {
  $text: string;
  truncated: true;
  size: number;
};

/** Bytes a cell may hold before it is cut. */
export const CELL_CAP = 64 * 1024;

/** Column metadata that comes with every result. */
export interface Column {
  name: string;
  /** Type name as `format_type` writes it (e.g. `timestamp with time zone`, `public.mood`, `integer[]`). */
  type: string;
  typeOid: number;
  /** Whether the column can hold NULL, when the value comes straight from a table column. */
  nullable?: boolean;
}

const OID = { bool: 16, bytea: 17, int8: 20, int2: 21, int4: 23, oid: 26, json: 114, float4: 700, float8: 701, money: 790, timestamp: 1114, timestamptz: 1184, numeric: 1700, jsonb: 3802 };

/** The first CELL_CAP characters of a long text, not cutting a surrogate pair in half. */
export function truncatedText(text: string, size: number): TruncatedText {
  const end = /[\uD800-\uDBFF]/.test(text[CELL_CAP - 1] ?? '') ? CELL_CAP - 1 : CELL_CAP;
  return { $text: text.slice(0, end), truncated: true, size };
}

// A UTF-16 unit is at most 3 bytes of UTF-8: short strings skip the byte count.
const oversized = (text: string): boolean => text.length > CELL_CAP / 3 && Buffer.byteLength(text) > CELL_CAP;

function capText(text: string): string | TruncatedText {
  return oversized(text) ? truncatedText(text, Buffer.byteLength(text)) : text;
}

/** `\x0102…` (bytea_output = hex, the default since 9.0) or the old escape format. */
export function bytesOf(text: string): Uint8Array {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex');
  return Buffer.from(text.replace(/\\\\|\\([0-7]{3})/g, (m, octal: string | undefined) => (octal ? String.fromCharCode(parseInt(octal, 8)) : '\\')), 'latin1');
}

export function encodeBytes(bytes: Uint8Array, totalSize = bytes.length): BytesValue {
  if (bytes.length <= CELL_CAP && totalSize === bytes.length) return { $bytes: Buffer.from(bytes).toString('base64') };
  return { $bytes: Buffer.from(bytes.subarray(0, CELL_CAP)).toString('base64'), truncated: true, size: totalSize };
}

/** `2024-01-02 03:04:05.123456+05:30` (DateStyle ISO) → `2024-01-02T03:04:05.123456+05:30`; BC dates and infinity stay as they are. */
function isoTimestamp(text: string, withZone: boolean): string {
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::\d\d){0,2})?$/.exec(text);
  if (!m) return text;
  if (!withZone || !m[3]) return `${m[1]}T${m[2]}`;
  const zone = m[3].length === 3 ? `${m[3]}:00` : m[3];
  return `${m[1]}T${m[2]}${zone === '+00:00' ? 'Z' : zone}`;
}

/** Encodes one value as PostgreSQL sent it (text format) into JSON. */
export function encodeValue(text: string | null, type: TypeInfo, types: TypeCache): Cell {
  if (text === null) return null;
  switch (type.oid) {
    case OID.bool:
      return text === 't';
    case OID.int2:
    case OID.int4:
    case OID.oid:
      return Number(text);
    case OID.float4:
    case OID.float8: {
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case OID.int8:
    case OID.numeric:
    case OID.money:
      return text;
    case OID.json:
    case OID.jsonb:
      return oversized(text) ? capText(text) : (JSON.parse(text) as Cell);
    case OID.bytea: {
      // Decode only what is kept of a large value.
      const hexCut = text.startsWith('\\x') && text.length > 2 + 2 * CELL_CAP;
      return (hexCut ? encodeBytes(bytesOf(text.slice(0, 2 + 2 * CELL_CAP)), (text.length - 2) / 2) : encodeBytes(bytesOf(text))) as Cell;
    }
    case OID.timestamp:
    case OID.timestamptz:
      return isoTimestamp(text, type.oid === OID.timestamptz);
  }
  // int2vector and oidvector are arrays printed without braces: they stay text.
  if (type.category === 'A' && type.elem && /^[{[]/.test(text)) {
    if (oversized(text)) return capText(text);
    const elem = types.get(type.elem);
    return mapNested(parseArray(text, elem.delim), (item) => encodeValue(item, elem, types));
  }
  return capText(text);
}

type Nested<T> = T | Nested<T>[];
function mapNested<T, U>(value: Nested<T>[], fn: (item: T) => U): Nested<U>[] {
  return value.map((v) => (Array.isArray(v) ? mapNested(v, fn) : fn(v)));
}

/** PostgreSQL's array literal (`{1,NULL,"a \"b\""}`, `[0:1]={…}`, nested braces) into nested arrays of element text. */
export function parseArray(text: string, delim = ','): Nested<string | null>[] {
  let i = text.startsWith('[') ? text.indexOf('=') + 1 : 0;
  const parseLevel = (): Nested<string | null>[] => {
    const out: Nested<string | null>[] = [];
    i++; // '{'
    while (i < text.length && text[i] !== '}') {
      if (text[i] === delim || text[i] === ' ') i++;
      else if (text[i] === '{') out.push(parseLevel());
      else if (text[i] === '"') {
        let value = '';
        for (i++; i < text.length && text[i] !== '"'; i++) value += text[i] === '\\' ? text[++i] : text[i];
        i++;
        out.push(value);
      } else {
        const start = i;
        while (i < text.length && text[i] !== delim && text[i] !== '}') i++;
        const raw = text.slice(start, i).trim();
        out.push(raw.toUpperCase() === 'NULL' ? null : raw);
      }
    }
    i++; // '}'
    return out;
  };
  return parseLevel();
}

/**
 * The text PostgreSQL should parse for a JSON-encoded value of a type (a parameter, cast with
 * `$n::type` by the caller). Marker objects of cut values are refused: writing one back would
 * replace the real value with its preview.
 */
export function toPgText(value: unknown, type: TypeInfo, types: TypeCache, what: string): string | null {
  if (value === null || value === undefined) return null;
  if (isJson(type)) {
    if (isMarker(value, '$text')) throw cutValue(what);
    return JSON.stringify(value);
  }
  if (type.category === 'A' && type.elem && Array.isArray(value)) {
    const elem = types.get(type.elem);
    // A nested list is another dimension, except in json[] where a list is an element's value.
    const literal = (items: unknown[]): string =>
      `{${items
        .map((v) => {
          if (Array.isArray(v) && elem.category !== 'A' && !isJson(elem)) return literal(v);
          const t = toPgText(v, elem, types, what);
          return t === null ? 'NULL' : `"${t.replace(/[\\"]/g, '\\$&')}"`;
        })
        .join(elem.delim)}}`;
    return literal(value);
  }
  if (isMarker(value, '$bytes')) {
    if ((value as BytesValue).truncated) throw cutValue(what);
    return `\\x${Buffer.from((value as BytesValue).$bytes, 'base64').toString('hex')}`;
  }
  if (isMarker(value, '$text')) throw cutValue(what);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new EngineError('invalid_input', `PostgreSQL: ${what} of type ${type.name} cannot take a ${Array.isArray(value) ? 'list' : 'JSON object'}; give its text form`);
}

const isJson = (type: TypeInfo): boolean => type.oid === OID.json || type.oid === OID.jsonb;
const isMarker = (value: unknown, key: string): boolean => typeof value === 'object' && value !== null && !Array.isArray(value) && key in value;
const cutValue = (what: string) => new EngineError('invalid_input', `PostgreSQL: ${what} was cut for display (over ${CELL_CAP / 1024} KiB) and cannot be written back`);
