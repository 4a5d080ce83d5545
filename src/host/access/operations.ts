import type { EngineType } from '../../core/api/types';
import type { MongoOperations } from '../../core/engines/mongodb/operations';
import type { ParamsOf, ResultOf } from '../../core/engines/operations';
import type { PostgresOperations } from '../../core/engines/postgres/operations';
import type { RedisOperations } from '../../core/engines/redis/operations';
import type { DatabaseAccess } from './database-access';
import type { DatabaseRef } from './database-ref';

/** The operation tables by engine (types only: no zod and no driver reach the extension bundle). */
interface Tables {
  postgres: PostgresOperations;
  redis: RedisOperations;
  mongodb: MongoOperations;
}

/**
 * One engine operation with its parameters and result typed by the engine's own table, so a call
 * site cannot drift from what the operation takes and returns. It runs through DatabaseAccess like
 * every call (directly or through the platform).
 */
export function runOperation<E extends EngineType, K extends keyof Tables[E] & string>(
  access: DatabaseAccess,
  ref: DatabaseRef,
  _engine: E,
  name: K,
  params: ParamsOf<Tables[E], K>,
  signal?: AbortSignal,
): Promise<ResultOf<Tables[E], K>> {
  return access.call<ResultOf<Tables[E], K>>(ref, name, params as Record<string, unknown>, signal);
}
