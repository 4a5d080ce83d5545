/**
 * Starts code-server (VS Code 1.139's workbench over HTTP with a real Node extension host) for one
 * test run, in a folder the caller owns: user data (with the extension's log files), extensions,
 * XDG config and the server's own log all land there, never in the home folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { constants } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../services/ports';
import { assertInstalled, codeServer, node24, node24Env } from './cache';

export interface CodeServerOptions {
  /** Everything the server writes goes under this folder (made if missing). */
  dir: string;
  /** A folder or `.code-workspace` to open when the page names none. */
  folder?: string;
  /** Defaults to `<dir>/user-data`; holds settings and every log, the extension's included. */
  userDataDir?: string;
  /** Defaults to `<dir>/extensions`. */
  extensionsDir?: string;
  /** Extra environment for the server; the extension host inherits it (the test databases' URLs travel this way). */
  env?: Record<string, string | undefined>;
  /** User settings merged over the quiet defaults below. */
  settings?: Record<string, unknown>;
  /** How long to wait for `/healthz`; the first start after an install compiles caches. */
  readyTimeoutMs?: number;
  /**
   * Enable the smoke-test driver (default true): needed to load an extension under development and
   * run extension tests from the page's `payload`, but it also hides every notification toast. The
   * UI tests turn it off and install the packaged `.vsix` instead, so they see what users see.
   */
  smokeTestDriver?: boolean;
  /**
   * Listen on this Unix socket (mode 0600) instead of a loopback port: `npm start` puts its own
   * token-checking proxy in front, so the unauthenticated server is reachable by its owner only.
   */
  socket?: string;
  /** Seconds without a connection before the server quits (default 90, a safety net for tests); 0 never. */
  idleTimeoutSeconds?: number;
}

export interface RunningCodeServer {
  /** `http://127.0.0.1:PORT` (on a socket: `http://localhost`, reached through that socket) */
  url: string;
  /** The Unix socket it listens on, when started with `socket`. */
  socket?: string;
  /** `127.0.0.1:PORT`: the authority of `vscode-remote://` URIs that name files on this server. */
  authority: string;
  pid: number;
  userDataDir: string;
  logFile: string;
  /** Resolves with the exit code if the server dies (before `stop()` or because of it). */
  exited: Promise<number>;
  /** Kills the server's whole process group (watchers, extension hosts, pty host) by its PID. */
  stop(): Promise<void>;
}

/** Settings that keep the workbench free of popups, walkthroughs and network look-ups during tests. */
const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
};

/**
 * Writes the user settings (the quiet defaults plus `settings`). A running workbench watches the
 * file and applies a change within a moment, without a reload.
 */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown> = {}): void {
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...quietSettings, ...settings }, null, 2));
}

const groupAlive = (pid: number): boolean => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `GET /healthz` over a Unix socket (fetch cannot reach one on Node). */
const socketHealthy = (socketPath: string) =>
  new Promise<boolean>((resolve) => {
    const request = httpGet({ socketPath, path: '/healthz', timeout: 2_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tail of the server log, for error messages that explain why it did not start. */
const tail = (file: string, lines = 30): string =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';

/** The environment code-server runs with: Node 24 first on PATH, XDG folders under `dir`. */
function serverEnv(dir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const xdgDir = join(dir, 'xdg');
  return {
    ...node24Env(),
    ...extra,
    // Without these code-server writes its config.yaml and state into the home folder.
    XDG_CONFIG_HOME: xdgDir,
    XDG_DATA_HOME: xdgDir,
    XDG_CACHE_HOME: join(xdgDir, 'cache'),
  };
}

/**
 * Installs a packaged extension the way a user does (`code-server --install-extension x.vsix`)
 * into the extensions folder a later {@link startCodeServer} with the same `dir` uses.
 */
export function installExtension(options: Pick<CodeServerOptions, 'dir' | 'userDataDir' | 'extensionsDir'>, vsix: string): void {
  // code-server itself needs no browser (npm start prints a URL; the UI tests check Chromium themselves).
  assertInstalled({ chromium: false });
  const userDataDir = options.userDataDir ?? join(options.dir, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(options.dir, 'extensions');
  for (const dir of [join(userDataDir, 'User'), extensionsDir, join(options.dir, 'xdg')]) mkdirSync(dir, { recursive: true });
  const args = [codeServer.entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'];
  const result = spawnSync(node24.node, args, { env: serverEnv(options.dir), encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) {
    throw new Error(`code-server --install-extension ${vsix} failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
}

export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  assertInstalled({ chromium: false });
  const userDataDir = options.userDataDir ?? join(options.dir, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(options.dir, 'extensions');
  const xdgDir = join(options.dir, 'xdg');
  for (const dir of [join(userDataDir, 'User'), extensionsDir, xdgDir]) mkdirSync(dir, { recursive: true });
  writeUserSettings(userDataDir, options.settings);

  const port = options.socket ? 0 : await freePort();
  const logFile = join(options.dir, 'code-server.log');
  const out = openSync(logFile, 'a');
  const args = [
    codeServer.entry,
    ...(options.socket ? ['--socket', options.socket, '--socket-mode', '600'] : ['--bind-addr', `127.0.0.1:${port}`]),
    '--auth', 'none',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    // Makes the workbench read extensionDevelopmentPath/extensionTestsPath from the page's `payload`.
    ...(options.smokeTestDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
    // A safety net for when our process is SIGKILLed (the harness's timeout) and stop() never runs:
    // Chromium exits when its Playwright pipe closes, and with no connection left the server quits.
    ...(options.idleTimeoutSeconds === 0 ? [] : ['--idle-timeout-seconds', String(options.idleTimeoutSeconds ?? 90)]),
    ...(options.folder ? [options.folder] : []),
  ];
  const env = serverEnv(options.dir, options.env);
  // Its own process group (detached), so stop() reaches everything it forks, and only that.
  const child = spawn(node24.node, args, { detached: true, stdio: ['ignore', out, out], env });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start code-server (see ${logFile})`);
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0))));
  let dead: number | undefined;
  void exited.then((code) => (dead = code));

  const stop = async () => {
    if (groupAlive(pid)) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* gone meanwhile */
      }
    }
    // The extension host may outlive the server for a moment: wait for the whole group, then force it.
    for (const deadline = Date.now() + 5_000; groupAlive(pid) && Date.now() < deadline; ) await sleep(50);
    if (groupAlive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
      for (const deadline = Date.now() + 5_000; groupAlive(pid) && Date.now() < deadline; ) await sleep(50);
    }
  };

  const url = options.socket ? 'http://localhost' : `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (dead !== undefined) {
      await stop();
      throw new Error(`code-server exited with code ${dead} before it was ready; its log (${logFile}) ends with:\n${tail(logFile)}`);
    }
    const healthy = options.socket ? await socketHealthy(options.socket) : await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer ${url}/healthz within ${options.readyTimeoutMs ?? 60_000} ms; its log (${logFile}) ends with:\n${tail(logFile)}`);
    }
    await sleep(100);
  }
  return { url, ...(options.socket ? { socket: options.socket } : {}), authority: `127.0.0.1:${port}`, pid, userDataDir, logFile, exited, stop };
}
