import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import type { BackupInfo } from '../../core/api/backups';
import type { BackupsClient } from '../../core/api/backups-client';
import { PlatformError } from '../../core/api/client';
import { MANIFEST_FILE, verifyFiles } from '../../core/backup/files';
import type { BackupFile, BackupManifest } from '../../core/backup/manifest';
import { inside } from '../../core/backup/paths';
import { commitFolder, stagingName } from '../../core/backup/folders';
import type { Report } from './progress';

/** Attempts per file when the connection breaks; each resumes where the file stopped (Range). */
const ATTEMPTS = 6;

async function fetchFile(client: BackupsClient, databaseId: string, backupId: string, file: BackupFile, path: string, etag: string | undefined, onBytes: (n: number) => void, signal: AbortSignal): Promise<void> {
  let failures = 0;
  for (;;) {
    let have = (await stat(path).catch(() => undefined))?.size ?? 0;
    if (have >= file.bytes) return;
    try {
      const response = await client.file(databaseId, backupId, file.path, have, etag, signal);
      if (response.status === 200 && have > 0) {
        // The platform sent the whole file (the backup changed, or it ignores the range): start over.
        await truncate(path, 0);
        onBytes(-have);
        have = 0;
      }
      const out = createWriteStream(path, { flags: 'a', mode: 0o600 });
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          if (!out.write(chunk)) await once(out, 'drain');
          onBytes(chunk.byteLength);
        }
      } finally {
        out.end();
        await once(out, 'close');
      }
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof PlatformError && error.status >= 400 && error.status < 500) throw error;
      if (++failures >= ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * failures));
    }
  }
}

/**
 * Downloads a platform backup into `finalDir`, file by file (each resumed with Range where a
 * transfer broke), into a hidden temporary folder that gets its name only once every file matches
 * the manifest's size and SHA-256.
 */
export async function downloadBackup(client: BackupsClient, databaseId: string, backup: BackupInfo, finalDir: string, parseManifest: (text: string, where: string) => BackupManifest, report: Report, signal: AbortSignal): Promise<BackupManifest> {
  const staging = stagingName(finalDir);
  await mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    const first = await client.file(databaseId, backup.id, MANIFEST_FILE, 0, undefined, signal);
    const etag = first.headers.get('etag') ?? undefined;
    const text = await first.text();
    const manifest = parseManifest(text, `backup ${backup.id}`);
    await writeFile(join(staging, MANIFEST_FILE), text, { mode: 0o600 });
    let bytes = 0;
    const onBytes = (n: number) => {
      bytes += n;
      report({ phase: 'downloading', unit: 'tables', done: 0, bytes, totalBytes: manifest.totalBytes });
    };
    for (const file of manifest.files) {
      const path = inside(staging, file.path);
      await mkdir(dirname(path), { recursive: true });
      await fetchFile(client, databaseId, backup.id, file, path, etag, onBytes, signal);
    }
    report('Checking every file against the manifest…');
    await verifyFiles(staging, manifest, signal);
    await commitFolder(staging, finalDir);
    return manifest;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}
