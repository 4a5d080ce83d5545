import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { errorResponses, json } from '../schemas/common';
import {
  CreateDatabaseSchema,
  DatabaseIdParam,
  DatabaseListSchema,
  DatabaseSchema,
  ListDatabasesQuery,
  ReadCredentialResultSchema,
  RevealedSchema,
  TestConnectionResultSchema,
  UpdateDatabaseSchema,
} from '../schemas/databases';
import type { DatabaseService } from '../services/databases';

const tags = ['databases'];
const byId = { params: DatabaseIdParam };

/** Database management: the seed's routes plus get/patch/delete, test-connection and an audited reveal. */
export function registerDatabaseRoutes(app: OpenAPIHono<AppEnv>, service: DatabaseService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/platform/databases',
      summary: 'The databases of a project (paged)',
      tags,
      request: { query: ListDatabasesQuery },
      responses: { 200: json(DatabaseListSchema, 'One page of databases, connection strings masked'), ...errorResponses },
    }),
    async (c) => {
      const { projectRef, limit, offset } = c.req.valid('query');
      return c.json(await service.list(c.get('principal'), projectRef, { limit, offset }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/platform/databases',
      summary: 'Add a database to a project',
      tags,
      request: { body: { content: { 'application/json': { schema: CreateDatabaseSchema } }, required: true } },
      responses: { 201: json(DatabaseSchema, 'The new database'), ...errorResponses, 409: json(z.object({}), 'A database with this name exists in the project') },
    }),
    async (c) => c.json(await service.create(c.get('principal'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/platform/databases/{id}', summary: 'One database', tags, request: byId, responses: { 200: json(DatabaseSchema, 'The database'), ...errorResponses } }),
    async (c) => c.json(await service.get(c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/platform/databases/{id}',
      summary: "Change a database's name, description, connection string or read-only flag",
      tags,
      request: { ...byId, body: { content: { 'application/json': { schema: UpdateDatabaseSchema } }, required: true } },
      responses: { 200: json(DatabaseSchema, 'The changed database'), ...errorResponses },
    }),
    async (c) => c.json(await service.update(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({ method: 'delete', path: '/api/platform/databases/{id}', summary: 'Remove a database from its project (the data itself is untouched)', tags, request: byId, responses: { 204: { description: 'Removed' }, ...errorResponses } }),
    async (c) => {
      await service.delete(c.get('principal'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/platform/databases/{id}/test-connection',
      summary: 'Connect once: latency and server version, or the driver error made readable',
      tags,
      request: byId,
      responses: { 200: json(TestConnectionResultSchema, 'The outcome (ok false when the database cannot be reached)'), ...errorResponses },
    }),
    async (c) => c.json(await service.testConnection(c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/platform/databases/{id}/read-credential',
      summary: "Create the database's read-only login through its stored login (owners and admins): a PostgreSQL role in pg_read_all_data, a Redis ACL user",
      description: 'Replaces a login given as readConnectionString. When the stored login cannot create one, `provisioned` is false and `reason` says why.',
      tags,
      request: byId,
      responses: { 200: json(ReadCredentialResultSchema, 'The database and the outcome'), ...errorResponses },
    }),
    async (c) => c.json(await service.provisionRead(c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/platform/databases/{id}/read-credential',
      summary: "Remove the database's read-only login (dropped on the database when the platform created it; owners and admins)",
      tags,
      request: byId,
      responses: { 200: json(DatabaseSchema, 'The database, without a read-only login'), ...errorResponses },
    }),
    async (c) => c.json(await service.removeRead(c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/platform/databases/{id}/reveal',
      summary: 'The plaintext connection string (owners and admins; audited)',
      tags,
      request: byId,
      responses: { 200: json(RevealedSchema, 'The connection string'), ...errorResponses },
    }),
    async (c) => {
      c.header('cache-control', 'no-store');
      return c.json({ connectionString: await service.reveal(c.get('principal'), c.req.valid('param').id) }, 200);
    },
  );
}
