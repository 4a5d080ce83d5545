import { chmodSync, chownSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports';
import { isAlive, requireBinary, run, startDetached, stopPid } from './processes';

export interface PostgresService {
  /** `postgresql://postgres:<password>@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  readonly pid: number | undefined;
  /** The server's own log (every statement is logged: the leak scan reads it). */
  readonly logFile: string;
  /** Stops the server (fast shutdown) and keeps its data, so `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/** Debian's server binaries live in /usr/lib/postgresql/<major>/bin; take the newest. */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    : [];
  const dir = majors[0] ? join(root, majors[0], 'bin') : undefined;
  return dir ?? requireBinary('initdb', 'postgresql').replace(/\/initdb$/, '');
}

/** initdb and postgres refuse to run as root: run them as the `postgres` user that Debian's package creates. */
function asServerUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root but there is no `postgres` user: install it with `apt-get install -y postgresql`');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Starts a private PostgreSQL cluster in a temporary folder on a free loopback port, with password
 * (SCRAM) authentication so that tests carry a real secret they can check for leaks.
 */
export async function startPostgres(options: { password?: string; port?: number; tls?: { cert: string; key: string }; durableCommits?: boolean } = {}): Promise<PostgresService & { useCertificate(pair: { cert: string; key: string }): Promise<void> }> {
  const bin = postgresBinDir();
  const owner = asServerUser();
  const root = mkdtempSync(join(tmpdir(), 'ogelbase-pg-'));
  const dataDir = join(root, 'data');
  const password = options.password ?? `pg-${Math.random().toString(36).slice(2, 12)}`;
  const port = options.port ?? (await freePort());
  const pwfile = join(root, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    chownSync(root, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  chmodSync(root, 0o700);
  const spawnAs = owner ? { uid: owner.uid, gid: owner.gid } : {};
  run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-instructions'], {
    ...spawnAs,
    env: { ...process.env, LC_ALL: 'C.UTF-8' },
  });
  rmSync(pwfile);

  // TLS: the server reads its key only when the server user owns it and nobody else can read it.
  const installCertificate = (pair: { cert: string; key: string }) => {
    for (const [from, to] of [[pair.cert, 'server.crt'], [pair.key, 'server.key']] as const) {
      writeFileSync(join(root, to), readFileSync(from), { mode: 0o600 });
      if (owner) chownSync(join(root, to), owner.uid, owner.gid);
    }
  };
  if (options.tls) installCertificate(options.tls);
  const tlsArgs = options.tls ? ['-c', 'ssl=on', '-c', `ssl_cert_file=${join(root, 'server.crt')}`, '-c', `ssl_key_file=${join(root, 'server.key')}`] : [];

  let pid: number | undefined;
  const start = async (): Promise<void> => {
    // fsync off and a small shared_buffers: throwaway data, fast start on a 2-core machine. Commits are
    // asynchronous unless `durableCommits` (a test that kills the server and counts rows needs them).
    pid = startDetached(
      join(bin, 'postgres'),
      ['-D', dataDir, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', `synchronous_commit=${options.durableCommits ? 'on' : 'off'}`, '-c', 'full_page_writes=off', '-c', 'max_connections=200', '-c', `logging_collector=off`, '-c', 'log_statement=all', ...tlsArgs],
      { ...spawnAs, stdio: ['ignore', 'ignore', openSync(join(root, 'postgres.log'), 'a')] },
    );
    const deadline = Date.now() + 30_000;
    while (!existsSync(join(root, `.s.PGSQL.${port}`)) || !isReady(bin, root, port, spawnAs)) {
      if (!isAlive(pid)) throw new Error(`postgres exited at start (port ${port}): ${readFileSync(join(root, 'postgres.log'), 'utf8').trim().split('\n').slice(-3).join(' | ')}`);
      if (Date.now() > deadline) throw new Error(`postgres did not start within 30 s on port ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async (): Promise<void> => {
    if (pid !== undefined) await stopPid(pid, { signal: 'SIGINT', timeoutMs: 20_000 });
    pid = undefined;
  };
  await start();
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    password,
    logFile: join(root, 'postgres.log'),
    get pid() {
      return pid;
    },
    stop,
    start,
    destroy: async () => {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
    useCertificate: async (pair) => {
      await stop();
      installCertificate(pair);
      await start();
    },
  };
}

function isReady(bin: string, socketDir: string, port: number, spawnAs: object): boolean {
  try {
    run(join(bin, 'pg_isready'), ['-q', '-h', socketDir, '-p', String(port)], spawnAs);
    return true;
  } catch {
    return false;
  }
}

export interface TestDatabase {
  /** The admin URL with this database as its path. */
  url: string;
  name: string;
  /** Drops it, even while pools (the platform's, the extension's) still hold connections. */
  drop(): Promise<void>;
}

/** A fresh, empty database on the server `adminUrl` points to, named `<prefix>_<random>`. */
export async function createTestDatabase(adminUrl: string, prefix = 'test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const asAdmin = async (sql: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(sql);
    } finally {
      await admin.end();
    }
  };
  await asAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => asAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
