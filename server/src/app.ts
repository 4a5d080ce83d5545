import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { MetricsReport } from '../../src/core/api/types';
import { PLATFORM_API_VERSION } from '../../src/core/api/types';
import type { AppEnv } from './env';
import { EngineError } from '../../src/core/engines/errors';
import { ApiError, engineErrorToApi, errorResponse, type FieldProblem } from './errors';

const metricsDisabled = () => new ApiError(404, 'feature_disabled', 'connection metrics are disabled on this server (ENABLE_CONNECTION_METRICS=false)');
import type { HealthService } from './health/health-service';
import type { Logger } from './logger';
import { rateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { registerDatabaseRoutes } from './routes/databases';
import { registerEngineOperationRoutes, type EngineOperationDeps } from './routes/engine-operations';
import { registerEngineStreamRoutes } from './routes/engine-streams';
import { prometheusText, registerHealthRoutes } from './routes/health';
import { registerPlatformRoutes } from './routes/platform';
import { registerSeedEngineRoutes, type SeedEngineRouteDeps } from './routes/seed-engines';
import { authenticate, type AuthDeps } from './security/auth';
import type { DatabaseService } from './services/databases';
import type { OrganizationStore } from './store/organizations';

export interface AppDeps {
  log: Logger;
  serverVersion: string;
  now: () => Date;
  /** Seconds since the process started. */
  uptime: () => number;
  maxBodyBytes: number;
  rateLimitPerMinute: number;
  auth: AuthDeps;
  organizations: OrganizationStore;
  databases: DatabaseService;
  health: HealthService;
  /** A metrics report, or undefined when ENABLE_CONNECTION_METRICS is false. */
  metrics: (() => MetricsReport) | undefined;
  seedEngines: Omit<SeedEngineRouteDeps, 'organizations'>;
  engineOperations: Omit<EngineOperationDeps, 'service'>;
}

/** Turns a zod error into field problems named `body.x`, `query.y` or `path.z`. */
function fieldProblems(target: string, issues: { path: PropertyKey[]; message: string }[]): FieldProblem[] {
  const where = target === 'json' ? 'body' : target === 'param' ? 'path' : target;
  return issues.map((issue) => ({ field: [where, ...issue.path.map(String)].join('.'), message: issue.message }));
}

/**
 * Builds the platform API from its dependencies. It never listens: `index.ts` serves it with
 * `Bun.serve`, and tests call `app.request()` directly.
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const details = fieldProblems(result.target, result.error.issues);
        throw new ApiError(400, 'invalid_request', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
      }
    },
  });

  app.use('*', requestContext(deps.log));

  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (error instanceof EngineError) return errorResponse(c, engineErrorToApi(error));
    if (error instanceof HTTPException) {
      const code = error.status === 413 ? 'payload_too_large' : error.status === 400 ? 'invalid_request' : 'http_error';
      return errorResponse(c, new ApiError(error.status as ContentfulStatusCode, code, error.message || 'bad request'));
    }
    // Unexpected: the message may quote a driver or a value, so it goes to the (redacted) log only.
    c.get('log').error('unhandled error', { error: error instanceof Error ? error.message : String(error), path: c.req.path });
    return errorResponse(c, new ApiError(500, 'internal', `internal error; quote request id ${c.get('requestId')} when reporting it`));
  });
  app.notFound((c) => errorResponse(c, new ApiError(404, 'not_found', `no route for ${c.req.method} ${c.req.path}`)));

  // The seed's liveness probe for the server itself (Railway's health check calls it).
  app.get('/health', (c) => c.json({ status: 'healthy', timestamp: deps.now().toISOString(), uptime: deps.uptime() }));
  app.get('/metrics', (c) => {
    if (!deps.metrics) throw metricsDisabled();
    return c.text(prometheusText(deps.metrics()), 200, { 'content-type': 'text/plain; version=0.0.4' });
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A personal API token (ogb_…) or an HS256 platform JWT whose `sub` is the user id',
  });
  // The one route under /api/platform without a token: it describes the API and serves no data.
  app.get('/api/platform/openapi.json', (c) =>
    c.json(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 'OgelBase platform API', version: `${PLATFORM_API_VERSION}.0.0`, description: `Server ${deps.serverVersion}` },
        security: [{ bearer: [] }],
      }),
    ),
  );

  app.use(
    '/api/platform/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `request body is larger than ${deps.maxBodyBytes} bytes`);
      },
    }),
  );
  app.use('/api/platform/*', rateLimit(deps.rateLimitPerMinute));
  app.use('/api/platform/*', authenticate(deps.auth));

  registerPlatformRoutes(app, { organizations: deps.organizations, serverVersion: deps.serverVersion });
  registerHealthRoutes(app, {
    health: deps.health,
    metrics: () => {
      if (!deps.metrics) throw metricsDisabled();
      return deps.metrics();
    },
  });
  registerDatabaseRoutes(app, deps.databases);
  registerSeedEngineRoutes(app, { organizations: deps.organizations, ...deps.seedEngines });
  registerEngineOperationRoutes(app, { service: deps.databases, ...deps.engineOperations });
  registerEngineStreamRoutes(app, { service: deps.databases, ...deps.engineOperations });
  return app;
}
