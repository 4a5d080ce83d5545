import { describeDriverError, EngineError } from '../errors';

/**
 * Every ioredis error passes through the shared describeDriverError (which masks secrets and
 * classifies network and auth failures); the Redis replies that mean "you asked for something this
 * key or server cannot do" are then given the code and words a person can act on, instead of the
 * generic `server` code (which would also count against the circuit breaker).
 */
export function redisError(error: unknown, what?: string): EngineError {
  const described = describeDriverError('redis', error);
  if (error instanceof EngineError || described.code !== 'server') return described;
  const text = described.message.replace(/^Redis: /, '');
  const about = what ? `${what}: ` : '';
  // ioredis' own words when no server of a Cluster or Sentinel set answers (the cause stays inside it).
  // "max retries per request" and "Stream isn't writeable": the connection dropped under a pending command.
  if (/Connection is closed|max retries per request|Stream isn't writeable/i.test(text)) {
    return new EngineError('unreachable', 'Redis is not reachable: the connection is down (it reconnects by itself when the server is back)');
  }
  if (/Failed to refresh slots cache|None of startup nodes is available|All sentinels are unreachable/i.test(text)) {
    return new EngineError('unreachable', `Redis could not be reached (${text.replace(/ Retrying from scratch.*?\./, '')})`);
  }
  if (/^WRONGTYPE/.test(text)) return new EngineError('invalid_input', `Redis: ${about}the key holds another type of value than this operation works on`);
  if (/no such key/i.test(text)) return new EngineError('not_found', `Redis: ${about}no such key`);
  if (/^CROSSSLOT/.test(text)) {
    return new EngineError('invalid_input', `Redis Cluster: ${about}the keys hash to different slots; give them the same {hash tag} to use them together`);
  }
  if (/^ERR unknown command/i.test(text)) return new EngineError('invalid_input', `Redis: this server does not support the command (${text})`);
  if (/^OOM/.test(text)) return new EngineError('limit', `Redis: the server is out of memory (maxmemory reached): ${text}`);
  if (/^ERR (index out of range|value is not|syntax error|invalid|.*must be|The ID specified)/i.test(text)) return new EngineError('invalid_input', `Redis: ${about}${text}`);
  return described;
}

/** Throws the engine's cancellation error when the caller has given up. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EngineError('cancelled', 'Redis: the operation was cancelled');
}

/** Runs `work`, turning whatever it throws into an EngineError. */
export async function guarded<T>(work: () => Promise<T>, what?: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw redisError(error, what);
  }
}
