/*
 * Canonical Extended JSON values as a person reads them, without the DOM (unit-tested on Node):
 * the BSON type's name, a one-line text (ObjectId('…'), 2024-01-31T00:00:00.000Z, /re/i,
 * Timestamp(t, i), { 3 fields }…) and, for documents and arrays, their members. Pages arrive in
 * canonical form, so an Int32 3, an Int64 3 and a Double 3.0 stay apart.
 */

export interface ValueView {
  /** The BSON type as MongoDB names it: String, Int32, Int64, Double, Decimal128, ObjectId, Date… */
  type: string;
  /** One line of text (long strings cut). */
  text: string;
  /** A CSS class for the value's colour. */
  tone: 'string' | 'number' | 'boolean' | 'null' | 'special' | 'container' | 'truncated';
  /** Members of a document or array: [key, value]. */
  children?: [string, unknown][];
}

const MAX_TEXT = 300;
const cut = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const only = (v: Record<string, unknown>, ...keys: string[]) => {
  const own = Object.keys(v);
  return own.length === keys.length && keys.every((k) => own.includes(k));
};

/** 1536 → "1.5 KiB" (a copy of shared/bytes' formatBytes would pull nothing more; kept local for Node tests). */
function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function dateText(value: unknown): string {
  const ms = isObject(value) && typeof value.$numberLong === 'string' ? Number(value.$numberLong) : typeof value === 'string' ? Date.parse(value) : NaN;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `Date(${isObject(value) ? String(value.$numberLong) : String(value)})` : date.toISOString();
}

const BINARY_NAMES: Record<string, string> = { '00': 'generic', '01': 'function', '02': 'old binary', '03': 'old UUID', '04': 'UUID', '05': 'MD5', '06': 'encrypted', '07': 'column', '08': 'sensitive', '09': 'vector' };

function hexOfBase64(base64: string): string {
  const binary = atob(base64);
  let hex = '';
  for (let i = 0; i < binary.length; i++) hex += binary.charCodeAt(i).toString(16).padStart(2, '0');
  return hex;
}

function binaryText(b: { base64?: unknown; subType?: unknown }): string {
  const base64 = String(b.base64 ?? '');
  const subType = String(b.subType ?? '00').padStart(2, '0');
  if (subType === '04' && base64.length === 24) {
    const h = hexOfBase64(base64);
    return `UUID('${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}')`;
  }
  const bytes = Math.floor((base64.replace(/=+$/, '').length * 3) / 4);
  return `Binary(${BINARY_NAMES[subType] ?? `subtype 0x${subType}`}, ${size(bytes)})`;
}

/** How one value reads. */
export function viewOf(value: unknown): ValueView {
  if (value === null || value === undefined) return { type: 'Null', text: 'null', tone: 'null' };
  if (typeof value === 'string') return { type: 'String', text: cut(JSON.stringify(value)), tone: 'string' };
  if (typeof value === 'boolean') return { type: 'Boolean', text: String(value), tone: 'boolean' };
  if (typeof value === 'number') return { type: 'Number', text: String(value), tone: 'number' };
  if (Array.isArray(value)) {
    return { type: 'Array', text: `[ ${value.length} item${value.length === 1 ? '' : 's'} ]`, tone: 'container', children: value.map((v, i) => [String(i), v]) };
  }
  if (!isObject(value)) return { type: 'Unknown', text: String(value), tone: 'special' };
  const v = value;
  if (only(v, '$oid')) return { type: 'ObjectId', text: `ObjectId('${String(v.$oid)}')`, tone: 'special' };
  if (only(v, '$date')) return { type: 'Date', text: dateText(v.$date), tone: 'special' };
  if (only(v, '$numberInt')) return { type: 'Int32', text: String(v.$numberInt), tone: 'number' };
  if (only(v, '$numberLong')) return { type: 'Int64', text: String(v.$numberLong), tone: 'number' };
  if (only(v, '$numberDouble')) return { type: 'Double', text: String(v.$numberDouble), tone: 'number' };
  if (only(v, '$numberDecimal')) return { type: 'Decimal128', text: String(v.$numberDecimal), tone: 'number' };
  if (only(v, '$binary') && isObject(v.$binary)) return { type: String(v.$binary.subType).padStart(2, '0') === '04' ? 'UUID' : 'Binary', text: binaryText(v.$binary), tone: 'special' };
  if (only(v, '$uuid')) return { type: 'UUID', text: `UUID('${String(v.$uuid)}')`, tone: 'special' };
  if (only(v, '$regularExpression') && isObject(v.$regularExpression)) {
    return { type: 'RegExp', text: cut(`/${String(v.$regularExpression.pattern)}/${String(v.$regularExpression.options)}`), tone: 'special' };
  }
  if (only(v, '$timestamp') && isObject(v.$timestamp)) return { type: 'Timestamp', text: `Timestamp(${String(v.$timestamp.t)}, ${String(v.$timestamp.i)})`, tone: 'special' };
  if (only(v, '$minKey')) return { type: 'MinKey', text: 'MinKey()', tone: 'special' };
  if (only(v, '$maxKey')) return { type: 'MaxKey', text: 'MaxKey()', tone: 'special' };
  if (only(v, '$code')) return { type: 'Code', text: cut(`Code(${JSON.stringify(v.$code)})`), tone: 'special' };
  if (only(v, '$code', '$scope')) return { type: 'Code with scope', text: cut(`Code(${JSON.stringify(v.$code)}, …)`), tone: 'special' };
  if (only(v, '$symbol')) return { type: 'Symbol', text: cut(`Symbol(${JSON.stringify(v.$symbol)})`), tone: 'special' };
  if (only(v, '$undefined')) return { type: 'Undefined', text: 'undefined', tone: 'null' };
  if (only(v, '$dbPointer')) return { type: 'DBPointer', text: 'DBPointer(…)', tone: 'special' };
  if (only(v, '$truncated') && isObject(v.$truncated)) {
    return { type: 'Truncated', text: `${String(v.$truncated.type)}, ${size(Number(v.$truncated.bytes))}: open the document to see it`, tone: 'truncated' };
  }
  const entries = Object.entries(v);
  const isRef = '$ref' in v && '$id' in v;
  return { type: isRef ? 'DBRef' : 'Object', text: isRef ? `DBRef(${JSON.stringify(v.$ref)}, ${viewOf(v.$id).text})` : `{ ${entries.length} field${entries.length === 1 ? '' : 's'} }`, tone: 'container', children: entries };
}

/** The top-level fields of loaded documents, `_id` first then in order of appearance, at most `max`. */
export function columnsOf(documents: Record<string, unknown>[], max = 40): { fields: string[]; more: boolean } {
  const seen = new Set<string>();
  for (const doc of documents) for (const key of Object.keys(doc)) seen.add(key);
  const ordered = [...seen].sort((a, b) => Number(b === '_id') - Number(a === '_id'));
  return { fields: ordered.slice(0, max), more: ordered.length > max };
}
