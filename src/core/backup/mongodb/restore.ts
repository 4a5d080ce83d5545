import { createReadStream } from 'node:fs';
import { plural } from '../summary';
import { createGunzip } from 'node:zlib';
import { BSON, type Document } from 'mongodb';
import { EngineError } from '../../engines/errors';
import { mongoError } from '../../engines/mongodb/errors';
import type { BackupManifest, MongoContents } from '../manifest';
import { inside } from '../paths';
import { section } from '../plan';
import type { BackupTarget, PlanItem, ProgressSink, RestorePlan, RestoreReport } from '../types';
import { readArchive } from './archive';
import { bsonDocuments } from './bson-stream';
import { connectForBackup, EXACT, SYSTEM_DATABASES, type MongoBackupConnection } from './client';
import { bsonPath, dataCollection, metadataPath, parseMetadata, skippedCollection } from './layout';

/** Documents per insert (and at most this many bytes). */
const BATCH_DOCS = 1000;
const BATCH_BYTES = 8 * 1024 * 1024;

type Collection = MongoContents['databases'][number]['collections'][number] & { db: string };

interface Namespace extends Omit<Collection, 'indexes'> {
  /** The database it is restored into (renamed when the target names another one). */
  into: string;
  options: Document;
  indexes: Document[];
  state: 'not started' | 'partial' | 'done';
  restored: number;
}

const contentsOf = (manifest: BackupManifest): MongoContents => {
  if (manifest.contents.engine !== 'mongodb') throw new EngineError('invalid_input', `this is a ${manifest.engine} backup, not a MongoDB one`);
  return manifest.contents;
};

/** The file stream of a backup file, gunzipped when the backup was made with --gzip. */
function open(dir: string, path: string, gzip: boolean, signal?: AbortSignal): AsyncIterable<Buffer> {
  const file = createReadStream(inside(dir, path), { highWaterMark: 1 << 20, signal });
  return (gzip ? file.pipe(createGunzip()) : file) as AsyncIterable<Buffer>;
}

/** Which database each backed-up database is restored into: itself, or the one the target's connection string names. */
function databaseMap(contents: MongoContents, conn: MongoBackupConnection): (db: string) => string {
  const named = conn.parsed.database;
  if (contents.databases.length === 1 && named && !SYSTEM_DATABASES.has(named)) return () => named;
  return (db) => db;
}

async function readText(dir: string, path: string, gzip: boolean): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of open(dir, path, gzip)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Every collection of the backup with its options and indexes (from metadata files or the archive's prelude). */
async function namespaces(dir: string, manifest: BackupManifest, conn: MongoBackupConnection): Promise<Namespace[]> {
  const contents = contentsOf(manifest);
  const into = databaseMap(contents, conn);
  const metadata = new Map<string, string>();
  if (manifest.options.archive) {
    for await (const event of readArchive(open(dir, manifest.files[0]!.path, manifest.options.gzip))) {
      if (event.kind === 'metadata') metadata.set(`${event.db}.${event.collection}`, event.metadata);
      if (event.kind !== 'header' && event.kind !== 'metadata') break;
    }
  }
  const out: Namespace[] = [];
  for (const db of contents.databases) {
    for (const c of db.collections) {
      const text = manifest.options.archive ? metadata.get(`${db.name}.${c.name}`) : await readText(dir, metadataPath(db.name, c.name, manifest.options.gzip), manifest.options.gzip);
      if (text === undefined) throw new EngineError('invalid_input', `the backup is damaged: the archive has no metadata for ${db.name}.${c.name}`);
      const meta = parseMetadata(text);
      out.push({ ...c, db: db.name, into: into(db.name), options: meta.options, indexes: meta.indexes, state: 'not started', restored: 0 });
    }
  }
  return out;
}

async function checkVersion(conn: MongoBackupConnection, manifest: BackupManifest, name: string): Promise<void> {
  const major = Number(conn.version.split('.')[0]) || 0;
  if (major < manifest.server.major) {
    throw new EngineError('invalid_input', `the backup is of MongoDB ${manifest.server.version} and ${name} runs MongoDB ${conn.version}: restore it into MongoDB ${manifest.server.major} or newer`);
  }
}

async function existing(conn: MongoBackupConnection, dbs: string[]): Promise<Map<string, { type: string }>> {
  const out = new Map<string, { type: string }>();
  for (const db of dbs) {
    for (const c of await conn.client.db(db).listCollections({}, { nameOnly: true }).toArray()) {
      if (!skippedCollection(c.name)) out.set(`${db}.${c.name}`, { type: String(c.type ?? 'collection') });
    }
  }
  return out;
}

const estimate = (conn: MongoBackupConnection, db: string, name: string, type: string) =>
  type === 'view' ? Promise.resolve(undefined) : conn.client.db(db).collection(name).estimatedDocumentCount().catch(() => undefined);

/** What a restore would overwrite (drop and fill again), add, and leave alone, by collection. */
export async function planMongoRestore(target: BackupTarget, dir: string, manifest: BackupManifest): Promise<RestorePlan> {
  const conn = await connectForBackup(target);
  try {
    await checkVersion(conn, manifest, target.name);
    const all = await namespaces(dir, manifest, conn);
    const dbs = [...new Set(all.map((n) => n.into))];
    const here = await existing(conn, dbs);
    const overwrite: PlanItem[] = [];
    const add: PlanItem[] = [];
    const inBackup = new Set<string>();
    for (const n of all) {
      const ns = `${n.into}.${n.name}`;
      inBackup.add(ns);
      const found = here.get(ns);
      if (found) overwrite.push({ name: ns, inBackup: n.documents, now: await estimate(conn, n.into, n.name, found.type) });
      else add.push({ name: ns, inBackup: n.documents });
    }
    const alone = [...here.entries()].filter(([ns]) => !inBackup.has(ns));
    const leaveAlone: PlanItem[] = [];
    for (const [ns, info] of alone.slice(0, 200)) {
      const dot = ns.indexOf('.');
      leaveAlone.push({ name: ns, now: await estimate(conn, ns.slice(0, dot), ns.slice(dot + 1), info.type) });
    }
    const notes = [
      'Each collection of the backup is dropped and created again with its options, documents (BSON types kept) and indexes, as mongorestore --drop does; collections and databases it does not hold are left alone.',
    ];
    const renamed = all.find((n) => n.into !== n.db);
    if (renamed) notes.push(`The backup's database ${renamed.db} is restored into ${renamed.into}, the database the target's connection string names.`);
    return {
      engine: 'mongodb',
      unit: 'collections',
      backup: { id: manifest.id, name: manifest.database.name, finishedAt: manifest.finishedAt, serverVersion: manifest.server.version, method: manifest.method, totalBytes: manifest.totalBytes },
      target: { name: target.name, serverVersion: conn.version },
      overwrite: section(overwrite),
      add: section(add),
      leaveAlone: section(leaveAlone, alone.length),
      notes,
    };
  } catch (error) {
    throw error instanceof EngineError ? error : mongoError(error);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Drops the collection and creates it again with the backup's options (views wait until the end). */
async function prepareCollection(conn: MongoBackupConnection, n: Namespace): Promise<void> {
  const db = conn.client.db(n.into);
  await db.collection(n.name).drop().catch(() => undefined);
  if (n.type === 'view') return;
  const { autoIndexId: _legacy, ...options } = n.options;
  await db.command({ create: n.name, ...options });
}

async function insertBatch(conn: MongoBackupConnection, n: Namespace, docs: Buffer[]): Promise<void> {
  if (docs.length === 0) return;
  const collection = conn.client.db(n.into).collection(dataCollection(n));
  await collection.insertMany(docs.map((d) => BSON.deserialize(d, EXACT)), { ordered: true, bypassDocumentValidation: true });
  n.restored += docs.length;
}

async function finishCollection(conn: MongoBackupConnection, n: Namespace): Promise<void> {
  const indexes = n.indexes.filter((i) => i.name !== '_id_').map(({ ns: _ns, ...spec }) => spec);
  if (indexes.length && n.type !== 'view') await conn.client.db(n.into).command({ createIndexes: n.name, indexes });
  n.state = 'done';
}

/**
 * Restores through the driver: per collection, drop, create with the backup's options, insert its
 * documents (decoded with every BSON type kept, validation bypassed so nothing is refused), build
 * its indexes; views last. Then every collection's documents are counted and compared with the
 * manifest. Cancelling stops between batches: collections done stay restored, the one in progress
 * is partial, the rest untouched; the report says which.
 */
export async function restoreMongo(target: BackupTarget, dir: string, manifest: BackupManifest, options: { signal?: AbortSignal; onProgress?: ProgressSink }): Promise<RestoreReport> {
  const startedAt = new Date().toISOString();
  const conn = await connectForBackup(target);
  let all: Namespace[] = [];
  let bytes = 0;
  const report = (outcome: RestoreReport['outcome'], message: string, extra: Partial<RestoreReport> = {}): RestoreReport => ({
    outcome,
    unit: 'collections',
    startedAt,
    finishedAt: new Date().toISOString(),
    message,
    restored: all.filter((n) => n.state === 'done').length,
    total: all.length,
    items: all.slice(0, 500).map((n) => ({ name: `${n.into}.${n.name}`, restored: n.restored, expected: n.documents, state: n.state })),
    ...extra,
  });
  const cancelledMessage = () => {
    const done = all.filter((n) => n.state === 'done').length;
    return `Cancelled after ${done} of ${all.length} collections: those are restored${all.some((n) => n.state === 'partial') ? ', the one in progress holds only part of its documents' : ''}; the others were not touched.`;
  };
  try {
    await checkVersion(conn, manifest, target.name);
    all = await namespaces(dir, manifest, conn);
    const byData = new Map(all.map((n) => [`${n.db}.${dataCollection(n)}`, n]));
    const progress = (current?: Namespace) =>
      options.onProgress?.({ phase: 'restoring', unit: 'collections', done: all.filter((n) => n.state === 'done').length, total: all.length, bytes, totalBytes: manifest.totalBytes, current: current && `${current.into}.${current.name}` });
    const cancelled = () => options.signal?.aborted === true;

    /** Feeds one namespace's documents, preparing it at its first event. */
    const pending = new Map<Namespace, { docs: Buffer[]; size: number }>();
    const feed = async (n: Namespace, doc: Buffer | undefined) => {
      if (n.state === 'not started') {
        await prepareCollection(conn, n);
        n.state = 'partial';
      }
      const batch = pending.get(n) ?? { docs: [], size: 0 };
      if (doc) {
        batch.docs.push(doc);
        batch.size += doc.length;
        bytes += doc.length;
      }
      pending.set(n, batch);
      if (!doc || batch.docs.length >= BATCH_DOCS || batch.size >= BATCH_BYTES) {
        await insertBatch(conn, n, batch.docs);
        pending.set(n, { docs: [], size: 0 });
        progress(n);
      }
    };

    if (manifest.options.archive) {
      for await (const event of readArchive(open(dir, manifest.files[0]!.path, manifest.options.gzip, options.signal))) {
        if (cancelled()) break;
        if (event.kind !== 'document' && event.kind !== 'eof') continue;
        const n = byData.get(`${event.db}.${event.collection}`) ?? all.find((x) => x.db === event.db && x.name === event.collection);
        if (!n) continue;
        await feed(n, event.kind === 'document' ? event.doc : undefined);
        if (event.kind === 'eof' && n.type !== 'view') await finishCollection(conn, n);
      }
    } else {
      for (const n of all.filter((x) => x.type !== 'view')) {
        if (cancelled()) break;
        await feed(n, undefined);
        for await (const doc of bsonDocuments(open(dir, bsonPath(n.db, dataCollection(n), manifest.options.gzip), manifest.options.gzip, options.signal), bsonPath(n.db, dataCollection(n), manifest.options.gzip))) {
          if (cancelled()) break;
          await feed(n, doc);
        }
        if (cancelled()) break;
        await feed(n, undefined);
        await finishCollection(conn, n);
      }
    }
    if (cancelled()) return report('cancelled', cancelledMessage());
    for (const n of all.filter((x) => x.type === 'view')) {
      await prepareCollection(conn, n);
      await conn.client.db(n.into).command({ create: n.name, viewOn: n.options.viewOn, pipeline: n.options.pipeline ?? [], ...(n.options.collation ? { collation: n.options.collation } : {}) });
      n.state = 'done';
    }

    options.onProgress?.({ phase: 'verifying', unit: 'collections', done: 0, total: all.length, bytes: manifest.totalBytes });
    const mismatches: { name: string; expected: number; found: number }[] = [];
    let checked = 0;
    for (const n of all.filter((x) => x.type !== 'view')) {
      const found = await conn.client.db(n.into).collection(dataCollection(n)).countDocuments({});
      checked++;
      if (found !== n.documents) mismatches.push({ name: `${n.into}.${n.name}`, expected: n.documents, found });
      const indexes = (await conn.client.db(n.into).collection(n.name).listIndexes().toArray()).length;
      if (indexes < n.indexes.length) mismatches.push({ name: `${n.into}.${n.name} indexes`, expected: n.indexes.length, found: indexes });
      options.onProgress?.({ phase: 'verifying', unit: 'collections', done: checked, total: all.length, bytes: manifest.totalBytes });
    }
    const ok = mismatches.length === 0;
    return report(
      'completed',
      ok
        ? `Restored ${plural(all.length, 'collection')} into ${target.name}; every collection's documents and indexes match the backup.`
        : `Restored into ${target.name}, but ${mismatches.length} count(s) differ from the backup: ${mismatches.slice(0, 3).map((m) => `${m.name} ${m.found}/${m.expected}`).join(', ')}`,
      { verification: { ok, checked, mismatches } },
    );
  } catch (error) {
    if (options.signal?.aborted) return report('cancelled', cancelledMessage());
    const engineError = error instanceof EngineError ? error : mongoError(error);
    if (all.every((n) => n.state === 'not started')) throw engineError;
    return report('failed', `The restore stopped: ${engineError.message}`, { error: engineError.message });
  } finally {
    await conn.close().catch(() => undefined);
  }
}
