import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { rateLimiter } from 'hono-rate-limiter';
import { getConnInfo } from 'hono/bun';
import type { AppEnv } from '../env';
import { ApiError, errorResponse } from '../errors';

/**
 * Limits each bearer token (or, without one, each client address) to `perMinute` requests in a
 * sliding minute. Keys are hashes, so the limiter's memory never holds a token. Over the limit the
 * answer is 429 in the one error envelope, with `Retry-After` in seconds.
 */
export function rateLimit(perMinute: number): MiddlewareHandler<AppEnv> {
  return rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-6',
    keyGenerator: (c) => {
      const auth = c.req.header('authorization');
      if (auth) return `t:${createHash('sha256').update(auth).digest('base64url').slice(0, 22)}`;
      try {
        return `a:${getConnInfo(c).remote.address ?? 'unknown'}`;
      } catch {
        return 'a:unknown'; // app.request() in tests has no socket
      }
    },
    handler: (c) => {
      const info = c.get('rateLimit' as never) as { resetTime?: Date } | undefined;
      const seconds = info?.resetTime ? Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : 60;
      return errorResponse(
        c,
        new ApiError(429, 'rate_limited', `rate limit of ${perMinute} requests per minute reached; retry in ${seconds} s`, undefined, { 'Retry-After': String(seconds) }),
      );
    },
  });
}
