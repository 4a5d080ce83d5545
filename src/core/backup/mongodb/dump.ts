import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import type { Document } from 'mongodb';
import { describeEndpoint } from '../../connection-strings';
import { EngineError } from '../../engines/errors';
import { mongoError } from '../../engines/mongodb/errors';
import { describeFiles, writeManifest, type BackupManifest, type MongoContents } from '../manifest';
import type { BackupOptions, BackupTarget } from '../types';
import { ArchiveWriter, type ArchiveCollection } from './archive';
import { connectForBackup, databasesToBackUp, listCollections, listIndexes, type MongoBackupConnection } from './client';
import { ARCHIVE_FILE, bsonPath, dataCollection, metadataJson, metadataPath, preludeJson, preludePath, type CollectionInfo } from './layout';

export const TOOL_VERSION = 'ogelbase-explorer 0.1.0';

/** A file being written, optionally gzipped, with backpressure. */
class Output {
  private readonly file: WriteStream;
  private readonly gzip: Gzip | undefined;
  constructor(path: string, gzip: boolean) {
    this.file = createWriteStream(path, { mode: 0o600 });
    this.gzip = gzip ? createGzip() : undefined;
    this.gzip?.pipe(this.file);
  }
  async write(chunk: Buffer): Promise<void> {
    const into = this.gzip ?? this.file;
    if (!into.write(chunk)) await once(into, 'drain');
  }
  async close(): Promise<void> {
    const closed = once(this.file, 'close');
    (this.gzip ?? this.file).end();
    await closed;
  }
  destroy(): void {
    this.gzip?.destroy();
    this.file.destroy();
  }
}

interface Planned {
  db: string;
  info: CollectionInfo;
  indexes: Document[];
  metadata: string;
}

/** Streams a collection's documents as raw BSON (never decoded), in natural order. */
async function* rawDocuments(conn: MongoBackupConnection, db: string, collection: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const cursor = conn.client.db(db).collection(collection).find({}, { raw: true, batchSize: 1000 });
  try {
    for await (const doc of cursor) {
      if (signal?.aborted) throw new EngineError('cancelled', 'MongoDB: the backup was cancelled');
      const bytes = doc as unknown as Uint8Array;
      yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
}

/**
 * Backs up MongoDB through the driver in the layout `mongodump` writes (checked against
 * mongo-tools' own source): `dump/<db>/<collection>.bson` (concatenated raw BSON, as read),
 * `<collection>.metadata.json` (options, indexes, UUID, type, canonical Extended JSON) and
 * `dump/prelude.json`, each gzipped with `gzip`; or, with `archive`, one `dump.archive` file
 * (gzipped whole with `gzip`). The real `mongorestore` reads either.
 */
export async function backupMongo(target: BackupTarget, dir: string, options: BackupOptions): Promise<BackupManifest> {
  const startedAt = new Date().toISOString();
  const gzip = options.gzip ?? false;
  const archive = options.archive ?? false;
  const conn = await connectForBackup(target);
  const outputs: Output[] = [];
  try {
    const planned: Planned[] = [];
    for (const db of await databasesToBackUp(conn)) {
      for (const info of await listCollections(conn, db)) {
        const indexes = info.type === 'view' ? [] : await listIndexes(conn, db, info.name);
        planned.push({ db, info, indexes, metadata: metadataJson(info, indexes) });
      }
    }
    const total = planned.length;
    let done = 0;
    let bytes = 0;
    const report = (current?: string) => options.onProgress?.({ phase: 'dumping', unit: 'collections', done, total, bytes, current });
    report();
    const counts = new Map<Planned, { documents: number; bytes: number }>();
    const files: { path: string }[] = [];

    if (archive) {
      const path = gzip ? `${ARCHIVE_FILE}.gz` : ARCHIVE_FILE;
      const out = new Output(join(dir, path), gzip);
      outputs.push(out);
      const writer = new ArchiveWriter((chunk) => out.write(chunk));
      const prelude: ArchiveCollection[] = planned.map((p) => ({ db: p.db, collection: p.info.name, metadata: p.metadata, size: 0, type: p.info.type }));
      await writer.prelude({ serverVersion: conn.version, toolVersion: TOOL_VERSION }, prelude);
      for (const p of planned) {
        const c = { documents: 0, bytes: 0 };
        const data = dataCollection(p.info);
        if (p.info.type !== 'view') {
          for await (const doc of rawDocuments(conn, p.db, data, options.signal)) {
            await writer.document(p.db, data, doc);
            c.documents++;
            c.bytes += doc.length;
            bytes += doc.length;
            if (c.documents % 1000 === 0) report(`${p.db}.${p.info.name}`);
          }
        }
        await writer.end(p.db, data);
        counts.set(p, c);
        done++;
        report(`${p.db}.${p.info.name}`);
      }
      await out.close();
      files.push({ path });
    } else {
      for (const p of planned) {
        const meta = metadataPath(p.db, p.info.name, gzip);
        await mkdir(dirname(join(dir, meta)), { recursive: true });
        const metaOut = new Output(join(dir, meta), gzip);
        outputs.push(metaOut);
        await metaOut.write(Buffer.from(p.metadata));
        await metaOut.close();
        files.push({ path: meta });
      }
      for (const p of planned) {
        const c = { documents: 0, bytes: 0 };
        if (p.info.type !== 'view') {
          const path = bsonPath(p.db, dataCollection(p.info), gzip);
          const out = new Output(join(dir, path), gzip);
          outputs.push(out);
          for await (const doc of rawDocuments(conn, p.db, dataCollection(p.info), options.signal)) {
            await out.write(doc);
            c.documents++;
            c.bytes += doc.length;
            bytes += doc.length;
            if (c.documents % 1000 === 0) report(`${p.db}.${p.info.name}`);
          }
          await out.close();
          files.push({ path });
        }
        counts.set(p, c);
        done++;
        report(`${p.db}.${p.info.name}`);
      }
      const prelude = preludePath(gzip);
      await mkdir(join(dir, 'dump'), { recursive: true });
      const out = new Output(join(dir, prelude), gzip);
      outputs.push(out);
      await out.write(Buffer.from(preludeJson(conn.version, TOOL_VERSION)));
      await out.close();
      files.push({ path: prelude });
    }

    options.onProgress?.({ phase: 'checking', unit: 'collections', done, total, bytes });
    const databases = new Map<string, MongoContents['databases'][number]>();
    for (const p of planned) {
      const entry = databases.get(p.db) ?? { name: p.db, collections: [] };
      const c = counts.get(p) ?? { documents: 0, bytes: 0 };
      entry.collections.push({ name: p.info.name, type: p.info.type, documents: c.documents, indexes: p.indexes.length, bytes: c.bytes });
      databases.set(p.db, entry);
    }
    const described = await describeFiles(dir, files, options.signal);
    const manifest: BackupManifest = {
      format: 'ogelbase-backup',
      formatVersion: 1,
      id: options.id,
      engine: 'mongodb',
      method: archive ? 'mongodump-archive' : 'mongodump',
      database: { name: target.name, endpoint: describeEndpoint(conn.parsed), target: conn.parsed.database && !['admin', 'local', 'config'].includes(conn.parsed.database) ? conn.parsed.database : '*' },
      server: { version: conn.version, major: Number(conn.version.split('.')[0]) || 0 },
      tool: { name: `mongodump layout (${archive ? '--archive' : 'directory'}${gzip ? ', --gzip' : ''}) through the driver`, version: TOOL_VERSION },
      checks: ['documents counted as written', 'every file hashed after it was closed'],
      startedAt,
      finishedAt: new Date().toISOString(),
      options: { gzip, archive },
      contents: { engine: 'mongodb', databases: [...databases.values()] },
      files: described,
      totalBytes: described.reduce((n, f) => n + f.bytes, 0),
    };
    await writeManifest(dir, manifest);
    return manifest;
  } catch (error) {
    for (const out of outputs) out.destroy();
    if (options.signal?.aborted) throw new EngineError('cancelled', 'MongoDB: the backup was cancelled');
    throw error instanceof EngineError ? error : mongoError(error);
  } finally {
    await conn.close().catch(() => undefined);
  }
}
