import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { BACKUP_ROLES, type BackupAction } from '../../../src/core/backup/policy';
import type { AppEnv } from '../env';
import { errorResponses, json } from '../schemas/common';
import { DatabaseIdParam } from '../schemas/databases';
import {
  BackupListSchema, BackupParams, BackupSchema, DownloadQuery, PageQuery, RestoreParams, RestorePlanSchema, RestoreSchema, ScheduleBody, ScheduleSchema, StartBackupBody, StartRestoreBody,
} from './schemas';
import type { BackupService } from './service';
import { serveDownload } from './download';
import type { BackupStorage } from './storage';

const tags = ['backups'];

/** Who may call a route, in the OpenAPI document (`x-ogelbase-roles`): the security suite's route walk tries the others. */
const roles = (action: BackupAction) => ({ 'x-ogelbase-roles': [...BACKUP_ROLES[action]] });
const body = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: false });

/**
 * The backup routes under `/api/platform/databases/{id}`: start a backup, follow it, list, download
 * (streamed, resumable with Range), cancel, delete; check a restore and start it; follow and cancel
 * restores; the database's backup schedule. Membership and role are checked by the database gate
 * before anything else, and again by the service.
 */
export function registerBackupRoutes(app: OpenAPIHono<AppEnv>, service: BackupService, storage: BackupStorage): void {
  const principal = (c: Context<AppEnv>) => c.get('principal');

  app.openapi(
    createRoute({
      method: 'post', path: '/api/platform/databases/{id}/backups', tags, ...roles('create'),
      summary: 'Start a backup of the database (pg_dump custom format, an RDB snapshot, or the mongodump layout)',
      description: 'The backup runs in the background (202): follow it with GET …/backups/{backupId}. One job per database at a time (409 otherwise).',
      request: { params: DatabaseIdParam, body: body(StartBackupBody) },
      responses: { 202: json(BackupSchema, 'The backup, queued or running'), ...errorResponses, 409: json(z.object({}), 'A backup or restore of this database is under way') },
    }),
    async (c) => {
      const raw = c.req.header('content-type')?.includes('application/json') ? c.req.valid('json') : {};
      return c.json(await service.start(principal(c), c.req.valid('param').id, raw ?? {}), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/api/platform/databases/{id}/backups', tags, ...roles('list'),
      summary: "The database's backups, newest first (time, size, status, progress)",
      request: { params: DatabaseIdParam, query: PageQuery },
      responses: { 200: json(BackupListSchema, 'One page of backups'), ...errorResponses },
    }),
    async (c) => c.json(await service.list(principal(c), c.req.valid('param').id, c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/api/platform/databases/{id}/backups/{backupId}', tags, ...roles('list'),
      summary: 'One backup: its status and progress, its error, and once completed its manifest',
      request: { params: BackupParams },
      responses: { 200: json(BackupSchema, 'The backup'), ...errorResponses },
    }),
    async (c) => c.json(await service.get(principal(c), c.req.valid('param').id, c.req.valid('param').backupId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/api/platform/databases/{id}/backups/{backupId}/download', tags, ...roles('download'),
      summary: 'Download a completed backup: the whole folder as a tar, or one file of it (?file=); resumable with Range',
      request: { params: BackupParams, query: DownloadQuery },
      responses: {
        200: { description: 'The tar (application/x-tar) or the file', content: { 'application/x-tar': { schema: z.string().openapi({ format: 'binary' }) }, 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
        206: { description: 'The requested byte range' },
        416: { description: 'The range lies outside the file' },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { id, backupId } = c.req.valid('param');
      const { file } = c.req.valid('query');
      const found = await service.downloadable(principal(c), id, backupId, file);
      return serveDownload(c, found, file, storage, (range) => service.noteDownload(principal(c), found.row, backupId, file, range)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/api/platform/databases/{id}/backups/{backupId}/cancel', tags, ...roles('cancel'),
      summary: 'Cancel a queued or running backup (its partial files are removed)',
      request: { params: BackupParams },
      responses: { 200: json(BackupSchema, 'The backup, cancelled'), ...errorResponses, 409: json(z.object({}), 'The backup is not running') },
    }),
    async (c) => c.json(await service.cancel(principal(c), c.req.valid('param').id, c.req.valid('param').backupId), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete', path: '/api/platform/databases/{id}/backups/{backupId}', tags, ...roles('delete'),
      summary: 'Delete a backup: its record and its files (owners and admins)',
      request: { params: BackupParams },
      responses: { 204: { description: 'Deleted' }, ...errorResponses, 409: json(z.object({}), 'The backup still runs: cancel it first') },
    }),
    async (c) => {
      await service.delete(principal(c), c.req.valid('param').id, c.req.valid('param').backupId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/api/platform/databases/{id}/backups/{backupId}/restore-plan', tags, ...roles('restore'),
      summary: 'Pre-check a restore: checksums, engine and version, and what it would overwrite, add and leave alone (nothing is changed)',
      request: { params: BackupParams },
      responses: { 200: json(RestorePlanSchema, 'The plan'), ...errorResponses, 422: json(z.object({}), 'The backup cannot be restored here (damaged, another engine, a newer version)') },
    }),
    async (c) => c.json(await service.plan(principal(c), c.req.valid('param').id, c.req.valid('param').backupId), 200),
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/api/platform/databases/{id}/backups/{backupId}/restore', tags, ...roles('restore'),
      summary: 'Restore the database from one of its backups (owners and admins; a read-only or production-named database needs its name in `confirm`)',
      description: 'Runs in the background (202): follow it with GET …/restores/{restoreId}; its report says what was restored and how it compares with the manifest.',
      request: { params: BackupParams, body: body(StartRestoreBody) },
      responses: { 202: json(RestoreSchema, 'The restore, queued or running'), ...errorResponses, 409: json(z.object({}), 'A backup or restore of this database is under way') },
    }),
    async (c) => {
      const raw = c.req.header('content-type')?.includes('application/json') ? c.req.valid('json') : {};
      return c.json(await service.restore(principal(c), c.req.valid('param').id, c.req.valid('param').backupId, raw ?? {}), 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/api/platform/databases/{id}/restores', tags, ...roles('list'),
      summary: 'The latest restores of the database (at most 50)',
      request: { params: DatabaseIdParam },
      responses: { 200: json(z.object({ restores: z.array(RestoreSchema) }), 'The restores'), ...errorResponses },
    }),
    async (c) => c.json({ restores: await service.restores(principal(c), c.req.valid('param').id) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/api/platform/databases/{id}/restores/{restoreId}', tags, ...roles('list'),
      summary: 'One restore: status, progress, and its report',
      request: { params: RestoreParams },
      responses: { 200: json(RestoreSchema, 'The restore'), ...errorResponses },
    }),
    async (c) => c.json(await service.restoreStatus(principal(c), c.req.valid('param').id, c.req.valid('param').restoreId), 200),
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/api/platform/databases/{id}/restores/{restoreId}/cancel', tags, ...roles('restore'),
      summary: 'Cancel a restore; its report says what was done before it stopped',
      request: { params: RestoreParams },
      responses: { 200: json(RestoreSchema, 'The restore, with its report'), ...errorResponses, 409: json(z.object({}), 'The restore is not running') },
    }),
    async (c) => c.json(await service.cancelRestore(principal(c), c.req.valid('param').id, c.req.valid('param').restoreId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get', path: '/api/platform/databases/{id}/backup-schedule', tags, ...roles('list'),
      summary: "The database's backup schedule and the server's retention",
      request: { params: DatabaseIdParam },
      responses: { 200: json(ScheduleSchema, 'The schedule (null when none)'), ...errorResponses },
    }),
    async (c) => c.json(await service.getSchedule(principal(c), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'put', path: '/api/platform/databases/{id}/backup-schedule', tags, ...roles('schedule'),
      summary: 'Back the database up on a cron schedule (owners and admins); backups older than BACKUP_RETENTION_DAYS are deleted',
      request: { params: DatabaseIdParam, body: { content: { 'application/json': { schema: ScheduleBody } }, required: true } },
      responses: { 200: json(ScheduleSchema, 'The schedule'), ...errorResponses },
    }),
    async (c) => c.json(await service.setSchedule(principal(c), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete', path: '/api/platform/databases/{id}/backup-schedule', tags, ...roles('schedule'),
      summary: "Remove the database's backup schedule (its backups stay)",
      request: { params: DatabaseIdParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses },
    }),
    async (c) => {
      await service.deleteSchedule(principal(c), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
}
