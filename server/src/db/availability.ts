import { ApiError } from '../errors';
import type { Logger } from '../logger';

/**
 * The platform database cannot be used right now (down, restarting, unreachable, silent). Every
 * request that needs it answers `503 platform_unavailable` with `Retry-After`, the process stays up,
 * and the pool reconnects on its own once the database is back.
 */
export class PlatformUnavailable extends ApiError {
  constructor(readonly reason: string) {
    super(
      503,
      'platform_unavailable',
      `the platform database is unreachable (${reason}); the server keeps retrying and recovers by itself when it is back: retry in a few seconds`,
      undefined,
      { 'Retry-After': '5' },
    );
  }
}

interface ErrorShape {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** SQLSTATEs that say the server or the connection went away, not that the statement was wrong. */
const unavailableStates: Record<string, string> = {
  '57P01': 'the server terminated the connection',
  '57P02': 'the server crashed',
  '57P03': 'the server is starting up or shutting down',
  '57014': 'a statement ran past its time limit',
  '53300': 'the server has no free connection slot',
  '55P03': 'a lock could not be obtained in time',
};

/**
 * Why a failure means the platform database is unavailable, in words, or undefined when the failure
 * is the statement's own (a constraint, a syntax error): those keep their usual answer.
 */
export function unavailabilityReason(error: unknown): string | undefined {
  if (error instanceof PlatformUnavailable) return error.reason;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as ErrorShape;
  const code = typeof e.code === 'string' ? e.code : '';
  const text = String(e.message ?? '');
  if (unavailableStates[code]) return unavailableStates[code];
  if (/^08/.test(code)) return 'the connection failed';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its host name does not resolve';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'the connection was reset';
  if (code === 'ETIMEDOUT' || /timeout exceeded when trying to connect|Connection terminated due to connection timeout/i.test(text)) return 'no answer to the connection attempt in time';
  if (/Query read timeout/i.test(text)) return 'no answer to a query in time';
  if (/Connection terminated|not queryable|Connection ended|socket hang up|closed the connection/i.test(text)) return 'the connection was closed';
  if (/PGlite is closed|Aborted\(|RuntimeError|unreachable/i.test(text)) return 'the embedded database stopped';
  if (e.cause && e.cause !== error) return unavailabilityReason(e.cause);
  return undefined;
}

/**
 * Tracks whether the platform database is reachable, logging once when it goes away and once when
 * it is back (instead of one line per failed request), and turns connection-level failures into
 * {@link PlatformUnavailable}.
 */
export class Availability {
  private down: string | undefined;
  private since = 0;

  constructor(private readonly log?: Logger) {}

  get isDown(): boolean {
    return this.down !== undefined;
  }

  ok(): void {
    if (this.down === undefined) return;
    this.log?.info('the platform database is reachable again', { downForMs: Date.now() - this.since });
    this.down = undefined;
  }

  /** The error to throw for `error`: PlatformUnavailable for connection-level failures, else `error` itself. */
  fail(error: unknown): unknown {
    const reason = unavailabilityReason(error);
    if (reason === undefined) return error;
    if (this.down === undefined) {
      this.since = Date.now();
      this.log?.warn('the platform database is unreachable; requests answer 503 until it is back', { reason });
    }
    this.down = reason;
    return error instanceof PlatformUnavailable ? error : new PlatformUnavailable(reason);
  }
}
