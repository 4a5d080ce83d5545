import type { BackupKit } from '../engine';
import { kit } from '../run';
import { backupRedis } from './dump';
import { planRedisRestore, restoreRedis } from './restore';

export const redisBackup: BackupKit = kit({
  backup: backupRedis,
  plan: (target, dir, manifest, context) => planRedisRestore(target, dir, manifest, context.signal),
  restore: (target, dir, manifest, context) => restoreRedis(target, dir, manifest, context),
});
