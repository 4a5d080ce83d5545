import { EngineError } from '../../engines/errors';
import { crc64Jones, type Crc64State } from '../crc64';
import { isObjectType, lzfDecompress, Opcode } from './rdb-format';

/** The newest RDB version this reader knows (Redis 7.4 and 8.x write 12). */
export const NEWEST_RDB_VERSION = 12;

export type RdbRecord =
  /** A key: its type byte and serialized value, exactly as RDB (and DUMP) store them. */
  | { kind: 'key'; db: number; key: Buffer; type: number; value: Buffer; expireAt?: number }
  /** A function library's source (FUNCTION LOAD takes it back). */
  | { kind: 'function'; code: Buffer }
  | { kind: 'aux'; name: string; value: string };

/** Thrown while parsing one record when the buffer ends before it: `needed` bytes must be buffered. */
class NeedMore {
  constructor(readonly needed: number) {}
}

const damaged = (why: string) => new EngineError('invalid_input', `the RDB file is damaged: ${why}`);

/**
 * Reads an RDB file structurally, one record at a time, from a stream of chunks: keys with their
 * raw serialized values (never decoded: a value's bytes become a DUMP payload as they are), the
 * logical database and expiry of each, function libraries, aux fields; and checks the file's
 * CRC-64 trailer. Memory stays bounded by the largest single value.
 */
export class RdbReader {
  version = 0;
  /** `ok` once the trailer matched; `absent` when the file was written with rdbchecksum no. */
  checksum: 'ok' | 'absent' | undefined;
  /** Bytes consumed so far. */
  bytes = 0;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private crc: Crc64State = crc64Jones.initial();
  private ended = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  static from(iterable: AsyncIterable<Buffer>): RdbReader {
    return new RdbReader(iterable[Symbol.asyncIterator]());
  }

  /** Buffers at least `needed` bytes from the current buffer's start. */
  private async fill(needed: number): Promise<void> {
    const chunks: Buffer[] = [this.buf];
    let length = this.buf.length;
    while (length < needed) {
      if (this.ended) throw damaged(`it ends early (truncated after ${this.bytes + length - this.pos} bytes)`);
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        continue;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
      chunks.push(chunk);
      length += chunk.length;
    }
    if (chunks.length > 1) this.buf = Buffer.concat(chunks, length);
  }

  /** Drops what was consumed (into the running CRC). */
  private compact(): void {
    if (this.pos === 0) return;
    this.crc = crc64Jones.update(this.crc, this.buf.subarray(0, this.pos));
    this.bytes += this.pos;
    this.buf = this.buf.subarray(this.pos);
    this.pos = 0;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new NeedMore(this.pos + n);
  }
  private u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  private skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
  private length(): { value: number; encoded: boolean } {
    const b = this.u8();
    const kind = b >> 6;
    if (kind === 0) return { value: b & 0x3f, encoded: false };
    if (kind === 1) return { value: ((b & 0x3f) << 8) | this.u8(), encoded: false };
    if (kind === 3) return { value: b & 0x3f, encoded: true };
    if (b === 0x80) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return { value: v, encoded: false };
    }
    if (b === 0x81) {
      this.need(8);
      const v = Number(this.buf.readBigUInt64BE(this.pos));
      this.pos += 8;
      return { value: v, encoded: false };
    }
    throw damaged(`unknown length encoding 0x${b.toString(16)} at byte ${this.bytes + this.pos}`);
  }
  private len(): number {
    const l = this.length();
    if (l.encoded) throw damaged(`an encoded value where a length belongs (byte ${this.bytes + this.pos})`);
    return l.value;
  }
  private string(): Buffer {
    const l = this.length();
    if (!l.encoded) {
      this.need(l.value);
      const out = this.buf.subarray(this.pos, this.pos + l.value);
      this.pos += l.value;
      return out;
    }
    switch (l.value) {
      case 0:
        this.need(1);
        return Buffer.from(String(this.buf.readInt8(this.pos++)));
      case 1: {
        this.need(2);
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return Buffer.from(String(v));
      }
      case 2: {
        this.need(4);
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return Buffer.from(String(v));
      }
      case 3: {
        const compressed = this.len();
        const plain = this.len();
        this.need(compressed);
        const out = lzfDecompress(this.buf.subarray(this.pos, this.pos + compressed), plain);
        this.pos += compressed;
        return out;
      }
      default:
        throw damaged(`unknown string encoding ${l.value}`);
    }
  }
  private skipString(): void {
    const l = this.length();
    if (!l.encoded) return this.skip(l.value);
    if (l.value === 0) return this.skip(1);
    if (l.value === 1) return this.skip(2);
    if (l.value === 2) return this.skip(4);
    if (l.value === 3) {
      const compressed = this.len();
      this.len();
      return this.skip(compressed);
    }
    throw damaged(`unknown string encoding ${l.value}`);
  }
  /** A value stored as a string length + decimal text (RDB before version 8), or 253/254/255 for NaN/±inf. */
  private skipOldDouble(): void {
    const n = this.u8();
    if (n < 253) this.skip(n);
  }
  private skipModuleValue(): void {
    for (;;) {
      const opcode = this.len();
      if (opcode === 0) return;
      if (opcode === 1 || opcode === 2) this.len();
      else if (opcode === 3) this.skip(4);
      else if (opcode === 4) this.skip(8);
      else if (opcode === 5) this.skipString();
      else throw damaged(`unknown module value opcode ${opcode}`);
    }
  }
  private skipStream(type: number): void {
    for (let n = this.len(); n > 0; n--) {
      this.skipString();
      this.skipString();
    }
    this.len(); // length
    this.len(); // last id ms
    this.len(); // last id seq
    if (type >= 19) for (let i = 0; i < 5; i++) this.len(); // first id, max deleted id, entries added
    for (let groups = this.len(); groups > 0; groups--) {
      this.skipString(); // name
      this.len();
      this.len(); // last delivered id
      if (type >= 19) this.len(); // entries read
      for (let pel = this.len(); pel > 0; pel--) {
        this.skip(16 + 8); // id, delivery time
        this.len(); // delivery count
      }
      for (let consumers = this.len(); consumers > 0; consumers--) {
        this.skipString();
        this.skip(8); // seen time
        if (type >= 21) this.skip(8); // active time
        this.skip(16 * this.len());
      }
    }
  }
  /** Moves past one serialized value of `type` (rdbLoadObject's layouts). */
  private skipValue(type: number): void {
    switch (type) {
      case 0: case 9: case 10: case 11: case 12: case 13: case 16: case 17: case 20: case 23:
        return this.skipString();
      case 1: case 2: case 14:
        for (let n = this.len(); n > 0; n--) this.skipString();
        return;
      case 3:
        for (let n = this.len(); n > 0; n--) {
          this.skipString();
          this.skipOldDouble();
        }
        return;
      case 4:
        for (let n = this.len() * 2; n > 0; n--) this.skipString();
        return;
      case 5:
        for (let n = this.len(); n > 0; n--) {
          this.skipString();
          this.skip(8);
        }
        return;
      case 7:
        this.len(); // module id
        return this.skipModuleValue();
      case 18:
        for (let n = this.len(); n > 0; n--) {
          this.len(); // container
          this.skipString();
        }
        return;
      case 15: case 19: case 21:
        return this.skipStream(type);
      case 22:
      case 24:
        if (type === 24) this.skip(8); // minimum expiry of the fields
        for (let n = this.len(); n > 0; n--) {
          this.len(); // field TTL
          this.skipString();
          this.skipString();
        }
        return;
      case 25:
        this.skip(8);
        return this.skipString();
      case 6:
        throw damaged('it holds a module value of a Redis 4.0 release candidate, which cannot be read');
      default:
        throw damaged(`unknown object type ${type}`);
    }
  }

  private async header(): Promise<void> {
    await this.fill(9);
    const magic = this.buf.subarray(0, 9).toString('latin1');
    if (!/^REDIS\d{4}$/.test(magic)) throw new EngineError('invalid_input', 'this is not an RDB file (it does not start with REDIS and a version)');
    this.version = Number(magic.slice(5));
    if (this.version > NEWEST_RDB_VERSION || this.version < 1) throw new EngineError('invalid_input', `the RDB file has version ${this.version}, which this explorer cannot read (it knows up to ${NEWEST_RDB_VERSION})`);
    this.pos = 9;
  }

  async *records(): AsyncGenerator<RdbRecord> {
    await this.header();
    let db = 0;
    let expireAt: number | undefined;
    for (;;) {
      if (this.pos > 1 << 20) this.compact();
      const start = this.pos;
      try {
        const type = this.u8();
        if (type === Opcode.EOF) {
          await this.trailer();
          return;
        }
        if (type === Opcode.SELECTDB) {
          db = this.len();
          continue;
        }
        if (type === Opcode.EXPIRETIME_MS) {
          this.need(8);
          expireAt = Number(this.buf.readBigInt64LE(this.pos));
          this.pos += 8;
          continue;
        }
        if (type === Opcode.EXPIRETIME) {
          this.need(4);
          expireAt = this.buf.readInt32LE(this.pos) * 1000;
          this.pos += 4;
          continue;
        }
        if (type === Opcode.RESIZEDB) {
          this.len();
          this.len();
          continue;
        }
        if (type === Opcode.SLOT_INFO) {
          this.len();
          this.len();
          this.len();
          continue;
        }
        if (type === Opcode.FREQ) {
          this.skip(1);
          continue;
        }
        if (type === Opcode.IDLE) {
          this.len();
          continue;
        }
        if (type === Opcode.AUX) {
          const name = this.string().toString('utf8');
          const value = this.string().toString('utf8');
          yield { kind: 'aux', name, value };
          continue;
        }
        if (type === Opcode.MODULE_AUX) {
          this.len();
          this.len();
          this.len();
          this.skipModuleValue();
          continue;
        }
        if (type === Opcode.FUNCTION2) {
          yield { kind: 'function', code: this.string() };
          continue;
        }
        if (type === Opcode.FUNCTION_PRE_GA) throw damaged('it holds functions of a Redis 7.0 release candidate, which cannot be read');
        if (!isObjectType(type)) throw damaged(`unknown opcode ${type} at byte ${this.bytes + start}`);
        const key = this.string();
        const valueStart = this.pos;
        this.skipValue(type);
        const record: RdbRecord = { kind: 'key', db, key, type, value: this.buf.subarray(valueStart, this.pos), ...(expireAt === undefined ? {} : { expireAt }) };
        expireAt = undefined;
        yield record;
      } catch (error) {
        if (!(error instanceof NeedMore)) throw error;
        this.pos = start;
        await this.fill(error.needed);
      }
    }
  }

  /** After the EOF opcode: the CRC-64 of everything before it (zeros when checksums were off). */
  private async trailer(): Promise<void> {
    this.crc = crc64Jones.update(this.crc, this.buf.subarray(0, this.pos));
    this.bytes += this.pos;
    this.buf = this.buf.subarray(this.pos);
    this.pos = 0;
    if (this.version < 5) {
      this.checksum = 'absent';
      return;
    }
    await this.fill(8);
    const stored = this.buf.readBigUInt64LE(0);
    this.bytes += 8;
    if (stored === 0n) this.checksum = 'absent';
    else if (stored === crc64Jones.digest(this.crc)) this.checksum = 'ok';
    else throw damaged('its CRC-64 checksum does not match its contents');
  }
}
