import { z } from '@hono/zod-openapi';
import type { HealthReport, MetricsReport, Organization, Profile, Project } from '../../../src/core/api/types';
import { RoleSchema, type Same } from './common';

export const ProfileSchema = z
  .object({
    user: z.object({ id: z.string().uuid(), email: z.string(), displayName: z.string().nullable() }),
    authenticatedBy: z.enum(['jwt', 'api_token']),
    apiVersion: z.number().int().openapi({ description: 'Major version of this API; clients refuse a different major' }),
    serverVersion: z.string(),
  })
  .openapi('Profile');

export const OrganizationSchema = z
  .object({ id: z.string().uuid(), slug: z.string(), name: z.string(), role: RoleSchema, projectCount: z.number().int() })
  .openapi('Organization');

export const ProjectSchema = z
  .object({
    id: z.string().uuid(),
    ref: z.string(),
    name: z.string(),
    region: z.string().nullable(),
    organizationSlug: z.string(),
    databaseCount: z.number().int(),
    createdAt: z.string(),
  })
  .openapi('Project');

const ServiceHealthSchema = z.object({
  status: z.enum(['healthy', 'unhealthy']),
  latency: z.number().openapi({ description: 'Milliseconds the check took' }),
  error: z.string().optional(),
});

export const HealthReportSchema = z
  .object({
    timestamp: z.string(),
    status: z.enum(['healthy', 'degraded']),
    services: z.record(z.string(), ServiceHealthSchema),
    access: z
      .enum(['full', 'status-only'])
      .optional()
      .openapi({ description: '`status-only` without a (checkable) token: statuses and latencies, no error details' }),
  })
  .openapi('HealthReport');

const FiguresSchema = z.object({ active: z.number().int(), idle: z.number().int(), waiting: z.number().int() });

export const MetricsReportSchema = z
  .object({
    timestamp: z.string(),
    uptime: z.number(),
    runtime: z.object({ name: z.enum(['bun', 'node']), version: z.string(), engine: z.enum(['JavaScriptCore', 'V8']) }).openapi({ description: 'The runtime that measured the memory figures' }),
    memory: z.object({ rss: z.number(), heapTotal: z.number(), heapUsed: z.number(), external: z.number() }).openapi({ description: 'Bytes; heapUsed never exceeds heapTotal' }),
    connections: z.object({ platform: FiguresSchema, postgres: FiguresSchema, redis: FiguresSchema, mongodb: FiguresSchema }),
    circuits: z.array(
      z.object({ id: z.string(), name: z.string(), state: z.enum(['closed', 'open', 'half-open']), failures: z.number().int(), retryInMs: z.number() }),
    ),
    eventLoop: z
      .object({ lagMs: z.number(), maxLagMs: z.number() })
      .optional()
      .openapi({ description: 'How late timers fire (ms): the last sample and the worst since the previous report' }),
  })
  .openapi('MetricsReport');

// Compile-time proof that the schemas and the shared wire types agree in both directions.
export const schemasMatchWireTypes: [
  Same<z.infer<typeof ProfileSchema>, Profile>,
  Same<z.infer<typeof OrganizationSchema>, Organization>,
  Same<z.infer<typeof ProjectSchema>, Project>,
  Same<z.infer<typeof HealthReportSchema>, HealthReport>,
  Same<z.infer<typeof MetricsReportSchema>, MetricsReport>,
] = [true, true, true, true, true];
