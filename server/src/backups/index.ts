import { mkdirSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { EngineType } from '../../../src/core/api/types';
import type { EngineBackup } from '../../../src/core/backup/engine';
import { mongoBackup } from '../../../src/core/backup/mongodb';
import { postgresBackup } from '../../../src/core/backup/postgres';
import { redisBackup } from '../../../src/core/backup/redis';
import type { Config } from '../config';
import type { PlatformSql } from '../db/sql';
import type { Logger } from '../logger';
import type { DatabaseService } from '../services/databases';
import type { AuditStore } from '../store/audit';
import type { DatabaseStore } from '../store/databases';
import { BackupJobs } from './jobs';
import { MemoryJobLocks, RedisJobLocks } from './locks';
import { BackupScheduler } from './scheduler';
import { BackupService } from './service';
import { LocalFolderStorage } from './storage';
import { BackupStore } from './store';

export const backupEngines: Record<EngineType, EngineBackup> = { postgres: postgresBackup, redis: redisBackup, mongodb: mongoBackup };

export interface Backups {
  service: BackupService;
  store: BackupStore;
  storage: LocalFolderStorage;
  jobs: BackupJobs;
  scheduler: BackupScheduler;
  close(): Promise<void>;
}

/**
 * Builds backups and restores for the platform: the local folder store (BACKUP_DIR), the job
 * runner with its locks (in REDIS_URL when set), the scheduler with retention. Jobs that an
 * earlier process left running are marked failed before the first request.
 */
export async function createBackups(deps: {
  config: Config;
  sql: PlatformSql;
  databases: DatabaseStore;
  databaseService: DatabaseService;
  audit: AuditStore;
  coordination: Redis | undefined;
  onRestored(databaseId: string): void;
  log: Logger;
}): Promise<Backups> {
  const { config, log } = deps;
  mkdirSync(config.backupDir, { recursive: true, mode: 0o700 });
  const store = new BackupStore(deps.sql);
  const storage = new LocalFolderStorage(config.backupDir);
  const tools = { where: 'server' as const, postgresBinDir: config.PG_BIN_DIR };
  const heartbeatMs = Math.max(1000, Math.floor(config.BACKUP_HEARTBEAT_TIMEOUT / 6));
  const locks = deps.coordination ? new RedisJobLocks(deps.coordination, config.BACKUP_HEARTBEAT_TIMEOUT, log.child('backups')) : new MemoryJobLocks();
  const jobs = new BackupJobs({
    store,
    storage,
    locks,
    engines: backupEngines,
    tools,
    maxConcurrent: config.BACKUP_MAX_CONCURRENT,
    heartbeatMs,
    staleMs: config.BACKUP_HEARTBEAT_TIMEOUT,
    log: log.child('backups'),
    onRestored: deps.onRestored,
    resolve: async (databaseId) => {
      const row = await deps.databases.byId(databaseId);
      if (!row) throw new Error(`database ${databaseId} was removed`);
      return { row, target: deps.databaseService.secrets.target(row, 'owner', false) };
    },
    audit: (actor, organizationId, action, targetId, details) => deps.audit.record(actor, { action, targetType: 'database', targetId, organizationId, details }),
  });
  // The embedded database has one owner: whatever an earlier process left running died with it.
  await jobs.recover(deps.sql.lock !== undefined);
  await storage.sweepStaging(await store.activeBackupIds());
  const scheduler = new BackupScheduler({
    store,
    storage,
    jobs,
    database: (id) => deps.databases.byId(id),
    retentionDays: config.BACKUP_RETENTION_DAYS,
    intervalMs: config.BACKUP_SCHEDULER_INTERVAL,
    log: log.child('backups'),
    audit: (organizationId, action, targetId, details) => deps.audit.record({ userId: null, tokenId: null }, { action, targetType: 'database', targetId, organizationId, details }),
  });
  const service = new BackupService({ databases: deps.databaseService, store, storage, jobs, engines: backupEngines, tools, audit: deps.audit, retentionDays: config.BACKUP_RETENTION_DAYS });
  return {
    service,
    store,
    storage,
    jobs,
    scheduler,
    close: async () => {
      await scheduler.close();
      await jobs.close();
    },
  };
}
