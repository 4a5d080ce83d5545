import { expect } from 'bun:test';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const resultsDir = process.env.OGELBASE_RESULTS_DIR ?? join(import.meta.dir, '..', '..', '..', 'test-results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, 'security-attacks.jsonl');

export type Area =
  | 'PostgreSQL'
  | 'MongoDB'
  | 'Redis'
  | 'Connection strings'
  | 'Tenants'
  | 'Shared state and limits'
  | 'Authentication and requests'
  | 'Defaults'
  | 'Properties';

export interface Attack {
  area: Area;
  /** What was tried, in a few words (the request, not its secret parts). */
  attack: string;
  /** read_only member, developer, member of another organization, anyone… */
  who: string;
  /** What must happen. */
  expected: string;
}

/**
 * Records one attack for docs/security.md and fails the test unless it was held. `result` says what
 * really happened (status, error code, message, side effects checked), never a secret.
 */
export function held(attack: Attack, result: string, passed: boolean): void {
  appendFileSync(file, `${JSON.stringify({ ...attack, result, passed })}\n`);
  expect({ attack: attack.attack, who: attack.who, result, held: passed }).toEqual({ attack: attack.attack, who: attack.who, result, held: true });
}

/** An HTTP answer in the table's words: `403 read_credential_required`, with the message's gist. */
export function answer(response: { status: number; body: { error?: { code: string; message: string } } & Record<string, unknown> }, withMessage = true): string {
  const error = response.body?.error;
  if (!error) return `${response.status}`;
  const message = error.message.length > 140 ? `${error.message.slice(0, 137)}…` : error.message;
  return withMessage ? `${response.status} ${error.code}: ${message}` : `${response.status} ${error.code}`;
}
