import { Buffer, isUtf8 } from 'node:buffer';
import { EngineError } from '../errors';
import type { KeyInput, KeyRef, RedisText, TextInput } from './types';

/*
 * Keys and values travel as bytes (the *Buffer command variants) and become JSON here: UTF-8 text as
 * is, anything else as base64, so a binary key or value is never mangled by a lossy decode and can
 * be sent back byte for byte.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function fromBase64(text: string, what: string): Buffer {
  if (!BASE64.test(text)) throw new EngineError('invalid_input', `${what} is marked binary but is not valid base64`);
  return Buffer.from(text, 'base64');
}

export function toKeyRef(bytes: Buffer): KeyRef {
  const name = bytes.toString('utf8');
  return isUtf8(bytes) ? { name } : { name, base64: bytes.toString('base64') };
}

/**
 * A key as a command argument: the string when the bytes are UTF-8 (identical on the wire), so that
 * large pipelines are encoded as one string; Buffer arguments make ioredis concatenate buffers.
 */
export const wireKey = (bytes: Buffer): string | Buffer => (isUtf8(bytes) ? bytes.toString('utf8') : bytes);

/** The bytes of a key given as a string or as the `{ name, base64? }` shape. */
export function keyBytes(key: KeyInput, what = 'key'): Buffer {
  if (typeof key === 'string') return Buffer.from(key, 'utf8');
  return key.base64 !== undefined ? fromBase64(key.base64, what) : Buffer.from(key.name, 'utf8');
}

/** The bytes of a value given as a string or as `{ value, binary? }`. */
export function textBytes(value: TextInput, what = 'value'): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  return value.binary ? fromBase64(value.value, what) : Buffer.from(value.value, 'utf8');
}

/** An element as JSON, cut at `maxBytes` (a cut never splits a UTF-8 character into a false "binary"). */
export function toText(bytes: Buffer, maxBytes = Infinity): RedisText {
  if (bytes.length <= maxBytes) {
    return isUtf8(bytes) ? { value: bytes.toString('utf8') } : { value: bytes.toString('base64'), binary: true };
  }
  const { text, used } = utf8Prefix(bytes.subarray(0, maxBytes));
  const head = text !== undefined ? { value: text } : { value: bytes.subarray(0, used).toString('base64'), binary: true as const };
  return { ...head, truncated: true, bytes: bytes.length };
}

/**
 * Reads a chunk cut from a longer value: valid UTF-8 apart from an incomplete character at the end
 * gives that text without the partial character (`used` says how many bytes it covers, so the next
 * chunk starts there); anything else is binary and covers the whole chunk.
 */
export function utf8Prefix(chunk: Buffer): { text?: string; used: number } {
  let cut = 0;
  // A lead byte in the last 3 bytes whose sequence runs past the end marks a cut character.
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const byte = chunk[chunk.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (need > back) cut = back;
    break;
  }
  const body = chunk.subarray(0, chunk.length - cut);
  return isUtf8(body) ? { text: body.toString('utf8'), used: body.length } : { used: chunk.length };
}

/** SCAN MATCH glob that matches `prefix` literally followed by anything. */
export function prefixPattern(prefix: Buffer): Buffer {
  const out: number[] = [];
  for (const byte of prefix) {
    // * ? [ ] \ are glob syntax in Redis' stringmatchlen.
    if (byte === 0x2a || byte === 0x3f || byte === 0x5b || byte === 0x5d || byte === 0x5c) out.push(0x5c);
    out.push(byte);
  }
  out.push(0x2a);
  return Buffer.from(out);
}

/** A key for an error message: short, and readable even when binary. */
export function showKey(key: KeyInput | Buffer): string {
  const name = Buffer.isBuffer(key) ? key.toString('utf8') : typeof key === 'string' ? key : key.name;
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}

/** Redis type names as the UI shows them: RedisJSON's `ReJSON-RL` is `json`. */
export const typeName = (raw: string) => (raw === 'ReJSON-RL' ? 'json' : raw);
export const rawTypeName = (shown: string) => (shown === 'json' ? 'ReJSON-RL' : shown);
