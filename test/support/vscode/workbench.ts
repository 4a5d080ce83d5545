/**
 * Mocha hooks for end-to-end tests: one code-server and one Chromium page per `describe`, the
 * extension loaded from source as an extension under development, screenshots on demand and on
 * failure. Everything lands in the results folder (<results>/vscode/<name>, <results>/screenshots),
 * so the harness's leak scan reads the extension's log files too.
 *
 *   describe('…', () => {
 *     const workbench = withWorkbench('explorer-view');
 *     it('…', async () => { await workbench().page.click(…); });
 *   });
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { launchBrowser, waitForWorkbench, workbenchUrl, type Browser } from './browser';
import { startCodeServer, type RunningCodeServer } from './code-server';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const resultsDir = resolve(process.env.OGELBASE_RESULTS_DIR ?? join(repoRoot, 'test-results'));

export interface Workbench {
  server: RunningCodeServer;
  page: Page;
  /** The folder the window has open (empty, made fresh for this suite). */
  workspace: string;
  /** Saves a full-window screenshot to <results>/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
}

export interface WorkbenchOptions {
  /** Extra user settings, e.g. `{ 'ogelbase.platform.url': … }`. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server and so for the extension host. */
  env?: Record<string, string | undefined>;
}

/**
 * Waits until the element's visible text matches. For editors (Monaco's `.view-lines`), where
 * `getByText` fails: a line is split into one span per token and spaces are non-breaking.
 */
export async function waitForText(locator: Locator, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text: string;
  for (;;) {
    text = (await locator.innerText({ timeout: Math.max(1, deadline - Date.now()) }).catch(() => '')).replace(/\u00a0/g, ' ');
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`text ${pattern} did not appear within ${timeoutMs} ms; the element shows: ${JSON.stringify(text.slice(0, 500))}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const slug = (text: string) => text.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80);

export function withWorkbench(name: string, options: WorkbenchOptions = {}): () => Workbench {
  let current: Workbench | undefined;
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;

  before(async function () {
    this.timeout(180_000);
    const dir = join(resultsDir, 'vscode', name);
    rmSync(dir, { recursive: true, force: true });
    const workspace = join(dir, 'workspace');
    mkdirSync(workspace, { recursive: true });
    server = await startCodeServer({ dir, folder: workspace, settings: options.settings, env: options.env });
    browser = await launchBrowser(join(dir, 'chromium-profile'));
    const page = browser.page;
    await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: [repoRoot] }));
    await waitForWorkbench(page, 120_000);
    const screenshot = async (shot: string) => {
      const path = join(resultsDir, 'screenshots', `${shot}.png`);
      mkdirSync(join(resultsDir, 'screenshots'), { recursive: true });
      await page.screenshot({ path });
      return path;
    };
    current = { server, page, workspace, screenshot };
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && current) {
      const path = await current.screenshot(`failed-${name}-${slug(this.currentTest.title)}`).catch(() => undefined);
      if (path) console.log(`      screenshot of the failure: ${path}`);
    }
  });

  after(async function () {
    this.timeout(30_000);
    await browser?.close();
    await server?.stop();
    current = undefined;
  });

  return () => {
    if (!current) throw new Error('the workbench is not running: withWorkbench() must be called inside a describe()');
    return current;
  };
}
