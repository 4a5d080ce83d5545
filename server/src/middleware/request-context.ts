import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { API_VERSION_HEADER, PLATFORM_API_VERSION } from '../../../src/core/api/types';
import type { AppEnv } from '../env';
import type { Logger } from '../logger';

const acceptableRequestId = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives each request an id (the caller's `X-Request-Id` when it is sane, else a new one), a logger
 * bound to it, the API version header, and one log line when it ends: method, path (never the
 * query string, which may carry filters), status and duration.
 */
export function requestContext(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && acceptableRequestId.test(incoming) ? incoming : randomUUID();
    const requestLog = log.child('http', { requestId });
    c.set('requestId', requestId);
    c.set('log', requestLog);
    const started = performance.now();
    await next();
    c.header('x-request-id', requestId);
    c.header(API_VERSION_HEADER, String(PLATFORM_API_VERSION));
    const status = c.res.status;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    requestLog[level]('request', {
      method: c.req.method,
      path: c.req.path,
      status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      userId: c.get('principal')?.userId,
    });
  };
}
