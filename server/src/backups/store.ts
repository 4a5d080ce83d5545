import type { BackupManifest } from '../../../src/core/backup/manifest';
import type { BackupProgress, RestorePlan, RestoreReport } from '../../../src/core/backup/types';
import type { EngineType } from '../../../src/core/api/types';
import type { Queryable } from '../db/sql';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export const ACTIVE: readonly JobStatus[] = ['queued', 'running'];

export interface BackupRow {
  id: string;
  databaseId: string;
  organizationId: string;
  engine: EngineType;
  status: JobStatus;
  trigger: 'manual' | 'scheduled';
  options: { gzip?: boolean; archive?: boolean };
  progress: BackupProgress | null;
  manifest: BackupManifest | null;
  sizeBytes: number | null;
  error: string | null;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  heartbeatAt: Date | null;
  instance: string | null;
  cancelRequested: boolean;
}

export interface RestoreRow {
  id: string;
  databaseId: string;
  backupId: string | null;
  organizationId: string;
  status: JobStatus;
  plan: RestorePlan | null;
  progress: BackupProgress | null;
  report: RestoreReport | null;
  error: string | null;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  cancelRequested: boolean;
}

export interface ScheduleRow {
  databaseId: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  options: { gzip?: boolean; archive?: boolean };
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastBackupId: string | null;
  updatedAt: Date;
}

const backupColumns = `id, database_id AS "databaseId", organization_id AS "organizationId", engine, status, trigger, options, progress, manifest,
  size_bytes AS "sizeBytes", error, created_by AS "createdBy", created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt",
  heartbeat_at AS "heartbeatAt", instance, cancel_requested AS "cancelRequested"`;
const restoreColumns = `id, database_id AS "databaseId", backup_id AS "backupId", organization_id AS "organizationId", status, plan, progress, report, error,
  created_by AS "createdBy", created_at AS "createdAt", started_at AS "startedAt", finished_at AS "finishedAt", cancel_requested AS "cancelRequested"`;
const scheduleColumns = `database_id AS "databaseId", cron, timezone, enabled, options, next_run_at AS "nextRunAt", last_run_at AS "lastRunAt",
  last_backup_id AS "lastBackupId", updated_at AS "updatedAt"`;

/** bigint comes back as text from node-postgres. */
const fixBackup = (row: BackupRow): BackupRow => ({ ...row, sizeBytes: row.sizeBytes === null ? null : Number(row.sizeBytes) });
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** The backup tables: jobs, their progress and outcome, and the schedules. */
export class BackupStore {
  constructor(private readonly sql: Queryable) {}

  async insertBackup(row: Pick<BackupRow, 'id' | 'databaseId' | 'organizationId' | 'engine' | 'trigger' | 'options' | 'createdBy'>, instance: string): Promise<void> {
    await this.sql.query(
      `INSERT INTO platform.backups (id, database_id, organization_id, engine, status, trigger, options, created_by, instance, heartbeat_at)
       VALUES ($1, $2, $3, $4, 'queued', $5, $6::jsonb, $7, $8, now())`,
      [row.id, row.databaseId, row.organizationId, row.engine, row.trigger, JSON.stringify(row.options), row.createdBy, instance],
    );
  }

  async backup(databaseId: string, id: string): Promise<BackupRow | undefined> {
    const { rows } = await this.sql.query<BackupRow>(`SELECT ${backupColumns} FROM platform.backups WHERE id = $1 AND database_id = $2`, [id, databaseId]);
    return rows[0] && fixBackup(rows[0]);
  }

  async listBackups(databaseId: string, page: { limit: number; offset: number }): Promise<{ rows: BackupRow[]; total: number }> {
    const [{ rows }, count] = await Promise.all([
      this.sql.query<BackupRow>(`SELECT ${backupColumns} FROM platform.backups WHERE database_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`, [databaseId, page.limit, page.offset]),
      this.sql.query<{ n: string }>('SELECT count(*) AS n FROM platform.backups WHERE database_id = $1', [databaseId]),
    ]);
    return { rows: rows.map(fixBackup), total: Number(count.rows[0]?.n ?? 0) };
  }

  async updateBackup(id: string, change: Partial<Pick<BackupRow, 'status' | 'progress' | 'manifest' | 'sizeBytes' | 'error' | 'startedAt' | 'finishedAt'>>): Promise<void> {
    await this.sql.query(
      `UPDATE platform.backups SET
         status = COALESCE($2, status), progress = COALESCE($3::jsonb, progress), manifest = COALESCE($4::jsonb, manifest),
         size_bytes = COALESCE($5, size_bytes), error = COALESCE($6, error), started_at = COALESCE($7, started_at),
         finished_at = COALESCE($8, finished_at), heartbeat_at = now()
       WHERE id = $1`,
      [id, change.status ?? null, json(change.progress), json(change.manifest), change.sizeBytes ?? null, change.error ?? null, change.startedAt ?? null, change.finishedAt ?? null],
    );
  }

  async deleteBackup(id: string): Promise<void> {
    await this.sql.query('DELETE FROM platform.backups WHERE id = $1', [id]);
  }

  async insertRestore(row: Pick<RestoreRow, 'id' | 'databaseId' | 'backupId' | 'organizationId' | 'plan' | 'createdBy'>, instance: string): Promise<void> {
    await this.sql.query(
      `INSERT INTO platform.restores (id, database_id, backup_id, organization_id, status, plan, created_by, instance, heartbeat_at)
       VALUES ($1, $2, $3, $4, 'queued', $5::jsonb, $6, $7, now())`,
      [row.id, row.databaseId, row.backupId, row.organizationId, json(row.plan), row.createdBy, instance],
    );
  }

  async restore(databaseId: string, id: string): Promise<RestoreRow | undefined> {
    const { rows } = await this.sql.query<RestoreRow>(`SELECT ${restoreColumns} FROM platform.restores WHERE id = $1 AND database_id = $2`, [id, databaseId]);
    return rows[0];
  }

  async listRestores(databaseId: string, limit: number): Promise<RestoreRow[]> {
    const { rows } = await this.sql.query<RestoreRow>(`SELECT ${restoreColumns} FROM platform.restores WHERE database_id = $1 ORDER BY created_at DESC, id LIMIT $2`, [databaseId, limit]);
    return rows;
  }

  async updateRestore(id: string, change: Partial<Pick<RestoreRow, 'status' | 'progress' | 'report' | 'error' | 'startedAt' | 'finishedAt'>>): Promise<void> {
    await this.sql.query(
      `UPDATE platform.restores SET
         status = COALESCE($2, status), progress = COALESCE($3::jsonb, progress), report = COALESCE($4::jsonb, report),
         error = COALESCE($5, error), started_at = COALESCE($6, started_at), finished_at = COALESCE($7, finished_at), heartbeat_at = now()
       WHERE id = $1`,
      [id, change.status ?? null, json(change.progress), json(change.report), change.error ?? null, change.startedAt ?? null, change.finishedAt ?? null],
    );
  }

  /** Asks whichever process runs the job to stop it (it reads the flag at its next heartbeat). */
  async requestCancel(table: 'backups' | 'restores', id: string): Promise<void> {
    await this.sql.query(`UPDATE platform.${table} SET cancel_requested = true WHERE id = $1 AND status IN ('queued', 'running')`, [id]);
  }

  /** Keeps a job alive; answers whether someone asked to cancel it. */
  async heartbeat(table: 'backups' | 'restores', id: string): Promise<boolean> {
    const { rows } = await this.sql.query<{ cancel: boolean }>(`UPDATE platform.${table} SET heartbeat_at = now() WHERE id = $1 RETURNING cancel_requested AS cancel`, [id]);
    return rows[0]?.cancel === true;
  }

  /**
   * Marks jobs that nobody runs any more as failed: those of another process that stopped sending
   * heartbeats (`staleMs`), or, for the embedded database's single owner, every job of an earlier process.
   */
  async failOrphans(reason: string, rule: { staleMs: number } | { notInstance: string }): Promise<{ backups: string[]; restores: string[] }> {
    const where = 'staleMs' in rule ? `heartbeat_at < now() - ($1::text || ' milliseconds')::interval` : '(instance IS NULL OR instance <> $1)';
    const param = 'staleMs' in rule ? String(rule.staleMs) : rule.notInstance;
    const run = async (table: string) =>
      (
        await this.sql.query<{ id: string }>(
          `UPDATE platform.${table} SET status = 'failed', error = $2, finished_at = now() WHERE status IN ('queued', 'running') AND ${where} RETURNING id`,
          [param, reason],
        )
      ).rows.map((r) => r.id);
    return { backups: await run('backups'), restores: await run('restores') };
  }

  /** Ids of running jobs (their staging folders must stay). */
  async activeBackupIds(): Promise<Set<string>> {
    const { rows } = await this.sql.query<{ id: string }>("SELECT id FROM platform.backups WHERE status IN ('queued', 'running')");
    return new Set(rows.map((r) => r.id));
  }

  /** Completed or failed backups older than the retention (manual and scheduled alike). */
  async expired(olderThanDays: number, limit = 500): Promise<{ id: string; databaseId: string }[]> {
    const { rows } = await this.sql.query<{ id: string; databaseId: string }>(
      `SELECT id, database_id AS "databaseId" FROM platform.backups
       WHERE status NOT IN ('queued', 'running') AND created_at < now() - ($1::text || ' days')::interval ORDER BY created_at LIMIT $2`,
      [String(olderThanDays), limit],
    );
    return rows;
  }

  async databaseExists(id: string): Promise<boolean> {
    return (await this.sql.query('SELECT 1 FROM platform.databases WHERE id = $1', [id])).rowCount > 0;
  }

  async schedule(databaseId: string): Promise<ScheduleRow | undefined> {
    const { rows } = await this.sql.query<ScheduleRow>(`SELECT ${scheduleColumns} FROM platform.backup_schedules WHERE database_id = $1`, [databaseId]);
    return rows[0];
  }

  async upsertSchedule(row: Pick<ScheduleRow, 'databaseId' | 'cron' | 'timezone' | 'enabled' | 'options' | 'nextRunAt'>, updatedBy: string): Promise<void> {
    await this.sql.query(
      `INSERT INTO platform.backup_schedules (database_id, cron, timezone, enabled, options, next_run_at, updated_by, updated_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, now())
       ON CONFLICT (database_id) DO UPDATE SET cron = $2, timezone = $3, enabled = $4, options = $5::jsonb, next_run_at = $6, updated_by = $7, updated_at = now()`,
      [row.databaseId, row.cron, row.timezone, row.enabled, JSON.stringify(row.options), row.nextRunAt, updatedBy],
    );
  }

  async deleteSchedule(databaseId: string): Promise<boolean> {
    return (await this.sql.query('DELETE FROM platform.backup_schedules WHERE database_id = $1', [databaseId])).rowCount > 0;
  }

  /**
   * Claims the schedules that are due: their next run moves forward in the same statement, so of
   * several server processes exactly one takes each run.
   */
  async claimDue(next: (row: ScheduleRow) => Date | null, now = new Date()): Promise<ScheduleRow[]> {
    const { rows } = await this.sql.query<ScheduleRow>(`SELECT ${scheduleColumns} FROM platform.backup_schedules WHERE enabled AND next_run_at <= $1 ORDER BY next_run_at LIMIT 50`, [now]);
    const claimed: ScheduleRow[] = [];
    for (const row of rows) {
      const following = next(row);
      const { rowCount } = await this.sql.query(
        'UPDATE platform.backup_schedules SET next_run_at = $2, last_run_at = $3 WHERE database_id = $1 AND next_run_at = $4',
        [row.databaseId, following, now, row.nextRunAt],
      );
      if (rowCount > 0) claimed.push(row);
    }
    return claimed;
  }

  async noteScheduledBackup(databaseId: string, backupId: string): Promise<void> {
    await this.sql.query('UPDATE platform.backup_schedules SET last_backup_id = $2 WHERE database_id = $1', [databaseId, backupId]);
  }
}
