import { createHash } from 'node:crypto';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { EngineType } from '../../../src/core/api/types';
import type { ConnectionManager } from '../../../src/core/engines/connection-manager';
import type { Operation, OperationTable } from '../../../src/core/engines/operations';
import type { AppEnv } from '../env';
import { ApiError, badRequest } from '../errors';
import { DatabaseIdParam } from '../schemas/databases';
import { errorResponses, json } from '../schemas/common';
import type { DatabaseService } from '../services/databases';
import { MONGO_SYSTEM_DATABASES, planOperation } from '../services/operation-policy';

export interface EngineOperationDeps {
  service: DatabaseService;
  manager: ConnectionManager;
  tables: Record<EngineType, OperationTable<never>>;
  /** ENABLE_QUERY_LOGGING: log each operation's name and duration (never its parameters). */
  queryLogging: boolean;
  /** Results larger than this are refused rather than sent (ask for a smaller page). */
  maxResponseBytes: number;
}

/** What the audit log keeps of a statement: enough to match it to a text someone holds, nothing of its values. */
export function sqlFingerprint(sql: string) {
  return { statement: /^\s*(?:--[^\n\r]*[\n\r]|\/\*[\s\S]*?\*\/|\s)*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? '?', chars: sql.length, sha256: createHash('sha256').update(sql).digest('hex').slice(0, 32) };
}

const ResultSchema = z.record(z.string(), z.unknown()).openapi({ description: "The operation's result (see the engine's operation table)" });

/**
 * The pg-meta pattern for every engine: each entry of an engine's operation table becomes
 * `POST /api/platform/databases/{id}/<engine>/<operation>`, so databases on the platform's private
 * network are browsed through the platform. Same auth and roles as the platform routes; who may run
 * what, and as which login, is planOperation's decision (services/operation-policy.ts).
 */
/**
 * What the JSON and the streamed operation routes decide before anything runs, in one place: the
 * caller's access (404/403), the engine, which login and whether read-only (`planOperation`), the
 * read-only flag of operations that take one, and the audit of SQL the caller wrote (its first
 * word, length and a fingerprint, never its text): `query`, an EXPLAIN ANALYZE (which runs the
 * statement) and an export of the caller's own query.
 */
export async function prepareOperation(
  deps: Pick<EngineOperationDeps, 'service'>,
  principal: Parameters<DatabaseService['access']>[0],
  id: string,
  engine: EngineType,
  name: string,
  operation: Operation<unknown, z.ZodType, unknown>,
  params: Record<string, unknown>,
) {
  const { row, role } = await deps.service.access(principal, id);
  if (row.type !== engine) throw badRequest(`database ${row.name} is a ${row.type} database, not ${engine}`);
  const plan = planOperation(engine, name, operation.kind, role, row, params);
  if ('readOnly' in ((operation.params as z.ZodObject).shape ?? {}) && plan.readOnly) params.readOnly = true;
  const auditedSql = name === 'query' || (name === 'explain' && params.analyze === true) || (name === 'exportRows' && typeof params.sql === 'string');
  if (engine === 'postgres' && auditedSql) {
    await deps.service.recordOperation(principal, row, `postgres.${name}`, { ...sqlFingerprint(String(params.sql)), role, login: plan.variant, readOnly: plan.readOnly });
  }
  return { row, plan, target: deps.service.secrets.target(row, plan.variant, plan.readOnly) };
}

export function registerEngineOperationRoutes(app: OpenAPIHono<AppEnv>, deps: EngineOperationDeps): void {
  for (const [engine, table] of Object.entries(deps.tables) as [EngineType, OperationTable<never>][]) {
    for (const [name, operation] of Object.entries(table)) {
      if (operation.stream) continue; // served as a streamed response by engine-streams.ts
      app.openapi(
        createRoute({
          method: 'post',
          path: `/api/platform/databases/{id}/${engine}/${name}`,
          summary: operation.summary,
          description: operation.kind === 'write' ? 'Changes data: needs the owner, admin or developer role and a database that is not read-only.' : undefined,
          tags: [`${engine} operations`],
          request: { params: DatabaseIdParam, body: { content: { 'application/json': { schema: operation.params } }, required: true } },
          responses: { 200: json(ResultSchema, 'The result'), ...errorResponses, 502: json(ResultSchema, 'The database failed or could not be reached'), 503: json(ResultSchema, "The database's circuit is open") },
        }),
        async (c) => {
          const principal = c.get('principal');
          const { id } = c.req.valid('param');
          const params = c.req.valid('json') as Record<string, unknown>;
          const { row, plan, target } = await prepareOperation(deps, principal, id, engine, name, operation as Operation<unknown, z.ZodType, unknown>, params);
          const started = performance.now();
          let result = await deps.manager.use(target, (instance) =>
            (operation as Operation<unknown, z.ZodType, unknown>).run(instance, params, { signal: c.req.raw.signal }),
          );
          if (plan.hideSystemDatabases && Array.isArray(result)) result = (result as { name: string }[]).filter((d) => !MONGO_SYSTEM_DATABASES.has(d.name));
          if (deps.queryLogging) c.get('log').info('operation', { engine, operation: name, database: row.id, durationMs: Math.round(performance.now() - started) });
          if (operation.kind === 'write') await deps.service.recordOperation(principal, row, `${engine}.${name}`);

          const body = JSON.stringify(result ?? {});
          if (body.length > deps.maxResponseBytes) {
            throw new ApiError(502, 'response_too_large', `the result is ${Math.ceil(body.length / 1024)} KiB, over this server's ${Math.floor(deps.maxResponseBytes / 1024)} KiB limit: ask for a smaller page`);
          }
          // Already serialised to measure it; typed routes expect c.json, which would serialise again.
          return c.body(body, 200, { 'content-type': 'application/json' }) as never;
        },
      );
    }
  }
}
