import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { EngineType, TestConnectionResult } from '../../../src/core/api/types';
import type { ProbeTarget } from '../../../src/core/engines/probe-result';
import type { Principal } from '../env';
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
  probe: (type: EngineType, connectionString: string, target: ProbeTarget) => Promise<TestConnectionResult>;
  listMongoDatabases: (connectionString: string) => Promise<{ name: string; sizeOnDisk: number; empty: boolean }[]>;
  /** PLATFORM_OPERATORS (lower-cased e-mail addresses or user ids): who may look into the platform's own services. */
  operators: string[];
  /** The server's checks on a caller's connection string (files, sockets, host policy), as a 400. */
  checkConnection: (type: EngineType, connectionString: string) => Promise<void>;
  /** What probes of a caller's string connect with (the host policy's guard, no local files). */
  callerTarget: (tls?: { ca?: string; cert?: string; key?: string }) => ProbeTarget;
  /** What probes of the platform's own REDIS_URL connect with (the operator configured it: no host policy). */
  ownTarget: ProbeTarget;
}

const disabled = (what: string, flag: string) => new ApiError(404, 'feature_disabled', `${what} is disabled on this server (${flag}=false)`);

const MongoDatabasesSchema = z
  .object({ databases: z.array(z.object({ name: z.string(), sizeOnDisk: z.number(), empty: z.boolean() })) })
  .openapi('MongoDatabaseList');

/**
 * The seed's engine routes. Testing a caller's connection string reaches servers on their behalf,
 * so it needs a role that can change databases somewhere and passes the host policy like any stored
 * string. What concerns the platform's own MONGODB_URL belongs to no tenant: only its operators
 * (PLATFORM_OPERATORS) may list its databases.
 */
export function registerSeedEngineRoutes(app: OpenAPIHono<AppEnv>, deps: SeedEngineRouteDeps): void {
  const requireSomeWriterRole = async (userId: string) => {
    const organizations = await deps.organizations.listForUser(userId);
    if (!organizations.some((o) => canWrite(o.role))) throw forbidden('testing connections needs the owner, admin or developer role in an organization');
  };
  const requireOperator = (principal: Principal, what: string) => {
    if (!deps.operators.includes(principal.email.toLowerCase()) && !deps.operators.includes(principal.userId)) {
      throw forbidden(`${what} concerns the platform's own services: only its operators (PLATFORM_OPERATORS) may use it`);
    }
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
      if (body.connectionString !== undefined) {
        await deps.checkConnection('redis', body.connectionString);
        return c.json(await deps.probe('redis', body.connectionString, deps.callerTarget()), 200);
      }
      if (!deps.redisUrl) throw badRequest('send a connectionString: REDIS_URL is not configured on this server', [{ field: 'body.connectionString', message: 'required when REDIS_URL is not configured' }]);
      return c.json(await deps.probe('redis', deps.redisUrl, deps.ownTarget), 200);
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
      const { type, connectionString, tls } = c.req.valid('json');
      await deps.checkConnection(type, connectionString);
      return c.json(await deps.probe(type, connectionString, deps.callerTarget(tls)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/platform/mongodb/databases',
      summary: "The databases of the platform's MongoDB (MONGODB_URL); PLATFORM_OPERATORS only",
      tags: ['engines'],
      responses: { 200: json(MongoDatabasesSchema, 'Databases with their size'), ...errorResponses },
    }),
    async (c) => {
      if (!deps.mongodbManagement) throw disabled('MongoDB management', 'ENABLE_MONGODB_MANAGEMENT');
      requireOperator(c.get('principal'), "listing the platform MongoDB's databases");
      if (!deps.mongodbUrl) throw new ApiError(404, 'not_configured', 'MONGODB_URL is not configured on this server');
      return c.json({ databases: await deps.listMongoDatabases(deps.mongodbUrl) }, 200);
    },
  );
}
