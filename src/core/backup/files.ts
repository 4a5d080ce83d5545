import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { EngineError } from '../engines/errors';
import type { BackupFile, BackupManifest } from './manifest';
import { inside } from './paths';

/**
 * A backup's files against its manifest, without the manifest's schema (zod stays out of the
 * extension's own bundle: the engine bundles parse manifests).
 */

/** Every backup folder holds this file beside the engine's own files. */
export const MANIFEST_FILE = 'manifest.json';

/** SHA-256 and size of a file, read as a stream. */
export async function hashFile(path: string, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, signal })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    onBytes?.((chunk as Buffer).length);
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** The manifest's `files` for files written into `dir` (each hashed once, after it was complete). */
export async function describeFiles(dir: string, paths: { path: string; node?: string }[], signal?: AbortSignal): Promise<BackupFile[]> {
  const out: BackupFile[] = [];
  for (const entry of paths) {
    const { sha256, bytes } = await hashFile(inside(dir, entry.path), signal);
    out.push({ path: entry.path, bytes, sha256, ...(entry.node ? { node: entry.node } : {}) });
  }
  return out;
}

/**
 * Checks every file the manifest lists: present, of the recorded size, with the recorded SHA-256.
 * A truncated, corrupted or missing file is refused here, before anything is restored.
 */
export async function verifyFiles(dir: string, manifest: BackupManifest, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<void> {
  for (const file of manifest.files) {
    const path = inside(dir, file.path);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new EngineError('invalid_input', `the backup is incomplete: ${file.path} is missing`);
    if (info.size !== file.bytes) throw new EngineError('invalid_input', `the backup is damaged: ${file.path} has ${info.size} bytes, the manifest says ${file.bytes} (truncated or changed)`);
    const { sha256 } = await hashFile(path, signal, onBytes);
    if (sha256 !== file.sha256) throw new EngineError('invalid_input', `the backup is damaged: the SHA-256 of ${file.path} does not match its manifest (corrupted or changed)`);
  }
}
