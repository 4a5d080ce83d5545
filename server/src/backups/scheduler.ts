import { Cron } from 'croner';
import type { Logger } from '../logger';
import type { DatabaseRow } from '../store/databases';
import type { BackupJobs } from './jobs';
import type { BackupStorage } from './storage';
import type { BackupStore, ScheduleRow } from './store';

/** A cron expression's next run after `from`, or null when it has none; throws for a malformed one. */
export function nextRun(cron: string, timezone: string, from = new Date()): Date | null {
  return new Cron(cron, { timezone, paused: true }).nextRun(from);
}

/** Why a cron expression is refused (croner's own words), or undefined when it is usable. */
export function cronProblem(cron: string, timezone: string): string | undefined {
  try {
    const next = nextRun(cron, timezone);
    if (!next) return 'it never runs';
    const after = nextRun(cron, timezone, next);
    // More often than every 15 minutes would keep a database busy backing up.
    if (after && after.getTime() - next.getTime() < 15 * 60_000) return 'it runs more often than every 15 minutes';
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export interface SchedulerDeps {
  store: BackupStore;
  storage: BackupStorage;
  jobs: BackupJobs;
  /** The database's row, or undefined once it was removed. */
  database(id: string): Promise<DatabaseRow | undefined>;
  /** BACKUP_RETENTION_DAYS (0 keeps every backup). */
  retentionDays: number;
  intervalMs: number;
  log: Logger;
  audit(organizationId: string, action: string, targetId: string, details: Record<string, unknown>): Promise<void>;
}

/**
 * Runs the scheduled backups that are due (each claimed by exactly one server process), deletes
 * backups older than BACKUP_RETENTION_DAYS (the seed's `find -mtime +30 -delete`, records and
 * files), and removes the folders of databases that were removed from the platform.
 */
export class BackupScheduler {
  private readonly timer: ReturnType<typeof setInterval>;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: SchedulerDeps) {
    this.timer = setInterval(() => void this.runOnce(), deps.intervalMs);
    this.timer.unref?.();
  }

  /** One pass (the timer calls it; tests too). */
  runOnce(now = new Date()): Promise<void> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: Date): Promise<void> {
    try {
      await this.due(now);
      await this.retention();
      await this.orphans();
    } catch (error) {
      this.deps.log.warn('backup scheduler pass failed', { error: (error as Error).message });
    }
  }

  private async due(now: Date): Promise<void> {
    const claimed = await this.deps.store.claimDue((row: ScheduleRow) => nextRun(row.cron, row.timezone, now), now);
    for (const schedule of claimed) {
      const row = await this.deps.database(schedule.databaseId);
      if (!row) continue;
      try {
        const id = await this.deps.jobs.startBackup(row, schedule.options, 'scheduled', { userId: null, tokenId: null });
        await this.deps.store.noteScheduledBackup(row.id, id);
        await this.deps.audit(row.organizationId, 'backup.scheduled', row.id, { backupId: id, cron: schedule.cron });
      } catch (error) {
        // A backup already under way (a manual one) is the usual reason: this run is skipped, the next one comes.
        this.deps.log.warn('scheduled backup skipped', { database: row.id, error: (error as Error).message });
        await this.deps.audit(row.organizationId, 'backup.scheduled.skipped', row.id, { reason: (error as Error).message });
      }
    }
  }

  private async retention(): Promise<void> {
    if (this.deps.retentionDays <= 0) return;
    for (const old of await this.deps.store.expired(this.deps.retentionDays)) {
      await this.deps.storage.remove(old.databaseId, old.id);
      await this.deps.store.deleteBackup(old.id);
      const row = await this.deps.database(old.databaseId);
      if (row) await this.deps.audit(row.organizationId, 'backup.expired', row.id, { backupId: old.id, retentionDays: this.deps.retentionDays });
    }
  }

  private async orphans(): Promise<void> {
    for (const databaseId of await this.deps.storage.databases()) {
      if (!(await this.deps.store.databaseExists(databaseId))) {
        await this.deps.storage.removeDatabase(databaseId);
        this.deps.log.info('removed the backups of a database that is no longer on the platform', { database: databaseId });
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
