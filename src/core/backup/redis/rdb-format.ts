/**
 * Constants and small codecs of Redis' RDB format (src/rdb.h in redis/redis): the object types,
 * the opcodes, lengths and strings. Shared by the reader (which parses files structurally) and the
 * writer (which builds an RDB from DUMP payloads).
 */
export const Opcode = {
  SLOT_INFO: 244,
  FUNCTION2: 245,
  FUNCTION_PRE_GA: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** RDB object type → the type name Redis' TYPE command answers. */
export function typeName(rdbType: number): string {
  switch (rdbType) {
    case 0:
      return 'string';
    case 1: case 10: case 14: case 18:
      return 'list';
    case 2: case 11: case 20:
      return 'set';
    case 3: case 5: case 12: case 17:
      return 'zset';
    case 4: case 9: case 13: case 16: case 22: case 23: case 24: case 25:
      return 'hash';
    case 15: case 19: case 21:
      return 'stream';
    case 6: case 7:
      return 'module';
    default:
      return `type ${rdbType}`;
  }
}

export const isObjectType = (t: number) => (t >= 0 && t <= 7) || (t >= 9 && t <= 25);

/**
 * The RDB version each Redis release writes (and the newest it reads): a DUMP payload or an RDB
 * newer than the target's is refused by RESTORE. From src/rdb.h of each release.
 */
export function rdbVersionOf(redisVersion: string): number {
  const [major = 0, minor = 0] = redisVersion.split('.').map(Number);
  if (major >= 8 || (major === 7 && minor >= 4)) return 12;
  if (major === 7 && minor >= 2) return 11;
  if (major === 7) return 10;
  if (major >= 5) return 9;
  if (major === 4) return 8;
  return 7;
}

/** RDB's length encoding: 6-bit, 14-bit, 32-bit or 64-bit big-endian. */
export function encodeLength(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  if (n <= 0xffffffff) {
    const b = Buffer.alloc(5);
    b[0] = 0x80;
    b.writeUInt32BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0x81;
  b.writeBigUInt64BE(BigInt(n), 1);
  return b;
}

/** A string as RDB stores it without compression: its length, then its bytes. */
export const encodeString = (bytes: Buffer) => Buffer.concat([encodeLength(bytes.length), bytes]);

/** LZF decompression (liblzf), for strings RDB stored compressed. */
export function lzfDecompress(input: Buffer, outLength: number): Buffer {
  const out = Buffer.alloc(outLength);
  let i = 0;
  let o = 0;
  while (i < input.length) {
    const ctrl = input[i++]!;
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (o + len > outLength || i + len > input.length) throw new Error('corrupt LZF data');
      input.copy(out, o, i, i + len);
      i += len;
      o += len;
    } else {
      let len = ctrl >> 5;
      if (len === 7) len += input[i++]!;
      const ref = o - ((ctrl & 0x1f) << 8) - input[i++]! - 1;
      if (ref < 0 || o + len + 2 > outLength) throw new Error('corrupt LZF data');
      for (let k = 0; k < len + 2; k++) out[o++] = out[ref + k]!;
    }
  }
  if (o !== outLength) throw new Error('corrupt LZF data (short)');
  return out;
}
