import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import type { DatabaseRow } from '../store/databases';
import type { BackupStorage } from './storage';
import type { BackupRow } from './store';
import { TarLayout } from './tar';

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` (one range; anything else is served whole, as RFC 9110 allows). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function toStream(chunks: AsyncIterable<Buffer>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

const fileName = (row: DatabaseRow, backup: BackupRow) => {
  const at = new Date(backup.createdAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${row.name.replace(/[^A-Za-z0-9._-]/g, '_')}-${at}`;
};

/**
 * Streams a completed backup: the whole folder as a deterministic tar (`<name>-<time>/…`), or one
 * file of it. Both answer `Range` (206, `Content-Range`; 416 outside), carry an ETag made from the
 * manifest (so `If-Range` resumes only the same backup), and are audited once per download (the
 * request that starts at byte 0).
 */
export async function serveDownload(
  c: Context<AppEnv>,
  found: { row: DatabaseRow; backup: BackupRow; files: { path: string; size: number }[] },
  file: string | undefined,
  storage: BackupStorage,
  audit: (range: string | undefined) => Promise<void>,
): Promise<Response> {
  const { row, backup, files } = found;
  const etag = `"${createHash('sha256').update(JSON.stringify(backup.manifest)).digest('hex').slice(0, 32)}"`;
  const folder = fileName(row, backup);
  let size: number;
  let produce: (start: number, end: number) => AsyncIterable<Buffer>;
  let type: string;
  let name: string;
  if (file === undefined) {
    const mtime = Math.floor(new Date(backup.finishedAt ?? backup.createdAt).getTime() / 1000);
    const layout = new TarLayout(
      files.map((f) => ({ name: `${folder}/${f.path}`, size: f.size, open: (start, end) => storage.read(row.id, backup.id, f.path, start, end) })),
      mtime,
    );
    size = layout.size;
    produce = (start, end) => layout.range(start, end);
    type = 'application/x-tar';
    name = `${folder}.tar`;
  } else {
    const only = files[0]!;
    size = only.size;
    produce = (start, end) => (size === 0 ? (async function* () {})() : (storage.read(row.id, backup.id, only.path, start, end) as AsyncIterable<Buffer>));
    type = only.path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    name = only.path.split('/').pop()!;
  }
  const ifRange = c.req.header('if-range');
  const rangeHeader = ifRange && ifRange !== etag ? undefined : c.req.header('range');
  const range = parseRange(rangeHeader, size);
  const headers: Record<string, string> = {
    'content-type': type,
    'accept-ranges': 'bytes',
    etag,
    'cache-control': 'private, no-store',
    'content-disposition': `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
  };
  if (range === 'unsatisfiable') return c.body(null, 416, { ...headers, 'content-range': `bytes */${size}` });
  if (!range || range.start === 0) await audit(rangeHeader);
  if (!range) return size === 0 ? c.body(null, 200, { ...headers, 'content-length': '0' }) : c.body(toStream(produce(0, size - 1)), 200, { ...headers, 'content-length': String(size) });
  return c.body(toStream(produce(range.start, range.end)), 206, { ...headers, 'content-length': String(range.end - range.start + 1), 'content-range': `bytes ${range.start}-${range.end}/${size}` });
}
