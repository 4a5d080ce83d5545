import type { BackupManifest } from '../backup/manifest';
import type { BackupProgress, RestorePlan, RestoreReport } from '../backup/types';
import type { EngineType } from './types';

/**
 * The backup routes' wire types (`/api/platform/databases/{id}/backups…`, `/restores…`,
 * `/backup-schedule`), shared by the server's schemas and the extension's client.
 */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface BackupInfo {
  id: string;
  databaseId: string;
  engine: EngineType;
  status: JobStatus;
  /** `manual` (someone asked) or `scheduled` (the database's schedule). */
  trigger: 'manual' | 'scheduled';
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  sizeBytes: number | null;
  options: { gzip?: boolean; archive?: boolean };
  /** While it runs: what is done so far. */
  progress: BackupProgress | null;
  /** One line of what it holds: `12 tables, 2,000,000 rows`, `1,000,000 keys`, `3 collections, 200,000 documents`. */
  summary: string | null;
  error: string | null;
  /** Only on GET …/backups/{backupId}. */
  manifest?: BackupManifest | null;
}

export interface BackupList {
  backups: BackupInfo[];
  total: number;
  limit: number;
  offset: number;
}

export interface RestoreInfo {
  id: string;
  databaseId: string;
  backupId: string | null;
  status: JobStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: BackupProgress | null;
  plan: RestorePlan | null;
  report: RestoreReport | null;
  error: string | null;
}

/** The pre-check's answer: the plan, and whether the database's name must be typed to confirm. */
export interface RestorePlanInfo extends RestorePlan {
  confirmation: { required: boolean; reason: string | null };
}

export interface BackupScheduleInfo {
  schedule: { cron: string; timezone: string; enabled: boolean; options: { gzip?: boolean; archive?: boolean }; nextRunAt: string | null; lastRunAt: string | null; lastBackupId: string | null } | null;
  /** BACKUP_RETENTION_DAYS of the server (0: kept until deleted). */
  retentionDays: number;
}

export interface StartBackupRequest {
  /** MongoDB only: gzip each file (mongodump --gzip). */
  gzip?: boolean;
  /** MongoDB only: one archive file (mongodump --archive). */
  archive?: boolean;
}

export interface StartRestoreRequest {
  /** The database's name, typed by the user: required for a read-only or production-named database. */
  confirm?: string;
}

export interface SetScheduleRequest {
  cron: string;
  timezone?: string;
  enabled?: boolean;
  gzip?: boolean;
  archive?: boolean;
}
