/**
 * Operations in progress, as mongod keeps them: each command is an operation with an opid while
 * it runs; `currentOp` lists them (filtered like mongod, e.g. `{"command.comment": …}`) and
 * `killOp` marks one killed. Long scans (counts, unindexed sorts, blocking aggregation stages)
 * read the collection in slices with a pause for the event loop between them, which is when a
 * kill or maxTimeMS is noticed: the operation then fails with Interrupted (11601).
 */
import { CommandError } from './errors';
import type { Clock, ConnState } from './context';
import type { Matcher } from './engine';
import type { Collection, Rec } from './store';
import type { Doc } from './values';

export interface Op {
  opid: number;
  conn: ConnState;
  db: string;
  name: string;
  command: Doc;
  startedAt: number;
  killed: boolean;
}

const OP_KIND: Record<string, string> = { find: 'query', getMore: 'getmore', insert: 'insert', update: 'update', delete: 'remove' };

export class Operations {
  private readonly running = new Map<number, Op>();
  private nextOpid = 1;

  start(conn: ConnState, db: string, name: string, command: Doc): Op {
    const op: Op = { opid: this.nextOpid++, conn, db, name, command, startedAt: Date.now(), killed: false };
    this.running.set(op.opid, op);
    return op;
  }

  end(op: Op): void {
    this.running.delete(op.opid);
  }

  kill(opid: number): void {
    const op = this.running.get(opid);
    if (op) op.killed = true;
  }

  /** What currentOp shows of each running operation (the shape of mongod's `inprog` entries). */
  list(host: string): Doc[] {
    return [...this.running.values()].map((op) => {
      const micros = (Date.now() - op.startedAt) * 1000;
      const target = op.command[op.name];
      return {
        type: 'op', host, desc: `conn${op.conn.id}`, connectionId: op.conn.id, client: `127.0.0.1:${op.conn.id}`,
        active: true, currentOpTime: new Date().toISOString(), opid: op.opid,
        secs_running: Math.floor(micros / 1e6), microsecs_running: micros,
        op: OP_KIND[op.name] ?? 'command', ns: typeof target === 'string' ? `${op.db}.${target}` : `${op.db}.$cmd`,
        command: op.command, numYields: 0, locks: {}, waitingForLock: false, lockStats: {},
      };
    });
  }
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Stops the work of a killed operation the way mongod reports it. */
export function checkKilled(op: Op | undefined): void {
  if (op?.killed) throw new CommandError(11601, 'Interrupted', 'operation was interrupted');
}

/**
 * The records of `coll` that match, read in slices of 1,024 with a pause between slices (so other
 * connections are served, and a killOp or maxTimeMS stops the scan where it is).
 */
export async function collect(coll: Collection, match: Matcher, clock: Clock, op: Op | undefined): Promise<Rec[]> {
  const recs = coll.recs;
  const found: Rec[] = [];
  for (let i = 0; i < recs.length; i++) {
    if ((i & 1023) === 0 && i > 0) {
      await pause(); // maxTimeMS is wall-clock time, as in mongod: the pause counts
      checkKilled(op);
    }
    if ((i & 255) === 0) clock.tick();
    const rec = recs[i]!;
    if (!rec.deleted && match(rec.plain)) found.push(rec);
  }
  return found;
}
