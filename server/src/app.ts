import { timingSafeEqual } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { Store } from 'hono-rate-limiter';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { MetricsReport } from '../../src/core/api/types';
import { PLATFORM_API_VERSION } from '../../src/core/api/types';
import type { AppEnv } from './env';
import { EngineError } from '../../src/core/engines/errors';
import { ApiError, engineErrorToApi, errorResponse, unauthorized, type FieldProblem } from './errors';

import type { HealthService } from './health/health-service';
import type { Logger } from './logger';
import { databaseGate } from './middleware/database-gate';
import { clientAddress, rateLimit } from './middleware/rate-limit';
import { requestContext } from './middleware/request-context';
import { registerDatabaseRoutes } from './routes/databases';
import { registerEngineOperationRoutes, type EngineOperationDeps } from './routes/engine-operations';
import { prometheusText, registerHealthRoutes } from './routes/health';
import { registerPlatformRoutes } from './routes/platform';
import { registerSeedEngineRoutes, type SeedEngineRouteDeps } from './routes/seed-engines';
import { authenticate, type AuthDeps } from './security/auth';
import type { DatabaseService } from './services/databases';
import type { OrganizationStore } from './store/organizations';

const metricsDisabled = () => new ApiError(404, 'feature_disabled', 'connection metrics are disabled on this server (ENABLE_CONNECTION_METRICS=false)');

/** A metrics report of every database, or of those `include` accepts (a caller's own). */
export type MetricsSource = (include?: (databaseId: string) => boolean) => MetricsReport;

export interface RateLimitDeps {
  /** RATE_LIMIT_PER_MINUTE, per authenticated user. */
  perUser: number;
  /** RATE_LIMIT_PER_ADDRESS_PER_MINUTE, per client address, before authentication. */
  perAddress: number;
  /** CLIENT_ADDRESS_HEADER: trust this header (set by the proxy in front) for the client address. */
  addressHeader: string | undefined;
  userStore: Store<AppEnv>;
  addressStore: Store<AppEnv>;
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export interface AppDeps {
  log: Logger;
  serverVersion: string;
  now: () => Date;
  /** Seconds since the process started. */
  uptime: () => number;
  maxBodyBytes: number;
  rateLimits: RateLimitDeps;
  auth: AuthDeps;
  organizations: OrganizationStore;
  databases: DatabaseService;
  health: HealthService;
  /** A metrics report, or undefined when ENABLE_CONNECTION_METRICS is false. */
  metrics: MetricsSource | undefined;
  /** METRICS_TOKEN: the bearer token `/metrics` wants; undefined disables `/metrics`. */
  metricsToken: string | undefined;
  /** The ids of the databases a user's organizations hold (what their metrics may show). */
  databaseIdsOf: (userId: string) => Promise<Set<string>>;
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
  // Every answer is JSON or plain text that no browser should sniff, render or frame.
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
      xContentTypeOptions: 'nosniff',
      xFrameOptions: 'DENY',
      referrerPolicy: 'no-referrer',
    }),
  );
  // Before anything else costs work (token lookups included): a budget per client address.
  app.use(
    '*',
    rateLimit({ perMinute: deps.rateLimits.perAddress, store: deps.rateLimits.addressStore, scope: 'per client address', key: (c) => clientAddress(c, deps.rateLimits.addressHeader) }),
  );

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
  // For a scraper, not a tenant: METRICS_TOKEN as the bearer token, series labelled by database id.
  app.get('/metrics', (c) => {
    if (!deps.metrics) throw metricsDisabled();
    if (!deps.metricsToken) throw new ApiError(404, 'feature_disabled', 'the Prometheus endpoint is disabled on this server: set METRICS_TOKEN to enable it');
    const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization')?.trim() ?? '')?.[1];
    if (!given || !sameSecret(given, deps.metricsToken)) throw unauthorized('/metrics wants the METRICS_TOKEN as a bearer token');
    return c.text(prometheusText(deps.metrics()), 200, { 'content-type': 'text/plain; version=0.0.4', 'cache-control': 'no-store' });
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
  // The health route also answers without a token (status only): an outage of the platform database, which
  // token checks need, must still be reportable.
  app.use('/api/platform/*', authenticate(deps.auth, { optional: (path) => path === '/api/platform/health' }));
  app.use(
    '/api/platform/*',
    rateLimit({ perMinute: deps.rateLimits.perUser, store: deps.rateLimits.userStore, scope: 'per user', key: (c) => c.get('principal')?.userId && `u:${c.get('principal').userId}` }),
  );

  // Membership and role before any body is read, on every route of one database.
  const writeOperations = new Set(
    Object.entries(deps.engineOperations.tables).flatMap(([engine, table]) => Object.entries(table).filter(([, o]) => o.kind === 'write').map(([name]) => `${engine}/${name}`)),
  );
  const gate = databaseGate(deps.databases, writeOperations);
  app.use('/api/platform/databases/:id', gate);
  app.use('/api/platform/databases/:id/*', gate);

  registerPlatformRoutes(app, { organizations: deps.organizations, serverVersion: deps.serverVersion });
  registerHealthRoutes(app, {
    health: deps.health,
    // A signed-in user sees the connections and circuits of their own organizations' databases only.
    metrics: async (userId) => {
      if (!deps.metrics) throw metricsDisabled();
      const ids = await deps.databaseIdsOf(userId);
      return deps.metrics((id) => ids.has(id));
    },
  });
  registerDatabaseRoutes(app, deps.databases);
  registerSeedEngineRoutes(app, { organizations: deps.organizations, ...deps.seedEngines });
  registerEngineOperationRoutes(app, { service: deps.databases, ...deps.engineOperations });
  return app;
}
