import type { BackupKit } from '../engine';
import { kit } from '../run';
import { backupMongo } from './dump';
import { planMongoRestore, restoreMongo } from './restore';

export const mongoBackup: BackupKit = kit({
  backup: backupMongo,
  plan: (target, dir, manifest) => planMongoRestore(target, dir, manifest),
  restore: (target, dir, manifest, context) => restoreMongo(target, dir, manifest, context),
});
