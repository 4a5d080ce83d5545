/**
 * Debian's Chromium driven by Playwright (`playwright-core` downloads no browser), and the helpers
 * that open code-server's workbench with an extension under development and, optionally, its tests.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { format } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { chromiumPath } from './cache';
import type { RunningCodeServer } from './code-server';

/** The flags verified on these machines: no sandbox as root, no GPU, and no network of its own. */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Launches headless Chromium with a fresh profile in `profileDir` (wiped first). */
export async function launchBrowser(profileDir: string): Promise<Browser> {
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => undefined);
    },
  };
}

export interface WorkbenchTarget {
  /** Absolute path of a folder (or `.code-workspace`) on the server's machine to open. */
  folder?: string;
  /** Absolute paths of extensions to load as under development (from source, not installed). */
  extensionDevelopmentPath?: string[];
  /** Absolute path of a test module exporting `run()`, run in the extension host; the window then exits. */
  extensionTestsPath?: string;
  /** Disables installed extensions (what `--disable-extensions` does for the desktop build). */
  disableExtensions?: boolean;
}

/**
 * The workbench URL for a target. code-server has no `--extensionDevelopmentPath` option: with the
 * smoke-test driver enabled the workbench reads those from the `payload` query parameter instead,
 * as `vscode-remote://` URIs on this server.
 */
export function workbenchUrl(server: RunningCodeServer, target: WorkbenchTarget): string {
  const remote = (path: string) => `vscode-remote://${server.authority}${encodeURI(path)}`;
  const payload: [string, string][] = [
    ...(target.extensionDevelopmentPath ?? []).map((path): [string, string] => ['extensionDevelopmentPath', remote(path)]),
    ...(target.extensionTestsPath ? [['extensionTestsPath', remote(target.extensionTestsPath)] as [string, string]] : []),
    ...(target.disableExtensions ? [['disableExtensions', 'true'] as [string, string]] : []),
  ];
  const query = new URLSearchParams();
  if (target.folder) query.set(target.folder.endsWith('.code-workspace') ? 'workspace' : 'folder', target.folder);
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  return `${server.url}/?${query.toString()}`;
}

export interface AutomationHandlers {
  /** Every workbench log line while extension tests run: the extension host's test output comes through here. */
  onLog(level: string, message: string): void;
  /** The extension tests ended: 0 when `run()` resolved. `logs` are the workbench's in-browser log files. */
  onExit(code: number, logs: { relativePath: string; contents: string }[]): void;
}

/**
 * Exposes `codeAutomationLog` and `codeAutomationExit`, which the workbench calls when it runs
 * extension tests. They must exist before the page loads: the workbench looks them up by name.
 */
export async function exposeAutomation(context: BrowserContext, handlers: AutomationHandlers): Promise<void> {
  // The workbench passes console arguments unformatted (mocha logs `['  %d passing (%s)', 6, '5s']`).
  await context.exposeFunction('codeAutomationLog', (level: unknown, args: unknown) => {
    handlers.onLog(String(level), Array.isArray(args) ? format(...(args as unknown[])) : String(args));
  });
  await context.exposeFunction('codeAutomationExit', (code: unknown, logs: unknown) => {
    handlers.onExit(typeof code === 'number' ? code : 1, Array.isArray(logs) ? (logs as { relativePath: string; contents: string }[]) : []);
  });
}

/** Resolves once the workbench reached its "restored" phase (the smoke-test driver tells). */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  // These callbacks run in the page; `globalThis` is its `window` (the project's lib has no DOM types).
  await page.waitForFunction(() => 'driver' in globalThis, undefined, { timeout: timeoutMs });
  await page.evaluate(async () => {
    const driver = (globalThis as unknown as { driver: { whenWorkbenchRestored(): Promise<void> } }).driver;
    await driver.whenWorkbenchRestored();
  });
  await page.locator('.monaco-workbench .activitybar').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

/**
 * Resolves once the workbench shows its activity bar and status bar: for a workbench started
 * without the smoke-test driver (as users run it), where `waitForWorkbench` has no driver to ask.
 */
export async function waitForWorkbenchUi(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench .activitybar').first().waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.monaco-workbench .statusbar').first().waitFor({ state: 'visible', timeout: timeoutMs });
}
