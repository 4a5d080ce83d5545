import type { BackupManifest } from './manifest';
import type { BackupOptions, BackupTarget, ProgressSink, RestorePlan, RestoreReport, ToolSettings } from './types';

/** What a restore step gets besides the backup: where the programs are, a private scratch folder, cancellation. */
export interface RestoreContext {
  tools: ToolSettings;
  /** An owner-only folder for the restore's own files (libpq certificates, pg_restore's list). */
  scratch: string;
  signal?: AbortSignal;
  onProgress?: ProgressSink;
}

/**
 * One engine's backup and restore, as its bundle exports them (`backup` of
 * dist/engines/<engine>.js), so the extension loads a driver only for the engine it backs up.
 */
export interface EngineBackup {
  /** Writes the engine's files and `manifest.json` into `dir` (an empty staging folder). */
  backup(target: BackupTarget, dir: string, options: BackupOptions): Promise<BackupManifest>;
  /** What a restore of the (already verified) backup in `dir` would overwrite, add and leave alone; refuses what cannot work. */
  plan(target: BackupTarget, dir: string, manifest: BackupManifest, context: RestoreContext): Promise<RestorePlan>;
  restore(target: BackupTarget, dir: string, manifest: BackupManifest, context: RestoreContext): Promise<RestoreReport>;
}
