import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkBackupId, inside } from '../../../src/core/backup/paths';

/**
 * Where backups are kept. Jobs write into a local staging folder (pg_dump and the RDB transfer
 * write files), then `commit` publishes it under the backup's id; readers ask for files by the
 * paths of its manifest. The local folder (BACKUP_DIR) is the one store today; an S3-compatible
 * one implements the same five verbs (`commit` uploads and removes the staging folder,
 * `localCopy` downloads for a restore).
 */
export interface BackupStorage {
  readonly kind: string;
  /** A fresh, empty, owner-only folder on this machine for a job to write into. */
  stage(backupId: string): Promise<string>;
  /** Publishes a staged folder as the backup of `databaseId` (atomically: it is there whole, or not). */
  commit(databaseId: string, backupId: string, staged: string): Promise<void>;
  /** Removes a staging folder that will not be committed. */
  discard(staged: string): Promise<void>;
  /** Size of one file of a backup, or undefined when it is not there. */
  size(databaseId: string, backupId: string, file: string): Promise<number | undefined>;
  /** Bytes `start`..`end` (inclusive) of one file. */
  read(databaseId: string, backupId: string, file: string, start: number, end: number): ReadStream;
  /** A folder on this machine holding the backup's files, for a restore (the store's own for a local folder). */
  localCopy(databaseId: string, backupId: string): Promise<{ dir: string; release(): Promise<void> }>;
  remove(databaseId: string, backupId: string): Promise<void>;
  /** Database ids that have a folder (the retention sweep removes those whose database is gone). */
  databases(): Promise<string[]>;
  removeDatabase(databaseId: string): Promise<void>;
}

const STAGING = '.staging';

/** Backups as folders: `<root>/<databaseId>/<backupId>/{manifest.json, …}`, staging in `<root>/.staging/`. */
export class LocalFolderStorage implements BackupStorage {
  readonly kind = 'local folder';

  constructor(private readonly root: string) {}

  private folder(databaseId: string, backupId: string): string {
    return join(this.root, checkBackupId(databaseId), checkBackupId(backupId));
  }

  async stage(backupId: string): Promise<string> {
    const dir = join(this.root, STAGING, checkBackupId(backupId));
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  async commit(databaseId: string, backupId: string, staged: string): Promise<void> {
    await mkdir(join(this.root, checkBackupId(databaseId)), { recursive: true, mode: 0o700 });
    await rename(staged, this.folder(databaseId, backupId));
  }

  async discard(staged: string): Promise<void> {
    await rm(staged, { recursive: true, force: true });
  }

  /** Staging folders left by a process that died mid-job (their jobs are marked failed separately). */
  async sweepStaging(keep: Set<string>): Promise<void> {
    const dir = join(this.root, STAGING);
    for (const name of await readdir(dir).catch(() => [] as string[])) if (!keep.has(name)) await rm(join(dir, name), { recursive: true, force: true });
  }

  async size(databaseId: string, backupId: string, file: string): Promise<number | undefined> {
    const info = await stat(inside(this.folder(databaseId, backupId), file)).catch(() => undefined);
    return info?.isFile() ? info.size : undefined;
  }

  read(databaseId: string, backupId: string, file: string, start: number, end: number): ReadStream {
    return createReadStream(inside(this.folder(databaseId, backupId), file), { start, end, highWaterMark: 1 << 20 });
  }

  async localCopy(databaseId: string, backupId: string) {
    return { dir: this.folder(databaseId, backupId), release: async () => undefined };
  }

  async remove(databaseId: string, backupId: string): Promise<void> {
    await rm(this.folder(databaseId, backupId), { recursive: true, force: true });
  }

  async databases(): Promise<string[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    return names.filter((n) => n !== STAGING && /^[0-9a-f-]{36}$/.test(n));
  }

  async removeDatabase(databaseId: string): Promise<void> {
    await rm(join(this.root, checkBackupId(databaseId)), { recursive: true, force: true });
  }
}
