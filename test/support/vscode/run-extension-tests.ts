/**
 * The harness's extension-host layer: `node --import tsx test/support/vscode/run-extension-tests.ts`.
 * Runs out/test/extension-host/index.js inside a real VS Code extension host through the standard
 * `@vscode/test-electron` runner. By default "VS Code" is code-server driven by headless Chromium
 * (code-server-wrapper.sh), since these machines cannot download VS Code; with
 * OGELBASE_VSCODE=electron test-electron downloads the desktop build instead (needs its update
 * host and, on Linux without a display, xvfb-run).
 *
 * The tests get $OGELBASE_SUMMARY_FILE and every $OGELBASE_TEST_* variable (the test databases).
 * User data and logs, the extension's log files included, go to <results>/vscode/extension-host,
 * where the harness's leak scan reads them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { assertInstalled, cacheDir } from './cache';

const root = resolve(__dirname, '..', '..', '..');
const resultsDir = resolve(process.env.OGELBASE_RESULTS_DIR ?? join(root, 'test-results'));
const electron = process.env.OGELBASE_VSCODE === 'electron';

async function main(): Promise<number> {
  if (!electron) {
    try {
      assertInstalled();
    } catch (error) {
      console.error(`[extension-host] ${(error as Error).message}`);
      return 1;
    }
  }
  const extensionTestsPath = join(root, 'out', 'test', 'extension-host', 'index.js');
  if (!existsSync(extensionTestsPath) || !existsSync(join(root, 'dist', 'extension.js'))) {
    // The harness builds before this layer; run on its own, build here.
    console.log('[extension-host] bundles missing: running node esbuild.mjs');
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) return 1;
  }

  const workDir = join(resultsDir, 'vscode', 'extension-host');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  // A fresh, empty workspace: the tests must not depend on (or change) the repository's files.
  const workspace = mkdtempSync(join(tmpdir(), 'ogelbase-workspace-'));
  const extensionTestsEnv: Record<string, string> = {
    // Run on its own (not by the harness), the reporter still has somewhere to write.
    OGELBASE_SUMMARY_FILE: process.env.OGELBASE_SUMMARY_FILE ?? join(workDir, 'summary.json'),
    // Where tests write what the leak scan reads, and register the secrets they create.
    OGELBASE_RESULTS_DIR: resultsDir,
    OGELBASE_TEST_REPO_ROOT: root,
    ...(process.env.OGELBASE_SECRETS_FILE ? { OGELBASE_SECRETS_FILE: process.env.OGELBASE_SECRETS_FILE } : {}),
  };
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key.startsWith('OGELBASE_TEST_')) extensionTestsEnv[key] = value;
  }
  // The names (never the values) of what was forwarded: a test checks each arrived in the extension host.
  extensionTestsEnv.OGELBASE_FORWARDED_ENV = Object.keys(extensionTestsEnv).join(',');

  const started = Date.now();
  try {
    await runTests({
      ...(electron
        ? { cachePath: join(cacheDir, 'vscode-electron') }
        : { vscodeExecutablePath: join(__dirname, 'code-server-wrapper.sh') }),
      extensionDevelopmentPath: root,
      extensionTestsPath,
      extensionTestsEnv,
      launchArgs: [
        workspace,
        '--disable-extensions',
        `--user-data-dir=${join(workDir, 'user-data')}`,
        `--extensions-dir=${join(workDir, 'extensions')}`,
      ],
    });
    console.log(`[extension-host] passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (error) {
    console.error(`[extension-host] ${error instanceof Error ? error.message : String(error)} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 1;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
