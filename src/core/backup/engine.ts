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

/**
 * What an engine bundle exports as `backup`: the engine's own steps and the flows built on them
 * (src/core/backup/run.ts), so the extension's own bundle never carries the manifest's schema.
 */
export interface BackupKit extends EngineBackup {
  /** Backs up into `finalDir` through a staging folder (see run.ts createBackup). */
  create(target: BackupTarget, finalDir: string, options: BackupOptions): Promise<BackupManifest>;
  /** Reads and checks a backup folder, then plans its restore; nothing is touched. */
  precheck(target: BackupTarget, dir: string, context: Omit<RestoreContext, 'scratch'>): Promise<{ manifest: BackupManifest; plan: RestorePlan }>;
  /** Restores a backup folder the pre-check accepted. */
  restoreFrom(target: BackupTarget, dir: string, context: Omit<RestoreContext, 'scratch'>): Promise<RestoreReport>;
  /** A manifest's text as a checked manifest (or an `invalid_input` error saying why not). */
  parseManifest(text: string, where?: string): BackupManifest;
}
