/**
 * Time to the first page of a Redis key list: ours (RedisEngine.scanKeys: one bounded SCAN and one
 * pipeline of TYPE + PTTL + MEMORY USAGE) against the naive code of Database Client (KEYS *, then
 * TYPE and TTL per key, awaited one by one), on a private redis-server filled with N keys.
 *
 *   npm run bench:redis -- --size 1000000      (default 1,000,000; develop with --size 20000)
 *
 * Each side runs in a child process of its own, so its peak RSS is its own and not the filler's;
 * connecting is excluded from both timings (ours also reports connect + first page). The password
 * reaches the children through the environment, never their command line. Prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { parseConnectionString, type RedisConnection } from '../src/core/connection-strings';
import { connectRedisEngine } from '../src/core/engines/redis';
import { createRedisClient } from '../src/core/engines/redis/connect';
import { defaultEngineSettings } from '../src/core/engines/settings';
import { startRedis, type RedisService } from '../test/support/services/redis';

const PAGE = 500;
const URL_VAR = 'OGELBASE_BENCH_REDIS_URL';
const arg = (flag: string) => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const peakRssMb = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
const round = (ms: number) => Math.round(ms * 100) / 100;

function connection(): RedisConnection {
  return parseConnectionString('redis', process.env[URL_VAR]!) as RedisConnection;
}

/** Our side: a fresh process connects, then times the first page of 500 keys with types and TTLs. */
async function childOurs(): Promise<object> {
  const started = performance.now();
  const engine = await connectRedisEngine(connection(), defaultEngineSettings);
  const connected = performance.now();
  const page = await engine.scanKeys({ limit: PAGE });
  const done = performance.now();
  if (page.keys.length !== PAGE || page.keys.some((k) => k.type === 'none')) throw new Error(`first page has ${page.keys.length} keys`);
  await engine.close();
  return { ms: round(done - connected), connect_and_page_ms: round(done - started), scanned: page.scanned, rss: peakRssMb() };
}

/** Database Client's way: KEYS *, then TYPE and TTL of each key shown, one awaited command at a time. */
async function childBaseline(): Promise<object> {
  // A long command timeout: KEYS * on a million keys must be allowed to finish to be measured.
  const client = createRedisClient(connection(), { ...defaultEngineSettings, redisCommandTimeoutMs: 600_000 }) as Redis;
  await client.connect();
  const started = performance.now();
  const keys = await client.keys('*');
  const shown: { key: string; type: string; ttl: number }[] = [];
  for (const key of keys.slice(0, PAGE)) shown.push({ key, type: await client.type(key), ttl: await client.ttl(key) });
  const done = performance.now();
  if (shown.length !== PAGE) throw new Error(`baseline showed ${shown.length} keys`);
  client.disconnect();
  return { ms: round(done - started), keys_returned: keys.length, rss: peakRssMb() };
}

/** Fills `size` keys shaped like an application's (users, sessions with TTLs, carts, queues, ...), pipelined. */
async function fill(client: Redis, size: number): Promise<void> {
  const BATCH = 10_000;
  for (let from = 0; from < size; from += BATCH) {
    const pipeline = client.pipeline();
    for (let i = from; i < Math.min(size, from + BATCH); i++) {
      switch (i % 10) {
        case 0:
        case 1:
        case 2:
          pipeline.set(`user:${i}:profile`, `{"id":${i},"name":"user ${i}"}`);
          break;
        case 3:
          pipeline.set(`session:${i.toString(36)}`, 'token', 'EX', 3600 + (i % 1000));
          break;
        case 4:
          pipeline.hset(`cart:${i}`, 'items', '3', 'total', '42.50');
          break;
        case 5:
          pipeline.rpush(`queue:jobs:${i}`, 'a', 'b');
          break;
        case 6:
          pipeline.sadd(`tags:${i}`, 'red', 'blue');
          break;
        case 7:
          pipeline.zadd(`leaderboard:${i % 1000}:${i}`, i, 'player');
          break;
        case 8:
          pipeline.set(`cache:page:${i}`, 'x'.repeat(64), 'EX', 600);
          break;
        default:
          if (i % 1000 === 9) pipeline.xadd(`events:${i}`, '*', 'kind', 'signup');
          else pipeline.set(`counter:${i}`, i);
      }
    }
    await pipeline.exec();
  }
}

function runChild(side: 'ours' | 'baseline', url: string): { ms: number; rss: number } & Record<string, number> {
  const result = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', side], {
    env: { ...process.env, [URL_VAR]: url },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  if (result.status !== 0 || !line.startsWith('{')) throw new Error(`the ${side} child failed (exit ${result.status}): ${result.stderr.slice(-2000)}`);
  return JSON.parse(line) as { ms: number; rss: number };
}

async function main(): Promise<void> {
  const size = Number(arg('--size') ?? 1_000_000);
  if (!Number.isInteger(size) || size < PAGE) throw new Error(`--size must be a whole number of at least ${PAGE}`);
  let service: RedisService | undefined;
  const stop = () => service?.destroy();
  process.once('SIGINT', () => void Promise.resolve(stop()).finally(() => process.exit(130)));
  try {
    service = await startRedis();
    const filler = createRedisClient(parseConnectionString('redis', service.url) as RedisConnection, { ...defaultEngineSettings, redisCommandTimeoutMs: 600_000 }) as Redis;
    await filler.connect();
    const fillStarted = performance.now();
    await fill(filler, size);
    const fillMs = Math.round(performance.now() - fillStarted);
    const dbsize = await filler.dbsize();
    const usedMemory = Number(/^used_memory:(\d+)/m.exec(await filler.info('memory'))?.[1] ?? 0);
    filler.disconnect();
    if (dbsize !== size) throw new Error(`filled ${dbsize} keys, expected ${size}`);

    const ours = runChild('ours', service.url);
    const baseline = runChild('baseline', service.url);
    console.log(
      JSON.stringify({
        bench: 'redis',
        size,
        ours_ms: ours.ms,
        baseline_ms: baseline.ms,
        ratio: Math.round((baseline.ms / ours.ms) * 10) / 10,
        peak_rss_mb: ours.rss,
        baseline_peak_rss_mb: baseline.rss,
        ours_connect_and_page_ms: ours.connect_and_page_ms,
        ours_scanned: ours.scanned,
        fill_ms: fillMs,
        redis_used_memory_mb: Math.round(usedMemory / 1024 / 1024),
      }),
    );
  } finally {
    await stop();
  }
}

const child = arg('--child');
if (child === 'ours' || child === 'baseline') {
  (child === 'ours' ? childOurs() : childBaseline()).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : String(error));
      process.exit(1);
    },
  );
} else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
