import { BSON } from 'mongodb';
import { EngineError } from '../../engines/errors';
import { crc64Ecma, type Crc64State } from '../crc64';
import { ChunkReader } from './bson-stream';

/**
 * mongodump's `--archive` format (mongo-tools common/archive/spec.md): magic number 0x8199e26d,
 * a header document, one metadata document per collection, a terminator (0xffffffff), then
 * namespace segments (a header, documents, terminator) and per namespace an EOF header carrying
 * the CRC-64/ECMA of all its documents, and a terminator.
 */
const MAGIC = 0x8199e26d;
const TERMINATOR = 0xffffffff;
const terminator = () => Buffer.from([0xff, 0xff, 0xff, 0xff]);

export interface ArchiveCollection {
  db: string;
  collection: string;
  /** The metadata.json text of the directory layout. */
  metadata: string;
  /** Uncompressed size of its documents (mongodump itself leaves this 0). */
  size: number;
  /** `collection`, `view` or `timeseries`, as listCollections says. */
  type: string;
}

type Sink = (chunk: Buffer) => Promise<void>;

export class ArchiveWriter {
  private open: string | undefined;
  private crc = new Map<string, Crc64State>();

  constructor(private readonly sink: Sink) {}

  async prelude(header: { serverVersion: string; toolVersion: string }, collections: ArchiveCollection[]): Promise<void> {
    const magic = Buffer.alloc(4);
    magic.writeUInt32LE(MAGIC);
    const parts = [
      magic,
      BSON.serialize({ concurrent_collections: new BSON.Int32(1), version: '0.1', server_version: header.serverVersion, tool_version: header.toolVersion }),
      ...collections.map((c) => BSON.serialize({ db: c.db, collection: c.collection, metadata: c.metadata, size: BSON.Long.fromNumber(c.size), type: c.type })),
      terminator(),
    ];
    await this.sink(Buffer.concat(parts.map((p) => Buffer.from(p))));
  }

  /** One document of `db.collection` (the data collection: `system.buckets.x` for a time series). */
  async document(db: string, collection: string, doc: Buffer): Promise<void> {
    const ns = `${db}.${collection}`;
    if (this.open !== ns) {
      const head = this.open ? [terminator()] : [];
      head.push(Buffer.from(BSON.serialize({ db, collection, EOF: false, CRC: BSON.Long.ZERO })));
      await this.sink(Buffer.concat(head));
      this.open = ns;
    }
    this.crc.set(ns, crc64Ecma.update(this.crc.get(ns) ?? crc64Ecma.initial(), doc));
    await this.sink(doc);
  }

  /** Ends a namespace: its EOF header with the CRC of everything written for it. */
  async end(db: string, collection: string): Promise<void> {
    const ns = `${db}.${collection}`;
    const parts = this.open ? [terminator()] : [];
    this.open = undefined;
    const crc = crc64Ecma.digest(this.crc.get(ns) ?? crc64Ecma.initial());
    parts.push(Buffer.from(BSON.serialize({ db, collection, EOF: true, CRC: BSON.Long.fromBigInt(BigInt.asIntN(64, crc)) })), terminator());
    await this.sink(Buffer.concat(parts));
  }
}

export type ArchiveEvent =
  | { kind: 'header'; serverVersion: string; toolVersion: string }
  | ({ kind: 'metadata' } & ArchiveCollection)
  | { kind: 'document'; db: string; collection: string; doc: Buffer }
  | { kind: 'eof'; db: string; collection: string };

const damaged = (why: string) => new EngineError('invalid_input', `the archive is damaged: ${why}`);

/** Reads an archive written by mongodump (or by us), checking each namespace's CRC at its EOF. */
export async function* readArchive(source: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<ArchiveEvent> {
  const reader = ChunkReader.from(source, 'the archive');
  if ((await reader.uint32()) !== MAGIC) throw new EngineError('invalid_input', 'this is not a mongodump archive (no magic number)');
  const header = BSON.deserialize(await reader.document());
  yield { kind: 'header', serverVersion: String(header.server_version ?? ''), toolVersion: String(header.tool_version ?? '') };
  while ((await reader.peekUint32()) !== TERMINATOR) {
    const m = BSON.deserialize(await reader.document());
    yield { kind: 'metadata', db: String(m.db), collection: String(m.collection), metadata: String(m.metadata ?? ''), size: Number(m.size ?? 0), type: String(m.type ?? '') };
  }
  await reader.uint32();
  const crc = new Map<string, Crc64State>();
  while (!(await reader.atEnd())) {
    const head = BSON.deserialize(await reader.document(), { useBigInt64: true });
    const db = String(head.db);
    const collection = String(head.collection);
    const ns = `${db}.${collection}`;
    if (head.EOF === true) {
      const stored = BigInt.asUintN(64, BigInt(head.CRC as bigint));
      const actual = crc64Ecma.digest(crc.get(ns) ?? crc64Ecma.initial());
      if (stored !== actual) throw damaged(`the documents of ${ns} do not match their CRC`);
      if ((await reader.uint32()) !== TERMINATOR) throw damaged(`no terminator after the end of ${ns}`);
      yield { kind: 'eof', db, collection };
      continue;
    }
    while ((await reader.peekUint32()) !== TERMINATOR) {
      const doc = await reader.document();
      crc.set(ns, crc64Ecma.update(crc.get(ns) ?? crc64Ecma.initial(), doc));
      yield { kind: 'document', db, collection, doc };
    }
    await reader.uint32();
  }
}
