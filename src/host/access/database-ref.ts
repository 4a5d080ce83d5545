import type { DatabaseInfo, EngineType, Role } from '../../core/api/types';
import type { LocalConnection } from '../local/local-connection';

/**
 * A database as the explorer knows it: one of the signed-in platform's (with the caller's role in
 * its organization, which decides what may be done and whether direct access is possible), or a
 * local connection added by the user.
 */
export type DatabaseRef =
  | { scope: 'platform'; platformUrl: string; organizationSlug: string; role: Role; info: DatabaseInfo }
  | { scope: 'local'; local: LocalConnection };

export const refId = (ref: DatabaseRef) => (ref.scope === 'platform' ? ref.info.id : ref.local.id);
export const refName = (ref: DatabaseRef) => (ref.scope === 'platform' ? ref.info.name : ref.local.name);
export const refType = (ref: DatabaseRef): EngineType => (ref.scope === 'platform' ? ref.info.type : ref.local.type);
export const refReadOnly = (ref: DatabaseRef) => (ref.scope === 'platform' ? ref.info.readOnly || ref.role === 'read_only' : ref.local.readOnly);
/** Whether the user may change or remove the database record itself. */
export const refWritable = (ref: DatabaseRef) => ref.scope === 'local' || ref.role !== 'read_only';

/** How one call reached its database, for tooltips and the log. */
export type AccessPath = 'direct' | 'platform';
