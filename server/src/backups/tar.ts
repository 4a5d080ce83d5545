import type { Readable } from 'node:stream';

/**
 * A backup as one POSIX tar (ustar, with a PAX `path` record for names longer than ustar holds),
 * laid out deterministically (fixed order, times, owners, modes), so its size is known before a
 * byte is sent and any byte range of it can be produced on its own: a download can resume with
 * `Range` and always gets the same bytes. `tar -xf` gives back the backup's folder.
 */
export interface TarEntry {
  name: string;
  size: number;
  /** Bytes `start`..`end` (inclusive) of the file. */
  open(start: number, end: number): Readable;
}

type Piece = { size: number } & ({ kind: 'bytes'; data: Buffer } | { kind: 'file'; entry: TarEntry } | { kind: 'zeros' });
type Segment = Piece & { offset: number };

const BLOCK = 512;
const pad = (n: number) => (BLOCK - (n % BLOCK)) % BLOCK;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: number, type: '0' | 'x'): Buffer {
  const block = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut > 0 && Buffer.byteLength(name.slice(cut + 1)) <= 100 && Buffer.byteLength(name.slice(0, cut)) <= 155) {
      prefix = name.slice(0, cut);
      base = name.slice(cut + 1);
    } else base = name.slice(0, 100); // the PAX record before it carries the whole name
  }
  block.write(base, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(mtime, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(type, 156, 'ascii');
  block.write('ustar\u000000', 257, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** A PAX extended header record `"<length> path=<name>\n"`, where length counts itself. */
function paxRecord(name: string): Buffer {
  const body = ` path=${name}\n`;
  const bytes = Buffer.byteLength(body);
  let length = bytes + 1;
  while (String(length).length + bytes !== length) length = String(length).length + bytes;
  return Buffer.from(`${length}${body}`);
}

const needsPax = (name: string) => {
  if (Buffer.byteLength(name) <= 100) return false;
  const cut = name.lastIndexOf('/', 155);
  return !(cut > 0 && Buffer.byteLength(name.slice(cut + 1)) <= 100 && Buffer.byteLength(name.slice(0, cut)) <= 155);
};

export class TarLayout {
  readonly size: number;
  private readonly segments: Segment[] = [];

  constructor(entries: TarEntry[], mtime: number) {
    let offset = 0;
    const add = (segment: Piece) => {
      if (segment.size === 0) return;
      this.segments.push({ ...segment, offset } as Segment);
      offset += segment.size;
    };
    for (const entry of entries) {
      if (needsPax(entry.name)) {
        const record = paxRecord(entry.name);
        add({ kind: 'bytes', data: header(`PaxHeader/${entry.name.slice(-80)}`, record.length, mtime, 'x'), size: BLOCK });
        add({ kind: 'bytes', data: record, size: record.length });
        add({ kind: 'zeros', size: pad(record.length) });
      }
      add({ kind: 'bytes', data: header(entry.name, entry.size, mtime, '0'), size: BLOCK });
      add({ kind: 'file', entry, size: entry.size });
      add({ kind: 'zeros', size: pad(entry.size) });
    }
    add({ kind: 'zeros', size: 2 * BLOCK });
    this.size = offset;
  }

  /** Bytes `start`..`end` (inclusive) of the archive. */
  async *range(start: number, end: number): AsyncGenerator<Buffer> {
    for (const segment of this.segments) {
      const from = Math.max(start, segment.offset);
      const to = Math.min(end, segment.offset + segment.size - 1);
      if (from > to) continue;
      const local = from - segment.offset;
      const length = to - from + 1;
      if (segment.kind === 'bytes') yield segment.data.subarray(local, local + length);
      else if (segment.kind === 'zeros') yield Buffer.alloc(length);
      else for await (const chunk of segment.entry.open(local, local + length - 1)) yield chunk as Buffer;
    }
  }
}
