import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { EngineType, TestConnectionResult } from '../../../src/core/api/types';
import type { AppEnv } from '../env';
import { ApiError, badRequest, forbidden } from '../errors';
import { errorResponses, json } from '../schemas/common';
import { RedisTestConnectionSchema, TestConnectionRequestSchema, TestConnectionResultSchema } from '../schemas/databases';
import { canWrite } from '../services/access';
import type { OrganizationStore } from '../store/organizations';

export interface SeedEngineRouteDeps {
  organizations: OrganizationStore;
  redisUrl: string | undefined;
  mongodbUrl: string | undefined;
  redisManagement: boolean;
  mongodbManagement: boolean;
  probe: (type: EngineType, connectionString: string) => Promise<TestConnectionResult>;
  listMongoDatabases: (connectionString: string) => Promise<{ name: string; sizeOnDisk: number; empty: boolean }[]>;
}

const disabled = (what: string, flag: string) => new ApiError(404, 'feature_disabled', `${what} is disabled on this server (${flag}=false)`);

const MongoDatabasesSchema = z
  .object({ databases: z.array(z.object({ name: z.string(), sizeOnDisk: z.number(), empty: z.boolean() })) })
  .openapi('MongoDatabaseList');

/**
 * The seed's two engine routes, which act on the platform's own REDIS_URL and MONGODB_URL. They
 * reach servers on the caller's behalf, so only members who can change databases somewhere may use them.
 */
export function registerSeedEngineRoutes(app: OpenAPIHono<AppEnv>, deps: SeedEngineRouteDeps): void {
  const requireSomeWriterRole = async (userId: string) => {
    const organizations = await deps.organizations.listForUser(userId);
    if (!organizations.some((o) => canWrite(o.role))) throw forbidden('testing connections needs the owner, admin or developer role in an organization');
  };

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/platform/redis/test-connection',
      summary: "Test a Redis connection string, or the platform's REDIS_URL when none is given",
      tags: ['engines'],
      request: { body: { content: { 'application/json': { schema: RedisTestConnectionSchema } }, required: false } },
      responses: { 200: json(TestConnectionResultSchema, 'The outcome'), ...errorResponses },
    }),
    async (c) => {
      if (!deps.redisManagement) throw disabled('Redis management', 'ENABLE_REDIS_MANAGEMENT');
      await requireSomeWriterRole(c.get('principal').userId);
      const body = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
      const target = body.connectionString ?? deps.redisUrl;
      if (!target) throw badRequest('send a connectionString: REDIS_URL is not configured on this server', [{ field: 'body.connectionString', message: 'required when REDIS_URL is not configured' }]);
      return c.json(await deps.probe('redis', target), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/platform/test-connection',
      summary: 'Test any connection string from the platform before saving it (it reaches private-network hosts)',
      tags: ['engines'],
      request: { body: { content: { 'application/json': { schema: TestConnectionRequestSchema } }, required: true } },
      responses: { 200: json(TestConnectionResultSchema, 'The outcome'), ...errorResponses },
    }),
    async (c) => {
      await requireSomeWriterRole(c.get('principal').userId);
      const { type, connectionString } = c.req.valid('json');
      return c.json(await deps.probe(type, connectionString), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/platform/mongodb/databases',
      summary: "The databases of the platform's MongoDB (MONGODB_URL)",
      tags: ['engines'],
      responses: { 200: json(MongoDatabasesSchema, 'Databases with their size'), ...errorResponses },
    }),
    async (c) => {
      if (!deps.mongodbManagement) throw disabled('MongoDB management', 'ENABLE_MONGODB_MANAGEMENT');
      if (!deps.mongodbUrl) throw new ApiError(404, 'not_configured', 'MONGODB_URL is not configured on this server');
      return c.json({ databases: await deps.listMongoDatabases(deps.mongodbUrl) }, 200);
    },
  );
}
