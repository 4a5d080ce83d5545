/**
 * Filter Keys on a large keyspace: what the tree's filter does (RedisEngine.scanKeys in bounded steps
 * of 100,000 keys, SCAN MATCH COUNT 500, until the end) against the naive `KEYS pattern` of other
 * explorers, on a private redis-server of N keys (DEBUG POPULATE: four prefixes, N/4 keys each).
 * Besides each side's time, a second connection PINGs the server every 2 ms while each side runs:
 * the longest PING is how long the server stopped answering everyone else.
 *
 *   npm run bench:redis-filter -- --size 1000000      (default 1,000,000)
 *
 * Prints one JSON line. The password never reaches a command line.
 */
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { parseConnectionString, type RedisConnection } from '../src/core/connection-strings';
import { connectRedisEngine } from '../src/core/engines/redis';
import { defaultEngineSettings } from '../src/core/engines/settings';
import { startRedis, type RedisService } from '../test/support/services/redis';

const PATTERN = 'user:4711*';
const STEP = 100_000;
const COUNT = 500;
const arg = (flag: string) => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const round = (ms: number) => Math.round(ms * 10) / 10;

/** Runs `work` while another connection PINGs every 2 ms; returns the work's time and the longest PING. */
async function withProbe<T>(url: string, work: () => Promise<T>): Promise<{ result: T; ms: number; maxPingMs: number }> {
  const probe = new Redis(url);
  await probe.ping();
  let running = true;
  let maxPingMs = 0;
  const pinging = (async () => {
    while (running) {
      const sent = performance.now();
      await probe.ping();
      maxPingMs = Math.max(maxPingMs, performance.now() - sent);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  running = false;
  await pinging;
  probe.disconnect();
  return { result, ms: round(ms), maxPingMs: round(maxPingMs) };
}

async function main(): Promise<void> {
  const size = Number(arg('--size') ?? 1_000_000);
  if (!Number.isInteger(size) || size < 4_000) throw new Error('--size must be a whole number of at least 4,000');
  let service: RedisService | undefined;
  process.once('SIGINT', () => void Promise.resolve(service?.destroy()).finally(() => process.exit(130)));
  try {
    service = await startRedis({ debug: true });
    const filler = new Redis(service.url);
    const fillStarted = performance.now();
    for (const prefix of ['cart', 'order', 'session', 'user']) await filler.call('DEBUG', 'POPULATE', String(size / 4), prefix);
    const fillMs = Math.round(performance.now() - fillStarted);
    // Let the table finish growing: a SCAN during a rehash repeats keys, and the rehash costs both sides.
    while (String(await filler.call('DEBUG', 'HTSTATS', '0')).includes('rehashing')) await new Promise((r) => setTimeout(r, 100));
    const dbsize = await filler.dbsize();

    const engine = await connectRedisEngine(parseConnectionString('redis', service.url) as RedisConnection, defaultEngineSettings);
    const ours = await withProbe(service.url, async () => {
      let cursor: string | undefined;
      let found = 0;
      let steps = 0;
      for (;;) {
        const page = await engine.scanKeys({ match: PATTERN, count: COUNT, maxScanned: STEP, limit: 2000, ...(cursor ? { cursor } : {}) });
        found += page.keys.length;
        steps++;
        if (page.done) return { found, steps };
        cursor = page.cursor;
      }
    });
    await engine.close();
    const keysClient = new Redis(service.url, { commandTimeout: 600_000 });
    const baseline = await withProbe(service.url, () => keysClient.keys(PATTERN));
    keysClient.disconnect();
    filler.disconnect();
    if (ours.result.found !== baseline.result.length) throw new Error(`ours found ${ours.result.found} keys, KEYS ${baseline.result.length}`);
    console.log(
      JSON.stringify({
        bench: 'redis-filter',
        size: dbsize,
        pattern: PATTERN,
        matches: ours.result.found,
        ours_ms: ours.ms,
        ours_steps: ours.result.steps,
        ours_max_ping_ms: ours.maxPingMs,
        baseline_ms: baseline.ms,
        baseline_max_ping_ms: baseline.maxPingMs,
        ping_ratio: Math.round((baseline.maxPingMs / ours.maxPingMs) * 10) / 10,
        fill_ms: fillMs,
      }),
    );
  } finally {
    await service?.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
