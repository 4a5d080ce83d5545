import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { isAlive, requireBinary, run, startDetached, stopPid } from './processes';

export interface RedisService {
  /** `redis://default:<password>@127.0.0.1:<port>/0` */
  readonly url: string;
  readonly port: number;
  readonly password: string;
  readonly pid: number | undefined;
  /** The server's own log. */
  readonly logFile: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export interface RedisClusterService {
  /** Seed nodes as `host:port`; every node is a master. */
  readonly nodes: string[];
  readonly password: string;
  /** PIDs of every process, for a last-resort kill when the harness itself dies. */
  pids(): number[];
  /** Every node's log. */
  logFiles(): string[];
  destroy(): Promise<void>;
}

export interface RedisSentinelService {
  readonly masterName: string;
  /** Sentinels as `host:port`. */
  readonly sentinels: string[];
  readonly password: string;
  readonly master: RedisService;
  pids(): number[];
  /** The master's and every Sentinel's log. */
  logFiles(): string[];
  destroy(): Promise<void>;
}

const randomPassword = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 12)}`;

/** Sends one inline command and resolves with the first reply line, or undefined when nothing answers. */
export async function redisCommand(port: number, password: string | undefined, command: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let buffer = '';
    const expected = password ? 2 : 1;
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', () => resolve(undefined));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\r\n').filter(Boolean);
      if (lines.length >= expected) {
        socket.destroy();
        resolve(lines[expected - 1]);
      }
    });
    socket.once('connect', () => socket.write(`${password ? `AUTH ${password}\r\n` : ''}${command}\r\n`));
  });
}

async function waitForPong(port: number, password: string | undefined, pid: number, logTail?: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if ((await redisCommand(port, password, 'PING')) === '+PONG') return;
    if (!isAlive(pid)) throw new Error(`redis-server exited at start (port ${port})${logTail ? `: ${logTail()}` : ''}`);
    if (Date.now() > deadline) throw new Error(`redis-server did not answer PING within 15 s on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * One redis-server in a temporary folder, configured through a file so no password sits on a command
 * line. A port picked here can be taken by another process before the server binds it (several test
 * runs share the machine): a server that exits at once is started again on another port.
 */
async function startRedisProcess(extraConfig: string[], options: { password: string; port?: number }): Promise<RedisService> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRedisProcessOnce(extraConfig, options);
    } catch (error) {
      if (options.port !== undefined || attempt >= 3 || !/exited at start/.test((error as Error).message)) throw error;
    }
  }
}

/** A free port for a Redis node; a Cluster node also needs port + 10000 (its bus) to be a valid, free port. */
async function redisPort(cluster: boolean): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!cluster || port + 10_000 <= 65_535) return port;
  }
}

async function startRedisProcessOnce(extraConfig: string[], options: { password: string; port?: number }): Promise<RedisService> {
  const binary = requireBinary('redis-server', 'redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'ogelbase-redis-'));
  const port = options.port ?? (await redisPort(extraConfig.includes('cluster-enabled yes')));
  const configFile = join(dir, 'redis.conf');
  writeFileSync(
    configFile,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'save ""',
      'appendonly no',
      `dir ${dir}`,
      `requirepass ${options.password}`,
      `masterauth ${options.password}`,
      'loglevel warning',
      `logfile ${join(dir, 'redis.log')}`,
      ...extraConfig,
    ].join('\n'),
    { mode: 0o600 },
  );
  let pid: number | undefined;
  const start = async () => {
    pid = startDetached(binary, [configFile]);
    const log = join(dir, 'redis.log');
    await waitForPong(port, options.password, pid, () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ') : ''));
  };
  const stop = async () => {
    if (pid !== undefined) await stopPid(pid, { signal: 'SIGTERM' });
    pid = undefined;
  };
  await start();
  return {
    url: `redis://default:${encodeURIComponent(options.password)}@127.0.0.1:${port}/0`,
    port,
    password: options.password,
    logFile: join(dir, 'redis.log'),
    get pid() {
      return pid;
    },
    start,
    stop,
    destroy: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `debug: true` allows DEBUG from loopback (DEBUG POPULATE fills a million keys in a second). */
export async function startRedis(options: { password?: string; port?: number; debug?: boolean } = {}): Promise<RedisService> {
  return startRedisProcess(options.debug ? ['enable-debug-command local'] : [], { password: options.password ?? randomPassword('redis'), port: options.port });
}

/** A cluster of `masters` master nodes (no replicas), created with `redis-cli --cluster create`. */
export async function startRedisCluster(options: { masters?: number; password?: string } = {}): Promise<RedisClusterService> {
  const password = options.password ?? randomPassword('cluster');
  const count = options.masters ?? 3;
  const nodes: RedisService[] = [];
  try {
    for (let i = 0; i < count; i++) {
      nodes.push(await startRedisProcess(['cluster-enabled yes', 'cluster-config-file nodes.conf', 'cluster-node-timeout 5000'], { password }));
    }
    const cli = requireBinary('redis-cli', 'redis-tools');
    run(cli, ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], {
      // REDISCLI_AUTH keeps the password off the command line.
      env: { ...process.env, REDISCLI_AUTH: password },
    });
    const deadline = Date.now() + 20_000;
    for (const node of nodes) {
      while (!((await redisCommand(node.port, password, 'CLUSTER INFO')) ?? '').startsWith('$')) {
        if (Date.now() > deadline) throw new Error('redis cluster did not answer CLUSTER INFO');
        await new Promise((r) => setTimeout(r, 100));
      }
      while (!(await clusterStateOk(node.port, password))) {
        if (Date.now() > deadline) throw new Error(`redis cluster node ${node.port} did not reach cluster_state:ok within 20 s`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await Promise.all(nodes.map((n) => n.destroy()));
    throw error;
  }
  return {
    nodes: nodes.map((n) => `127.0.0.1:${n.port}`),
    password,
    pids: () => nodes.flatMap((n) => (n.pid === undefined ? [] : [n.pid])),
    logFiles: () => nodes.map((n) => n.logFile),
    destroy: async () => {
      await Promise.all(nodes.map((n) => n.destroy()));
    },
  };
}

async function clusterStateOk(port: number, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let buffer = '';
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('cluster_state:')) {
        socket.destroy();
        resolve(buffer.includes('cluster_state:ok'));
      }
    });
    socket.once('connect', () => socket.write(`AUTH ${password}\r\nCLUSTER INFO\r\n`));
  });
}

/** A master and `sentinels` Sentinel processes monitoring it under `masterName`. */
export async function startRedisSentinel(options: { sentinels?: number; password?: string; masterName?: string } = {}): Promise<RedisSentinelService> {
  const password = options.password ?? randomPassword('sentinel');
  const masterName = options.masterName ?? 'ogelbase-master';
  const master = await startRedisProcess([], { password });
  const binary = requireBinary('redis-server', 'redis-server');
  const sentinels: { port: number; pid: number; dir: string }[] = [];
  try {
    for (let i = 0; i < (options.sentinels ?? 1); i++) {
      const dir = mkdtempSync(join(tmpdir(), 'ogelbase-sentinel-'));
      const port = await freePort();
      const configFile = join(dir, 'sentinel.conf');
      // Sentinel rewrites its configuration file at run time, so it lives in a folder of its own.
      writeFileSync(
        configFile,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `logfile ${join(dir, 'sentinel.log')}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
          `sentinel auth-pass ${masterName} ${password}`,
          `sentinel down-after-milliseconds ${masterName} 5000`,
        ].join('\n'),
        { mode: 0o600 },
      );
      const pid = startDetached(binary, [configFile, '--sentinel']);
      sentinels.push({ port, pid, dir });
      await waitForPong(port, undefined, pid);
    }
  } catch (error) {
    await Promise.all(sentinels.map((s) => stopPid(s.pid)));
    await master.destroy();
    throw error;
  }
  return {
    masterName,
    sentinels: sentinels.map((s) => `127.0.0.1:${s.port}`),
    password,
    master,
    pids: () => [...sentinels.map((s) => s.pid), ...(master.pid === undefined ? [] : [master.pid])],
    logFiles: () => [master.logFile, ...sentinels.map((s) => join(s.dir, 'sentinel.log'))],
    destroy: async () => {
      await Promise.all(sentinels.map(async (s) => {
        await stopPid(s.pid);
        rmSync(s.dir, { recursive: true, force: true });
      }));
      await master.destroy();
    },
  };
}

export interface RedisTlsService extends RedisService {
  /** `rediss://default:<password>@localhost:<tlsPort>/0` */
  readonly tlsUrl: string;
  readonly tlsPort: number;
  /** Serves another certificate to new connections (CONFIG SET, no restart). */
  useCertificate(pair: { cert: string; key: string }): Promise<void>;
}

/** A Redis that also listens with TLS (the plain port stays, for readiness and administration). */
export async function startRedisTls(pair: { cert: string; key: string }, ca: string): Promise<RedisTlsService> {
  const password = randomPassword('redis-tls');
  const tlsPort = await freePort();
  const redis = await startRedisProcess([`tls-port ${tlsPort}`, `tls-cert-file ${pair.cert}`, `tls-key-file ${pair.key}`, `tls-ca-cert-file ${ca}`, 'tls-auth-clients no'], { password });
  const set = async (pairs: string) => {
    const reply = await redisCommand(redis.port, password, `CONFIG SET ${pairs}`);
    if (reply !== '+OK') throw new Error(`CONFIG SET ${pairs} answered ${reply}`);
  };
  return Object.assign(Object.create(redis) as RedisService, {
    tlsUrl: `rediss://default:${encodeURIComponent(password)}@localhost:${tlsPort}/0`,
    tlsPort,
    useCertificate: async (next: { cert: string; key: string }) => {
      // Both at once: a certificate whose key does not match is refused.
      await set(`tls-cert-file ${next.cert} tls-key-file ${next.key}`);
    },
  });
}
