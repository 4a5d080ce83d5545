/*
 * Bytes as people can read them, without the DOM (unit-tested on Node): base64 from the host to
 * bytes, printable escapes for binary names, and the lines of a hex + ASCII dump.
 */

export function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const printable = (byte: number) => byte >= 0x20 && byte < 0x7f;

/** A binary name as redis-cli shows it: printable ASCII as is, every other byte as `\xNN` (a backslash doubled). */
export function escapeBytes(bytes: Uint8Array, max = 4096): string {
  let out = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    out += b === 0x5c ? '\\\\' : printable(b) ? String.fromCharCode(b) : `\\x${hex2(b)}`;
  }
  return bytes.length > max ? `${out}…` : out;
}

export const BYTES_PER_LINE = 16;

export interface HexLine {
  /** Offset of the line's first byte, 8 hex digits (or more past 4 GiB). */
  offset: string;
  /** `ff fe 01 …`, two groups of 8, padded so the ASCII column lines up. */
  hex: string;
  /** Printable ASCII, `.` for anything else. */
  ascii: string;
}

/** Line `line` of a hex dump of `bytes`, whose first byte sits at `base` in the whole value. */
export function hexLine(bytes: Uint8Array, line: number, base = 0): HexLine {
  const start = line * BYTES_PER_LINE;
  const chunk = bytes.subarray(start, start + BYTES_PER_LINE);
  let hex = '';
  let ascii = '';
  for (let i = 0; i < BYTES_PER_LINE; i++) {
    if (i === 8) hex += ' ';
    const b = chunk[i];
    hex += b === undefined ? '   ' : `${hex2(b)} `;
    if (b !== undefined) ascii += printable(b) ? String.fromCharCode(b) : '.';
  }
  return { offset: (base + start).toString(16).padStart(8, '0'), hex: hex.trimEnd(), ascii };
}

export const hexLineCount = (length: number) => Math.ceil(length / BYTES_PER_LINE);

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export const formatCount = (n: number) => n.toLocaleString('en-US');

/** A TTL in seconds for a column: "no TTL", "expired", "45 s", "3 min", "2 h 5 min", "4 d". */
export function formatTtl(ttl: number): string {
  if (ttl === -1) return 'no TTL';
  if (ttl < 0) return 'expired';
  if (ttl < 60) return `${ttl} s`;
  if (ttl < 3600) return `${Math.floor(ttl / 60)} min`;
  if (ttl < 86_400) {
    const minutes = Math.floor((ttl % 3600) / 60);
    return `${Math.floor(ttl / 3600)} h${minutes ? ` ${minutes} min` : ''}`;
  }
  return `${Math.floor(ttl / 86_400)} d`;
}

/** Pretty JSON when the text parses as an object or array, else undefined (numbers and strings stay as they are). */
export function prettyJson(text: string): string | undefined {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return undefined;
  // JSON.parse would round integers past 2^53: such text is shown as it is rather than changed.
  if (/[^\d.]\d{16,}/.test(trimmed)) return undefined;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return undefined;
  }
}
