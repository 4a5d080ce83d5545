/**
 * The one VS Code every UI test shares: the extension packaged into a `.vsix` the way a maintainer
 * packages it (`vsce package --no-dependencies`), installed into code-server the way a user installs
 * it (`--install-extension`), code-server started WITHOUT the smoke-test driver (which would hide
 * every notification toast), and one headless Chromium page on it. Started once per run by mocha's
 * root hooks (`--require` of this file, see test/support/harness/layers.ts), so the e2e layer pays
 * for one code-server and one browser, however many suites it has.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, waitForWorkbenchUi, type Browser } from './browser';
import { installExtension, startCodeServer, type RunningCodeServer } from './code-server';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const resultsDir = resolve(process.env.OGELBASE_RESULTS_DIR ?? join(repoRoot, 'test-results'));

export interface E2eSession {
  server: RunningCodeServer;
  browser: Browser;
  page: Page;
  /** Everything this session writes lives here (<results>/vscode/e2e). */
  dir: string;
  /** The folder the window has open (empty, made fresh for the run). */
  workspace: string;
  userDataDir: string;
  /** The package the session installed. */
  vsix: string;
}

let session: E2eSession | undefined;

const say = (line: string) => console.log(`      [e2e] ${line}`);

/** The newest modification time of the files a package is built from. */
function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const path of ['src', 'media', 'package.json', 'esbuild.mjs', '.vscodeignore', 'README.md', 'CHANGELOG.md']) visit(join(repoRoot, path));
  return newest;
}

/**
 * The `.vsix` under test: `$OGELBASE_E2E_VSIX` when given, else the one the static layer packaged
 * in this run (when it is newer than every source file), else a fresh `vsce package`.
 */
export function ensureVsix(): string {
  if (process.env.OGELBASE_E2E_VSIX) return resolve(process.env.OGELBASE_E2E_VSIX);
  const vsix = join(resultsDir, 'ogelbase-explorer.vsix');
  if (existsSync(vsix) && statSync(vsix).mtimeMs >= newestSource()) return vsix;
  say('packaging the extension (vsce package --no-dependencies)');
  mkdirSync(resultsDir, { recursive: true });
  const vsce = join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '-o', vsix], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`vsce package failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return vsix;
}

export async function startE2eSession(): Promise<E2eSession> {
  if (session) return session;
  const dir = join(resultsDir, 'vscode', 'e2e');
  rmSync(dir, { recursive: true, force: true });
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const userDataDir = join(dir, 'user-data');

  const vsix = ensureVsix();
  const started = Date.now();
  installExtension({ dir, userDataDir }, vsix);
  say(`installed ${vsix} in ${Date.now() - started} ms`);
  const server = await startCodeServer({ dir, userDataDir, folder: workspace, smokeTestDriver: false });
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser(join(dir, 'chromium-profile'));
    const page = browser.page;
    // Generous: on a loaded machine the first load of the workbench can pass Playwright's 30 s default.
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`, { timeout: 120_000 });
    await waitForWorkbenchUi(page, 120_000);
    session = { server, browser, page, dir, workspace, userDataDir, vsix };
    return session;
  } catch (error) {
    await browser?.close();
    await server.stop();
    throw error;
  }
}

export function currentSession(): E2eSession {
  if (!session) throw new Error('the e2e session is not running: the e2e layer loads test/support/vscode/e2e-session.ts with --require');
  return session;
}

export async function stopE2eSession(): Promise<void> {
  const running = session;
  session = undefined;
  await running?.browser.close();
  await running?.server.stop();
}

/** Mocha root hooks: one session for every suite of the run. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(600_000);
    await startE2eSession();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopE2eSession();
  },
};
