import type { EngineBackup } from '../engine';
import { backupMongo } from './dump';
import { planMongoRestore, restoreMongo } from './restore';

export const mongoBackup: EngineBackup = {
  backup: backupMongo,
  plan: (target, dir, manifest) => planMongoRestore(target, dir, manifest),
  restore: (target, dir, manifest, context) => restoreMongo(target, dir, manifest, context),
};
