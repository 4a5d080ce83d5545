/**
 * Mocha hooks and helpers for end-to-end tests. Every suite shares the one VS Code of the run
 * (e2e-session.ts: the packaged `.vsix` installed into code-server without the smoke-test driver, so
 * notifications show as they do for users, and one Chromium page). A suite gets its settings written
 * before it starts and a tidy window (editors closed, notifications cleared) before and after it;
 * whatever else it changes (sign-in, local connections) it undoes itself. Screenshots land in
 * <results>/screenshots, and the extension's log files in <results>/vscode/e2e, where the harness's
 * leak scan reads them.
 *
 *   describe('…', () => {
 *     const workbench = withWorkbench('explorer-view', { settings });
 *     it('…', async () => { await workbench().page.click(…); });
 *   });
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { waitForWorkbenchUi } from './browser';
import type { RunningCodeServer } from './code-server';
import { writeUserSettings } from './code-server';
import { currentSession, repoRoot, resultsDir } from './e2e-session';

export { repoRoot, resultsDir };

export interface Workbench {
  server: RunningCodeServer;
  page: Page;
  /** The folder the window has open (empty, shared by the run's suites). */
  workspace: string;
  /** Saves a full-window screenshot to <results>/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
}

export interface WorkbenchOptions {
  /**
   * User settings for this suite (over the quiet defaults), read when the suite starts: an object
   * the suite's own earlier `before` hook fills in (a platform's URL) is fine.
   */
  settings?: Record<string, unknown>;
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

/**
 * Runs a command from the palette (F1) by its title, as a user types it. The palette lists what is
 * registered when it opens and does not refresh: right after a window reload an extension's
 * commands can still be on their way, so a title not listed is typed again (as a user would) until
 * it shows, for at most 45 s.
 */
export async function runCommand(page: Page, title: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ timeout: 15_000 });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 15_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
}

/**
 * Brings the OgelBase view container into the side bar. Its activity-bar item toggles the side bar
 * when clicked while already selected, so it is clicked only when it is not.
 */
export async function showOgelBase(page: Page): Promise<void> {
  const item = page.getByRole('tab', { name: /^OgelBase/ });
  await item.waitFor({ timeout: 60_000 });
  const sidebar = page.locator('#workbench\\.parts\\.sidebar');
  const header = sidebar.locator('.pane-header', { hasText: 'Platform' }).first();
  // Right after a window reload the side bar can still be appearing: a click then would hide it
  // again. So: click only when it is not shown, and check the result (at most three times).
  for (let attempt = 0; attempt < 3; attempt++) {
    const open = (await item.getAttribute('aria-selected')) === 'true' && (await sidebar.isVisible());
    if (!open) await item.click();
    try {
      await header.waitFor({ timeout: 10_000 });
      return;
    } catch {
      /* hidden by the click after all: look again */
    }
  }
  await header.waitFor({ timeout: 30_000 });
}

/**
 * Drags the side bar's edge until it is `width` px wide; returns the width it had. The layout keeps
 * it for the rest of the run, so a suite that widens it narrows it back when it ends.
 */
export async function setSideBarWidth(page: Page, width: number): Promise<number> {
  await showOgelBase(page);
  const sidebar = page.locator('#workbench\\.parts\\.sidebar');
  const before = (await sidebar.boundingBox())?.width ?? width;
  // A drag can miss the sash (a hover or a toast over it): checked, and made again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const box = await sidebar.boundingBox();
    if (!box || Math.abs(box.width - width) < 4) break;
    await page.keyboard.press('Escape');
    const edge = { x: box.x + box.width + 1, y: box.y + box.height * 0.75 };
    await page.mouse.move(edge.x, edge.y);
    await page.waitForTimeout(300);
    await page.mouse.down();
    await page.mouse.move(box.x + width, edge.y, { steps: 8 });
    await page.mouse.up();
    await page.waitForTimeout(300);
  }
  return before;
}

/**
 * A notification as users see it: a toast in the corner (the workbench shows them, since the UI tests
 * run without the smoke-test driver), or, once it timed out there, a row of the Notification Center.
 */
export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', { hasText: text }).first();
}

/**
 * Closes every editor, answering "Don't Save" for unsaved SQL and JSON documents, and returns once
 * the editor area is empty (the save question can come a moment after the command).
 */
export async function closeAllEditors(page: Page): Promise<void> {
  await runCommand(page, 'View: Close All Editors');
  const dialog = page.locator('.monaco-dialog-box');
  const tabs = page.locator('#workbench\\.parts\\.editor .tabs-container .tab');
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (await dialog.isVisible().catch(() => false)) await dialog.getByRole('button', { name: /Don't Save/ }).click();
    else if ((await tabs.count()) === 0) return;
    if (Date.now() > deadline) throw new Error(`the editors did not close: ${(await tabs.allInnerTexts()).join(', ')}`);
    await page.waitForTimeout(200);
  }
}

/**
 * Waits for a notification: first as a toast, then, if none showed (a toast can be hidden again
 * before it is seen, or not shown while others fill the corner), in the Notification Center, which
 * keeps every notification until it is cleared. The center is closed again afterwards.
 */
export async function expectNotification(page: Page, text: string | RegExp, timeoutMs = 60_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
  if (await toast.waitFor({ timeout: Math.min(20_000, timeoutMs) }).then(() => true, () => false)) return toast.innerText();
  await runCommand(page, 'Notifications: Show Notifications');
  const row = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  try {
    await row.waitFor({ timeout: Math.max(1000, timeoutMs - 20_000) });
    return await row.innerText();
  } finally {
    await runCommand(page, 'Notifications: Hide Notifications').catch(() => undefined);
  }
}

/** Closes the editors and dismisses notifications and any open quick input. */
export async function tidy(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await closeAllEditors(page);
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.keyboard.press('Escape');
}

let settingsGeneration = 0;

/**
 * Writes the user settings and reloads the window, which reads them afresh (a running workbench
 * notices a change of settings.json only now and then) and starts a fresh extension host, so every
 * suite begins with the installed extension newly activated. The window's title (`window.title`,
 * shown as the page's title) carries a marker that tells when the new settings are in force.
 */
export async function applySettings(page: Page, userDataDir: string, settings: Record<string, unknown> = {}): Promise<void> {
  const marker = `OgelBase e2e settings ${++settingsGeneration}`;
  writeUserSettings(userDataDir, { ...settings, 'window.title': `${marker} \${dash} \${rootName}` });
  await page.reload();
  await waitForWorkbenchUi(page, 120_000);
  // Runs in the page; `globalThis` is its `window` (the project's lib has no DOM types).
  await page.waitForFunction((text) => (globalThis as unknown as { document: { title: string } }).document.title.startsWith(text), marker, { timeout: 60_000 });
  // The installed extension's contributions are registered (its activity-bar item stands for all
  // of them: views, commands, menus) only once the extension host has scanned it.
  await page.getByRole('tab', { name: /^OgelBase/ }).waitFor({ timeout: 60_000 });
}

const slug = (text: string) => text.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80);

export function withWorkbench(name: string, options: WorkbenchOptions = {}): () => Workbench {
  let current: Workbench | undefined;

  before(async function () {
    this.timeout(180_000);
    const session = currentSession();
    const page = session.page;
    await applySettings(page, session.userDataDir, options.settings);
    const screenshot = async (shot: string) => {
      const path = join(resultsDir, 'screenshots', `${shot}.png`);
      mkdirSync(join(resultsDir, 'screenshots'), { recursive: true });
      await page.screenshot({ path });
      return path;
    };
    current = { server: session.server, page, workspace: session.workspace, screenshot };
    await tidy(page);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && current) {
      const path = await current.screenshot(`failed-${name}-${slug(this.currentTest.title)}`).catch(() => undefined);
      if (path) console.log(`      screenshot of the failure: ${path}`);
    }
  });

  after(async function () {
    this.timeout(60_000);
    if (current) await tidy(current.page).catch(() => undefined);
    current = undefined;
  });

  return () => {
    if (!current) throw new Error('the workbench is not running: withWorkbench() must be called inside a describe()');
    return current;
  };
}
