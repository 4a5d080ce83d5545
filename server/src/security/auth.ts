import type { MiddlewareHandler } from 'hono';
import { verify } from 'hono/jwt';
import { JwtTokenExpired } from 'hono/utils/jwt/types';
import { PlatformUnavailable } from '../db/availability';
import { unauthorized } from '../errors';
import type { AppEnv } from '../env';
import type { TokenStore } from '../store/tokens';
import { API_TOKEN_PREFIX } from '../store/tokens';
import type { UserStore } from '../store/users';

export interface AuthDeps {
  users: UserStore;
  tokens: TokenStore;
  /** HS256 secret of platform access tokens; JWTs are refused when it is not configured. */
  jwtSecret: string | undefined;
  now: () => Date;
}

export interface AuthOptions {
  /** Paths that also serve callers without a (checkable) token, e.g. the health route's status-only form. */
  optional?: (path: string) => boolean;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Accepts `Authorization: Bearer <token>` where the token is either a personal API token (`ogb_…`,
 * looked up by hash) or an HS256 JWT whose `sub` is a user id, as Supabase/GoTrue access tokens are.
 * Every failure is a 401 that says what was wrong with the token and nothing about the data.
 */
export function authenticate(deps: AuthDeps, options: AuthOptions = {}): MiddlewareHandler<AppEnv> {
  const strict = authenticateStrictly(deps);
  return async (c, next) => {
    if (!options.optional?.(c.req.path)) return strict(c, next);
    // Routes that answer anonymous callers too (with less): no token, or a token that cannot be
    // checked because the platform database is down, goes on without a principal.
    if (!c.req.header('authorization')) return next();
    try {
      await strict(c, () => Promise.resolve());
    } catch (error) {
      if (!(error instanceof PlatformUnavailable)) throw error;
    }
    return next();
  };
}

function authenticateStrictly(deps: AuthDeps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw unauthorized('missing Authorization header: send `Authorization: Bearer <token>`');
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw unauthorized('malformed Authorization header: expected `Bearer <token>`');
    const token = match[1]!;

    if (token.startsWith(API_TOKEN_PREFIX)) {
      const record = await deps.tokens.byToken(token);
      if (!record) throw unauthorized('unknown API token');
      if (record.revokedAt) throw unauthorized('this API token has been revoked');
      if (record.expiresAt && record.expiresAt.getTime() <= deps.now().getTime()) throw unauthorized('this API token has expired');
      const user = await deps.users.byId(record.userId);
      if (!user) throw unauthorized('the owner of this API token no longer exists');
      c.set('principal', { userId: user.id, email: user.email, displayName: user.displayName, authenticatedBy: 'api_token', tokenId: record.id });
      // Recording use must not slow the request down or fail it.
      void deps.tokens.touch(record.id).catch(() => undefined);
      return next();
    }

    if (token.split('.').length !== 3) throw unauthorized('the bearer token is neither an API token (ogb_…) nor a JWT');
    if (!deps.jwtSecret) throw unauthorized('JWT sign-in is not enabled on this server (JWT_SECRET is not set): use an API token');
    let payload: Record<string, unknown>;
    try {
      payload = await verify(token, deps.jwtSecret, 'HS256');
    } catch (error) {
      throw unauthorized(error instanceof JwtTokenExpired ? 'the JWT has expired' : 'the JWT signature or format is invalid');
    }
    if (typeof payload.exp !== 'number') throw unauthorized('the JWT has no expiry (`exp`); platform tokens must expire');
    const sub = payload.sub;
    if (typeof sub !== 'string' || !uuid.test(sub)) throw unauthorized('the JWT has no user id (`sub`)');
    const user = await deps.users.byId(sub);
    if (!user) throw unauthorized('the JWT names a user that does not exist');
    c.set('principal', { userId: user.id, email: user.email, displayName: user.displayName, authenticatedBy: 'jwt', tokenId: null });
    return next();
  };
}
