import { appendFileSync } from 'node:fs';

/**
 * Registers a value the harness must never find in the run's output (logs, reports, screenshots'
 * neighbours): test passwords, tokens, keys. The harness's leak scan reads them at the end.
 */
export function registerSecret(value: string): void {
  if (process.env.OGELBASE_SECRETS_FILE) appendFileSync(process.env.OGELBASE_SECRETS_FILE, `${value}\n`);
}
