import type { Logger } from './logger';

/** Who is calling: set by the auth middleware on every `/api/platform` request. */
export interface Principal {
  userId: string;
  email: string;
  displayName: string | null;
  authenticatedBy: 'jwt' | 'api_token';
  /** The API token's id when `authenticatedBy` is `api_token`, for the audit log. */
  tokenId: string | null;
}

/** Hono's per-request variables for this app. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    principal: Principal;
  };
}
