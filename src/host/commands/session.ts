import * as vscode from 'vscode';
import { PlatformError } from '../../core/api/client';
import { normalizeUrl, type PlatformEntry } from '../config';
import type { Explorer } from '../explorer';
import { platformSecretPrefix } from '../platform/session';
import { plural } from '../tree/format';
import { CommandIds } from './ids';
import { registerCommand } from './register';
import { info, required, showFailure, withProgress } from './support';

/** Optional argument of Sign In (scripts, tests): skips the questions. */
export interface SignInArgs {
  url: string;
  token: string;
  name?: string;
}

export function urlProblem(value: string): string | undefined {
  const text = value.trim();
  if (text === '') return 'Enter the platform URL, for example http://localhost:3001.';
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'The URL must start with http:// or https://.';
    if (url.username || url.password) return 'Leave credentials out of the URL: the token is asked next.';
    return undefined;
  } catch {
    return `Not a URL: enter it as http://host:port or https://host.`;
  }
}

export function tokenProblem(value: string): string | undefined {
  if (value === '') return 'Enter your API token (npm run server -- token create --email you@example.com prints one).';
  if (/\s/.test(value)) return 'A token has no spaces or line breaks: paste it again.';
  return undefined;
}

const OTHER_URL = 'Other URL…';

/** What was typed at a step that failed, and why it failed: the step is asked again with both. */
interface Retry {
  value: string;
  problem: string;
}

/** The prompt of a step asked again: why it failed (VS Code validates only what is typed, not the value it opens with). */
const promptAgain = (prompt: string, retry: Retry | undefined) => (retry ? `${retry.problem} Correct it, or press Enter to try again. (${prompt})` : prompt);

async function askUrl(explorer: Explorer, retry?: Retry): Promise<string> {
  const fallback = normalizeUrl(explorer.config.defaultPlatformUrl);
  if (!retry) {
    const known = explorer.session.knownPlatforms();
    const entries: PlatformEntry[] = known.some((p) => p.url === fallback) ? known : [...known, { name: 'Default platform (settings)', url: fallback }];
    const current = explorer.session.signedIn?.platform.url;
    const items: (vscode.QuickPickItem & { url?: string })[] = [
      ...entries.map((p) => ({ label: p.name, description: p.url, detail: p.url === current ? 'signed in' : undefined, url: p.url })),
      { label: OTHER_URL, description: 'enter the URL of another OgelBase platform' },
    ];
    const picked = required(await explorer.prompts.pick(items, { title: 'Sign In (1/2): platform', placeHolder: 'Which OgelBase platform?' }));
    if (picked.url) return picked.url;
  }
  const typed = await explorer.prompts.input({
    title: 'Sign In (1/2): platform URL',
    prompt: promptAgain('The URL of the OgelBase platform API (the companion server)', retry),
    placeHolder: 'http://localhost:3001',
    value: retry?.value ?? fallback,
    validateInput: urlProblem,
  });
  return normalizeUrl(required(typed));
}

async function askToken(explorer: Explorer, url: string, retry?: Retry): Promise<string> {
  const token = await explorer.prompts.input({
    title: `Sign In (2/2): token for ${url}`,
    prompt: promptAgain('Your personal API token (kept in VS Code secret storage only)', retry),
    placeHolder: 'ogb_…',
    password: true,
    value: retry?.value,
    validateInput: tokenProblem,
  });
  return required(token);
}

/**
 * Names the failure (wrong token, unreachable URL with its cause, not an OgelBase platform,
 * incompatible API) and the step that can fix it: the token, the URL, or none.
 */
function signInFailure(url: string, error: unknown): { message: string; step: 'url' | 'token' | 'none' } {
  if (!(error instanceof PlatformError)) return { message: error instanceof Error ? error.message : String(error), step: 'none' };
  if (error.status === 401 || error.status === 403) return { message: `Sign-in to ${url} refused: ${error.message}`, step: 'token' };
  // These messages already name the URL and what went wrong (refused, DNS, TLS, timeout).
  if (error.code === 'offline' || error.code === 'timeout') return { message: `Sign-in failed: ${error.message}`, step: 'url' };
  if (error.code === 'version') return { message: `Sign-in failed: ${error.message}`, step: 'none' };
  if (error.code === 'bad_response') return { message: `Sign-in failed: ${url} is not an OgelBase platform (its /api/platform/profile is not the platform's JSON).`, step: 'url' };
  if (error.code === 'http_error' || error.status === 404) {
    return { message: `Sign-in failed: ${url} is not an OgelBase platform (its /api/platform/profile answered HTTP ${error.status}).`, step: 'url' };
  }
  return { message: `Sign-in to ${url} failed: ${error.message}`, step: 'none' };
}

/**
 * The Sign In flow: platform URL, then token, checked against the platform. When the check fails
 * the error shows, and the step that failed is asked again with what was typed (the URL when the
 * platform could not be reached, the token when it was refused); the other answer is kept. With
 * both URL and token given (scripts, tests) nothing is asked: a failure ends the command.
 * `url` alone skips the platform question (Switch Platform to a platform without a token).
 */
export async function signInFlow(explorer: Explorer, preset?: Partial<SignInArgs>): Promise<boolean> {
  const interactive = preset?.url === undefined || preset.token === undefined;
  let url = preset?.url === undefined ? undefined : normalizeUrl(preset.url);
  let token = preset?.token;
  let urlRetry: Retry | undefined;
  let tokenRetry: Retry | undefined;
  for (;;) {
    url ??= normalizeUrl(await askUrl(explorer, urlRetry));
    const problem = urlProblem(url);
    if (problem) throw new Error(problem);
    token ??= await askToken(explorer, url, tokenRetry);
    const tokenIssue = tokenProblem(token);
    if (tokenIssue) throw new Error(tokenIssue);
    const [tryUrl, tryToken] = [url, token];
    try {
      const signedIn = await withProgress(`Signing in to ${tryUrl}…`, (signal) => explorer.session.signIn(tryUrl, tryToken, preset?.name, signal));
      info(`Signed in to ${signedIn.platform.name} as ${signedIn.profile?.user.email ?? 'unknown user'}`);
      return true;
    } catch (error) {
      if (error instanceof vscode.CancellationError || (error instanceof PlatformError && error.code === 'cancelled')) throw new vscode.CancellationError();
      const failure = signInFailure(tryUrl, error);
      if (!interactive || failure.step === 'none') throw new Error(failure.message, { cause: error });
      showFailure(explorer, failure.message);
      const retry = { value: failure.step === 'url' ? tryUrl : tryToken, problem: failure.message };
      if (failure.step === 'url') [url, urlRetry] = [undefined, retry];
      else [token, tokenRetry] = [undefined, retry];
    }
  }
}

/** Known platforms that have a token in secret storage. */
async function platformsWithTokens(explorer: Explorer): Promise<PlatformEntry[]> {
  const keys = new Set(await explorer.vault.keys());
  const known = explorer.session.knownPlatforms();
  const current = explorer.session.signedIn?.platform;
  const all = current && !known.some((p) => p.url === current.url) ? [...known, current] : known;
  return all.filter((p) => keys.has(`${platformSecretPrefix(p.url)}token`));
}

async function signOut(explorer: Explorer, arg: unknown): Promise<void> {
  const requested = typeof arg === 'object' && arg !== null && 'url' in arg && typeof arg.url === 'string' ? normalizeUrl(arg.url) : undefined;
  const withTokens = await platformsWithTokens(explorer);
  let targets: PlatformEntry[];
  if (requested) {
    targets = [withTokens.find((p) => p.url === requested) ?? { name: requested, url: requested }];
  } else if (withTokens.length === 0) {
    const current = explorer.session.signedIn?.platform;
    if (!current) {
      info('Not signed in to any OgelBase platform.');
      return;
    }
    targets = [current];
  } else if (withTokens.length === 1) {
    targets = withTokens;
  } else {
    const current = explorer.session.signedIn?.platform.url;
    const items: (vscode.QuickPickItem & { targets: PlatformEntry[] })[] = [
      ...withTokens.map((p) => ({ label: p.name, description: p.url, detail: p.url === current ? 'current platform' : undefined, targets: [p] })),
      { label: 'All platforms', description: `sign out of all ${withTokens.length}`, targets: withTokens },
    ];
    targets = required(await explorer.prompts.pick(items, { title: 'Sign Out', placeHolder: 'Sign out of which platform? Its token and cached connection strings are removed.' })).targets;
  }
  let removed = 0;
  for (const target of targets) removed += await explorer.session.signOut(target.url);
  await explorer.access.reset();
  explorer.log.info(`[commands] signed out of ${targets.map((t) => t.url).join(', ')} (${plural(removed, 'secret')} removed)`);
  info(targets.length === 1 ? `Signed out of ${targets[0]!.name}.` : `Signed out of ${targets.length} platforms.`);
}

const ADD_PLATFORM = 'Add a platform…';

async function switchPlatform(explorer: Explorer): Promise<void> {
  const current = explorer.session.signedIn?.platform.url;
  const withTokens = new Set((await platformsWithTokens(explorer)).map((p) => p.url));
  const items: (vscode.QuickPickItem & { platform?: PlatformEntry })[] = [
    ...explorer.session.knownPlatforms().map((p) => ({
      label: p.url === current ? `$(check) ${p.name}` : p.name,
      description: p.url,
      detail: p.url === current ? 'current platform' : withTokens.has(p.url) ? 'signed in' : 'sign-in needed',
      platform: p,
    })),
    { label: `$(add) ${ADD_PLATFORM}`, description: 'sign in to another OgelBase platform' },
  ];
  const picked = required(await explorer.prompts.pick(items, { title: 'Switch Platform', placeHolder: 'Which OgelBase platform?' }));
  if (!picked.platform) {
    await signInFlow(explorer);
    return;
  }
  if (picked.platform.url === current) {
    info(`Already on ${picked.platform.name}.`);
    return;
  }
  if (await explorer.session.switchTo(picked.platform.url)) {
    explorer.platformTree.refresh();
    info(`Switched to ${picked.platform.name}.`);
    return;
  }
  // No stored token for this platform: sign in to it (asks for the token only).
  await signInFlow(explorer, { url: picked.platform.url, name: picked.platform.name });
}

function isSignInArgs(arg: unknown): arg is SignInArgs {
  return typeof arg === 'object' && arg !== null && typeof (arg as SignInArgs).url === 'string' && typeof (arg as SignInArgs).token === 'string';
}

export function registerSessionCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    // Run from a view or a link, VS Code may pass other things (a node, a URI): only our shape counts.
    registerCommand(CommandIds.signIn, explorer.log, (arg) => signInFlow(explorer, isSignInArgs(arg) ? arg : undefined)),
    registerCommand(CommandIds.signOut, explorer.log, (arg) => signOut(explorer, arg)),
    registerCommand(CommandIds.switchPlatform, explorer.log, () => switchPlatform(explorer)),
  ];
}
