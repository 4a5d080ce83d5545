/**
 * A document holding every BSON type the explorer must keep, with the edge values of each: the
 * engine's round-trip test and the UI test of the document editor both write it and expect it back
 * byte for byte.
 */
import { Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, type Document } from 'mongodb';

export const REGEX_OPTIONS = ['', 'i', 'm', 's', 'x', 'l', 'u', 'ims', 'imsx', 'ilmsux'];

export function everyType(_id: unknown): Document {
  return {
    _id,
    zebra: 'key order is kept: this field comes first',
    '': 'the empty key',
    nul: 'before\u0000after',
    unicode: 'é 日本 🎉 \u202e',
    int32: { min: new Int32(-2147483648), max: new Int32(2147483647), zero: new Int32(0) },
    int64: { min: Long.MIN_VALUE, max: Long.MAX_VALUE, past53: Long.fromString('9007199254740993') },
    double: { negZero: new Double(-0), nan: new Double(NaN), inf: new Double(Infinity), negInf: new Double(-Infinity), tiny: new Double(5e-324), max: new Double(Number.MAX_VALUE), whole: new Double(3) },
    decimal: { nan: Decimal128.fromString('NaN'), negZero: Decimal128.fromString('-0'), inf: Decimal128.fromString('Infinity'), negInf: Decimal128.fromString('-Infinity'), precise: Decimal128.fromString('1234567890.123456789012345678901234') },
    dates: { epoch: new Date(0), before1970: new Date(-86_400_000 * 365 * 50), y9999: new Date('9999-12-31T23:59:59.999Z') },
    timestamps: { zero: new Timestamp({ t: 0, i: 0 }), max: new Timestamp({ t: 4294967295, i: 4294967295 }), some: new Timestamp({ t: 1700000000, i: 7 }) },
    binary: {
      generic: new Binary(Buffer.from([0, 1, 2, 255]), 0),
      function: new Binary(Buffer.from('f'), 1),
      old: new Binary(Buffer.from('old binary'), 2),
      uuidOld: new Binary(Buffer.alloc(16, 3), 3),
      uuid: new Binary(Buffer.from('0123456789abcdef0123456789abcdef', 'hex'), 4),
      md5: new Binary(Buffer.alloc(16, 5), 5),
      sensitive: new Binary(Buffer.from('secret-looking bytes'), 8),
      user: new Binary(Buffer.from('user defined'), 0x80),
      empty: new Binary(Buffer.alloc(0), 0),
    },
    regex: Object.fromEntries(REGEX_OPTIONS.map((o) => [`opt_${o || 'none'}`, new BSONRegExp('^a.b\\s+[c-d]$', o)])),
    keys: { min: new MinKey(), max: new MaxKey() },
    code: new Code('function () { return 1; }'),
    symbol: new BSONSymbol('a symbol'),
    objectId: new ObjectId('65a1b2c3d4e5f60718293a4b'),
    ref: new DBRef('other', new ObjectId('65a1b2c3d4e5f60718293a4c'), 'db2'),
    bools: [true, false],
    nothing: null,
    nested: { deeper: { deepest: [1, [2, [3, { four: new Int32(4) }]], { a: [] }, {}] } },
  };
}

