import type { Context } from 'hono';
import type { EngineError, EngineErrorCode } from '../../src/core/engines/errors';
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

/** How each kind of database failure answers over HTTP: the caller's fault is 4xx, the database's 5xx. */
const engineStatus: Record<EngineErrorCode, ContentfulStatusCode> = {
  invalid_input: 400,
  not_found: 404,
  read_only: 403,
  cancelled: 400,
  limit: 503,
  conflict: 409,
  circuit_open: 503,
  unreachable: 502,
  auth: 502,
  timeout: 504,
  server: 502,
};

export function engineErrorToApi(error: EngineError): ApiError {
  const headers = error.code === 'circuit_open' || error.code === 'limit' ? { 'Retry-After': String(Math.max(1, Math.ceil((error.retryInMs ?? 5000) / 1000))) } : undefined;
  return new ApiError(engineStatus[error.code], error.code, error.message, undefined, headers);
}
