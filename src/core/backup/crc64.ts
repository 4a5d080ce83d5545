/**
 * The two 64-bit CRCs the engines' own formats use, table-driven on two 32-bit halves (no BigInt
 * in the inner loop):
 * - Redis' CRC-64/Jones (reflected, polynomial 0xad93d23594c935a9, init 0, no final xor): the
 *   trailer of an RDB file and of every DUMP payload;
 * - Go's CRC-64/ECMA as `hash/crc64` computes it (reflected 0xc96c5795d7870f42, init and final
 *   xor all ones, i.e. CRC-64/XZ): the `CRC` of a mongodump archive's namespace EOF header.
 */
export interface Crc64 {
  /** Adds bytes to a running CRC (start with `initial`). */
  update(crc: Crc64State, bytes: Uint8Array): Crc64State;
  initial(): Crc64State;
  /** The finished CRC as an unsigned 64-bit value. */
  digest(crc: Crc64State): bigint;
}

/** A running CRC: high and low 32 bits. */
export interface Crc64State {
  hi: number;
  lo: number;
}

/** Slicing-by-8 tables: `hi[k * 256 + n]`/`lo[…]` is the CRC of byte n followed by k zero bytes. */
function makeTables(reflectedPoly: bigint): { hi: Uint32Array; lo: Uint32Array } {
  const hi = new Uint32Array(8 * 256);
  const lo = new Uint32Array(8 * 256);
  const base: bigint[] = [];
  for (let n = 0; n < 256; n++) {
    let crc = BigInt(n);
    for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ reflectedPoly : crc >> 1n;
    base.push(crc);
  }
  for (let n = 0; n < 256; n++) {
    let crc = base[n]!;
    for (let k = 0; k < 8; k++) {
      hi[k * 256 + n] = Number(crc >> 32n);
      lo[k * 256 + n] = Number(crc & 0xffffffffn);
      crc = base[Number(crc & 0xffn)]! ^ (crc >> 8n);
    }
  }
  return { hi, lo };
}

function crc64(reflectedPoly: bigint, xorAllOnes: boolean): Crc64 {
  const { hi: H, lo: L } = makeTables(reflectedPoly);
  return {
    initial: () => (xorAllOnes ? { hi: 0xffffffff, lo: 0xffffffff } : { hi: 0, lo: 0 }),
    update: (state, bytes) => {
      let { hi, lo } = state;
      let i = 0;
      const end8 = bytes.length - (bytes.length % 8);
      for (; i < end8; i += 8) {
        const a = (lo ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
        const b = (hi ^ (bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24))) >>> 0;
        const i7 = 7 * 256 + (a & 0xff), i6 = 6 * 256 + ((a >>> 8) & 0xff), i5 = 5 * 256 + ((a >>> 16) & 0xff), i4 = 4 * 256 + (a >>> 24);
        const i3 = 3 * 256 + (b & 0xff), i2 = 2 * 256 + ((b >>> 8) & 0xff), i1 = 256 + ((b >>> 16) & 0xff), i0 = b >>> 24;
        lo = (L[i7]! ^ L[i6]! ^ L[i5]! ^ L[i4]! ^ L[i3]! ^ L[i2]! ^ L[i1]! ^ L[i0]!) >>> 0;
        hi = (H[i7]! ^ H[i6]! ^ H[i5]! ^ H[i4]! ^ H[i3]! ^ H[i2]! ^ H[i1]! ^ H[i0]!) >>> 0;
      }
      for (; i < bytes.length; i++) {
        const index = (lo ^ bytes[i]!) & 0xff;
        // crc = table[index] ^ (crc >> 8), on the two halves.
        const shiftedLo = (lo >>> 8) | ((hi & 0xff) << 24);
        lo = (L[index]! ^ shiftedLo) >>> 0;
        hi = (H[index]! ^ (hi >>> 8)) >>> 0;
      }
      return { hi, lo };
    },
    digest: (state) => {
      const hi = xorAllOnes ? ~state.hi >>> 0 : state.hi;
      const lo = xorAllOnes ? ~state.lo >>> 0 : state.lo;
      return (BigInt(hi) << 32n) | BigInt(lo);
    },
  };
}

export const crc64Jones = crc64(0x95ac9329ac4bc9b5n, false);
export const crc64Ecma = crc64(0xc96c5795d7870f42n, true);

/** The CRC of one buffer, as 8 little-endian bytes (how both formats store it). */
export function crc64Bytes(crc: Crc64, bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(crc.digest(crc.update(crc.initial(), bytes)));
  return out;
}
