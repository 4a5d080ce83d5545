/**
 * The demo databases `npm start` runs, each kept in a folder of the data directory so a second run
 * finds its data again: PostgreSQL (the machine's server binaries, else an embedded PGlite served
 * over the wire protocol) and Redis (when redis-server is installed). Every process is started in
 * its own process group and stopped by its PID.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { redisCommand } from '../../test/support/services/redis';
import { isAlive, stopPid } from '../../test/support/services/processes';

export interface Started {
  /** What it is, for the progress lines: "PostgreSQL 15.10 (the machine's)". */
  label: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const onPath = (name: string, extra: string[] = []): string | undefined => {
  for (const dir of [...extra, ...(process.env.PATH ?? '').split(':')]) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
};

/**
 * Every process group this run started, recorded the moment it is spawned: a Ctrl-C that comes
 * while a service is still starting (before it is handed to the caller) stops it as well.
 */
export const spawned = new Set<number>();

/** Starts a long-running program in its own process group (Ctrl-C in the terminal reaches only us; we stop it). */
export function startGroup(command: string, args: string[], options: SpawnOptions & { log: string }): ChildProcess {
  const out = openSync(options.log, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out], ...options });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  spawned.add(child.pid);
  return child;
}

const tail = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n  ') : '(no log)');

/** Debian's server binaries (/usr/lib/postgresql/<major>/bin), else initdb on PATH; undefined when there are none. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors[0]) return join(root, majors[0], 'bin');
  const initdb = onPath('initdb');
  return initdb && existsSync(join(initdb, '..', 'postgres')) ? join(initdb, '..') : undefined;
}

/** initdb and postgres refuse to run as root: as root, they run as the `postgres` user Debian's package creates. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, and PostgreSQL refuses to run as root: create a `postgres` user (`apt-get install -y postgresql` does), or run npm start as an ordinary user');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Whether the PostgreSQL server can reach `dir`: as root it runs as `postgres`, which needs every
 * folder above `dir` to be traversable (a clone inside /root, or a 0700 temporary folder, is not).
 */
export function postgresCanReach(dir: string): boolean {
  let owner;
  try {
    owner = serverUser();
  } catch {
    return false;
  }
  if (!owner) return true;
  return spawnSync('test', ['-x', dir], { uid: owner.uid, gid: owner.gid }).status === 0;
}

/** A PostgreSQL cluster of the machine's binaries in `dir` (made by initdb the first time), password auth, loopback only. */
export async function startPostgres(bin: string, dir: string, port: number, password: string): Promise<Started> {
  const owner = serverUser();
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const data = join(dir, 'data');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    const pwfile = join(dir, 'pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(pwfile, owner.uid, owner.gid);
    const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-instructions'], { ...as, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    spawnSync('rm', ['-f', pwfile]);
    if (init.status !== 0) throw new Error(`initdb failed in ${data}: ${(init.stderr || init.stdout).trim().slice(-800)}`);
  }
  const log = join(dir, 'postgres.log');
  if (!existsSync(log)) writeFileSync(log, '');
  if (owner) chownSync(log, owner.uid, owner.gid);
  const child = startGroup(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=100'], { ...as, log });
  const pid = child.pid!;
  for (const deadline = Date.now() + 30_000; ; ) {
    if (spawnSync(join(bin, 'pg_isready'), ['-q', '-h', dir, '-p', String(port)], as).status === 0) break;
    if (!isAlive(pid)) throw new Error(`PostgreSQL stopped at start (port ${port}); ${log} ends with:\n  ${tail(log)}`);
    if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 30 s (port ${port}); see ${log}`);
    await sleep(100);
  }
  const version = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^postgres \(PostgreSQL\) /, '');
  return {
    label: `PostgreSQL ${version} (this machine's server, data in ${data})`,
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/shop`,
    pid,
    stop: () => stopPid(pid, { signal: 'SIGINT', timeoutMs: 20_000 }),
  };
}

/** PGlite over the PostgreSQL wire protocol (scripts/pglite-wire): one database, `postgres`. */
export async function startPgliteWire(root: string, dir: string, port: number): Promise<Started> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = join(dir, '..', 'pglite-wire.log');
  const out = openSync(log, 'a');
  // Standard input is a pipe: if npm start dies without a word, the server stops when it closes.
  const child = spawn(process.execPath, [join(root, 'scripts', 'pglite-wire', 'serve.mjs'), '--data', dir, '--port', String(port)], { detached: true, stdio: ['pipe', 'pipe', out] });
  const pid = child.pid!;
  spawned.add(pid);
  const version = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`the embedded PostgreSQL (PGlite) did not start within 120 s; see ${log}`)), 120_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(String((JSON.parse(line) as { postgres: string }).postgres));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the embedded PostgreSQL (PGlite) exited with code ${code} at start; ${log} ends with:\n  ${tail(log)}`));
    });
  });
  return {
    label: `PostgreSQL ${version} as embedded PGlite over the wire (data in ${dir})`,
    // PGlite's socket server takes any password; the platform still stores one, as for any database.
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
    pid,
    stop: async () => {
      child.stdin?.end();
      await stopPid(pid, { signal: 'SIGTERM', timeoutMs: 15_000 });
    },
  };
}

/** redis-server with its data (RDB snapshots) in `dir`, a password, loopback only; undefined when not installed. */
export async function startRedis(dir: string, port: number, password: string): Promise<Started | undefined> {
  const binary = onPath('redis-server', ['/usr/bin', '/usr/local/bin']);
  if (!binary) return undefined;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const conf = join(dir, 'redis.conf');
  writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `requirepass ${password}`, `dir ${dir}`, 'dbfilename dump.rdb', 'save 60 1', 'appendonly no', 'daemonize no', ''].join('\n'), { mode: 0o600 });
  const log = join(dir, 'redis.log');
  const child = startGroup(binary, [conf], { log });
  const pid = child.pid!;
  for (const deadline = Date.now() + 15_000; ; ) {
    if ((await redisCommand(port, password, 'PING')) === '+PONG') break;
    if (!isAlive(pid)) throw new Error(`redis-server stopped at start (port ${port}); ${log} ends with:\n  ${tail(log)}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not answer within 15 s (port ${port}); see ${log}`);
    await sleep(50);
  }
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.match(/v=(\S+)/)?.[1] ?? '';
  return {
    label: `Redis ${version} (data in ${dir})`,
    url: `redis://default:${encodeURIComponent(password)}@127.0.0.1:${port}/0`,
    pid,
    // SIGTERM: redis-server saves its snapshot, then exits.
    stop: () => stopPid(pid, { signal: 'SIGTERM', timeoutMs: 15_000 }),
  };
}
