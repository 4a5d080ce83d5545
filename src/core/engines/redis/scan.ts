import { Buffer } from 'node:buffer';
import type { Redis } from 'ioredis';
import { EngineError } from '../errors';
import type { RedisClient } from './connect';
import { throwIfAborted } from './errors';

/**
 * The one bounded SCAN loop every keyspace walk uses (key list, namespace tree, count and delete by
 * pattern). Each call spends at most `maxScanned` of SCAN COUNT work and hands keys to a consumer
 * until it is full. On a Cluster every master is walked in turn, so the cursor names the master as
 * well as its SCAN cursor. A SCAN page is all or nothing, so keys of the last page that did not fit
 * travel inside the cursor and come first next time: nothing is lost and `limit` is exact.
 */

/** A server whose keyspace is walked: the only one, or one master of a Cluster. */
export interface ScanTarget {
  /** `host:port` of a Cluster master; '' for a single server. */
  id: string;
  node: Redis;
}

export function scanTargets(client: RedisClient): ScanTarget[] {
  if (!client.isCluster) return [{ id: '', node: client as Redis }];
  const masters = (client as Exclude<RedisClient, Redis>).nodes('master');
  if (masters.length === 0) throw new EngineError('unreachable', 'Redis Cluster: no master is known yet (the cluster is not ready)');
  // Sorted, so that the order of masters (and so the cursor) does not depend on discovery order.
  return masters.map((node) => ({ id: `${node.options.host}:${node.options.port}`, node })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

interface CursorState {
  /** Index into the sorted targets, recorded by id to detect a changed cluster. */
  at: number;
  /** SCAN cursor on that target; 'end' once its SCAN has returned 0. */
  cursor: string;
  /** Keys of that target already scanned but not yet handed out. */
  pending: Buffer[];
}

function decodeCursor(cursor: string | undefined, targets: ScanTarget[]): CursorState {
  if (cursor === undefined || cursor === '' || cursor === '0') return { at: 0, cursor: '0', pending: [] };
  let raw: { n?: unknown; c?: unknown; p?: unknown };
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof raw;
  } catch {
    raw = {};
  }
  // Any JSON decodes: null, a number or an array is no cursor of ours (found by the property tests).
  const { n, c, p } = raw !== null && typeof raw === 'object' ? raw : {};
  if (typeof n !== 'string' || typeof c !== 'string' || !/^(\d+|end)$/.test(c) || !Array.isArray(p) || !p.every((k) => typeof k === 'string')) {
    throw new EngineError('invalid_input', 'Redis: the cursor is not one this engine returned: start the scan again without a cursor');
  }
  const at = targets.findIndex((t) => t.id === n);
  if (at < 0) throw new EngineError('invalid_input', "Redis Cluster: the cluster's masters changed since this scan began: start the scan again");
  return { at, cursor: c, pending: p.map((k: string) => Buffer.from(k, 'base64')) };
}

function encodeCursor(state: CursorState, targets: ScanTarget[]): string {
  const json = JSON.stringify({ n: targets[state.at]!.id, c: state.cursor, p: state.pending.map((k) => k.toString('base64')) });
  return Buffer.from(json, 'utf8').toString('base64url');
}

export interface ScanConsumer {
  /** True once no more keys are wanted in this call. */
  full(): boolean;
  /** Takes one key (asked only while not full; keys left over stay pending for the next call). */
  take(key: Buffer, target: ScanTarget): void;
}

export interface ScanBounds {
  cursor?: string;
  match?: string | Buffer;
  /** Raw Redis type name for SCAN TYPE. */
  type?: string;
  count: number;
  maxScanned: number;
  signal?: AbortSignal;
}

export interface ScanOutcome {
  cursor: string;
  done: boolean;
  scanned: number;
}

export async function boundedScan(targets: ScanTarget[], bounds: ScanBounds, consumer: ScanConsumer): Promise<ScanOutcome> {
  const state = decodeCursor(bounds.cursor, targets);
  let scanned = 0;
  const finish = (): ScanOutcome => {
    // A finished last target with nothing pending means the whole walk is over.
    const over = state.pending.length === 0 && state.cursor === 'end' && state.at === targets.length - 1;
    return over ? { cursor: '0', done: true, scanned } : { cursor: encodeCursor(state, targets), done: false, scanned };
  };
  for (;;) {
    while (state.pending.length > 0 && !consumer.full()) consumer.take(state.pending.shift()!, targets[state.at]!);
    if (state.pending.length > 0 || consumer.full()) return finish();
    if (state.cursor === 'end') {
      if (state.at === targets.length - 1) return finish();
      state.at++;
      state.cursor = '0';
      continue;
    }
    if (scanned >= bounds.maxScanned) return finish();
    throwIfAborted(bounds.signal);
    const count = Math.min(bounds.count, bounds.maxScanned - scanned);
    const args: (string | Buffer | number)[] = [state.cursor];
    if (bounds.match !== undefined) args.push('MATCH', bounds.match);
    args.push('COUNT', count);
    if (bounds.type !== undefined) args.push('TYPE', bounds.type);
    // callBuffer: keys come back as bytes, and a MATCH pattern may itself be binary.
    const [next, keys] = (await targets[state.at]!.node.callBuffer('SCAN', args)) as [Buffer, Buffer[]];
    scanned += count;
    const nextCursor = next.toString('latin1');
    state.cursor = nextCursor === '0' ? 'end' : nextCursor;
    state.pending = keys;
  }
}

/** Groups keys by the target they came from, preserving order within each group. */
export function byTarget<T extends { target: ScanTarget }>(items: T[]): Map<ScanTarget, T[]> {
  const groups = new Map<ScanTarget, T[]>();
  for (const item of items) {
    const group = groups.get(item.target);
    if (group) group.push(item);
    else groups.set(item.target, [item]);
  }
  return groups;
}
