import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../engines/errors';
import { unsafePathReason } from './paths';

export { describeFiles, hashFile, verifyFiles } from './files';

export { MANIFEST_FILE } from './files';
import { MANIFEST_FILE } from './files';
/** A manifest larger than this is not one of ours. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

const count = z.number().int().min(0);
const name = z.string().max(1024);

const FileEntry = z.object({
  /** Relative to the backup folder, forward slashes (`dump/shop/orders.bson.gz`). */
  path: z.string().max(512).refine((p) => !unsafePathReason(p), { message: 'unsafe path' }),
  bytes: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Redis Cluster: the master this file was taken from. */
  node: z.string().max(300).optional(),
});

const PostgresContents = z.object({
  engine: z.literal('postgres'),
  schemas: z.array(name).max(100_000),
  /** Rows counted in the snapshot the dump was taken from; null where counting was not possible. */
  tables: z.array(z.object({ schema: name, name, kind: z.enum(['table', 'partitioned table', 'materialized view']), rows: count.nullable() })).max(1_000_000),
  views: count,
  sequences: count,
  largeObjects: count,
  /** Roles that own objects of the dump or were granted privileges on them (a restore checks they exist). */
  roles: z.array(name).max(10_000),
});

const RedisContents = z.object({
  engine: z.literal('redis'),
  topology: z.enum(['standalone', 'cluster', 'sentinel']),
  /** The logical database (SELECT index) the backup restores into; a Cluster has only 0. */
  db: count,
  keys: count,
  byType: z.record(z.string().max(40), count),
  /** Keys that carried a time to live. */
  expiring: count,
  /** Keys of other logical databases found in the RDB (left out of a restore). */
  otherDatabases: z.record(z.string().max(10), count),
  /** Function libraries (FUNCTION LOAD), restored with the keys. */
  functions: count,
  /** One entry per file: which master it came from and how many keys it holds. */
  nodes: z.array(z.object({ file: z.string().max(512), node: z.string().max(300), keys: count })).max(10_000),
  /** True for an RDB (one point in time per master); false for the DUMP fallback (read key by key while clients wrote). */
  pointInTime: z.boolean(),
});

const MongoContents = z.object({
  engine: z.literal('mongodb'),
  databases: z
    .array(
      z.object({
        name,
        collections: z
          .array(z.object({ name, type: z.enum(['collection', 'view', 'timeseries']), documents: count, indexes: count, bytes: count }))
          .max(100_000),
      }),
    )
    .max(10_000),
});

export const ManifestSchema = z.object({
  format: z.literal('ogelbase-backup'),
  formatVersion: z.literal(1),
  id: z.string().max(64),
  engine: z.enum(['postgres', 'redis', 'mongodb']),
  /** How it was taken: pg_dump custom format, an RDB over the replication protocol, its DUMP fallback, mongodump's layouts, PGlite's data-directory dump. */
  method: z.enum(['pg_dump', 'pglite-datadir', 'redis-sync', 'redis-dump', 'mongodump', 'mongodump-archive']),
  database: z.object({ name, endpoint: z.string().max(1024), target: z.string().max(1024) }),
  server: z.object({ version: z.string().max(100), major: count }),
  tool: z.object({ name: z.string().max(100), version: z.string().max(100) }),
  /** What checked the files before the manifest was written (`pg_restore --list`, `redis-check-rdb 7.0.15`, CRC-64…). */
  checks: z.array(z.string().max(200)).max(20).default([]),
  startedAt: z.string().max(40),
  finishedAt: z.string().max(40),
  options: z.object({ gzip: z.boolean(), archive: z.boolean() }),
  contents: z.discriminatedUnion('engine', [PostgresContents, RedisContents, MongoContents]),
  files: z.array(FileEntry).min(1).max(200_000),
  totalBytes: count,
});

export type BackupManifest = z.infer<typeof ManifestSchema>;
export type BackupFile = z.infer<typeof FileEntry>;
export type BackupMethod = BackupManifest['method'];
export type PostgresContents = z.infer<typeof PostgresContents>;
export type RedisContents = z.infer<typeof RedisContents>;
export type MongoContents = z.infer<typeof MongoContents>;
export type BackupContents = BackupManifest['contents'];

export async function writeManifest(dir: string, manifest: BackupManifest): Promise<void> {
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(ManifestSchema.parse(manifest), null, 2)}\n`, { mode: 0o600 });
}

/** Parses a manifest's text: JSON, the schema, safe paths. Anything else is "not an OgelBase backup". */
export function parseManifest(text: string, where = 'the backup'): BackupManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new EngineError('invalid_input', `${where} has no readable manifest: ${MANIFEST_FILE} is not JSON`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new EngineError('invalid_input', `${where} has no valid manifest (${first ? `${first.path.join('.') || 'manifest'}: ${first.message}` : 'unknown shape'}): is it an OgelBase backup?`);
  }
  return parsed.data;
}

/** Reads `<dir>/manifest.json`, bounded in size. */
export async function readManifest(dir: string): Promise<BackupManifest> {
  const path = join(dir, MANIFEST_FILE);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new EngineError('invalid_input', `${dir} holds no ${MANIFEST_FILE} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}): choose a backup folder made by OgelBase`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile() || info.size > MAX_MANIFEST_BYTES) throw new EngineError('invalid_input', `${path} is not a manifest (not a file, or larger than 64 MiB)`);
    return parseManifest(await handle.readFile('utf8'), dir);
  } finally {
    await handle.close();
  }
}

