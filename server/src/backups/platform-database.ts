/**
 * Backups of the platform's own database (`npm run server -- backup-platform`, and
 * `restore-platform <folder>` while no server runs). The embedded PGlite database is saved with
 * PGlite's own data-directory dump (a gzipped tarball of its data folder); a PostgreSQL platform
 * database (DATABASE_URL) with `pg_dump --format=custom` through the same backup code as every
 * registered database. Each backup is a folder with a `manifest.json` like every other backup (files
 * with their SHA-256, the tables and their rows), written under a hidden `.partial` name and renamed
 * once complete. The encryption key and the JWT secret are NOT in it (they stay where they are
 * configured): a restored database is read with the same ENCRYPTION_KEY.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeFiles, verifyFiles } from '../../../src/core/backup/files';
import { readManifest, writeManifest, type BackupManifest } from '../../../src/core/backup/manifest';
import { postgresBackup } from '../../../src/core/backup/postgres';
import { createBackup } from '../../../src/core/backup/run';
import { summarize } from '../../../src/core/backup/summary';
import { ident } from '../../../src/core/engines/postgres/sql-text';
import serverPackage from '../../package.json';
import type { Config } from '../config';
import { DataDirLock } from '../db/data-dir-lock';
import { loadPglite } from '../db/pglite-module';
import { isPostgresEntry } from '../db/pglite-sql';
import type { PlatformSql, Queryable } from '../db/sql';

export const PGLITE_DUMP_FILE = 'pglite-datadir.tar.gz';

/** What `backup-platform` prints. */
export interface PlatformBackupResult {
  dir: string;
  id: string;
  method: BackupManifest['method'];
  holds: string;
  bytes: number;
  note: string;
}

const stamp = (date: Date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** The platform's tables with their exact row counts (a few small tables), for the manifest. */
async function platformTables(sql: Queryable): Promise<{ schema: string; name: string; kind: 'table'; rows: number }[]> {
  const { rows } = await sql.query<{ schema: string; name: string }>(
    "SELECT table_schema AS schema, table_name AS name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
  );
  const out = [];
  for (const table of rows) {
    const counted = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(table.schema)}.${ident(table.name)}`);
    out.push({ schema: table.schema, name: table.name, kind: 'table' as const, rows: Number(counted.rows[0]?.n ?? 0) });
  }
  return out;
}

/** Backs up the platform's own database into a new folder under `<BACKUP_DIR>/platform/`. */
export async function backupPlatformDatabase(sql: PlatformSql, config: Config): Promise<PlatformBackupResult> {
  const id = randomUUID();
  const started = new Date();
  const parent = join(config.backupDir, 'platform');
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const finalDir = join(parent, `${stamp(started)}-${id.slice(0, 8)}`);
  const note = 'The encryption key and the JWT secret are not in the backup: restore it with the same ENCRYPTION_KEY.';

  if (sql.kind === 'postgres') {
    if (!config.DATABASE_URL) throw new Error('the platform database is PostgreSQL but DATABASE_URL is not set');
    const manifest = await createBackup(
      postgresBackup,
      { id: 'platform', name: 'platform', type: 'postgres', connectionString: config.DATABASE_URL, localFiles: false },
      finalDir,
      { id, tools: { where: 'server', ...(config.PG_BIN_DIR ? { postgresBinDir: config.PG_BIN_DIR } : {}) } },
    );
    return { dir: finalDir, id, method: manifest.method, holds: summarize(manifest.contents), bytes: manifest.totalBytes, note: `${note} Restore it with pg_restore (custom format) into the platform database.` };
  }

  if (!sql.dumpDataDir) throw new Error('this platform database cannot dump its data directory');
  const partial = join(parent, `.${stamp(started)}-${id.slice(0, 8)}.partial`);
  mkdirSync(partial, { mode: 0o700 });
  try {
    // The counts and the dump are taken back to back; the embedded database runs one query at a time.
    const tables = await platformTables(sql);
    const version = String((await sql.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? 'PostgreSQL (PGlite)');
    const dump = await sql.dumpDataDir();
    await writeFile(join(partial, PGLITE_DUMP_FILE), dump, { mode: 0o600 });
    const files = await describeFiles(partial, [{ path: PGLITE_DUMP_FILE }]);
    const major = Number(/PostgreSQL (\d+)/.exec(version)?.[1] ?? 0);
    const manifest: BackupManifest = {
      format: 'ogelbase-backup',
      formatVersion: 1,
      id,
      engine: 'postgres',
      method: 'pglite-datadir',
      database: { name: 'platform', endpoint: 'embedded (PGlite)', target: 'platform' },
      server: { version: version.slice(0, 100), major },
      tool: { name: 'PGlite dumpDataDir', version: pgliteVersion(config) },
      checks: ['sha256 of the dump'],
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      options: { gzip: true, archive: true },
      contents: { engine: 'postgres', schemas: [...new Set(tables.map((t) => t.schema))], tables, views: 0, sequences: 0, largeObjects: 0, roles: [] },
      files,
      totalBytes: files.reduce((sum, f) => sum + f.bytes, 0),
    };
    await writeManifest(partial, manifest);
    renameSync(partial, finalDir);
    return { dir: finalDir, id, method: manifest.method, holds: summarize(manifest.contents), bytes: manifest.totalBytes, note };
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
}

/** PGlite's version: the package in PGLITE_PACKAGE_DIR, else the one the server depends on. */
function pgliteVersion(config: Config): string {
  try {
    if (config.PGLITE_PACKAGE_DIR) return String((JSON.parse(readFileSync(join(config.PGLITE_PACKAGE_DIR, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown');
  } catch {
    /* below */
  }
  return String((serverPackage as { dependencies?: Record<string, string> }).dependencies?.['@electric-sql/pglite'] ?? 'unknown');
}

/**
 * Restores the embedded database from a `backup-platform` folder, while no server runs: the
 * manifest and the dump's checksum are checked first (a damaged or foreign backup changes nothing),
 * the dump is opened in a fresh folder and read, and only then are the data folder's PostgreSQL
 * files moved aside (kept in `.before-restore-<time>`) and replaced.
 */
export async function restorePlatformDatabase(config: Config, from: string): Promise<{ restored: string; holds: string; previous: string; note: string }> {
  if (config.DATABASE_URL) {
    throw new Error('the platform database is PostgreSQL (DATABASE_URL): restore its backup with pg_restore --clean --single-transaction -d "$DATABASE_URL" <folder>/<dump file>');
  }
  const dir = resolve(from);
  const manifest = await readManifest(dir);
  if (manifest.method !== 'pglite-datadir') throw new Error(`${dir} is a ${manifest.method} backup of ${manifest.database.name}, not a backup of the embedded platform database`);
  await verifyFiles(dir, manifest);

  const lock = await DataDirLock.acquire(config.dataDir, { role: 'command', command: 'restore-platform' });
  const work = join(config.dataDir, `.restore-${stamp(new Date())}`);
  try {
    const { PGlite } = await loadPglite(config.PGLITE_PACKAGE_DIR);
    const blob = new Blob([readFileSync(join(dir, PGLITE_DUMP_FILE))]);
    const restored = await PGlite.create({ dataDir: work, loadDataDir: blob });
    try {
      // Read back before anything is replaced: every table of the manifest with its rows.
      for (const table of manifest.contents.engine === 'postgres' ? manifest.contents.tables : []) {
        const { rows } = await restored.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(table.schema)}.${ident(table.name)}`);
        if (table.rows !== null && Number(rows[0]?.n) !== table.rows) throw new Error(`the restored ${table.schema}.${table.name} holds ${rows[0]?.n} rows, the backup says ${table.rows}: nothing was replaced`);
      }
    } finally {
      await restored.close();
    }
    const previous = join(config.dataDir, `.before-restore-${stamp(new Date())}`);
    mkdirSync(previous, { mode: 0o700 });
    for (const name of readdirSync(config.dataDir)) if (isPostgresEntry(name)) renameSync(join(config.dataDir, name), join(previous, name));
    for (const name of readdirSync(work)) renameSync(join(work, name), join(config.dataDir, name));
    rmSync(work, { recursive: true, force: true });
    return {
      restored: dir,
      holds: summarize(manifest.contents),
      previous,
      note: 'The data folder now holds the backup; its former PostgreSQL files are kept in `previous` (remove them once the server runs well). Start the server with the same ENCRYPTION_KEY.',
    };
  } finally {
    if (existsSync(work) && statSync(work).isDirectory()) rmSync(work, { recursive: true, force: true });
    lock.release();
  }
}
