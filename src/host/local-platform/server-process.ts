import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/**
 * Runs the companion server as a child process: the bundle from the .vsix (dist/server/index.js)
 * or, while developing, server/src/index.ts with Bun. Bun when there is one, else the Node runtime
 * that runs VS Code's extension host (`process.execPath`; Electron behaves as Node with
 * ELECTRON_RUN_AS_NODE). The server stops when its standard input closes, so it ends with the
 * extension host even when that one is killed. No `vscode` import.
 */
export interface Runtime {
  name: 'bun' | 'node';
  command: string;
}

export type RuntimeChoice = 'auto' | 'bun' | 'node';

/** `bun` on PATH, or undefined. */
export function findBun(path = process.env.PATH ?? ''): string | undefined {
  const names = process.platform === 'win32' ? ['bun.exe', 'bun.cmd'] : ['bun'];
  for (const dir of path.split(delimiter)) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        /* not here */
      }
    }
  }
  return undefined;
}

export function chooseRuntime(choice: RuntimeChoice, path?: string): Runtime {
  const bun = choice === 'node' ? undefined : findBun(path);
  if (bun) return { name: 'bun', command: bun };
  if (choice === 'bun') throw new Error('ogelbase.localPlatform.runtime is "bun" but no `bun` is on PATH: install Bun (https://bun.sh) or set the runtime to "auto".');
  return { name: 'node', command: process.execPath };
}

/** A free TCP port on 127.0.0.1, or `preferred` when it is free. */
export async function freeLoopbackPort(preferred?: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
      });
    });
  if (preferred && (await tryPort(preferred))) return preferred;
  const port = await tryPort(0);
  if (!port) throw new Error('could not find a free port on 127.0.0.1');
  return port;
}

export interface ServerLaunch {
  runtime: Runtime;
  /** The server's entry: dist/server/index.js, or server/src/index.ts (Bun only). */
  entry: string;
  /** DATA_DIR, PORT, PGLITE_PACKAGE_DIR… on top of a clean environment. */
  env: Record<string, string>;
  /** Each line the server logs (JSON lines, secrets already masked by the server). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** The environment of a server child: the extension host's, without what would redirect the server. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(DATABASE_URL|REDIS_URL|MONGODB_URL|ENCRYPTION_KEY|JWT_SECRET|NODE_OPTIONS|npm_)/i.test(key)),
  );
  return { ...base, ELECTRON_RUN_AS_NODE: '1', NODE_ENV: 'development', HOST: '127.0.0.1', ...env };
}

function argsFor(launch: ServerLaunch, extra: string[]): string[] {
  return launch.runtime.name === 'bun' && launch.entry.endsWith('.ts') ? ['run', launch.entry, ...extra] : [launch.entry, ...extra];
}

function pipeLines(child: ChildProcess, onLine: ServerLaunch['onLine'], keep: string[]): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    let buffered = '';
    child[stream]?.setEncoding('utf8');
    child[stream]?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        keep.push(line);
        if (keep.length > 40) keep.shift();
        onLine?.(line, stream);
      }
    });
  }
}

/** The server's own words when it gave up: the `message` of its last JSON error line, else the last lines. */
export function lastWords(lines: string[]): string {
  for (const line of [...lines].reverse()) {
    try {
      const parsed = JSON.parse(line) as { level?: string; message?: string };
      if (parsed.level === 'error' && parsed.message) return parsed.message;
    } catch {
      /* not JSON */
    }
  }
  return lines.slice(-5).join(' | ') || '(it printed nothing)';
}

export interface RunningServer {
  url: string;
  pid: number;
  runtime: Runtime;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts the server and waits until `GET /health` answers (or it exits, or `signal` aborts). */
export async function startServer(launch: ServerLaunch & { port: number; readyTimeoutMs?: number; signal?: AbortSignal }): Promise<RunningServer> {
  const url = `http://127.0.0.1:${launch.port}`;
  const child = spawn(launch.runtime.command, argsFor(launch, ['serve', '--until-stdin-closes']), {
    env: childEnv({ ...launch.env, PORT: String(launch.port) }),
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const lines: string[] = [];
  pipeLines(child, launch.onLine, lines);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      lines.push(error.message);
      resolve(127);
    });
    child.once('exit', (code) => resolve(code));
  });
  let done: number | null | undefined;
  void exited.then((code) => (done = code));
  const stop = async () => {
    if (done !== undefined) return;
    child.kill('SIGTERM');
    const bound = new Promise((resolve) => setTimeout(resolve, 12_000));
    await Promise.race([exited, bound]);
    if (done === undefined) child.kill('SIGKILL');
  };
  const deadline = Date.now() + (launch.readyTimeoutMs ?? 180_000);
  for (;;) {
    if (done !== undefined) throw new Error(`the platform server (${launch.runtime.name}) exited with code ${done} before it was ready: ${lastWords(lines)}`);
    if (launch.signal?.aborted) {
      await stop();
      throw launch.signal.reason ?? new Error('cancelled');
    }
    const healthy = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the platform server did not answer ${url}/health within ${(launch.readyTimeoutMs ?? 180_000) / 1000} s: ${lastWords(lines)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return { url, pid: child.pid!, runtime: launch.runtime, exited, stop };
}

/** Runs one administration command (`demo`) against the data folder; through the running server when it holds it. */
export async function runAdminCommand(launch: ServerLaunch, args: string[], timeoutMs = 180_000): Promise<Record<string, unknown>> {
  const child = spawn(launch.runtime.command, argsFor(launch, args), { env: childEnv(launch.env), stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  let stdout = '';
  const lines: string[] = [];
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => (stdout += chunk));
  pipeLines({ stderr: child.stderr } as ChildProcess, launch.onLine, lines);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      lines.push(error.message);
      resolve(127);
    });
    child.once('close', (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  if (code !== 0) throw new Error(`\`${args.join(' ')}\` failed (exit ${code}): ${lastWords(lines)}`);
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`\`${args.join(' ')}\` printed no JSON line`);
  }
}

/** The server holding the data folder, when a live one does (another VS Code window started it). */
export function liveHolder(dataDir: string): { pid: number } | undefined {
  try {
    const holder = JSON.parse(readFileSync(join(dataDir, 'ogelbase.lock'), 'utf8')) as { pid: number; role: string; admin?: unknown };
    if (holder.role !== 'server' || !holder.admin) return undefined;
    process.kill(holder.pid, 0);
    return { pid: holder.pid };
  } catch {
    return undefined;
  }
}

export const serverEntryIn = (extensionPath: string) => {
  const source = join(extensionPath, 'server', 'src', 'index.ts');
  const bundle = join(extensionPath, 'dist', 'server', 'index.js');
  return { source: existsSync(source) ? source : undefined, bundle: existsSync(bundle) ? bundle : undefined };
};
