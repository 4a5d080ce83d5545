import type { BackupAction } from '../../../src/core/backup/policy';

/**
 * Which backup action a request under `/databases/{id}` is (its path after the id), for the
 * database gate: it checks the role before the body or the ids after it are read, so a
 * read_only member gets 403 and an outsider 404 whatever the rest of the request says.
 */
export function backupActionFor(method: string, rest: string): BackupAction | undefined {
  const parts = rest.split('/').filter(Boolean);
  const [area, , verb] = parts;
  if (area === 'backups') {
    if (parts.length === 1) return method === 'POST' ? 'create' : 'list';
    if (parts.length === 2) return method === 'DELETE' ? 'delete' : 'list';
    if (verb === 'download') return 'download';
    if (verb === 'cancel') return 'cancel';
    if (verb === 'restore' || verb === 'restore-plan') return 'restore';
    return 'list';
  }
  if (area === 'restores') return verb === 'cancel' ? 'restore' : 'list';
  if (area === 'backup-schedule') return method === 'GET' ? 'list' : 'schedule';
  return undefined;
}
