import type { BackupInfo, RestoreInfo } from '../../core/api/backups';
import type { BackupsClient } from '../../core/api/backups-client';
import type { Report } from './progress';

const POLL_MS = 1000;
const terminal = (status: string) => status !== 'queued' && status !== 'running';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows a platform backup until it ends, reporting its progress. Cancel asks the platform to
 * cancel it (the platform removes its partial files) and waits for the outcome.
 */
export async function followBackup(client: BackupsClient, databaseId: string, backup: BackupInfo, report: Report, signal: AbortSignal): Promise<BackupInfo> {
  let current = backup;
  let cancelAsked = false;
  for (;;) {
    if (terminal(current.status)) return current;
    if (signal.aborted && !cancelAsked) {
      cancelAsked = true;
      report('Cancelling…');
      current = await client.cancel(databaseId, backup.id).catch(() => current);
      continue;
    }
    report(current.progress ?? (current.status === 'queued' ? 'Waiting for a free slot on the platform…' : 'Starting…'));
    await sleep(POLL_MS);
    current = await client.get(databaseId, backup.id);
  }
}

/** Follows a platform restore the same way; its report says what was done, also when cancelled. */
export async function followRestore(client: BackupsClient, databaseId: string, restore: RestoreInfo, report: Report, signal: AbortSignal): Promise<RestoreInfo> {
  let current = restore;
  let cancelAsked = false;
  for (;;) {
    if (terminal(current.status)) return current;
    if (signal.aborted && !cancelAsked) {
      cancelAsked = true;
      report('Cancelling…');
      current = await client.cancelRestore(databaseId, restore.id).catch(() => current);
      continue;
    }
    report(current.progress ?? (current.status === 'queued' ? 'Waiting for a free slot on the platform…' : 'Starting…'));
    await sleep(POLL_MS);
    current = await client.restoreStatus(databaseId, restore.id);
  }
}
