/**
 * Reaching a webview's document from a UI test. code-server 4.139 nests two iframes per webview:
 * the outer `iframe.webview.ready` (one per visible webview editor) and, inside, `iframe#active-frame`
 * holding the page the extension wrote. Suites keep one webview visible at a time (or pick it by
 * its title) so `webview(page)` is unambiguous.
 */
import type { FrameLocator, Locator, Page } from 'playwright-core';

export function webview(page: Page): FrameLocator {
  // :visible: a webview moved to the background (or being disposed) may still have its iframe.
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
}

/** A modal dialog of the workbench (the host's confirmations), by a piece of its message. */
export function dialog(page: Page, text: string | RegExp): Locator {
  return page.locator('.monaco-dialog-box', { hasText: text }).first();
}

/** Answers a modal dialog with one of its buttons and waits for it to close. */
export async function answerDialog(page: Page, text: string | RegExp, button: string): Promise<string> {
  const box = dialog(page, text);
  await box.waitFor({ timeout: 30_000 });
  const message = await box.innerText();
  await box.getByRole('button', { name: button, exact: true }).click();
  await box.waitFor({ state: 'hidden', timeout: 30_000 });
  return message;
}

/** Editor tabs whose title matches (to check that a panel is re-focused, not duplicated). */
export const editorTabs = (page: Page, title: string | RegExp) => page.locator('.tabs-container .tab', { hasText: title });
