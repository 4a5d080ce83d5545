/**
 * `npm start` (after scripts/start.mjs has checked Node and the install): the platform on its
 * embedded PGlite, the demo organization, project and token, demo databases with sample data, and
 * VS Code in the browser (code-server) with the freshly packaged extension, signed in. Everything
 * lives in one data folder (`.ogelbase-start/` in the repository, or OGELBASE_START_DIR), reused by
 * the next run. Ctrl-C stops what this run started, and only that.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isAlive as isHolderAlive, readHolder } from '../../server/src/db/data-dir-lock';
import { PlatformClient } from '../../src/core/api/client';
import { freePort } from '../../test/support/services/ports';
import { isAlive, stopPid } from '../../test/support/services/processes';
import { registerDatabases, seedMongo, seedPostgres, seedRedis, type DemoDatabase } from './demo-data';
import { startGateway } from './gateway';
import { postgresBinDir, postgresCanReach, spawned, startPgliteWire, startPostgres, startRedis, type Started } from './services';
import { startVsCode } from './vscode';

const root = resolve(__dirname, '..', '..');
const say = (line: string) => console.log(`[start] ${line}`);

const { values: flags } = parseArgs({ options: { 'server-only': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
if (flags.help) {
  console.log('usage: npm start [-- --server-only]\n  environment: PORT (platform, default 3001), OGELBASE_VSCODE_PORT, OGELBASE_START_DIR, MONGODB_URL, OGELBASE_START_PGLITE=1');
  process.exit(0);
}

/** Ports, passwords and the token of earlier runs (owner-only), so a second run finds everything again. */
interface State {
  postgres?: { port: number; password: string; kind: 'machine' | 'pglite' };
  redis?: { port: number; password: string };
  token?: string;
  vscodePort?: number;
}

const dataDir = resolve(process.env.OGELBASE_START_DIR ?? join(root, '.ogelbase-start'));
const stateFile = join(dataDir, 'state.json');
const logs = join(dataDir, 'logs');

function readState(): State {
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8')) as State;
  } catch {
    return {};
  }
}
const saveState = (state: State) => writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
const secret = () => randomBytes(18).toString('base64url');

const portIsFree = (port: number) =>
  new Promise<boolean>((ok) => {
    const probe = createServer();
    probe.once('error', () => ok(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => ok(true)));
  });

/** A port we used before when it is free again, else a new free one. */
async function portFor(previous: number | undefined): Promise<number> {
  if (previous && (await portIsFree(previous))) return previous;
  return freePort();
}

/** What to stop on the way out, newest first. */
const stops: { name: string; stop: () => Promise<void> }[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  if (stops.length > 0) say('stopping what npm start started ...');
  for (const { name, stop } of stops.reverse()) {
    await stop().catch((error: Error) => say(`could not stop ${name}: ${error.message}`));
    say(`  stopped ${name}`);
  }
  // Anything spawned but not yet handed over (Ctrl-C during a start): its whole process group.
  for (const pid of spawned) if (isAlive(pid)) await stopPid(pid, { signal: 'SIGTERM', group: true, timeoutMs: 15_000 });
  if (stops.length > 0) say(`stopped; the data stays in ${dataDir} for the next npm start`);
  process.exit(code);
}

/** The platform server (Bun, as `npm run server`), its data in <data>/platform; stops when our standard input pipe closes. */
async function startPlatform(port: number): Promise<{ url: string; child: ChildProcess; env: NodeJS.ProcessEnv }> {
  const bun = join(root, 'node_modules', '.bin', 'bun');
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|REDIS_URL|ENCRYPTION_KEY|JWT_SECRET|npm_|INIT_CWD)/.test(k))),
    DATA_DIR: join(dataDir, 'platform'),
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  const log = join(logs, 'platform.log');
  const out = openSync(log, 'a');
  const child = spawn(bun, ['run', 'src/index.ts', '--until-stdin-closes'], { cwd: join(root, 'server'), env, detached: true, stdio: ['pipe', out, out] });
  if (child.pid) spawned.add(child.pid);
  const url = `http://127.0.0.1:${port}`;
  let exitCode: number | null = null;
  child.once('exit', (code) => (exitCode = code ?? 1));
  stops.push({
    name: `the platform server (pid ${child.pid})`,
    stop: async () => {
      child.stdin?.end();
      if (child.pid) await stopPid(child.pid, { signal: 'SIGTERM', timeoutMs: 15_000 });
    },
  });
  for (const deadline = Date.now() + 120_000; ; ) {
    if (exitCode !== null) {
      const lines = readFileSync(log, 'utf8').trim().split('\n').slice(-3);
      const last = lines.map((l) => (l.startsWith('{') ? String((JSON.parse(l) as { message?: string }).message) : l)).at(-1);
      throw new Error(`the platform server stopped at start: ${last} (full log: ${log})`);
    }
    if (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`the platform server did not answer ${url}/health within 120 s (log: ${log})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // A platform that dies under us ends the run (and takes the rest along).
  child.once('exit', (code) => {
    if (stopping) return;
    say(`the platform server stopped unexpectedly (code ${code}); see ${log}`);
    void stopAll(1);
  });
  return { url, child, env };
}

/** The token of an earlier run while the platform still accepts it, else a fresh one from `demo` (idempotent). */
async function demoToken(url: string, env: NodeJS.ProcessEnv, state: State): Promise<{ token: string; projectRef: string; organization: string }> {
  if (state.token) {
    const client = new PlatformClient({ url, token: state.token });
    const orgs = await client.organizations().catch(() => undefined);
    if (orgs?.some((o) => o.slug === 'demo')) return { token: state.token, projectRef: 'demo-project', organization: 'demo' };
  }
  const bun = join(root, 'node_modules', '.bin', 'bun');
  const result = spawnSync(bun, ['run', 'src/index.ts', 'demo'], { cwd: join(root, 'server'), env, encoding: 'utf8', timeout: 90_000 });
  if (result.status !== 0) throw new Error(`creating the demo organization failed: ${(result.stderr || result.stdout).trim().slice(-600)}`);
  const demo = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { token: string; projectRef: string; organization: string };
  state.token = demo.token;
  saveState(state);
  return demo;
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  // Others may pass through (the `postgres` user, when root runs npm start, reaches its own folder
  // inside) but not list it; every secret inside is in an owner-only file or folder.
  chmodSync(dataDir, 0o711);
  const state = readState();
  say(`data folder: ${dataDir}${existsSync(join(dataDir, 'platform')) ? ' (reused from an earlier run)' : ''}`);

  // 1. The platform. PORT picks its port (default 3001, as `npm run server`).
  const platformPort = Number(process.env.PORT ?? 3001);
  const holder = readHolder(join(dataDir, 'platform'));
  if (holder && isHolderAlive(holder)) {
    throw new Error(`another npm start (or a server on this data, pid ${holder.pid}, since ${holder.since}) is already running on ${dataDir}: use that one (its terminal printed the URL), or stop it with Ctrl-C first`);
  }
  if (!(await portIsFree(platformPort))) {
    throw new Error(`port ${platformPort} on 127.0.0.1 is already in use by another program (an \`npm run server\`?): stop it, or start on another port with PORT=${platformPort + 1} npm start`);
  }
  say(`starting the platform server on http://127.0.0.1:${platformPort} (embedded PGlite in ${join(dataDir, 'platform')}) ...`);
  const platform = await startPlatform(platformPort);
  const demo = await demoToken(platform.url, platform.env, state);
  say(`platform ready: organization "${demo.organization}", project "${demo.projectRef}"`);

  // 2. The demo databases.
  const wanted: DemoDatabase[] = [];
  const keep = (service: Started, name: string) => stops.push({ name: `${name} (pid ${service.pid})`, stop: service.stop });
  let bin = process.env.OGELBASE_START_PGLITE === '1' ? undefined : postgresBinDir();
  if (bin && !postgresCanReach(dataDir)) {
    say(`PostgreSQL: ${bin} is installed, but its server (run as the postgres user, since you are root) cannot reach ${dataDir}: a folder above it is closed to other users. Using the embedded PGlite instead (or move the checkout, or set OGELBASE_START_DIR to a folder others may traverse).`);
    bin = undefined;
  }
  const kind: 'machine' | 'pglite' = bin ? 'machine' : 'pglite';
  const pgState = state.postgres?.kind === kind ? state.postgres : { port: 0, password: secret(), kind };
  pgState.port = await portFor(pgState.port);
  state.postgres = pgState;
  saveState(state);
  say(bin ? `starting PostgreSQL from ${bin} ...` : `${process.env.OGELBASE_START_PGLITE === '1' ? 'OGELBASE_START_PGLITE=1' : 'no PostgreSQL server binaries on this machine'}: starting an embedded PGlite served over the PostgreSQL wire protocol ...`);
  const postgres = bin ? await startPostgres(bin, join(dataDir, 'postgres'), pgState.port, pgState.password) : await startPgliteWire(root, join(dataDir, 'pglite'), pgState.port);
  keep(postgres, 'PostgreSQL');
  say(`  ${postgres.label}`);
  say(`  sample data: ${await seedPostgres(postgres.url)}`);
  wanted.push({ name: 'shop-postgres', type: 'postgres', connectionString: postgres.url, description: 'Demo shop: customers, products, orders' });

  const redisState = state.redis ?? { port: 0, password: secret() };
  redisState.port = await portFor(redisState.port);
  state.redis = redisState;
  saveState(state);
  const redis = await startRedis(join(dataDir, 'redis'), redisState.port, redisState.password);
  if (redis) {
    keep(redis, 'Redis');
    say(`  ${redis.label}`);
    say(`  sample data: ${await seedRedis(redis.url)}`);
    wanted.push({ name: 'shop-redis', type: 'redis', connectionString: redis.url, description: 'Demo shop: sessions, users, queues, leaderboard, events' });
  } else {
    say('Redis: redis-server is not installed, so the demo has no Redis database (install it with `sudo apt-get install redis-server` or `brew install redis`, then npm start again)');
  }

  if (process.env.MONGODB_URL) {
    const mongo = await seedMongo(process.env.MONGODB_URL);
    say(`  MongoDB (MONGODB_URL): ${mongo.summary}`);
    wanted.push({ name: 'shop-mongodb', type: 'mongodb', connectionString: mongo.url, description: 'Demo shop: product catalog' });
  } else {
    say('MongoDB: no MONGODB_URL, so the demo has no MongoDB database (set MONGODB_URL=mongodb://… to a MongoDB you run, then npm start again)');
  }
  const client = new PlatformClient({ url: platform.url, token: demo.token });
  await registerDatabases(client, demo.projectRef, wanted);
  say(`registered ${wanted.map((d) => d.name).join(', ')} in project "${demo.projectRef}"`);

  if (flags['server-only']) {
    say('');
    say(`the platform runs on ${platform.url}   (${Math.round((Date.now() - started) / 1000)} s)`);
    say(`token: ${demo.token}`);
    say('In desktop VS Code (F5 in this repository, or the installed .vsix): "OgelBase: Sign In", give that URL and token.');
    say('Ctrl-C stops it.');
    return;
  }

  // 3. VS Code in the browser, signed in.
  const vscodePort = await portFor(Number(process.env.OGELBASE_VSCODE_PORT ?? 0) || state.vscodePort);
  state.vscodePort = vscodePort;
  saveState(state);
  const vscode = await startVsCode({ root, dataDir, platformUrl: platform.url, token: demo.token, say });
  stops.push({ name: `code-server (pid ${vscode.pid})`, stop: vscode.stop });
  const gateway = await startGateway({ socket: vscode.socket, port: vscodePort });
  stops.push({ name: 'the token gateway', stop: gateway.close });
  say('');
  say(`ready in ${Math.round((Date.now() - started) / 1000)} s. Open VS Code in your browser (this URL carries its password; loopback only):`);
  say('');
  console.log(`    ${gateway.url({ folder: root })}`);
  say('');
  say(`platform API: ${platform.url} (OpenAPI: ${platform.url}/api/platform/openapi.json). Ctrl-C stops everything npm start started.`);
  // A process that dies under us ends the run (and takes the rest along).
  void vscode.exited.then((code) => {
    if (!stopping) {
      say(`code-server exited (code ${code}); see ${join(dataDir, 'vscode', 'code-server.log')}`);
      void stopAll(1);
    }
  });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));
// npm (our parent) gone without a signal reaching us (its terminal closed, it was killed): stop too.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && void stopAll(1), 1_000).unref();
// A closed terminal must not crash the shutdown with EPIPE on its way out.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
main().catch((error: unknown) => {
  console.error(`[start] ERROR: ${error instanceof Error ? error.message : String(error)}`);
  void stopAll(1);
});
