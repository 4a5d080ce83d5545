import { z } from '@hono/zod-openapi';
import type { CreateDatabaseRequest, DatabaseInfo, TestConnectionResult, UpdateDatabaseRequest } from '../../../src/core/api/types';
import { ConnectionStringError, parseConnectionString } from '../../../src/core/connection-strings';
import { EngineTypeSchema, type Same } from './common';

export const ProjectRefSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{2,39}$/, 'a project ref is 3-40 lowercase letters, digits or dashes')
  .openapi({ example: 'test-proj' });

const NameSchema = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .max(63, 'a name is at most 63 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, 'a name starts with a letter or digit and has only letters, digits, spaces, dots, dashes and underscores')
  .openapi({ example: 'redis-cache' });

const DescriptionSchema = z.string().trim().max(500, 'a description is at most 500 characters');
const ConnectionStringSchema = z
  .string()
  .min(1, 'a connection string is required')
  .max(4096, 'a connection string is at most 4096 characters')
  .openapi({ example: 'redis://default:password@redis.railway.internal:6379' });

/** Adds the engine's own parse error, which names the exact problem, under `connectionString`. */
function checkConnectionString(type: z.infer<typeof EngineTypeSchema>, value: string, ctx: z.RefinementCtx, field = 'connectionString') {
  try {
    parseConnectionString(type, value);
  } catch (error) {
    if (!(error instanceof ConnectionStringError)) throw error;
    ctx.addIssue({ code: 'custom', path: [field], message: error.message });
  }
}

const Pem = z.string().min(1).max(64 * 1024, 'a PEM value is at most 64 KiB');
export const TlsPemSchema = z
  .object({
    ca: Pem.optional().openapi({ description: 'CA certificate(s) the server certificate must lead to, as PEM text' }),
    cert: Pem.optional().openapi({ description: 'Client certificate, as PEM text' }),
    key: Pem.optional().openapi({ description: 'Client private key, as PEM text (sslpassword / tlsCertificateKeyFilePassword decrypts an encrypted one)' }),
  })
  .strict()
  .openapi('TlsPem', { description: 'Certificates are given as PEM text and stored sealed with the connection: the platform reads no files' });

const ReadConnectionStringSchema = ConnectionStringSchema.openapi({
  description: "The connection string of a login that can only read, used for read_only members' operations (owners and admins only)",
});

export const CreateDatabaseSchema = z
  .object({
    projectRef: ProjectRefSchema,
    name: NameSchema,
    type: EngineTypeSchema,
    connectionString: ConnectionStringSchema,
    description: DescriptionSchema.optional(),
    readOnly: z.boolean().optional().openapi({ description: 'Refuse every write through the platform' }),
    tls: TlsPemSchema.optional(),
    readConnectionString: ReadConnectionStringSchema.optional(),
    serverJavaScript: z.boolean().optional().openapi({ description: 'MongoDB: accept $where, $function and $accumulator (owners and admins only)' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    checkConnectionString(body.type, body.connectionString, ctx);
    if (body.readConnectionString !== undefined) checkConnectionString(body.type, body.readConnectionString, ctx, 'readConnectionString');
  })
  .openapi('CreateDatabaseRequest');

export const UpdateDatabaseSchema = z
  .object({
    name: NameSchema.optional(),
    description: DescriptionSchema.nullable().optional(),
    connectionString: ConnectionStringSchema.optional(),
    readOnly: z.boolean().optional().openapi({ description: 'Owners and admins only' }),
    tls: TlsPemSchema.nullable().optional(),
    readConnectionString: ReadConnectionStringSchema.nullable().optional(),
    serverJavaScript: z.boolean().optional().openapi({ description: 'MongoDB; owners and admins only' }),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'send at least one of name, description, connectionString, readOnly, tls, readConnectionString, serverJavaScript' })
  .openapi('UpdateDatabaseRequest');

export const DatabaseSchema = z
  .object({
    id: z.string().uuid(),
    projectRef: z.string(),
    name: z.string(),
    type: EngineTypeSchema,
    description: z.string().nullable(),
    connectionString: z.string().openapi({ description: 'Masked: the password is replaced by ****', example: 'redis://default:****@redis.railway.internal:6379/0' }),
    endpoint: z.string().openapi({ example: 'redis.railway.internal:6379/0' }),
    privateNetwork: z.boolean().openapi({ description: 'Reachable only inside the platform network: use the platform routes' }),
    readOnly: z.boolean(),
    readCredential: z.enum(['provisioned', 'supplied', 'none']).openapi({
      description: "The login read_only members' operations use: created by the platform, given by an owner, or none (then read_only members cannot run SQL)",
    }),
    tls: z.object({ ca: z.boolean(), cert: z.boolean(), key: z.boolean() }).openapi({ description: 'Which certificates are stored (sealed) with the connection' }),
    serverJavaScript: z.boolean().openapi({ description: 'MongoDB: $where, $function and $accumulator are accepted' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Database');

export const DatabaseListSchema = z
  .object({ databases: z.array(DatabaseSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('DatabaseList');

export const ListDatabasesQuery = z.object({
  projectRef: ProjectRefSchema.openapi({ param: { name: 'projectRef', in: 'query', required: true } }),
  limit: z.coerce.number().int().min(1).max(500).default(100).openapi({ param: { name: 'limit', in: 'query' } }),
  offset: z.coerce.number().int().min(0).default(0).openapi({ param: { name: 'offset', in: 'query' } }),
});

export const DatabaseIdParam = z.object({
  id: z.string().uuid('a database id is a UUID').openapi({ param: { name: 'id', in: 'path' }, example: '5f0c6f8e-8a48-4c1e-9d6e-0d6f3f0b2a11' }),
});

export const TestConnectionResultSchema = z
  .object({
    ok: z.boolean(),
    latency: z.number(),
    serverVersion: z.string().optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .openapi('TestConnectionResult');

export const RedisTestConnectionSchema = z
  .object({ connectionString: ConnectionStringSchema.optional().openapi({ description: "Defaults to the platform's REDIS_URL" }) })
  .strict()
  .superRefine((body, ctx) => {
    if (body.connectionString !== undefined) checkConnectionString('redis', body.connectionString, ctx);
  })
  .openapi('RedisTestConnectionRequest');

export const TestConnectionRequestSchema = z
  .object({ type: EngineTypeSchema, connectionString: ConnectionStringSchema, tls: TlsPemSchema.optional() })
  .strict()
  .superRefine((body, ctx) => checkConnectionString(body.type, body.connectionString, ctx))
  .openapi('TestConnectionRequest');

export const RevealedSchema = z.object({ connectionString: z.string() }).openapi('RevealedConnectionString');

export const ReadCredentialResultSchema = z
  .object({
    database: DatabaseSchema,
    provisioned: z.boolean(),
    reason: z.string().optional().openapi({ description: 'Why no login was created, when none was' }),
  })
  .openapi('ReadCredentialResult');

export const schemasMatchWireTypes: [
  Same<z.infer<typeof DatabaseSchema>, DatabaseInfo>,
  Same<z.input<typeof CreateDatabaseSchema>, CreateDatabaseRequest>,
  Same<z.input<typeof UpdateDatabaseSchema>, UpdateDatabaseRequest>,
  Same<z.infer<typeof TestConnectionResultSchema>, TestConnectionResult>,
] = [true, true, true, true];
