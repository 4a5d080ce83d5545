/**
 * Stands in for the VS Code executable that `@vscode/test-electron`'s `runTests({ vscodeExecutablePath })`
 * launches (through code-server-wrapper.sh). It takes the same command line
 * (`--extensionDevelopmentPath=…`, `--extensionTestsPath=…`, `--user-data-dir=…`, `--extensions-dir=…`,
 * `--disable-extensions`, a folder or workspace), runs the tests in code-server's real extension host
 * through headless Chromium, prints their output and exits with their exit code.
 *
 * Work files (code-server's log, XDG state, the browser profile, the workbench's in-browser logs) go
 * beside the user data folder, so a caller that puts it under test-results gets everything there.
 * OGELBASE_VSCODE_TIMEOUT_MS bounds the whole run (default 10 minutes).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { exposeAutomation, launchBrowser, waitForWorkbench, workbenchUrl, type Browser } from './browser';
import { startCodeServer, type RunningCodeServer } from './code-server';

interface Invocation {
  extensionDevelopmentPath: string[];
  extensionTestsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  disableExtensions: boolean;
  folder?: string;
}

/** Options that take a value; every other `--flag` is a switch the desktop build knows and code-server needs not. */
const valued = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir', 'locale', 'log']);

function parseArgs(argv: string[]): Invocation {
  const result: Invocation = { extensionDevelopmentPath: [], disableExtensions: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      result.folder = resolve(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (value === undefined && valued.has(name)) value = argv[++i];
    if (name === 'extensionDevelopmentPath' && value) result.extensionDevelopmentPath.push(resolve(value));
    else if (name === 'extensionTestsPath' && value) result.extensionTestsPath = resolve(value);
    else if (name === 'user-data-dir' && value) result.userDataDir = resolve(value);
    else if (name === 'extensions-dir' && value) result.extensionsDir = resolve(value);
    else if (name === 'disable-extensions') result.disableExtensions = true;
  }
  return result;
}

/**
 * Workbench messages that are expected on an offline machine and say nothing about the tests; the
 * full workbench logs are still written to <work dir>/workbench-logs.
 */
const noise = [
  /ENOTFOUND open-vsx\.org/,
  /Timed out waiting for authentication provider 'github'/,
  /^SettingsEditor2: Settings not included in settingsLayout/,
  /^Accessing a resource scoped configuration without providing a resource/,
];

const say = (line: string) => process.stdout.write(`[code-server-wrapper] ${line}\n`);

async function main(): Promise<number> {
  const invocation = parseArgs(process.argv.slice(2));
  if (!invocation.extensionTestsPath) {
    console.error('[code-server-wrapper] --extensionTestsPath is required: this wrapper only runs extension tests');
    return 2;
  }
  const ownTemp = invocation.userDataDir ? undefined : mkdtempSync(join(tmpdir(), 'ogelbase-vscode-'));
  const workDir = ownTemp ?? dirname(invocation.userDataDir!);
  mkdirSync(workDir, { recursive: true });
  const timeoutMs = Number(process.env.OGELBASE_VSCODE_TIMEOUT_MS ?? 600_000);

  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  const cleanUp = async () => {
    await browser?.close();
    await server?.stop();
    if (ownTemp) rmSync(ownTemp, { recursive: true, force: true });
  };
  // test-electron forwards Ctrl+C as SIGINT, and a harness timeout may send SIGTERM: never leave code-server behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  }

  try {
    const started = Date.now();
    // The server inherits this process's environment, test-electron's `extensionTestsEnv` included,
    // and the extension host inherits the server's: that is how the tests get their database URLs.
    server = await startCodeServer({
      dir: workDir,
      userDataDir: invocation.userDataDir,
      extensionsDir: invocation.extensionsDir,
      folder: invocation.folder,
    });
    say(`code-server ready at ${server.url} in ${Date.now() - started} ms (log: ${server.logFile})`);
    browser = await launchBrowser(join(workDir, 'chromium-profile'));

    let finished = false;
    let resolveOutcome!: (code: number) => void;
    const outcome = new Promise<number>((resolve) => (resolveOutcome = resolve));
    const settle = (code: number) => {
      finished = true;
      resolveOutcome(code);
    };
    await exposeAutomation(browser.context, {
      onLog: (_level, message) => {
        if (!finished && !noise.some((pattern) => pattern.test(message))) process.stdout.write(`${message}\n`);
      },
      onExit: (code, logs) => {
        // The workbench's own logs live in the browser: keep them with the server's for the leak scan and for debugging.
        for (const log of logs) {
          const file = join(workDir, 'workbench-logs', log.relativePath);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, log.contents);
        }
        settle(code);
      },
    });
    browser.page.on('crash', () => {
      if (finished) return;
      console.error('[code-server-wrapper] the workbench page crashed');
      settle(1);
    });
    void server.exited.then((code) => {
      if (finished) return; // stopped by us after the tests ended
      console.error(`[code-server-wrapper] code-server exited (code ${code}) before the tests ended; see ${server?.logFile}`);
      settle(1);
    });
    const timer = setTimeout(() => {
      console.error(`[code-server-wrapper] the extension tests did not finish within ${timeoutMs} ms (OGELBASE_VSCODE_TIMEOUT_MS)`);
      settle(1);
    }, timeoutMs);

    const url = workbenchUrl(server, {
      folder: invocation.folder,
      extensionDevelopmentPath: invocation.extensionDevelopmentPath,
      extensionTestsPath: invocation.extensionTestsPath,
      disableExtensions: invocation.disableExtensions,
    });
    // Not awaited: the timeout, a crash or the server's death must be able to end the run while the page still loads.
    const page = browser.page;
    void page
      .goto(url)
      .then(() => waitForWorkbench(page, timeoutMs))
      .catch((error: Error) => {
        if (finished) return;
        console.error(`[code-server-wrapper] the workbench did not load: ${error.message}`);
        settle(1);
      });
    const code = await outcome;
    clearTimeout(timer);
    say(`extension tests exited with code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return code;
  } catch (error) {
    console.error(`[code-server-wrapper] ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await cleanUp();
  }
}

void main().then((code) => process.exit(code));
