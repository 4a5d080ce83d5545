import type { EngineType, Role } from '../../../src/core/api/types';
import type { OperationKind } from '../../../src/core/engines/operations';
import { ApiError } from '../errors';
import type { DatabaseRow } from '../store/databases';
import { requireWriter } from './access';

/** MongoDB's own databases: users and roles (admin.system.users), the oplog (local), sharding metadata (config). */
export const MONGO_SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);
/** Operations that run the caller's own SQL text. */
const RAW_SQL = new Set(['query', 'explain']);

export interface OperationPlan {
  /** Which login runs it: the stored one, or the database's read-only credential. */
  variant: 'owner' | 'read';
  /** Run it on a read-only engine (and SQL inside a read-only transaction). */
  readOnly: boolean;
  /** MongoDB listDatabases: leave admin, local and config out of the answer. */
  hideSystemDatabases: boolean;
}

/**
 * What a caller may run through `POST /databases/{id}/<engine>/<operation>`, decided once for every
 * engine:
 * - writes need a writer role (owner, admin, developer) and a database that is not read-only;
 * - read_only members, and everyone on a read-only database, run as the database's read-only
 *   credential when it has one, so the database's own privileges are the boundary;
 * - without one, read_only members still browse (the platform's own catalog and paging queries,
 *   on a read-only connection) but get 403 for their own SQL, and for MongoDB's admin, local and
 *   config databases.
 */
/** A write operation needs a writer role and a database that is not read-only. */
export function requireWritable(engine: EngineType, name: string, role: Role, row: Pick<DatabaseRow, 'name' | 'readOnly'>): void {
  requireWriter(role, `run ${engine} ${name}`);
  if (row.readOnly) throw new ApiError(403, 'read_only', `database ${row.name} is read-only: ${name} would change it`);
}

export function planOperation(engine: EngineType, name: string, kind: OperationKind, role: Role, row: DatabaseRow, params: Record<string, unknown>): OperationPlan {
  if (kind === 'write') requireWritable(engine, name, role, row);
  const restricted = role === 'read_only' || row.readOnly;
  const variant = restricted && row.readKind ? 'read' : 'owner';
  const confined = role === 'read_only' && variant === 'owner';
  if (confined && engine === 'postgres' && RAW_SQL.has(name)) {
    throw new ApiError(
      403,
      'read_credential_required',
      `read_only members run SQL only through the database's read-only login, and ${row.name} has none: an owner or admin can create one (POST /api/platform/databases/${row.id}/read-credential) or give one (readConnectionString)`,
    );
  }
  if (confined && engine === 'mongodb' && typeof params.db === 'string' && MONGO_SYSTEM_DATABASES.has(params.db)) {
    throw new ApiError(403, 'forbidden', `read_only members cannot read MongoDB's ${params.db} database unless the database has a read-only login (readConnectionString)`);
  }
  return { variant, readOnly: restricted, hideSystemDatabases: confined && engine === 'mongodb' && name === 'listDatabases' };
}
