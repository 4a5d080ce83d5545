import { z } from '@hono/zod-openapi';
import { BACKUP_ID } from '../../../src/core/backup/paths';

const Uuid = (name: string) => z.string().regex(BACKUP_ID, `${name} is a UUID`);

export const BackupParams = z.object({
  id: Uuid('the database id').openapi({ param: { name: 'id', in: 'path' } }),
  backupId: Uuid('the backup id').openapi({ param: { name: 'backupId', in: 'path' } }),
});
export const RestoreParams = z.object({
  id: Uuid('the database id').openapi({ param: { name: 'id', in: 'path' } }),
  restoreId: Uuid('the restore id').openapi({ param: { name: 'restoreId', in: 'path' } }),
});

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const DownloadQuery = z.object({
  file: z
    .string()
    .max(512)
    .optional()
    .openapi({ description: 'One file of the backup (`manifest.json` or a path its manifest lists); without it, the whole backup as a tar' }),
});

const Options = z.object({ gzip: z.boolean().optional(), archive: z.boolean().optional() }).strict();

export const StartBackupBody = Options.openapi('StartBackupRequest', { description: 'gzip and archive apply to MongoDB only (mongodump --gzip, --archive)' });
export const StartRestoreBody = z
  .object({ confirm: z.string().max(200).optional().openapi({ description: "The database's name, typed: required for a read-only or production-named database" }) })
  .strict()
  .openapi('StartRestoreRequest');
export const ScheduleBody = z
  .object({
    cron: z.string().min(1).max(100).openapi({ example: '0 3 * * *', description: 'A cron expression (5 fields, or 6 with seconds); at most every 15 minutes' }),
    timezone: z.string().max(64).default('UTC'),
    enabled: z.boolean().default(true),
    gzip: z.boolean().optional(),
    archive: z.boolean().optional(),
  })
  .strict()
  .openapi('SetBackupScheduleRequest');

const Progress = z
  .object({
    phase: z.string(),
    unit: z.enum(['tables', 'keys', 'collections']),
    done: z.number(),
    total: z.number().optional(),
    bytes: z.number(),
    totalBytes: z.number().optional(),
    current: z.string().optional(),
  })
  .nullable()
  .openapi('BackupProgress');

const Status = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);

export const BackupSchema = z
  .object({
    id: z.string(),
    databaseId: z.string(),
    engine: z.enum(['postgres', 'redis', 'mongodb']),
    status: Status,
    trigger: z.enum(['manual', 'scheduled']),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    sizeBytes: z.number().nullable(),
    options: Options,
    progress: Progress,
    summary: z.string().nullable(),
    error: z.string().nullable(),
    manifest: z.record(z.string(), z.unknown()).nullable().optional().openapi({ description: 'The manifest (engine, server version, contents with counts, files with SHA-256), once completed' }),
  })
  .openapi('Backup');

export const BackupListSchema = z.object({ backups: z.array(BackupSchema), total: z.number(), limit: z.number(), offset: z.number() }).openapi('BackupList');

const Section = z.object({ count: z.number(), items: z.array(z.object({ name: z.string(), inBackup: z.number().optional(), now: z.number().optional() })), truncated: z.boolean() });
const Plan = z.object({
  engine: z.enum(['postgres', 'redis', 'mongodb']),
  unit: z.enum(['tables', 'keys', 'collections']),
  backup: z.record(z.string(), z.unknown()),
  target: z.object({ name: z.string(), serverVersion: z.string() }),
  overwrite: Section,
  add: Section,
  leaveAlone: Section,
  notes: z.array(z.string()),
});
export const RestorePlanSchema = Plan.extend({ confirmation: z.object({ required: z.boolean(), reason: z.string().nullable() }) }).openapi('RestorePlan');

export const RestoreSchema = z
  .object({
    id: z.string(),
    databaseId: z.string(),
    backupId: z.string().nullable(),
    status: Status,
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    progress: Progress,
    plan: Plan.nullable(),
    report: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'What was restored, item by item, and the verification against the manifest' }),
    error: z.string().nullable(),
  })
  .openapi('Restore');

export const ScheduleSchema = z
  .object({
    schedule: z
      .object({
        cron: z.string(),
        timezone: z.string(),
        enabled: z.boolean(),
        options: Options,
        nextRunAt: z.string().nullable(),
        lastRunAt: z.string().nullable(),
        lastBackupId: z.string().nullable(),
      })
      .nullable(),
    retentionDays: z.number(),
  })
  .openapi('BackupSchedule');
