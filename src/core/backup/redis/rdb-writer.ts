import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { EngineError } from '../../engines/errors';
import { crc64Jones, type Crc64State } from '../crc64';
import { encodeLength, encodeString, Opcode } from './rdb-format';

/** Splits a DUMP payload (`type | value | RDB version (2 LE) | CRC-64 (8 LE)`), checking its CRC. */
export function openDumpPayload(payload: Buffer): { type: number; value: Buffer; version: number } {
  if (payload.length < 11) throw new EngineError('server', 'Redis answered DUMP with a payload too short to be one');
  const body = payload.subarray(0, payload.length - 8);
  const crc = crc64Jones.digest(crc64Jones.update(crc64Jones.initial(), body));
  if (crc !== payload.readBigUInt64LE(payload.length - 8)) throw new EngineError('server', 'a DUMP payload from Redis failed its CRC-64 check');
  return { type: payload[0]!, value: payload.subarray(1, payload.length - 10), version: payload.readUInt16LE(payload.length - 10) };
}

/** The other way: a DUMP payload for RESTORE from an RDB record's type and value. */
export function dumpPayload(type: number, value: Buffer, version: number): Buffer {
  const head = Buffer.alloc(1);
  head[0] = type;
  const ver = Buffer.alloc(2);
  ver.writeUInt16LE(version);
  const body = Buffer.concat([head, value, ver]);
  const crc = Buffer.alloc(8);
  crc.writeBigUInt64LE(crc64Jones.digest(crc64Jones.update(crc64Jones.initial(), body)));
  return Buffer.concat([body, crc]);
}

/**
 * Writes an RDB file the way Redis does (header, aux fields, SELECTDB, optional EXPIRETIME_MS, type,
 * key, value, functions, EOF, CRC-64), from values taken with DUMP: a logical backup that
 * `redis-server` loads and `redis-check-rdb` checks like any snapshot. The header's version is the
 * payloads' (they all come from one server); it is written with the first key.
 */
export class RdbWriter {
  private readonly out: WriteStream;
  private crc: Crc64State = crc64Jones.initial();
  private started = false;
  private db = -1;
  bytes = 0;
  keys = 0;

  constructor(
    path: string,
    private readonly aux: Record<string, string>,
    /** Used when no key gives one (an empty database). */
    private version: number,
  ) {
    this.out = createWriteStream(path, { mode: 0o600 });
  }

  private async write(chunk: Buffer): Promise<void> {
    this.crc = crc64Jones.update(this.crc, chunk);
    this.bytes += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  private async start(version: number): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.version = version;
    const parts = [Buffer.from(`REDIS${String(version).padStart(4, '0')}`, 'latin1')];
    for (const [name, value] of Object.entries(this.aux)) parts.push(Buffer.from([Opcode.AUX]), encodeString(Buffer.from(name)), encodeString(Buffer.from(value)));
    await this.write(Buffer.concat(parts));
  }

  /** One key from its DUMP payload; `expireAt` in Unix milliseconds. */
  async key(db: number, key: Buffer, payload: Buffer, expireAt?: number): Promise<void> {
    const { type, value, version } = openDumpPayload(payload);
    await this.start(version);
    if (version > this.version) throw new EngineError('server', `Redis answered DUMP payloads of two RDB versions (${this.version} and ${version})`);
    const parts: Buffer[] = [];
    if (db !== this.db) {
      parts.push(Buffer.from([Opcode.SELECTDB]), encodeLength(db));
      this.db = db;
    }
    if (expireAt !== undefined) {
      const at = Buffer.alloc(9);
      at[0] = Opcode.EXPIRETIME_MS;
      at.writeBigInt64LE(BigInt(expireAt), 1);
      parts.push(at);
    }
    parts.push(Buffer.from([type]), encodeString(key), value);
    await this.write(Buffer.concat(parts));
    this.keys++;
  }

  /** Function libraries as FUNCTION DUMP gives them (their opcodes and sources, footer removed by the caller). */
  async functions(body: Buffer): Promise<void> {
    await this.start(this.version);
    await this.write(body);
  }

  /** Writes EOF and the checksum, and closes the file. */
  async finish(): Promise<void> {
    await this.start(this.version);
    await this.write(Buffer.from([Opcode.EOF]));
    const trailer = Buffer.alloc(8);
    trailer.writeBigUInt64LE(crc64Jones.digest(this.crc));
    this.bytes += 8;
    this.out.end(trailer);
    await once(this.out, 'close');
  }

  /** Gives up: closes the file (the caller removes the staging folder). */
  abort(): void {
    this.out.destroy();
  }
}
