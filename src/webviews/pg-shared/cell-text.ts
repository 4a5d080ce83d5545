import type { Cell, Column as PgColumn } from '../../core/engines/postgres/values';
import { base64ToBytes, formatBytes } from '../shared/bytes';

/*
 * PostgreSQL values (the engine's JSON encoding, values.ts) as text for a grid cell and for the
 * value panel; no DOM here (unit-tested in Node). Everything is text: a value
 * `<img src=x onerror=…>` shows those characters.
 */

const JSON_TYPES = new Set([114, 3802]);
const NUMERIC = new Set([20, 21, 23, 26, 700, 701, 790, 1700]);

type Marker = { $bytes?: string; $text?: string; truncated?: boolean; size?: number };
const isMarker = (v: unknown, key: '$bytes' | '$text'): v is Marker => typeof v === 'object' && v !== null && !Array.isArray(v) && key in v;

/** A bytea value (`{ $bytes }`), told apart without decoding it. */
export const isBytes = (v: Cell) => isMarker(v, '$bytes');
export const isJsonColumn = (c: PgColumn) => JSON_TYPES.has(c.typeOid);
export const isNumericColumn = (c: PgColumn) => NUMERIC.has(c.typeOid);

/** `{1, NULL, "a b"}`: an array in PostgreSQL's own notation, readable. */
function arrayText(items: Cell[]): string {
  return `{${items.map((v) => (v === null ? 'NULL' : Array.isArray(v) ? arrayText(v) : typeof v === 'string' ? (/[\s,{}"\\]/.test(v) || v === '' ? JSON.stringify(v) : v) : oneLine(v))).join(', ')}}`;
}

function hexPreview(bytes: Uint8Array, max: number): string {
  let out = '\\x';
  for (let i = 0; i < Math.min(bytes.length, max); i++) out += bytes[i]!.toString(16).padStart(2, '0');
  return bytes.length > max ? `${out}…` : out;
}

/** The value as one line of text for a cell (long text is cut by CSS; the value panel shows all of it). */
/**
 * Control characters (line breaks, tabs aside) and the invisible direction marks and overrides
 * (U+202E would show `evil` as `live`) written as escapes, so a cell shows what the value holds.
 */
export const visibleControls = (text: string) =>
  // eslint-disable-next-line no-control-regex
  text.replace(/[\u0000-\u0008\u000a-\u001f\u007f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

export function oneLine(value: Cell): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return visibleControls(value.length > 500 ? `${value.slice(0, 500)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return arrayText(value);
  if (isMarker(value, '$bytes')) {
    const bytes = base64ToBytes(value.$bytes!);
    return `${hexPreview(bytes, 32)}${value.truncated ? ` (${formatBytes(value.size ?? 0)})` : ''}`;
  }
  if (isMarker(value, '$text')) return `${visibleControls(value.$text!.slice(0, 500))}… (${formatBytes(value.size ?? 0)})`;
  const json = JSON.stringify(value);
  return json.length > 500 ? `${json.slice(0, 500)}…` : json;
}

/** The whole value as text for the value panel and for editing: JSON pretty-printed, bytea in hex. */
export function fullText(value: Cell, column: PgColumn): string {
  if (value === null) return '';
  if (isJsonColumn(column) && !isMarker(value, '$text')) return JSON.stringify(value, null, 2);
  if (isMarker(value, '$bytes')) return hexPreview(base64ToBytes(value.$bytes!), Number.MAX_SAFE_INTEGER);
  if (isMarker(value, '$text')) return value.$text!;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return arrayText(value);
  return String(value);
}

/** Cut for display by the engine (over 64 KiB): shown in part, never written back. */
export const isCut = (value: Cell) => (isMarker(value, '$bytes') || isMarker(value, '$text')) && (value as Marker).truncated === true;
export const bytesOf = (value: Cell): Uint8Array | undefined => (isMarker(value, '$bytes') ? base64ToBytes(value.$bytes!) : undefined);
