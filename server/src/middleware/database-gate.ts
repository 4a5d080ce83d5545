import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import type { EngineType } from '../../../src/core/api/types';
import { requireManager, requireRevealer, requireWriter } from '../services/access';
import type { DatabaseService } from '../services/databases';
import { requireWritable } from '../services/operation-policy';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The first gate of every route under `/api/platform/databases/{id}`, before the body is even read:
 * a database of another organization is "not found" (so its existence, and what its routes would
 * say about a request, stay unknown), and a role that may not do what the route does gets 403
 * whatever the body holds. The handlers check again with the same rules (services/access.ts), and
 * the finer ones (who may change readOnly) are theirs alone.
 */
export function databaseGate(service: DatabaseService, writeOperations: ReadonlySet<string>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = c.req.param('id');
    if (!id || !uuid.test(id)) return next(); // the route's own validation explains a malformed id
    const { row, role } = await service.access(c.get('principal'), id);
    const rest = c.req.path.slice(c.req.path.indexOf(id) + id.length).replace(/\/+$/, '');
    const method = c.req.method;
    if (rest === '' && (method === 'PATCH' || method === 'DELETE')) requireWriter(role, method === 'PATCH' ? 'change databases' : 'remove databases');
    else if (rest === '/reveal') requireRevealer(role);
    else if (rest === '/read-credential') requireManager(role, "manage a database's read-only login");
    else if (writeOperations.has(rest.slice(1))) {
      const [engine, name] = rest.slice(1).split('/') as [EngineType, string];
      requireWritable(engine, name, role, row);
    }
    return next();
  };
}
