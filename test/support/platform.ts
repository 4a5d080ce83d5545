import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './services/ports';
import { createTestDatabase } from './services/postgres';
import { recordPid, stopPid } from './services/processes';
import { registerSecret } from './secrets';

/** The repository root, wherever this module was bundled to (out/test/…) or run from (test/support). */
const root = resolve(process.env.OGELBASE_TEST_REPO_ROOT ?? join(__dirname, __dirname.includes(`${join('out', 'test')}`) ? '../../..' : '../..'));
const bun = join(root, 'node_modules', '.bin', 'bun');

export interface PlatformService {
  url: string;
  /** A personal API token of the demo owner. */
  token: string;
  organization: string;
  projectRef: string;
  email: string;
  readonly pid: number | undefined;
  /** Stops the server (graceful) and keeps its data: `start()` brings it back on the same URL. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
  /** Runs an administration command (`token create …`) against this platform's data; returns its JSON line. */
  command(args: string[]): Record<string, unknown>;
}


/**
 * Starts the companion server (`bun run server/src/index.ts`) on a free loopback port with its own
 * data: a fresh database on `databaseUrl`'s server when given (fast), else the embedded PGlite.
 * Seeds the demo organization, project and token. Logs go to the results folder (leak-scanned).
 */
export async function startPlatform(options: { databaseUrl?: string; env?: Record<string, string> } = {}): Promise<PlatformService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ogelbase-platform-'));
  const port = await freePort();
  const encryptionKey = randomBytes(32).toString('hex');
  registerSecret(encryptionKey);
  const env: Record<string, string> = {
    ...(Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|REDIS_URL|MONGODB_URL|ENCRYPTION_KEY|JWT_SECRET|npm_)/.test(k))) as Record<string, string>),
    DATA_DIR: dataDir,
    ENCRYPTION_KEY: encryptionKey,
    PORT: String(port),
    HOST: '127.0.0.1',
    HEALTH_CHECK_INTERVAL: '0',
    HEALTH_CHECK_TIMEOUT: '1500',
    ...(options.databaseUrl ? { DATABASE_URL: (await createTestDatabase(options.databaseUrl, 'platform')).url } : {}),
    ...options.env,
  };
  const resultsDir = process.env.OGELBASE_RESULTS_DIR ?? join(root, 'test-results');
  mkdirSync(join(resultsDir, 'platform-logs'), { recursive: true });
  const logFile = join(resultsDir, 'platform-logs', `platform-${port}.log`);

  const command = (args: string[]): Record<string, unknown> => {
    const result = spawnSync(bun, ['run', 'src/index.ts', ...args], { cwd: join(root, 'server'), env, encoding: 'utf8' });
    appendFileSync(logFile, result.stderr ?? '');
    if (result.status !== 0) throw new Error(`server command ${args.join(' ')} failed: ${(result.stderr ?? '').slice(-500)}`);
    return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  };
  const demo = command(['demo']);
  const token = String(demo.token);
  registerSecret(token);

  let pid: number | undefined;
  const url = `http://127.0.0.1:${port}`;
  const start = async () => {
    const log = openSync(logFile, 'a');
    const child = spawn(bun, ['run', 'src/index.ts'], { cwd: join(root, 'server'), env, stdio: ['ignore', log, log], detached: true });
    child.unref();
    pid = child.pid;
    if (pid !== undefined) recordPid(pid);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`${url}/health`)).ok) return;
      } catch {
        /* not listening yet */
      }
      if (child.exitCode !== null) throw new Error(`the platform server exited with code ${child.exitCode}; see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`the platform server did not answer on ${url} within 60 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    if (pid !== undefined) await stopPid(pid, { signal: 'SIGTERM', timeoutMs: 15_000 });
    pid = undefined;
  };
  await start();
  return {
    url,
    token,
    organization: String(demo.organization),
    projectRef: String(demo.projectRef),
    email: String(demo.email),
    get pid() {
      return pid;
    },
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    command,
  };
}
