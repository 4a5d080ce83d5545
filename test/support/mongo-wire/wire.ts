/**
 * MongoDB wire protocol framing.
 *
 * The driver opens every connection with a legacy OP_QUERY `isMaster` on
 * `admin.$cmd` (answered with OP_REPLY); everything after that is OP_MSG.
 * Header: int32 messageLength, requestID, responseTo, opCode (little endian).
 */
import { deserialize, serialize } from 'bson';
import type { Doc } from './values';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;

/** mongod's limit; anything bigger is a broken stream, not a message. */
export const MAX_MESSAGE_BYTES = 48_000_000;

/**
 * `promoteValues: false` keeps Int32/Double/Long as wrapper objects so stored
 * documents keep their exact BSON types (see values.ts for how mingo copes);
 * `bsonRegExp: true` keeps a regular expression's options as sent (a
 * JavaScript RegExp would turn `s` into `g` and drop `x`, `l` and `u`).
 */
const DECODE = { promoteValues: false, bsonRegExp: true } as const;

export interface Request {
  requestId: number;
  opCode: number;
  db: string;
  body: Doc;
  /** The client expects no reply (unacknowledged write, w:0). */
  moreToCome: boolean;
}

export class WireError extends Error {}

function readDoc(frame: Buffer, pos: number): [Doc, number] {
  const size = frame.readInt32LE(pos);
  if (size < 5 || pos + size > frame.length) throw new WireError(`bad BSON length ${size}`);
  return [deserialize(frame.subarray(pos, pos + size), DECODE), pos + size];
}

function readCString(frame: Buffer, pos: number): [string, number] {
  const end = frame.indexOf(0, pos);
  if (end < 0) throw new WireError('unterminated cstring');
  return [frame.toString('utf8', pos, end), end + 1];
}

export function parseMessage(frame: Buffer): Request {
  const requestId = frame.readInt32LE(4);
  const opCode = frame.readInt32LE(12);
  if (opCode === OP_MSG) {
    const flags = frame.readUInt32LE(16);
    // The CRC-32C trailer is not verified: the driver never sends one over plain TCP.
    const end = flags & CHECKSUM_PRESENT ? frame.length - 4 : frame.length;
    let body: Doc | undefined;
    const sequences: [string, Doc[]][] = [];
    let pos = 20;
    while (pos < end) {
      const kind = frame[pos++];
      if (kind === 0) {
        [body, pos] = readDoc(frame, pos);
      } else if (kind === 1) {
        // Document sequence: int32 size, cstring identifier, then documents up to size.
        const sectionEnd = pos + frame.readInt32LE(pos);
        const [identifier, start] = readCString(frame, pos + 4);
        let p = start;
        const docs: Doc[] = [];
        while (p < sectionEnd) {
          let doc: Doc;
          [doc, p] = readDoc(frame, p);
          docs.push(doc);
        }
        sequences.push([identifier, docs]);
        pos = sectionEnd;
      } else {
        throw new WireError(`unknown OP_MSG section kind ${kind}`);
      }
    }
    if (!body) throw new WireError('OP_MSG without a body section');
    for (const [identifier, docs] of sequences) body[identifier] = docs;
    return { requestId, opCode, db: String(body.$db ?? 'admin'), body, moreToCome: (flags & MORE_TO_COME) !== 0 };
  }
  if (opCode === OP_QUERY) {
    // int32 flags, cstring fullCollectionName, int32 numberToSkip, int32 numberToReturn, query doc.
    const [ns, p] = readCString(frame, 20);
    let [body] = readDoc(frame, p + 8);
    if (body.$query && typeof body.$query === 'object') body = body.$query as Doc;
    return { requestId, opCode, db: ns.split('.')[0], body, moreToCome: false };
  }
  if (opCode === OP_COMPRESSED) throw new WireError('OP_COMPRESSED is not supported (no compressors advertised)');
  throw new WireError(`unsupported opCode ${opCode}`);
}

let nextRequestId = 1;

/** Encode `doc` as the answer to `req`, in the same protocol the request used. */
export function encodeReply(req: Request, doc: Doc): Buffer {
  const bson = serialize(doc);
  const legacy = req.opCode === OP_QUERY;
  const headerSize = legacy ? 36 : 21;
  const out = Buffer.alloc(headerSize + bson.length);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  out.writeInt32LE(req.requestId, 8);
  out.writeInt32LE(legacy ? OP_REPLY : OP_MSG, 12);
  // OP_REPLY: responseFlags(0), cursorID int64(0), startingFrom(0), numberReturned(1).
  // OP_MSG: flagBits(0), section kind 0.
  if (legacy) out.writeInt32LE(1, 32);
  out.set(bson, headerSize);
  return out;
}
