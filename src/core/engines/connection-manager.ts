import { createHash } from 'node:crypto';
import type { CircuitFigures, ConnectionFigures, EngineType } from '../api/types';
import { CircuitBreaker } from './circuit-breaker';
import { EngineError } from './errors';
import type { NetworkGuard, TlsMaterial } from './network';
import type { EngineSettings } from './settings';

/** A database the manager connects to: what the platform stores, unsealed. */
export interface ManagedDatabase {
  id: string;
  /** Shown in errors ("circuit open for redis-cache, retry in 42 s"). */
  name: string;
  type: EngineType;
  connectionString: string;
  readOnly: boolean;
  /**
   * Which login of the database this is: its stored one (`owner`, the default) or its read-only
   * credential (`read`). Each opens its own engine; both share the database's circuit breaker.
   */
  variant?: 'owner' | 'read';
  /** Replaces the connection string's user and password (a provisioned read-only login). */
  credentials?: { user: string; password: string };
  /** Certificates and key as PEM text (stored sealed with the connection on the server). */
  tls?: TlsMaterial;
  /**
   * Whether certificate files named by the connection string may be read from this machine's disk.
   * True in the extension (the user's own machine); never on the server, where they are refused.
   */
  localFiles?: boolean;
  /** Where connections may go (the server's host policy); none in the extension. */
  guard?: NetworkGuard;
  /** MongoDB: accept $where, $function and $accumulator (server-side JavaScript). */
  serverJavaScript?: boolean;
}

/** A circuit breaker as the manager uses it: the in-process one, or one shared between server processes. */
export interface Breaker {
  run<T>(work: () => Promise<T>): Promise<T>;
  figures(): Omit<CircuitFigures, 'id'>;
}

/** An open engine over its driver client(s), with what the manager needs to account for it. */
export interface EngineHandle<Engine = unknown> {
  engine: Engine;
  /** Connections this handle may open at most (pool size; 1 per Redis node). */
  capacity: number;
  figures(): ConnectionFigures;
  close(): Promise<void>;
}

/** Opens an engine for a database with at most `capacity` connections. */
export type EngineFactory = (database: ManagedDatabase, capacity: number, settings: EngineSettings) => Promise<EngineHandle>;

interface Entry {
  id: string;
  type: EngineType;
  fingerprint: string;
  opening: Promise<EngineHandle>;
  /** Set once `opening` resolved. */
  handle?: EngineHandle;
  capacity: number;
  inFlight: number;
  lastUsed: number;
}

/** The seed's per-engine caps (MAX_POSTGRES_CONNECTIONS, REDIS_MAX_CONNECTIONS, MAX_MONGODB_CONNECTIONS). */
function engineCap(type: EngineType, s: EngineSettings): number {
  return type === 'postgres' ? s.postgresMaxConnections : type === 'redis' ? s.redisMaxConnections : s.mongoMaxPoolSize;
}

/**
 * A fresh pool gets a share of its engine's cap (at most 5), so one database cannot take them all:
 * with MongoDB's default cap of 10, two databases (e.g. two document browsers) work side by side
 * instead of the second failing with `limit` while the first is busy.
 */
function capacityFor(type: EngineType, s: EngineSettings): number {
  const cap = engineCap(type, s);
  return type === 'redis' ? 1 : Math.max(1, Math.min(5, cap));
}

/**
 * One open engine per database, shared by every caller: opened on first use, closed after
 * `idleTimeoutMs` without use or when its connection string changes, within the seed's connection
 * limits (per engine and MAX_TOTAL_CONNECTIONS; the least recently used idle database is closed to
 * make room). Every call goes through that database's circuit breaker.
 */
export class ConnectionManager {
  /** By {@link entryKey}: one engine per database and login. */
  private readonly entries = new Map<string, Entry>();
  private readonly breakers = new Map<string, Breaker>();
  private readonly sweeper: ReturnType<typeof setInterval>;

  constructor(
    private readonly settings: EngineSettings,
    private readonly factories: Record<EngineType, EngineFactory>,
    private readonly now: () => number = Date.now,
    /** Makes a database's breaker; the in-process CircuitBreaker unless the server shares them (REDIS_URL). */
    private readonly makeBreaker: (id: string, name: string) => Breaker = (_id, name) =>
      new CircuitBreaker(name, { threshold: settings.breakerThreshold, resetTimeoutMs: settings.breakerResetMs, now }),
  ) {
    this.sweeper = setInterval(() => void this.closeIdle(), Math.max(1000, Math.floor(settings.idleTimeoutMs / 2)));
    this.sweeper.unref?.();
  }

  /** Runs `work` on the database's engine, through its circuit breaker. */
  async use<T>(database: ManagedDatabase, work: (engine: unknown) => Promise<T>): Promise<T> {
    return this.breaker(database).run(async () => {
      const entry = this.entry(database);
      entry.inFlight++;
      entry.lastUsed = this.now();
      try {
        return await work((await entry.opening).engine);
      } finally {
        entry.inFlight--;
        entry.lastUsed = this.now();
      }
    });
  }

  private breaker(database: ManagedDatabase): Breaker {
    let breaker = this.breakers.get(database.id);
    if (!breaker) {
      breaker = this.makeBreaker(database.id, database.name);
      this.breakers.set(database.id, breaker);
    }
    return breaker;
  }

  /** The database's entry, registered synchronously so concurrent first calls share one opening. */
  private entry(database: ManagedDatabase): Entry {
    // The fingerprint changes with anything the engine is opened from: then the old engine goes.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([database.type, database.readOnly, database.connectionString, database.credentials ?? null, database.tls ?? null, database.serverJavaScript ?? false, database.localFiles ?? false]))
      .digest('hex');
    const key = entryKey(database);
    const existing = this.entries.get(key);
    if (existing && existing.fingerprint === fingerprint) return existing;
    if (existing) void this.closeEntry(key);

    const capacity = capacityFor(database.type, this.settings);
    const entry: Entry = { id: database.id, type: database.type, fingerprint, capacity, inFlight: 0, lastUsed: this.now(), opening: Promise.resolve(undefined as never) };
    this.entries.set(key, entry);
    entry.opening = (async () => {
      await this.makeRoom(entry);
      return this.factories[database.type](database, capacity, this.settings);
    })();
    entry.opening.then(
      (handle) => {
        entry.handle = handle;
      },
      // A database that cannot be opened now is tried afresh next time.
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry;
  }

  private reserved(type?: EngineType): number {
    let total = 0;
    for (const entry of this.entries.values()) if (!type || entry.type === type) total += entry.capacity;
    return total;
  }

  /** Closes least-recently-used idle databases until the new entry (already counted) fits every limit. */
  private async makeRoom(newcomer: Entry): Promise<void> {
    const { type } = newcomer;
    const fits = () => this.reserved(type) <= engineCap(type, this.settings) && this.reserved() <= this.settings.maxTotalConnections;
    while (!fits()) {
      const overTotal = this.reserved() > this.settings.maxTotalConnections;
      const idle = [...this.entries.entries()]
        .filter(([, e]) => e !== newcomer && e.inFlight === 0 && (overTotal || e.type === type))
        .sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
      if (!idle) {
        const inUse = this.reserved(type) - newcomer.capacity;
        throw new EngineError('limit', `connection limit reached (${inUse} ${type} connections busy, ${this.reserved() - newcomer.capacity} in all; MAX_TOTAL_CONNECTIONS=${this.settings.maxTotalConnections}): retry when other work finishes`);
      }
      await this.closeEntry(idle[0]);
    }
  }

  private async closeEntry(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    await entry.opening.then((h) => h.close()).catch(() => undefined);
  }

  /** Closes every engine of one database (its connection string changed, it was deleted, or it idled). */
  async close(id: string): Promise<void> {
    await Promise.all([...this.entries.entries()].filter(([, e]) => e.id === id).map(([key]) => this.closeEntry(key)));
  }

  /** Forgets a database entirely, breaker included (it was removed from the platform). */
  async forget(id: string): Promise<void> {
    await this.close(id);
    this.breakers.delete(id);
  }

  async closeIdle(): Promise<void> {
    const cutoff = this.now() - this.settings.idleTimeoutMs;
    const idle = [...this.entries.entries()].filter(([, e]) => e.inFlight === 0 && e.lastUsed <= cutoff).map(([key]) => key);
    await Promise.all(idle.map((key) => this.closeEntry(key)));
  }

  /**
   * Connections per engine, {active, idle, waiting}, for the metrics route: of every database, or of
   * those `include` accepts (a caller sees the figures of their own organizations' databases only).
   */
  figures(include: (id: string) => boolean = () => true): Record<EngineType, ConnectionFigures> {
    const totals: Record<EngineType, ConnectionFigures> = {
      postgres: { active: 0, idle: 0, waiting: 0 },
      redis: { active: 0, idle: 0, waiting: 0 },
      mongodb: { active: 0, idle: 0, waiting: 0 },
    };
    for (const entry of this.entries.values()) {
      if (!entry.handle || !include(entry.id)) continue;
      const f = entry.handle.figures();
      totals[entry.type].active += f.active;
      totals[entry.type].idle += f.idle;
      totals[entry.type].waiting += f.waiting;
    }
    return totals;
  }

  /** The circuit breakers, each with its database's id: of every database, or of those `include` accepts. */
  circuits(include: (id: string) => boolean = () => true): CircuitFigures[] {
    return [...this.breakers.entries()].filter(([id]) => include(id)).map(([id, b]) => ({ id, ...b.figures() }));
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.entries.keys()].map((key) => this.closeEntry(key)));
  }
}

/** One engine per database, login and read-only mode: a read_only member's calls never reopen a writer's engine. */
const entryKey = (d: ManagedDatabase) => `${d.id}\n${d.variant ?? 'owner'}\n${d.readOnly}`;
