/**
 * The explorer as a person sees it: code-server in headless Chromium with the extension loaded from
 * source. Screenshots go to <results>/screenshots.
 */
import assert from 'node:assert/strict';
import { showOgelBase, waitForText, withWorkbench } from '../support/vscode/workbench';

describe('the Platform view while signed out (code-server in Chromium)', () => {
  const workbench = withWorkbench('e2e-explorer-view');

  it('opens from the OgelBase activity-bar item and shows the welcome content', async () => {
    const { page, screenshot } = workbench();
    // The item appears once the extension host has read the extension's contributions.
    // The container is titled OgelBase; its first view is Platform (then Local Connections).
    await showOgelBase(page);
    const sidebar = page.locator('#workbench\\.parts\\.sidebar');
    const welcome = sidebar.locator('.welcome-view-content').first();
    await welcome.getByText('No OgelBase platform is connected yet').waitFor({ timeout: 30_000 });
    for (const button of ['Sign In', 'Open Walkthrough', 'Show Log']) {
      assert.equal(await welcome.getByRole('button', { name: button }).isVisible(), true, `${button} is not visible`);
    }
    // The status bar says so too, and offers to sign in.
    await page.locator('#workbench\\.parts\\.statusbar').getByText('OgelBase').first().waitFor({ timeout: 30_000 });

    // No tooltip or progress spinner in the picture: move the pointer away and let activation finish.
    await page.mouse.move(700, 450);
    await page.getByText('Activating Extensions...').waitFor({ state: 'hidden', timeout: 30_000 });
    await sidebar.locator('.monaco-progress-container.active').waitFor({ state: 'hidden', timeout: 30_000 });
    await screenshot('explorer-welcome');
  });

  it('shows the "OgelBase" output channel when "Show Log" is clicked', async () => {
    const { page, screenshot } = workbench();
    await page.locator('#workbench\\.parts\\.sidebar .welcome-view-content').first().getByRole('button', { name: 'Show Log' }).click();

    const output = page.locator('#workbench\\.parts\\.panel .output-view[aria-label="OgelBase - Output"]');
    await output.waitFor({ timeout: 30_000 });
    // The channel's first line, written by activate().
    await waitForText(output.locator('.view-lines'), /\[info\] activated in [\d.]+ ms/);
    await screenshot('explorer-show-log');
  });
});
