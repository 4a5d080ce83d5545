import type { Store } from 'hono-rate-limiter';
import type { Redis } from 'ioredis';
import type { CircuitFigures } from '../../../src/core/api/types';
import { CircuitBreaker, type CircuitBreakerOptions } from '../../../src/core/engines/circuit-breaker';
import type { Breaker } from '../../../src/core/engines/connection-manager';
import { EngineError, isConnectionFailure } from '../../../src/core/engines/errors';
import type { AppEnv } from '../env';
import type { Logger } from '../logger';

/*
 * State that several server processes behind one load balancer must agree on, kept in the
 * platform's Redis (REDIS_URL): rate-limit counters and circuit breakers. Without REDIS_URL each
 * process keeps its own (BoundedMemoryStore, CircuitBreaker). When Redis does not answer, each
 * process falls back to its own state for that call rather than failing requests.
 */

const PREFIX = 'ogelbase:';

/** INCR with the window set on the first hit; returns [hits, ms left]. */
const INCREMENT = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return {n, redis.call('PTTL', KEYS[1])}`;

export class RedisRateLimitStore implements Store<AppEnv> {
  readonly localKeys = false;
  readonly prefix: string;
  private windowMs = 60_000;

  constructor(
    private readonly redis: Redis,
    /** Used when Redis fails, so a Redis outage does not turn into an API outage. */
    private readonly fallback: Store<AppEnv>,
    private readonly log: Logger,
    scope: string,
  ) {
    this.prefix = `${PREFIX}rl:${scope}:`;
  }

  init(options: { windowMs: number }): void {
    this.windowMs = options.windowMs;
    this.fallback.init?.(options as never);
  }

  async increment(key: string) {
    try {
      const [hits, ttl] = (await this.redis.eval(INCREMENT, 1, this.prefix + key, String(this.windowMs))) as [number, number];
      return { totalHits: Number(hits), resetTime: new Date(Date.now() + Math.max(0, Number(ttl))) };
    } catch (error) {
      this.log.warn('rate limit store unavailable: counting in this process', { error: (error as Error).message });
      return this.fallback.increment(key);
    }
  }

  async decrement(key: string): Promise<void> {
    await this.redis.decr(this.prefix + key).catch(() => undefined);
  }

  async resetKey(key: string): Promise<void> {
    await this.redis.del(this.prefix + key).catch(() => undefined);
  }
}

/** Counts a failure; opens the circuit at the threshold. Returns [failures, openedAt or 0]. */
const FAIL = `local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
local o = tonumber(redis.call('HGET', KEYS[1], 'o') or '0')
if (f >= tonumber(ARGV[1]) and o == 0) or ARGV[3] == '1' then o = tonumber(ARGV[2]) redis.call('HSET', KEYS[1], 'o', o) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {f, o}`;

/**
 * A database's circuit breaker shared by every server process through Redis: the same rules as
 * CircuitBreaker (only connection-level failures count; after `threshold` in a row the circuit
 * opens for `resetTimeoutMs`; then exactly one call, in any process, probes the database).
 */
export class SharedCircuitBreaker implements Breaker {
  private readonly local: CircuitBreaker;
  private readonly key: string;
  private seen: { failures: number; openedAt: number } = { failures: 0, openedAt: 0 };
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    id: string,
    readonly name: string,
    private readonly options: CircuitBreakerOptions,
    private readonly log: Logger,
  ) {
    this.local = new CircuitBreaker(name, options);
    this.key = `${PREFIX}breaker:${id}`;
    this.now = options.now ?? Date.now;
  }

  private rejection(retryInMs: number): EngineError {
    return new EngineError('circuit_open', `circuit open for ${this.name}, retry in ${Math.max(1, Math.ceil(retryInMs / 1000))} s`, retryInMs);
  }

  private async record(failed: boolean, reopen = false): Promise<void> {
    if (!failed) {
      if (this.seen.failures > 0 || this.seen.openedAt > 0) await this.redis.del(this.key);
      this.seen = { failures: 0, openedAt: 0 };
      return;
    }
    const [failures, openedAt] = (await this.redis.eval(FAIL, 1, this.key, String(this.options.threshold), String(this.now()), reopen ? '1' : '0', String(this.options.resetTimeoutMs * 10))) as [number, number];
    this.seen = { failures: Number(failures), openedAt: Number(openedAt) };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    let state: Record<string, string>;
    try {
      state = await this.redis.hgetall(this.key);
    } catch (error) {
      this.log.warn('circuit breaker store unavailable: this process decides alone', { error: (error as Error).message });
      return this.local.run(work);
    }
    this.seen = { failures: Number(state.f ?? 0), openedAt: Number(state.o ?? 0) };
    let probeKey: string | undefined;
    if (this.seen.openedAt > 0) {
      const wait = this.seen.openedAt + this.options.resetTimeoutMs - this.now();
      if (wait > 0) throw this.rejection(wait);
      // Half-open: one probe across every process.
      probeKey = `${this.key}:probe`;
      const won = await this.redis.set(probeKey, '1', 'PX', this.options.resetTimeoutMs, 'NX').catch(() => null);
      if (won !== 'OK') throw this.rejection(1000);
    }
    try {
      const result = await work();
      await this.record(false).catch(() => undefined);
      return result;
    } catch (error) {
      if (isConnectionFailure(error)) await this.record(true, probeKey !== undefined).catch(() => undefined);
      else if (probeKey) await this.record(false).catch(() => undefined);
      throw error;
    } finally {
      if (probeKey) await this.redis.del(probeKey).catch(() => undefined);
    }
  }

  /** The state as last seen by this process. */
  figures(): Omit<CircuitFigures, 'id'> {
    const { failures, openedAt } = this.seen;
    if (openedAt === 0) return this.local.figures().state === 'closed' ? { name: this.name, state: 'closed', failures, retryInMs: 0 } : this.local.figures();
    const wait = openedAt + this.options.resetTimeoutMs - this.now();
    return wait > 0 ? { name: this.name, state: 'open', failures, retryInMs: wait } : { name: this.name, state: 'half-open', failures, retryInMs: 0 };
  }
}
