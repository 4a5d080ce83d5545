import type { EngineType } from '../connection-strings';
import { maskSecretsInText } from '../redact';
import { describeTlsFailure } from './tls-errors';

/**
 * What went wrong with a database operation, as a stable code the UI and the HTTP layer can act on:
 * - `unreachable`: no connection (refused, unknown host, network down)
 * - `timeout`: connected or connecting, but no answer in time
 * - `auth`: the server refused the credentials
 * - `circuit_open`: too many recent failures; not trying again until the breaker's reset timeout
 * - `read_only`: a write on a database marked read-only, refused before it reached the server
 * - `invalid_input`: a filter, SQL text, key or value the server (or we) could not accept
 * - `not_found`: the key, collection, table or row is gone
 * - `cancelled`: the caller cancelled
 * - `limit`: a bound was reached (rows, bytes, connections)
 * - `conflict`: the data changed since the caller read it (a checked edit refused a stale overwrite)
 * - `server`: anything else the server answered with an error
 */
export type EngineErrorCode = 'unreachable' | 'timeout' | 'auth' | 'circuit_open' | 'read_only' | 'invalid_input' | 'not_found' | 'cancelled' | 'limit' | 'conflict' | 'server';

/** The one error the engine layer throws. Its message is short, readable and never holds a secret. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    /** Milliseconds until a retry can succeed (circuit breaker), when known. */
    readonly retryInMs?: number,
    /** For `timeout`: it happened while connecting (no socket, no handshake), not while a command ran. */
    readonly connecting?: boolean,
  ) {
    super(message);
  }
}

/**
 * Whether an error says the database itself is unwell (it refused or dropped the connection, did
 * not answer the connection attempt in time, or refused the credentials), as opposed to something
 * one caller asked for: a statement past its time limit, a bad filter or a missing key say nothing
 * about the database and must not open its circuit for everyone else.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof EngineError)) return false;
  return error.code === 'unreachable' || error.code === 'auth' || (error.code === 'timeout' && error.connecting === true);
}

/** Driver wordings of a time-out while connecting (pg, ioredis, the MongoDB driver's server selection). */
const CONNECT_TIMEOUT = /trying to connect|connection timeout|server selection|connect ETIMEDOUT|connection timed out during handshake/i;

const label: Record<EngineType, string> = { postgres: 'PostgreSQL', redis: 'Redis', mongodb: 'MongoDB' };

interface DriverErrorShape {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  name?: unknown;
  codeName?: unknown;
  hostname?: unknown;
  address?: unknown;
  port?: unknown;
  cause?: unknown;
}

/** The network error underneath a driver error (the drivers wrap it as `cause` in different ways). */
function rootCause(error: DriverErrorShape): DriverErrorShape {
  let current = error;
  for (let i = 0; i < 5 && current.cause && typeof current.cause === 'object'; i++) current = current.cause as DriverErrorShape;
  return current;
}

/**
 * Turns whatever pg, ioredis or the MongoDB driver threw into an {@link EngineError} with a message a
 * person can act on ("PostgreSQL at db:5432 refused the connection: is the server running?"). The
 * driver's own text is kept when it is the most precise thing to show, with secrets masked.
 */
export function describeDriverError(engine: EngineType, error: unknown, where?: string): EngineError {
  if (error instanceof EngineError) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as DriverErrorShape;
  const cause = rootCause(e);
  const netCode = String(cause.code ?? e.code ?? '');
  const text = maskSecretsInText(String(e.message ?? cause.message ?? 'unknown error'));
  const name = label[engine];
  const at = where ? ` at ${where}` : '';

  // TLS first: a handshake that a plain server cut short also carries ECONNRESET.
  const tls = describeTlsFailure(cause) ?? describeTlsFailure(e);
  if (tls) return new EngineError('unreachable', `${name}${at}: ${tls.message}`);
  if (netCode === 'ECONNREFUSED') return new EngineError('unreachable', `${name}${at} refused the connection: is the server running and listening on that port?`);
  if (netCode === 'ENOTFOUND' || netCode === 'EAI_AGAIN') {
    return new EngineError('unreachable', `${name} host${at} could not be resolved: check the host name (internal *.railway.internal hosts resolve only inside the platform)`);
  }
  if (netCode === 'EHOSTUNREACH' || netCode === 'ENETUNREACH') return new EngineError('unreachable', `${name}${at} is not reachable from this machine (no route to host)`);
  if (netCode === 'ECONNRESET' || netCode === 'EPIPE') return new EngineError('unreachable', `${name}${at} closed the connection unexpectedly`);
  if (netCode === 'ETIMEDOUT' || /timed? ?out|timeout/i.test(text)) {
    return new EngineError('timeout', `${name}${at} did not answer in time (${text})`, undefined, netCode === 'ETIMEDOUT' || CONNECT_TIMEOUT.test(text) || e.name === 'MongoServerSelectionError');
  }

  // Authentication, in each driver's words: pg 28P01/28000, Redis WRONGPASS/NOAUTH, MongoDB 18.
  if (e.code === '28P01' || e.code === '28000' || /^(WRONGPASS|NOAUTH)/.test(text) || e.code === 18 || e.codeName === 'AuthenticationFailed') {
    return new EngineError('auth', `${name}${at} refused the credentials: check the user name and password`);
  }
  if (e.code === '3D000') return new EngineError('not_found', `${name}: ${text}`);
  if (e.code === '57014') return new EngineError('timeout', `${name}: the statement was cancelled because it ran past its time limit`);
  if (e.code === '25006' || /READONLY|read-only transaction/i.test(text)) return new EngineError('read_only', `${name}: the server refused a write: ${text}`);
  if (typeof e.code === 'string' && /^(42|22)/.test(e.code)) return new EngineError('invalid_input', `${name}: ${text}`);
  // The driver's own network errors (a connection reset or closed under a cursor) carry no errno.
  if (e.name === 'MongoNetworkError') return new EngineError('unreachable', `${name}${at}: the connection was lost (${text})`);
  if (e.name === 'MongoServerSelectionError') return new EngineError('unreachable', `${name}${at} could not be reached: ${text}`);
  if (e.code === 2 || e.code === 9 || e.codeName === 'BadValue' || e.codeName === 'FailedToParse') return new EngineError('invalid_input', `${name}: ${text}`);
  return new EngineError('server', `${name}: ${text}`);
}
