import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** One problem with one field of a request: `field` is a dotted path such as `body.connectionString`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * The one exception routes throw. `app.onError` turns it (and anything else) into the one error
 * envelope: `{"error": {"code", "message", "requestId", "details"?}}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: FieldProblem[]) => new ApiError(400, 'invalid_request', message, details);
export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);

export interface ErrorEnvelope {
  error: { code: string; message: string; requestId: string; details?: FieldProblem[] };
}

export function errorResponse(c: Context, error: ApiError): Response {
  const body: ErrorEnvelope = {
    error: { code: error.code, message: error.message, requestId: String(c.get('requestId') ?? ''), ...(error.details ? { details: error.details } : {}) },
  };
  for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
  return c.json(body, error.status);
}
