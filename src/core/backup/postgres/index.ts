import type { BackupKit } from '../engine';
import { kit } from '../run';
import { backupPostgres } from './dump';
import { planPostgresRestore, restorePostgres } from './restore';

export const postgresBackup: BackupKit = kit({
  backup: backupPostgres,
  plan: (target, dir, manifest, context) => planPostgresRestore(target, dir, manifest, context.tools, context.scratch, context.signal),
  restore: (target, dir, manifest, context) => restorePostgres(target, dir, context.scratch, manifest, context),
});
