/**
 * First page of a big collection: MongoEngine.findPage (20 documents + the estimated count from
 * metadata) against what a naive browser does to show "page 1 of N" (countDocuments({}) over the
 * whole collection, then find().skip(0).limit(20)).
 *
 *   npm run bench:mongo -- --size 200000
 *
 * Uses MONGODB_URL when set (a real server); otherwise starts the wire test server in a child
 * process (so its CPU is not counted as ours) and stops it by PID at the end, also on error.
 * Progress goes to stderr; stdout gets exactly one JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { MongoClient } from 'mongodb';
import { createMongoClient, MongoEngine } from '../src/core/engines/mongodb';
import { defaultEngineSettings } from '../src/core/engines/settings';

const RUNS = 7;
const BATCH = 10_000;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const size = Number(argValue('--size') ?? 200_000);
if (!Number.isSafeInteger(size) || size < 21) throw new Error('--size must be a whole number of at least 21');

let child: ChildProcess | undefined;

function stopChild(): void {
  if (!child?.pid || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM'); // its own process group: tsx's loader process goes too
  } catch {
    /* already gone */
  }
}

async function startWireServer(): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mongo-wire/main.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const started = child;
  return new Promise((resolve, reject) => {
    started.once('exit', (code) => reject(new Error(`the wire test server exited with code ${code}`)));
    createInterface({ input: started.stdout! }).on('line', (line) => {
      try {
        const ready = JSON.parse(line) as { url?: string };
        if (ready.url) resolve(ready.url);
      } catch {
        /* not the ready line */
      }
    });
  });
}

async function fill(client: MongoClient, dbName: string): Promise<void> {
  const collection = client.db(dbName).collection('docs');
  for (let start = 0; start < size; start += BATCH) {
    const n = Math.min(BATCH, size - start);
    await collection.insertMany(Array.from({ length: n }, (_, k) => {
      const i = start + k;
      return { i, name: `user ${i}`, email: `user${i}@example.com`, age: 18 + (i % 60), score: i / 7, tags: ['a', `t${i % 10}`], createdAt: new Date(1_700_000_000_000 + i * 1000) };
    }));
    if ((start / BATCH) % 5 === 0) process.stderr.write(`filled ${start + n}/${size}\n`);
  }
}

async function time(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const url = process.env.MONGODB_URL ?? (await startWireServer());
  const client = createMongoClient(url, defaultEngineSettings);
  const dbName = `ogelbase_bench_${randomBytes(4).toString('hex')}`;
  try {
    await client.connect();
    await fill(client, dbName);
    const engine = new MongoEngine(client);
    const collection = client.db(dbName).collection('docs');
    const ours = async () => {
      const page = await engine.findPage({ db: dbName, collection: 'docs', limit: 20 });
      if (page.documents.length !== 20 || page.estimatedCount !== size) throw new Error(`unexpected page: ${page.documents.length} documents, estimate ${page.estimatedCount}`);
    };
    const baseline = async () => {
      const total = await collection.countDocuments({});
      const docs = await collection.find({}).skip(0).limit(20).toArray();
      if (docs.length !== 20 || total !== size) throw new Error(`unexpected baseline: ${docs.length} documents of ${total}`);
    };
    for (let i = 0; i < 3; i++) {
      await ours(); // warm-up: connections, JIT, server caches
      await baseline();
    }
    const oursMs: number[] = [];
    const baselineMs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      oursMs.push(await time(ours)); // interleaved, so drift affects both alike
      baselineMs.push(await time(baseline));
    }
    process.stderr.write(`ours ms: ${oursMs.map(round).join(' ')}\nbaseline ms: ${baselineMs.map(round).join(' ')}\n`);
    const oursMedian = median(oursMs);
    const baselineMedian = median(baselineMs);
    console.log(JSON.stringify({
      bench: 'mongo',
      size,
      ours_ms: round(oursMedian),
      baseline_ms: round(baselineMedian),
      ratio: round(baselineMedian / oursMedian),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
      server: process.env.MONGODB_URL ? 'mongodb' : 'wire-test-server',
    }));
  } finally {
    await client.db(dbName).dropDatabase().catch(() => undefined);
    await client.close().catch(() => undefined);
    stopChild();
  }
}

process.once('exit', stopChild);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopChild();
    process.exit(130);
  });
}
main().catch((error: unknown) => {
  process.stderr.write(`bench:mongo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  stopChild();
  process.exit(1);
});
