import type { Context, MiddlewareHandler } from 'hono';
import { rateLimiter, type Store } from 'hono-rate-limiter';
import { getConnInfo } from 'hono/bun';
import ipaddr from 'ipaddr.js';
import type { AppEnv } from '../env';
import { ApiError, errorResponse } from '../errors';

/**
 * Two limits, each over a fixed minute: before authentication, per client address (so a flood of
 * made-up bearer tokens from one place shares one budget); after it, per authenticated user (so a
 * user's budget does not depend on where they call from, nor on how many tokens they hold). Over a
 * limit the answer is 429 in the one error envelope, with `Retry-After` in seconds.
 *
 * The client address is the socket's peer, or, only when CLIENT_ADDRESS_HEADER names one, that
 * header as set by the proxy in front (for X-Forwarded-For, its LAST entry: the one the proxy
 * appended; earlier entries are whatever the client sent). IPv6 addresses count per /64.
 */

export function clientAddress(c: Context, header: string | undefined): string | undefined {
  let address: string | undefined;
  if (header) {
    const value = c.req.header(header);
    if (value) address = (header.toLowerCase() === 'x-forwarded-for' ? value.split(',').at(-1) : value)?.trim();
  }
  if (!address) {
    try {
      address = getConnInfo(c).remote.address;
    } catch {
      address = undefined; // app.request() in tests has no socket
    }
  }
  if (!address) return undefined;
  try {
    const parsed = ipaddr.process(address);
    if (parsed.kind() === 'ipv6') return `${(parsed as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16)).join(':')}::/64`;
    return parsed.toString();
  } catch {
    return address.slice(0, 64);
  }
}

/**
 * The hit counters of one process, bounded: at most `maxKeys` clients are remembered; past that the
 * least recently seen is forgotten (it only gets a fresh budget, nothing else).
 */
export class BoundedMemoryStore implements Store<AppEnv> {
  private readonly hits = new Map<string, { totalHits: number; resetTime: Date }>();
  private windowMs = 60_000;
  readonly localKeys = true;

  constructor(readonly maxKeys = 50_000) {}

  init(options: { windowMs: number }): void {
    this.windowMs = options.windowMs;
  }

  get size(): number {
    return this.hits.size;
  }

  get(key: string) {
    return this.hits.get(key);
  }

  increment(key: string) {
    const now = Date.now();
    let entry = this.hits.get(key);
    if (!entry || entry.resetTime.getTime() <= now) entry = { totalHits: 0, resetTime: new Date(now + this.windowMs) };
    entry.totalHits++;
    this.hits.delete(key); // re-inserted last: the Map's order is the recency order
    this.hits.set(key, entry);
    while (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value!);
    return entry;
  }

  decrement(key: string): void {
    const entry = this.hits.get(key);
    if (entry && entry.totalHits > 0) entry.totalHits--;
  }

  resetKey(key: string): void {
    this.hits.delete(key);
  }

  resetAll(): void {
    this.hits.clear();
  }
}

export interface RateLimitOptions {
  perMinute: number;
  store: Store<AppEnv>;
  /** The client's key, or undefined when there is none to count by (then the request is not counted). */
  key: (c: Context<AppEnv>) => string | undefined;
  /** Words for the 429 message: "per address", "per user". */
  scope: string;
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const limiter = rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: options.perMinute,
    standardHeaders: 'draft-6',
    store: options.store,
    keyGenerator: (c) => options.key(c) ?? '',
    skip: (c) => options.key(c) === undefined,
    handler: (c) => {
      const info = c.get('rateLimit' as never) as { resetTime?: Date } | undefined;
      const seconds = info?.resetTime ? Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : 60;
      return errorResponse(
        c,
        new ApiError(429, 'rate_limited', `rate limit of ${options.perMinute} requests per minute ${options.scope} reached; retry in ${seconds} s`, undefined, { 'Retry-After': String(seconds) }),
      );
    },
  });
  return limiter as MiddlewareHandler<AppEnv>;
}
