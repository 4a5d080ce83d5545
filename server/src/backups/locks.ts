import type { Redis } from 'ioredis';
import type { Logger } from '../logger';

/**
 * One job (backup or restore) per database at a time. With REDIS_URL the lock lives in that Redis,
 * so every server process sees it (SET NX PX, renewed by the job's heartbeat, released only by its
 * holder); without it, each process knows only its own jobs (documented in the README). A Redis that
 * stops answering falls back to this process' own locks rather than blocking every backup.
 */
export interface JobLocks {
  /** Takes the database's lock for `holder` (a job id); returns the current holder when it is taken. */
  acquire(databaseId: string, holder: string): Promise<{ ok: true } | { ok: false; holder: string }>;
  /** Extends the lock while the job runs. */
  renew(databaseId: string, holder: string): Promise<void>;
  release(databaseId: string, holder: string): Promise<void>;
  readonly shared: boolean;
}

export class MemoryJobLocks implements JobLocks {
  readonly shared = false;
  private readonly held = new Map<string, string>();

  async acquire(databaseId: string, holder: string) {
    const current = this.held.get(databaseId);
    if (current && current !== holder) return { ok: false as const, holder: current };
    this.held.set(databaseId, holder);
    return { ok: true as const };
  }
  async renew(): Promise<void> {}
  async release(databaseId: string, holder: string): Promise<void> {
    if (this.held.get(databaseId) === holder) this.held.delete(databaseId);
  }
}

const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export class RedisJobLocks implements JobLocks {
  readonly shared = true;
  private readonly local = new MemoryJobLocks();

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly log: Logger,
  ) {}

  private key = (databaseId: string) => `ogelbase:backup-lock:${databaseId}`;

  private usable(): boolean {
    return this.redis.status === 'ready';
  }

  async acquire(databaseId: string, holder: string): Promise<{ ok: true } | { ok: false; holder: string }> {
    if (!this.usable()) {
      this.log.warn('REDIS_URL is not answering: backup locks are per process until it is back');
      return this.local.acquire(databaseId, holder);
    }
    try {
      const set = await this.redis.set(this.key(databaseId), holder, 'PX', this.ttlMs, 'NX');
      if (set === 'OK') return { ok: true as const };
      const current = await this.redis.get(this.key(databaseId));
      if (current === holder) return { ok: true as const };
      return current ? { ok: false as const, holder: current } : this.acquire(databaseId, holder);
    } catch (error) {
      this.log.warn('backup lock in Redis failed; using this process\' lock', { error: (error as Error).message });
      return this.local.acquire(databaseId, holder);
    }
  }

  async renew(databaseId: string, holder: string): Promise<void> {
    if (!this.usable()) return;
    await this.redis.eval(RENEW, 1, this.key(databaseId), holder, String(this.ttlMs)).catch(() => undefined);
  }

  async release(databaseId: string, holder: string): Promise<void> {
    await this.local.release(databaseId, holder);
    if (!this.usable()) return;
    await this.redis.eval(RELEASE, 1, this.key(databaseId), holder).catch(() => undefined);
  }
}
