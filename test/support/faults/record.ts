import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resultsDir } from './server-process';

/** One fault the suite caused and what the system did: a row of docs/reliability.md. */
export interface FaultRecord {
  /** The finding (1-4) or area it reproduces. */
  finding: string;
  scenario: string;
  /** What a user or operator saw: statuses, error codes, the message. */
  outcome: string;
  /** Milliseconds from the fault to the request's end (measured, never asserted). */
  endedWithinMs?: number;
  /** Milliseconds from the cause being removed to the first successful answer. */
  recoveredWithinMs?: number;
}

export const faultsDir = join(resultsDir, 'faults');

export function recordFault(record: FaultRecord): void {
  mkdirSync(faultsDir, { recursive: true });
  appendFileSync(join(faultsDir, 'results.jsonl'), `${JSON.stringify(record)}\n`);
}

/** Times an async step (for the report only). */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: Math.round(performance.now() - started) };
}
