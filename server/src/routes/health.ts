import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { HealthReport, MetricsReport } from '../../../src/core/api/types';
import type { AppEnv, Principal } from '../env';
import type { HealthService } from '../health/health-service';
import { errorResponses, json } from '../schemas/common';
import { HealthReportSchema, MetricsReportSchema } from '../schemas/platform';

export interface HealthRouteDeps {
  health: HealthService;
  /** The metrics a user may see: their own organizations' databases. */
  metrics: (userId: string) => Promise<MetricsReport>;
}

const HealthQuery = z.object({
  fresh: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .openapi({ param: { name: 'fresh', in: 'query' }, description: 'Check now instead of reusing a report younger than HEALTH_CHECK_INTERVAL' }),
});

/** A report without error details, for callers whose token could not be checked. */
function statusOnly(report: HealthReport): HealthReport {
  const services = Object.fromEntries(Object.entries(report.services).map(([name, s]) => [name, { status: s.status, latency: s.latency }]));
  return { timestamp: report.timestamp, status: report.status, services, access: 'status-only' };
}

/** The seed's platform health (200 healthy, 503 degraded) and connection metrics. */
export function registerHealthRoutes(app: OpenAPIHono<AppEnv>, deps: HealthRouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/platform/health',
      summary: 'Health of the platform database and of Redis, MongoDB and the Bun API when configured',
      description:
        'With a valid token: the full report (latencies and error details). Without a token, or when the token cannot be checked because the platform database is down: status only (`access: status-only`).',
      tags: ['operations'],
      // The token is optional here: `{}` is OpenAPI's "no security" alternative.
      security: [{}, { bearer: [] }] as Record<string, string[]>[],
      request: { query: HealthQuery },
      responses: { 200: json(HealthReportSchema, 'Every service healthy'), 503: json(HealthReportSchema, 'At least one service unhealthy'), ...errorResponses },
    }),
    async (c) => {
      const { fresh } = c.req.valid('query');
      // Authentication is optional here (see app.ts): without a checked principal the answer is
      // status only, which needs no platform database, so an outage of it is still reported.
      const authenticated = (c.get('principal') as Principal | undefined) !== undefined;
      const report = await deps.health.report({ fresh: authenticated && (fresh === 'true' || fresh === '1') });
      const body: HealthReport = authenticated ? { ...report, access: 'full' } : statusOnly(report);
      c.header('cache-control', 'no-store');
      return report.status === 'healthy' ? c.json(body, 200) : c.json(body, 503);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/platform/metrics',
      summary: "Uptime, memory, and the connections {active, idle, waiting} and circuit breakers of the caller's organizations' databases",
      tags: ['operations'],
      responses: { 200: json(MetricsReportSchema, 'Metrics'), ...errorResponses },
    }),
    async (c) => c.json(await deps.metrics(c.get('principal').userId), 200),
  );
}

/** The same figures in Prometheus' text exposition format, for a scraper at `/metrics`. */
export function prometheusText(report: MetricsReport): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, type: 'gauge' | 'counter', samples: [Record<string, string>, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels)
        .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
        .join(',');
      lines.push(`${name}${text ? `{${text}}` : ''} ${value}`);
    }
  };
  metric('ogelbase_uptime_seconds', 'Seconds since the server started', 'gauge', [[{}, report.uptime]]);
  metric('ogelbase_memory_bytes', 'Process memory by kind', 'gauge', Object.entries(report.memory).map(([kind, v]) => [{ kind }, v]));
  metric(
    'ogelbase_connections',
    'Connections per engine and state',
    'gauge',
    Object.entries(report.connections).flatMap(([engine, f]) =>
      (['active', 'idle', 'waiting'] as const).map((state): [Record<string, string>, number] => [{ engine, state }, f[state]]),
    ),
  );
  // Labelled by database id: names repeat across organizations, and they are the tenants' own words.
  metric('ogelbase_circuit_open', 'Whether a database circuit breaker is open (1) or half-open (0.5)', 'gauge',
    report.circuits.map((c) => [{ database: c.id }, c.state === 'open' ? 1 : c.state === 'half-open' ? 0.5 : 0]));
  if (report.eventLoop) metric('ogelbase_event_loop_lag_seconds', 'How late timers fire: the worst delay since the previous scrape', 'gauge', [[{}, report.eventLoop.maxLagMs / 1000]]);
  metric('ogelbase_circuit_failures', 'Consecutive connection failures per database circuit breaker', 'gauge', report.circuits.map((c) => [{ database: c.id }, c.failures]));
  return `${lines.join('\n')}\n`;
}
