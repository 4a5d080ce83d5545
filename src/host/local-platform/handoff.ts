import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import type { Explorer } from '../explorer';
import { signInFlow } from '../commands/session';

/** Set by `npm start` for the VS Code it opens: a file with the local platform's URL and a token. */
export const HANDOFF_ENV = 'OGELBASE_SIGN_IN_FILE';
const CONSUMED_KEY = 'ogelbase.signInFileConsumed';

export interface Handoff {
  url: string;
  token: string;
  name?: string;
  /** Changes with every `npm start`, so each one signs in once (a later Sign Out holds). */
  startedAt: string;
}

const isLoopback = (url: URL) => url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/**
 * Reads the hand-off file, refusing anything but a small regular file that only its owner, the
 * user running VS Code, can read, naming a platform on this machine. Returns why it was refused
 * instead when it is not usable.
 */
export function readHandoff(path: string): Handoff | string {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return `${path} does not exist`;
  }
  if (!stat.isFile() || stat.size > 4096) return `${path} is not a small regular file`;
  if (process.platform !== 'win32' && ((stat.mode & 0o077) !== 0 || stat.uid !== process.getuid?.())) return `${path} must be readable by its owner only, and owned by the user running VS Code`;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Handoff>;
    if (typeof parsed.url !== 'string' || typeof parsed.token !== 'string' || typeof parsed.startedAt !== 'string') return `${path} lacks url, token or startedAt`;
    if (!isLoopback(new URL(parsed.url))) return `${path} names ${new URL(parsed.url).host}, not a platform on this machine (http://127.0.0.1 or localhost)`;
    return { url: parsed.url, token: parsed.token, name: parsed.name, startedAt: parsed.startedAt };
  } catch (error) {
    return `${path} is not valid: ${(error as Error).message}`;
  }
}

/**
 * `npm start` opens VS Code already signed in to the platform it started: it writes a hand-off
 * file (owner-only) and names it in OGELBASE_SIGN_IN_FILE, and the extension signs in with it
 * through the ordinary Sign In checks, so the token ends up in SecretStorage exactly as when typed.
 * Each file is used once; the token is never written to settings or the log.
 */
export async function signInFromHandoff(explorer: Explorer, path = process.env[HANDOFF_ENV]): Promise<boolean> {
  if (!path) return false;
  const handoff = readHandoff(path);
  if (typeof handoff === 'string') {
    explorer.log.warn(`[session] ${HANDOFF_ENV} is set but not used: ${handoff}`);
    return false;
  }
  const fingerprint = createHash('sha256').update(`${handoff.url}\n${handoff.startedAt}`).digest('hex');
  const state = explorer.context.globalState;
  if (state.get<string>(CONSUMED_KEY) === fingerprint) return false;
  await state.update(CONSUMED_KEY, fingerprint);
  explorer.log.info(`[session] signing in to ${handoff.url}, which npm start started (${HANDOFF_ENV})`);
  return signInFlow(explorer, { url: handoff.url, token: handoff.token, name: handoff.name ?? 'Local platform' });
}
