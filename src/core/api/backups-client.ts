import type { BackupInfo, BackupList, BackupScheduleInfo, RestoreInfo, RestorePlanInfo, SetScheduleRequest, StartBackupRequest, StartRestoreRequest } from './backups';
import type { PlatformClient } from './client';

const db = (id: string) => `/api/platform/databases/${encodeURIComponent(id)}`;

/** The backup routes of the platform API, over the signed-in session's client. */
export class BackupsClient {
  constructor(private readonly client: PlatformClient) {}

  start = (databaseId: string, body: StartBackupRequest = {}, signal?: AbortSignal) => this.client.json<BackupInfo>('POST', `${db(databaseId)}/backups`, body, signal);
  list = (databaseId: string, page = { limit: 50, offset: 0 }, signal?: AbortSignal) =>
    this.client.json<BackupList>('GET', `${db(databaseId)}/backups?limit=${page.limit}&offset=${page.offset}`, undefined, signal);
  get = (databaseId: string, backupId: string, signal?: AbortSignal) => this.client.json<BackupInfo>('GET', `${db(databaseId)}/backups/${encodeURIComponent(backupId)}`, undefined, signal);
  cancel = (databaseId: string, backupId: string) => this.client.json<BackupInfo>('POST', `${db(databaseId)}/backups/${encodeURIComponent(backupId)}/cancel`);
  delete = (databaseId: string, backupId: string) => this.client.json<void>('DELETE', `${db(databaseId)}/backups/${encodeURIComponent(backupId)}`);
  plan = (databaseId: string, backupId: string, signal?: AbortSignal) => this.client.json<RestorePlanInfo>('POST', `${db(databaseId)}/backups/${encodeURIComponent(backupId)}/restore-plan`, undefined, signal);
  restore = (databaseId: string, backupId: string, body: StartRestoreRequest) => this.client.json<RestoreInfo>('POST', `${db(databaseId)}/backups/${encodeURIComponent(backupId)}/restore`, body);
  restoreStatus = (databaseId: string, restoreId: string, signal?: AbortSignal) => this.client.json<RestoreInfo>('GET', `${db(databaseId)}/restores/${encodeURIComponent(restoreId)}`, undefined, signal);
  cancelRestore = (databaseId: string, restoreId: string) => this.client.json<RestoreInfo>('POST', `${db(databaseId)}/restores/${encodeURIComponent(restoreId)}/cancel`);
  schedule = (databaseId: string) => this.client.json<BackupScheduleInfo>('GET', `${db(databaseId)}/backup-schedule`);
  setSchedule = (databaseId: string, body: SetScheduleRequest) => this.client.json<BackupScheduleInfo>('PUT', `${db(databaseId)}/backup-schedule`, body);
  deleteSchedule = (databaseId: string) => this.client.json<void>('DELETE', `${db(databaseId)}/backup-schedule`);

  /** One file of a completed backup, from byte `from` (Range), only if it is still the same backup (If-Range). */
  file(databaseId: string, backupId: string, path: string, from: number, etag: string | undefined, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = from > 0 ? { range: `bytes=${from}-`, ...(etag ? { 'if-range': etag } : {}) } : {};
    return this.client.download(`${db(databaseId)}/backups/${encodeURIComponent(backupId)}/download?file=${encodeURIComponent(path)}`, headers, signal);
  }
}
