import pg from 'pg';
import { EngineError } from '../errors';
import { pgFailure, type FailureContext } from './failure';

export interface RunOptions {
  signal?: AbortSignal;
  /** The whole operation's time limit (ms): when it passes, the running statement is cancelled and the operation fails with `timeout`. */
  timeoutMs?: number;
  failure?: FailureContext;
  /** Reset the connection's session state (DISCARD ALL) before it goes back to the pool: for the caller's own SQL, which may SET things. */
  discard?: boolean;
  /**
   * The last resort (ms): a server that accepts connections and never answers cannot be cancelled
   * either, so by then the connection itself is closed and the operation fails with `timeout`.
   */
  deadlineMs?: number;
}

/** One pooled connection lent to one operation. */
export class Session {
  /** Set when the connection's state is unknown (a failed ROLLBACK): it is closed instead of going back to the pool. */
  broken = false;
  constructor(readonly client: pg.PoolClient) {}

  /**
   * Runs `work` inside BEGIN … COMMIT (ROLLBACK on failure). `timeoutMs` becomes the transaction's
   * statement_timeout, so the server stops a runaway statement even if this process goes away.
   */
  async transaction<T>(mode: { readOnly?: boolean; timeoutMs?: number; rollback?: boolean }, work: () => Promise<T>): Promise<T> {
    await this.client.query(mode.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
    try {
      // A whole number of milliseconds computed here, never caller text.
      if (mode.timeoutMs) await this.client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(mode.timeoutMs))}`);
      const result = await work();
      await this.client.query(mode.rollback ? 'ROLLBACK' : 'COMMIT');
      return result;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => {
        this.broken = true;
      });
      throw error;
    }
  }
}

const processId = (client: pg.PoolClient): number | undefined => (client as unknown as { processID?: number }).processID ?? undefined;

/**
 * Lends a pooled connection to `work`, with cancellation: when `signal` fires or `timeoutMs` passes,
 * the statement running on that connection is cancelled with pg_cancel_backend from a second,
 * short-lived connection. An interrupted connection is closed rather than reused, so a late cancel
 * can never hit the next user's statement.
 */
export async function runSession<T>(pool: pg.Pool, config: pg.ClientConfig, options: RunOptions, work: (session: Session) => Promise<T>): Promise<T> {
  const { signal, timeoutMs } = options;
  if (signal?.aborted) throw new EngineError('cancelled', 'PostgreSQL: the operation was cancelled');
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw pgFailure(error, { signal });
  }
  // A connection the server drops mid-statement also emits 'error' on the client: the statement's own
  // rejection reports it, and without a listener the event would crash the process.
  client.on('error', ignoreClientError);
  const session = new Session(client);
  let interrupted: 'cancelled' | 'timeout' | undefined;
  const interrupt = (why: 'cancelled' | 'timeout') => {
    if (interrupted) return;
    interrupted = why;
    const pid = processId(client);
    if (pid !== undefined) void cancelBackend(config, pid);
  };
  const onAbort = () => interrupt('cancelled');
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutMs ? setTimeout(() => interrupt('timeout'), timeoutMs) : undefined;
  let silent = false;
  const deadline = options.deadlineMs
    ? setTimeout(() => {
        silent = true;
        interrupted ??= 'timeout';
        closeSocket(client);
      }, options.deadlineMs)
    : undefined;
  let failed: Error | undefined;
  try {
    return await work(session);
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
    if (silent && !signal?.aborted) {
      throw new EngineError('timeout', `PostgreSQL did not answer within ${Math.round((options.deadlineMs ?? 0) / 1000)} s (it accepts connections but stays silent): the connection was closed`);
    }
    if (interrupted === 'timeout') {
      throw new EngineError('timeout', `PostgreSQL: the statement ran past its time limit of ${(timeoutMs ?? 0) / 1000} s and was cancelled`);
    }
    throw pgFailure(error, { ...options.failure, signal });
  } finally {
    signal?.removeEventListener('abort', onAbort);
    clearTimeout(timer);
    clearTimeout(deadline);
    // The listener stays until the pool takes the connection back (and attaches its own): a
    // connection that drops during DISCARD ALL still emits 'error'.
    const release = (error?: Error) => {
      client.off('error', ignoreClientError);
      client.release(error);
    };
    // A driver error (not a server error) may have left the protocol in an unknown state.
    const closeIt = interrupted !== undefined || session.broken || (failed !== undefined && !(failed instanceof pg.DatabaseError) && !(failed instanceof EngineError));
    if (closeIt) release(failed ?? new Error('interrupted'));
    else if (options.discard) {
      // Off the caller's path: the result is already on its way, the connection rejoins the pool once clean.
      client.query('DISCARD ALL').then(
        () => release(),
        (error: Error) => release(error),
      );
    } else release();
  }
}

function ignoreClientError(): void {}

/** Ends a connection at once, without the goodbye a silent server would never acknowledge: its pending queries fail. */
function closeSocket(client: pg.PoolClient): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/** Asks the server to cancel whatever backend `pid` is running, from a connection of its own. */
async function cancelBackend(config: pg.ClientConfig, pid: number): Promise<void> {
  const canceller = new pg.Client(config);
  canceller.on('error', () => undefined);
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } catch {
    // The statement still ends at its statement_timeout.
  } finally {
    void canceller.end().catch(() => undefined);
  }
}
