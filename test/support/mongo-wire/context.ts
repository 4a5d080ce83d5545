/**
 * Per-server and per-connection state shared by command handlers, plus the
 * cursor registry (find/aggregate/listX cursors continued by getMore).
 */
import { calculateObjectSize, Long } from 'bson';
import { CommandError } from './errors';
import type { Op, Operations } from './ops';
import type { Store } from './store';
import type { Doc } from './values';

export interface Credential {
  user: string;
  db: string;
  mechs: Record<string, { salt: Buffer; iterations: number; storedKey: Buffer; serverKey: Buffer }>;
}

export interface SaslConversation {
  id: number;
  cred: Credential;
  mechanism: string;
  clientFirstBare: string;
  serverFirst: string;
  nonce: string;
  skipEmpty: boolean;
  finished?: boolean;
}

export interface ConnState {
  id: number;
  user?: { user: string; db: string };
  sasl?: SaslConversation;
}

export interface ServerState {
  store: Store;
  cursors: Cursors;
  ops: Operations;
  /** Keyed `${db}.${user}`; empty map means authentication is off. */
  creds: Map<string, Credential>;
  counters: Record<'insert' | 'query' | 'update' | 'delete' | 'getmore' | 'command', number>;
  connections: { current: number; totalCreated: number };
  startedAt: number;
  host: string;
  port: number;
}

export interface Ctx {
  db: string;
  server: ServerState;
  conn: ConnState;
  /** The operation this command runs as (currentOp/killOp). */
  op?: Op;
}

/** A command: most answer at once; long scans answer later (see ops.ts), between other connections' commands. */
export type Handler = (cmd: Doc, ctx: Ctx) => Doc | Promise<Doc>;

/**
 * maxTimeMS is a budget of processing time across the first batch and every
 * getMore; scans call tick() every few hundred documents.
 */
export class Clock {
  private deadline = Infinity;
  private startedAt = 0;
  constructor(private budget = 0) {}
  start(): void {
    this.startedAt = Date.now();
    this.deadline = this.budget > 0 ? this.startedAt + this.budget : Infinity;
  }
  stop(): void {
    if (this.budget > 0) this.budget = Math.max(1, this.budget - (Date.now() - this.startedAt));
    this.deadline = Infinity;
  }
  tick(): void {
    if (Date.now() > this.deadline) throw new CommandError(50, 'MaxTimeMSExpired', 'operation exceeded time limit');
  }
}

/** mongod caps a batch at 16 MiB of documents. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
/**
 * Deliberate deviation: mongod has no document-count cap, but a 16 MiB batch
 * of small documents is ~200k of them and would block this (single-threaded,
 * often in-process) server for seconds. Batch sizes are the server's choice,
 * so clients cannot rely on either.
 */
const MAX_BATCH_DOCS = 10_000;

interface OpenCursor {
  ns: string;
  it: Iterator<Doc>;
  peeked?: IteratorResult<Doc>;
  clock: Clock;
}

export class Cursors {
  private readonly open = new Map<number, OpenCursor>();
  private nextId = 1000 + Math.floor(Math.random() * 1e9);

  private batch(c: OpenCursor, n: number): { docs: Doc[]; done: boolean } {
    const docs: Doc[] = [];
    let bytes = 0;
    c.clock.start();
    try {
      while (docs.length < Math.min(n, MAX_BATCH_DOCS)) {
        const r = c.peeked ?? c.it.next();
        c.peeked = undefined;
        if (r.done) return { docs, done: true };
        const size = calculateObjectSize(r.value);
        if (docs.length && bytes + size > MAX_BATCH_BYTES) {
          c.peeked = r;
          return { docs, done: false };
        }
        docs.push(r.value);
        bytes += size;
      }
      if (n === 0) return { docs, done: false };
      // Look one ahead so an exhausted cursor is reported as id 0 instead of lingering.
      c.peeked = c.it.next();
      return { docs, done: Boolean(c.peeked.done) };
    } finally {
      c.clock.stop();
    }
  }

  /** Run the first batch of a new cursor and register it if more remains. */
  first(ns: string, source: Iterable<Doc>, batchSize: number, singleBatch = false, clock = new Clock()): Doc {
    const c: OpenCursor = { ns, it: source[Symbol.iterator](), clock };
    const { docs, done } = this.batch(c, batchSize);
    let id = 0;
    if (!done && !singleBatch) this.open.set((id = this.nextId++), c);
    return { cursor: { firstBatch: docs, id: Long.fromNumber(id), ns }, ok: 1 };
  }

  more(id: number, ns: string, batchSize: number): Doc {
    const c = this.open.get(id);
    if (!c) throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
    if (c.ns !== ns) {
      throw new CommandError(13, 'Unauthorized',
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${c.ns}`);
    }
    try {
      const { docs, done } = this.batch(c, batchSize);
      if (done) this.open.delete(id);
      return { cursor: { nextBatch: docs, id: Long.fromNumber(done ? 0 : id), ns }, ok: 1 };
    } catch (err) {
      this.open.delete(id); // mongod kills a cursor whose getMore failed
      throw err;
    }
  }

  kill(ids: number[]): { killed: number[]; notFound: number[] } {
    const killed = ids.filter((id) => this.open.delete(id));
    return { killed, notFound: ids.filter((id) => !killed.includes(id)) };
  }

  get size(): number {
    return this.open.size;
  }
}
