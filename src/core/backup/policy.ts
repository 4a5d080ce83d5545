import type { Role } from '../api/types';

/** Everything one can do with a database's backups. */
export type BackupAction = 'list' | 'create' | 'cancel' | 'download' | 'restore' | 'delete' | 'schedule';

/**
 * Who may do what with backups, decided once for both sides: the platform enforces it (its gate,
 * before a body is read), the extension only uses it to offer what a role may do. Taking a backup
 * reads everything, so it is for the roles that may change data; restoring and deleting destroy
 * data, so they are for owners and admins.
 */
export const BACKUP_ROLES: Record<BackupAction, readonly Role[]> = {
  list: ['owner', 'admin', 'developer', 'read_only'],
  create: ['owner', 'admin', 'developer'],
  cancel: ['owner', 'admin', 'developer'],
  download: ['owner', 'admin', 'developer'],
  restore: ['owner', 'admin'],
  delete: ['owner', 'admin'],
  schedule: ['owner', 'admin'],
};

export const mayDo = (role: Role, action: BackupAction) => BACKUP_ROLES[action].includes(role);

/** A name that marks a database as production: `prod`, `production`, `prd` or `live` as a word of it (`orders-prod`, `live_cache`, `PRD`). */
const PRODUCTION = /(^|[^a-z])(prod|production|prd|live)(?![a-z])/i;

export const isProductionName = (name: string) => PRODUCTION.test(name);

/**
 * Why restoring into this database needs its name typed to confirm (it is read-only, or its name
 * marks it as production), or undefined. Both sides ask it: the extension asks for the name, the
 * platform refuses a restore without it.
 */
export function typedConfirmationReason(database: { name: string; readOnly: boolean }): string | undefined {
  if (database.readOnly) return `${database.name} is marked read-only`;
  if (isProductionName(database.name)) return `the name ${database.name} marks it as production`;
  return undefined;
}
