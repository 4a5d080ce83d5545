import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_request' }),
      message: z.string().openapi({ example: 'body.connectionString: a Redis connection string starts with redis:// or rediss://' }),
      requestId: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const errorResponses = {
  400: { description: 'A field of the request is invalid; `details` names each one', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing, malformed, expired, revoked or forged bearer token', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'The caller is a member but their role does not allow this', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: 'Not found, or not visible to the caller', content: { 'application/json': { schema: ErrorSchema } } },
  429: { description: 'Rate limit reached; retry after `Retry-After` seconds', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const RoleSchema = z.enum(['owner', 'admin', 'developer', 'read_only']).openapi('Role');
export const EngineTypeSchema = z.enum(['postgres', 'redis', 'mongodb']).openapi('EngineType');

/** True when two types are mutually assignable: used to prove schemas and the shared wire types agree. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
