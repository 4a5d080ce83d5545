import { EngineError } from '../../engines/errors';

/** BSON's own bound (16 MiB) plus the headroom mongod allows internally. */
export const MAX_DOCUMENT = 16 * 1024 * 1024 + 16 * 1024;

const damaged = (what: string, why: string) => new EngineError('invalid_input', `the backup is damaged: ${what} ${why}`);

/**
 * Reads a byte stream in pieces of known size: BSON documents (int32 length, little-endian, then
 * the rest, ending in a zero byte) and raw bytes, pulling chunks only as needed.
 */
export class ChunkReader {
  private buf: Buffer = Buffer.alloc(0);
  private done = false;
  /** Bytes consumed so far. */
  offset = 0;

  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly what: string,
  ) {}

  static from(iterable: AsyncIterable<Buffer | Uint8Array>, what: string): ChunkReader {
    return new ChunkReader(iterable[Symbol.asyncIterator]() as AsyncIterator<Buffer>, what);
  }

  /** Whether at least `n` bytes are buffered (pulling as needed); false at the end of the stream. */
  private async has(n: number): Promise<boolean> {
    const chunks: Buffer[] = [this.buf];
    let length = this.buf.length;
    while (length < n && !this.done) {
      const next = await this.source.next();
      if (next.done) {
        this.done = true;
        break;
      }
      const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as Uint8Array);
      chunks.push(chunk);
      length += chunk.length;
    }
    if (chunks.length > 1) this.buf = Buffer.concat(chunks, length);
    return length >= n;
  }

  async atEnd(): Promise<boolean> {
    return !(await this.has(1));
  }

  async bytes(n: number): Promise<Buffer> {
    if (!(await this.has(n))) throw damaged(this.what, `ends early, after ${this.offset + this.buf.length} bytes (truncated)`);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.offset += n;
    return out;
  }

  async uint32(): Promise<number> {
    return (await this.bytes(4)).readUInt32LE(0);
  }

  /** Looks at the next four bytes without consuming them. */
  async peekUint32(): Promise<number | undefined> {
    return (await this.has(4)) ? this.buf.readUInt32LE(0) : undefined;
  }

  /** The next BSON document's bytes (checked for its frame: length bounds and the trailing zero). */
  async document(): Promise<Buffer> {
    const size = await this.peekUint32();
    if (size === undefined) throw damaged(this.what, `ends early, after ${this.offset + this.buf.length} bytes (truncated)`);
    if (size < 5 || size > MAX_DOCUMENT) throw damaged(this.what, `holds a document of impossible size ${size} at byte ${this.offset}`);
    const doc = await this.bytes(size);
    if (doc[size - 1] !== 0) throw damaged(this.what, `holds a document without its terminating byte at byte ${this.offset - size}`);
    return doc;
  }
}

/** Every document of a `.bson` file (concatenated BSON documents), as raw bytes. */
export async function* bsonDocuments(source: AsyncIterable<Buffer | Uint8Array>, what: string): AsyncGenerator<Buffer> {
  const reader = ChunkReader.from(source, what);
  while (!(await reader.atEnd())) yield await reader.document();
}
