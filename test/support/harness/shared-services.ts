import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { startPostgres, type PostgresService } from '../services/postgres';
import { startRedis, startRedisCluster, startRedisSentinel, type RedisClusterService, type RedisSentinelService, type RedisService } from '../services/redis';
import { stopPid } from '../services/processes';

/** The services one harness run shares between its layers, and the environment that describes them. */
export interface SharedServices {
  env: Record<string, string>;
  /** Every password the services were started with: the leak scan looks for them. */
  secrets: string[];
  /** Copies every service's own log into `dir` (before stop() deletes their folders); returns how many. */
  collectLogs(dir: string): number;
  stop(): Promise<void>;
  /** Synchronous last resort when the harness is dying: SIGKILL every service process. */
  killNow(): void;
}

/** Starts the wire-protocol test server as a child process and reads its one JSON "ready" line. */
async function startMongoWire(logFile: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mongo-wire/main.ts', '--port', '0'], {
    stdio: ['ignore', 'pipe', openSync(logFile, 'a')],
    detached: true,
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the MongoDB wire test server did not report ready within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the MongoDB wire test server exited with code ${code}`)));
    lines.on('line', (line) => {
      try {
        const message = JSON.parse(line) as { ready?: boolean; url?: string };
        if (message.ready && message.url) {
          clearTimeout(timer);
          resolve({ url: message.url });
        }
      } catch {
        /* not the ready line */
      }
    });
  });
  return { url: ready.url, child };
}

export async function startSharedServices(log: (line: string) => void): Promise<SharedServices> {
  const started: { stop(): Promise<void> }[] = [];
  const pids: (() => number[])[] = [];
  const secrets: string[] = [];
  const env: Record<string, string> = {};
  const logs: string[] = [];
  try {
    const [postgres, redis, cluster, sentinel]: [PostgresService, RedisService, RedisClusterService, RedisSentinelService] = await Promise.all([
      startPostgres(),
      startRedis(),
      startRedisCluster(),
      startRedisSentinel(),
    ]);
    started.push({ stop: postgres.destroy }, { stop: redis.destroy }, { stop: cluster.destroy }, { stop: sentinel.destroy });
    pids.push(() => [postgres.pid, redis.pid].filter((p): p is number => p !== undefined), cluster.pids, sentinel.pids);
    secrets.push(postgres.password, redis.password, cluster.password, sentinel.password);
    logs.push(postgres.logFile, redis.logFile, ...cluster.logFiles(), ...sentinel.logFiles());
    Object.assign(env, {
      OGELBASE_TEST_PG_URL: postgres.url,
      OGELBASE_TEST_REDIS_URL: redis.url,
      OGELBASE_TEST_REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      OGELBASE_TEST_REDIS_CLUSTER_PASSWORD: cluster.password,
      OGELBASE_TEST_REDIS_SENTINELS: sentinel.sentinels.join(','),
      OGELBASE_TEST_REDIS_SENTINEL_MASTER: sentinel.masterName,
      OGELBASE_TEST_REDIS_SENTINEL_PASSWORD: sentinel.password,
    });
    log(`PostgreSQL on port ${postgres.port}, Redis on ${redis.port}, Redis Cluster on ${cluster.nodes.join(' ')}, Sentinel on ${sentinel.sentinels.join(' ')}`);

    if (process.env.MONGODB_URL) {
      env.OGELBASE_TEST_MONGODB_URL = process.env.MONGODB_URL;
      env.OGELBASE_TEST_MONGODB_REAL = '1';
      log('MongoDB: the real server named by MONGODB_URL');
    } else {
      const mongoLog = join(tmpdir(), `ogelbase-mongo-wire-${process.pid}-${Date.now()}.log`);
      logs.push(mongoLog);
      const mongo = await startMongoWire(mongoLog);
      started.push({ stop: async () => {
        await stopPid(mongo.child.pid!, { group: true });
        rmSync(mongoLog, { force: true });
      } });
      pids.push(() => [-mongo.child.pid!]);
      env.OGELBASE_TEST_MONGODB_URL = mongo.url;
      log(`MongoDB: the wire-protocol test server at ${mongo.url}`);
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
  return {
    env,
    secrets,
    collectLogs: (dir) => {
      mkdirSync(dir, { recursive: true });
      let copied = 0;
      for (const file of logs.filter((f) => existsSync(f))) {
        copyFileSync(file, join(dir, `${basename(dirname(file))}-${basename(file)}`));
        copied++;
      }
      return copied;
    },
    stop: async () => {
      await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
    },
    killNow: () => {
      for (const pid of pids.flatMap((list) => list())) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
  };
}
