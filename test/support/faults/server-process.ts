import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../services/ports';
import { isAlive, recordPid, stopPid } from '../services/processes';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const resultsDir = resolve(process.env.OGELBASE_RESULTS_DIR ?? join(repoRoot, 'test-results'));
const bun = join(repoRoot, 'node_modules', '.bin', 'bun');

/** The environment without the harness's service URLs and npm's variables: each test states what it configures. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|MONGODB_URL|ENCRYPTION_KEY|JWT_SECRET|DATA_DIR|PORT|HOST|npm_)/.test(k)) env[k] = v;
  }
  return { ...env, HEALTH_CHECK_INTERVAL: '0', HEALTH_CHECK_TIMEOUT: '1500', LOG_LEVEL: 'info', ...extra };
}

export interface ServerProcess {
  name: string;
  url: string;
  port: number;
  pid: number;
  logFile: string;
  /** Every line the process wrote so far (stdout and stderr). */
  log(): string;
  alive(): boolean;
  /** Resolves with the exit code (or the signal's name) once the process ended. */
  exited: Promise<number | string>;
  /** SIGTERM (graceful), then waits. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), then waits. */
  kill(): Promise<void>;
}

/**
 * Starts the platform server as a real process (`bun run src/index.ts` in server/, or any command
 * line such as the README's `npm run server`) on a free loopback port, its output in the results
 * folder, and waits until it answers /health.
 */
export async function startServerProcess(name: string, env: Record<string, string>, command: string[] = [bun, 'run', 'src/index.ts'], cwd = join(repoRoot, 'server')): Promise<ServerProcess> {
  const port = await freePort();
  mkdirSync(join(resultsDir, 'faults-logs'), { recursive: true });
  const logFile = join(resultsDir, 'faults-logs', `${name}.log`);
  const out = openSync(logFile, 'w');
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    cwd,
    env: { ...cleanEnv(), PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  const pid = child.pid!;
  recordPid(pid);
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? -1)));
  let ended: number | string | undefined;
  void exited.then((code) => (ended = code));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (ended !== undefined) throw new Error(`${name} exited (${ended}) before listening: ${readFileSync(logFile, 'utf8').slice(-1500)}`);
    if (Date.now() > deadline) throw new Error(`${name} did not answer on ${url} within 90 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stopWith = async (signal: NodeJS.Signals) => {
    if (ended !== undefined) return;
    await stopPid(pid, { signal, group: true, timeoutMs: 20_000 });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  };
  return {
    name,
    url,
    port,
    pid,
    logFile,
    log: () => readFileSync(logFile, 'utf8'),
    alive: () => ended === undefined && isAlive(pid),
    exited,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
  };
}

/**
 * Runs a server command line (`demo`, `token create …`) to completion. One still running after
 * `timeoutMs` (a second server that was not refused) is killed and reported with code null.
 */
export function runServerCommand(
  args: string[],
  env: Record<string, string>,
  command: string[] = [bun, 'run', 'src/index.ts'],
  cwd = join(repoRoot, 'server'),
  timeoutMs = 90_000,
): Promise<{ code: number | null; stdout: string; stderr: string; json(): Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const child = spawn(command[0]!, [...command.slice(1), ...args], { cwd, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    recordPid(child.pid!);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      stderr += `\n[test] still running after ${timeoutMs / 1000} s: killed`;
      void stopPid(child.pid!, { signal: 'SIGKILL', group: true });
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', fail);
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, json: () => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown> });
    });
  });
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** One call to the platform API; the body parsed when it is JSON. */
export async function call<T = Record<string, unknown>>(base: string, path: string, init: { token?: string; method?: string; json?: unknown; timeoutMs?: number } = {}): Promise<Answer<T>> {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.json === undefined ? {} : { 'content-type': 'application/json' }) },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
    signal: AbortSignal.timeout(init.timeoutMs ?? 120_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: body as T, headers: response.headers };
}
