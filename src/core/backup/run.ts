import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitFolder, stagingName } from './folders';
import { ENGINE_LABEL } from '../connection-strings';
import { EngineError } from '../engines/errors';
import type { BackupKit, EngineBackup, RestoreContext } from './engine';
import { parseManifest, readManifest, verifyFiles, type BackupManifest } from './manifest';
import type { BackupOptions, BackupTarget, ProgressSink, RestorePlan, RestoreReport, ToolSettings } from './types';

/**
 * Backs up into `finalDir`: written under a hidden temporary name, every file checked against the
 * manifest once more, and renamed only then. A failure or a cancel removes the partial folder, so
 * nothing that looks like a backup is left behind.
 */
export async function createBackup(engine: EngineBackup, target: BackupTarget, finalDir: string, options: BackupOptions): Promise<BackupManifest> {
  const staging = stagingName(finalDir);
  await mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    const manifest = await engine.backup(target, staging, options);
    options.onProgress?.({ phase: 'verifying', unit: unitOf(manifest.engine), done: 0, total: manifest.files.length, bytes: 0, totalBytes: manifest.totalBytes });
    let verified = 0;
    await verifyFiles(staging, manifest, options.signal, (n) => {
      verified += n;
      options.onProgress?.({ phase: 'verifying', unit: unitOf(manifest.engine), done: 0, total: manifest.files.length, bytes: verified, totalBytes: manifest.totalBytes });
    });
    if (options.signal?.aborted) throw new EngineError('cancelled', 'the backup was cancelled');
    await commitFolder(staging, finalDir);
    return manifest;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

export const unitOf = (engine: BackupManifest['engine']) => (engine === 'postgres' ? 'tables' : engine === 'redis' ? 'keys' : 'collections') as 'tables' | 'keys' | 'collections';

/** A folder of its own (owner only) for one restore's scratch files; removed by the caller. */
export const scratchFolder = () => mkdtemp(join(tmpdir(), 'ogelbase-restore-'));

/**
 * Before anything is touched: the manifest is read and checked, every file's size and SHA-256
 * compared with it (a truncated or corrupted backup is refused here), the engine must be the
 * target's, and the engine's own plan says what would be overwritten, added and left alone.
 */
export async function precheckRestore(
  engine: EngineBackup,
  target: BackupTarget,
  dir: string,
  context: { tools: ToolSettings; signal?: AbortSignal; onProgress?: ProgressSink },
): Promise<{ manifest: BackupManifest; plan: RestorePlan }> {
  const manifest = await readManifest(dir);
  if (manifest.engine !== target.type) {
    throw new EngineError('invalid_input', `this is a ${ENGINE_LABEL[manifest.engine]} backup (${manifest.database.name}); ${target.name} is a ${ENGINE_LABEL[target.type]} database`);
  }
  let bytes = 0;
  await verifyFiles(dir, manifest, context.signal, (n) => {
    bytes += n;
    context.onProgress?.({ phase: 'checking', unit: unitOf(manifest.engine), done: 0, bytes, totalBytes: manifest.totalBytes });
  });
  const scratch = await scratchFolder();
  try {
    return { manifest, plan: await engine.plan(target, dir, manifest, { ...context, scratch }) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Restores a backup the pre-check accepted (checked again: files may have changed since). */
export async function restoreBackup(engine: EngineBackup, target: BackupTarget, dir: string, context: Omit<RestoreContext, 'scratch'>): Promise<RestoreReport> {
  const manifest = await readManifest(dir);
  if (manifest.engine !== target.type) throw new EngineError('invalid_input', `this is a ${ENGINE_LABEL[manifest.engine]} backup; ${target.name} is a ${ENGINE_LABEL[target.type]} database`);
  await verifyFiles(dir, manifest, context.signal);
  const scratch = await scratchFolder();
  try {
    return await engine.restore(target, dir, manifest, { ...context, scratch });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** An engine's steps with the flows above: what each engine bundle exports as `backup`. */
export function kit(engine: EngineBackup): BackupKit {
  return {
    ...engine,
    create: (target, finalDir, options) => createBackup(engine, target, finalDir, options),
    precheck: (target, dir, context) => precheckRestore(engine, target, dir, context),
    restoreFrom: (target, dir, context) => restoreBackup(engine, target, dir, context),
    parseManifest,
  };
}
