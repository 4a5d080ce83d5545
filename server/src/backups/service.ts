import type { BackupInfo, BackupList, BackupScheduleInfo, RestoreInfo, RestorePlanInfo, SetScheduleRequest, StartBackupRequest, StartRestoreRequest } from '../../../src/core/api/backups';
import type { EngineType, Role } from '../../../src/core/api/types';
import type { EngineBackup } from '../../../src/core/backup/engine';
import { MANIFEST_FILE } from '../../../src/core/backup/manifest';
import { safeRelativePath } from '../../../src/core/backup/paths';
import { mayDo, typedConfirmationReason, type BackupAction } from '../../../src/core/backup/policy';
import { precheckRestore } from '../../../src/core/backup/run';
import { summarize } from '../../../src/core/backup/summary';
import type { ToolSettings } from '../../../src/core/backup/types';
import { EngineError } from '../../../src/core/engines/errors';
import type { Principal } from '../env';
import { ApiError, badRequest, conflict, forbidden, notFound } from '../errors';
import type { AuditStore } from '../store/audit';
import type { DatabaseRow } from '../store/databases';
import type { DatabaseService } from '../services/databases';
import type { BackupJobs } from './jobs';
import { cronProblem, nextRun } from './scheduler';
import type { BackupStorage } from './storage';
import type { BackupRow, BackupStore, RestoreRow } from './store';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const actorOf = (p: Principal) => ({ userId: p.userId, tokenId: p.tokenId });

const ACTION_WORDS: Record<BackupAction, string> = {
  list: 'see backups',
  create: 'back up databases',
  cancel: 'cancel backups',
  download: 'download backups',
  restore: 'restore backups',
  delete: 'delete backups',
  schedule: 'change backup schedules',
};

/** The role rule of core/backup/policy.ts as the platform's 403. */
export function requireBackupRole(role: Role, action: BackupAction): void {
  if (mayDo(role, action)) return;
  const who = action === 'restore' || action === 'delete' || action === 'schedule' ? 'owners and admins' : 'owners, admins and developers';
  throw forbidden(`only ${who} can ${ACTION_WORDS[action]}; your role is ${role}`);
}

export function toBackupInfo(row: BackupRow, withManifest = false): BackupInfo {
  return {
    id: row.id,
    databaseId: row.databaseId,
    engine: row.engine,
    status: row.status,
    trigger: row.trigger,
    createdAt: iso(row.createdAt)!,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    sizeBytes: row.sizeBytes,
    options: row.options ?? {},
    progress: row.progress,
    summary: row.manifest ? summarize(row.manifest.contents) : null,
    error: row.error,
    ...(withManifest ? { manifest: row.manifest } : {}),
  };
}

export function toRestoreInfo(row: RestoreRow): RestoreInfo {
  return {
    id: row.id,
    databaseId: row.databaseId,
    backupId: row.backupId,
    status: row.status,
    createdAt: iso(row.createdAt)!,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    progress: row.progress,
    plan: row.plan,
    report: row.report,
    error: row.error,
  };
}

export interface BackupServiceDeps {
  databases: DatabaseService;
  store: BackupStore;
  storage: BackupStorage;
  jobs: BackupJobs;
  engines: Record<EngineType, EngineBackup>;
  tools: ToolSettings;
  audit: AuditStore;
  retentionDays: number;
}

/**
 * The backup routes' logic: every call checks membership and role (core/backup/policy.ts) with the
 * database's own row, so a backup id of another database (or another organization's) is "not
 * found"; every action is audited.
 */
export class BackupService {
  constructor(private readonly deps: BackupServiceDeps) {}

  async access(principal: Principal, id: string, action: BackupAction): Promise<DatabaseRow> {
    const { row, role } = await this.deps.databases.access(principal, id);
    requireBackupRole(role, action);
    return row;
  }

  private async audit(principal: Principal, row: DatabaseRow, action: string, details: Record<string, unknown>): Promise<void> {
    await this.deps.audit.record(actorOf(principal), { action, targetType: 'database', targetId: row.id, organizationId: row.organizationId, details: { name: row.name, ...details } });
  }

  private async backupOf(row: DatabaseRow, backupId: string): Promise<BackupRow> {
    const found = await this.deps.store.backup(row.id, backupId);
    if (!found) throw notFound(`backup ${backupId} of ${row.name} was not found`);
    return found;
  }

  async start(principal: Principal, id: string, body: StartBackupRequest): Promise<BackupInfo> {
    const row = await this.access(principal, id, 'create');
    if ((body.gzip || body.archive) && row.type !== 'mongodb') throw badRequest('gzip and archive are options of MongoDB backups (mongodump --gzip, --archive)');
    const backupId = await this.deps.jobs.startBackup(row, { gzip: body.gzip ?? false, archive: body.archive ?? false }, 'manual', actorOf(principal));
    await this.audit(principal, row, 'backup.create', { backupId, ...body });
    return toBackupInfo((await this.deps.store.backup(row.id, backupId))!);
  }

  async list(principal: Principal, id: string, page: { limit: number; offset: number }): Promise<BackupList> {
    const row = await this.access(principal, id, 'list');
    const { rows, total } = await this.deps.store.listBackups(row.id, page);
    return { backups: rows.map((r) => toBackupInfo(r)), total, ...page };
  }

  async get(principal: Principal, id: string, backupId: string): Promise<BackupInfo> {
    const row = await this.access(principal, id, 'list');
    return toBackupInfo(await this.backupOf(row, backupId), true);
  }

  async cancel(principal: Principal, id: string, backupId: string): Promise<BackupInfo> {
    const row = await this.access(principal, id, 'cancel');
    const backup = await this.backupOf(row, backupId);
    if (backup.status !== 'queued' && backup.status !== 'running') throw conflict(`backup ${backupId} is ${backup.status}: there is nothing to cancel`);
    await this.deps.jobs.cancel('backup', backupId);
    await this.deps.jobs.settled(backupId);
    await this.audit(principal, row, 'backup.cancel', { backupId });
    return toBackupInfo(await this.backupOf(row, backupId));
  }

  async delete(principal: Principal, id: string, backupId: string): Promise<void> {
    const row = await this.access(principal, id, 'delete');
    const backup = await this.backupOf(row, backupId);
    if (backup.status === 'queued' || backup.status === 'running') throw conflict(`backup ${backupId} is still ${backup.status}: cancel it first`);
    await this.deps.storage.remove(row.id, backupId);
    await this.deps.store.deleteBackup(backupId);
    await this.audit(principal, row, 'backup.delete', { backupId, bytes: backup.sizeBytes });
  }

  /** The files a download may name: the manifest's, and manifest.json itself. */
  async downloadable(principal: Principal, id: string, backupId: string, file: string | undefined): Promise<{ row: DatabaseRow; backup: BackupRow; files: { path: string; size: number }[] }> {
    const row = await this.access(principal, id, 'download');
    const backup = await this.backupOf(row, backupId);
    if (backup.status !== 'completed' || !backup.manifest) throw conflict(`backup ${backupId} is ${backup.status}: only a completed backup can be downloaded`);
    if (file !== undefined) {
      try {
        safeRelativePath(file);
      } catch (error) {
        throw badRequest(`query.file: ${(error as Error).message}`, [{ field: 'query.file', message: (error as Error).message }]);
      }
    }
    const names = [MANIFEST_FILE, ...backup.manifest.files.map((f) => f.path)].filter((n) => file === undefined || n === file);
    if (names.length === 0) throw notFound(`backup ${backupId} has no file ${JSON.stringify(file)}`);
    const files: { path: string; size: number }[] = [];
    for (const name of names) {
      const size = await this.deps.storage.size(row.id, backupId, name);
      if (size === undefined) throw new ApiError(410, 'gone', `file ${name} of backup ${backupId} is missing from the store (${this.deps.storage.kind})`);
      files.push({ path: name, size });
    }
    return { row, backup, files };
  }

  async noteDownload(principal: Principal, row: DatabaseRow, backupId: string, file: string | undefined, range: string | undefined): Promise<void> {
    await this.audit(principal, row, 'backup.download', { backupId, file: file ?? '(tar)', ...(range ? { range } : {}) });
  }

  async plan(principal: Principal, id: string, backupId: string): Promise<RestorePlanInfo> {
    const row = await this.access(principal, id, 'restore');
    const backup = await this.backupOf(row, backupId);
    if (backup.status !== 'completed') throw conflict(`backup ${backupId} is ${backup.status}: only a completed backup can be restored`);
    const copy = await this.deps.storage.localCopy(row.id, backupId);
    try {
      const target = this.deps.databases.secrets.target(row, 'owner', false);
      const { plan } = await precheckRestore(this.deps.engines[row.type], target, copy.dir, { tools: this.deps.tools });
      const reason = typedConfirmationReason(row) ?? null;
      await this.audit(principal, row, 'restore.precheck', { backupId, overwrite: plan.overwrite.count, add: plan.add.count, leaveAlone: plan.leaveAlone.count });
      return { ...plan, confirmation: { required: reason !== null, reason } };
    } catch (error) {
      if (error instanceof EngineError && error.code === 'invalid_input') throw new ApiError(422, 'backup_refused', error.message);
      throw error;
    } finally {
      await copy.release();
    }
  }

  async restore(principal: Principal, id: string, backupId: string, body: StartRestoreRequest): Promise<RestoreInfo> {
    const row = await this.access(principal, id, 'restore');
    const backup = await this.backupOf(row, backupId);
    if (backup.status !== 'completed') throw conflict(`backup ${backupId} is ${backup.status}: only a completed backup can be restored`);
    const reason = typedConfirmationReason(row);
    if (reason && body.confirm !== row.name) {
      throw new ApiError(400, 'confirmation_required', `restoring into ${row.name} needs its name typed to confirm (${reason}): send "confirm" with the database's name`, [{ field: 'body.confirm', message: "the database's name" }]);
    }
    const restoreId = await this.deps.jobs.startRestore(row, backup, null, actorOf(principal));
    await this.audit(principal, row, 'restore.start', { restoreId, backupId, confirmedByName: Boolean(reason) });
    return toRestoreInfo((await this.deps.store.restore(row.id, restoreId))!);
  }

  async restores(principal: Principal, id: string): Promise<RestoreInfo[]> {
    const row = await this.access(principal, id, 'list');
    return (await this.deps.store.listRestores(row.id, 50)).map(toRestoreInfo);
  }

  async restoreStatus(principal: Principal, id: string, restoreId: string): Promise<RestoreInfo> {
    const row = await this.access(principal, id, 'list');
    const found = await this.deps.store.restore(row.id, restoreId);
    if (!found) throw notFound(`restore ${restoreId} of ${row.name} was not found`);
    return toRestoreInfo(found);
  }

  async cancelRestore(principal: Principal, id: string, restoreId: string): Promise<RestoreInfo> {
    const row = await this.access(principal, id, 'restore');
    const found = await this.deps.store.restore(row.id, restoreId);
    if (!found) throw notFound(`restore ${restoreId} of ${row.name} was not found`);
    if (found.status !== 'queued' && found.status !== 'running') throw conflict(`restore ${restoreId} is ${found.status}: there is nothing to cancel`);
    await this.deps.jobs.cancel('restore', restoreId);
    await this.deps.jobs.settled(restoreId);
    await this.audit(principal, row, 'restore.cancel', { restoreId });
    return toRestoreInfo((await this.deps.store.restore(row.id, restoreId))!);
  }

  private scheduleInfo(row: Awaited<ReturnType<BackupStore['schedule']>>): BackupScheduleInfo {
    return {
      schedule: row
        ? { cron: row.cron, timezone: row.timezone, enabled: row.enabled, options: row.options ?? {}, nextRunAt: iso(row.nextRunAt), lastRunAt: iso(row.lastRunAt), lastBackupId: row.lastBackupId }
        : null,
      retentionDays: this.deps.retentionDays,
    };
  }

  async getSchedule(principal: Principal, id: string): Promise<BackupScheduleInfo> {
    const row = await this.access(principal, id, 'list');
    return this.scheduleInfo(await this.deps.store.schedule(row.id));
  }

  async setSchedule(principal: Principal, id: string, body: SetScheduleRequest): Promise<BackupScheduleInfo> {
    const row = await this.access(principal, id, 'schedule');
    const timezone = body.timezone ?? 'UTC';
    const problem = cronProblem(body.cron, timezone);
    if (problem) throw badRequest(`body.cron: ${problem}`, [{ field: 'body.cron', message: problem }]);
    if ((body.gzip || body.archive) && row.type !== 'mongodb') throw badRequest('gzip and archive are options of MongoDB backups');
    const enabled = body.enabled ?? true;
    await this.deps.store.upsertSchedule(
      { databaseId: row.id, cron: body.cron, timezone, enabled, options: { gzip: body.gzip ?? false, archive: body.archive ?? false }, nextRunAt: enabled ? nextRun(body.cron, timezone) : null },
      principal.userId,
    );
    await this.audit(principal, row, 'backup.schedule.set', { cron: body.cron, timezone, enabled });
    return this.scheduleInfo(await this.deps.store.schedule(row.id));
  }

  async deleteSchedule(principal: Principal, id: string): Promise<void> {
    const row = await this.access(principal, id, 'schedule');
    if (!(await this.deps.store.deleteSchedule(row.id))) throw notFound(`${row.name} has no backup schedule`);
    await this.audit(principal, row, 'backup.schedule.delete', {});
  }
}
