/**
 * Backup and restore throughput, with the peak RSS of each phase: a Redis of N keys, a PostgreSQL
 * table of M rows (beside pg_dump and pg_restore themselves, on the same table in the same run) and
 * D MongoDB documents. Method and every field: bench/backups.md.
 *
 *   npm run bench:backups -- --redis-keys 20000 --pg-rows 50000 --mongo-docs 5000   # while developing
 *   flock /tmp/ogelbase-bench.lock npm run bench:backups                             # 1,000,000 / 2,000,000 / 200,000
 *   npm run bench:backups -- --only postgres                                         # one section (redis, postgres, mongo)
 *
 * Starts its own redis-server, PostgreSQL and MongoDB wire test server (or uses MONGODB_URL) on free
 * loopback ports, and stops them by PID at the end, also on error or Ctrl-C. Progress goes to
 * stderr; stdout gets exactly one JSON line. Passwords reach the programs through their
 * environment only and are never printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { mongoBackup } from '../src/core/backup/mongodb';
import { postgresBackup } from '../src/core/backup/postgres';
import { findPgTools, type PgToolName } from '../src/core/backup/postgres/tools';
import { redisBackup } from '../src/core/backup/redis';
import type { BackupTarget } from '../src/core/backup/types';
import { startPostgres } from '../test/support/services/postgres';
import { stopPid } from '../test/support/services/processes';
import { startRedis } from '../test/support/services/redis';

type Section = 'redis' | 'postgres' | 'mongo';
const SECTIONS: Section[] = ['redis', 'postgres', 'mongo'];
const tools = { where: 'extension' as const };
const ROOT = resolve(__dirname, '..');
const TIME = '/usr/bin/time';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}
function count(name: string, fallback: number): number {
  const value = Number(argValue(name) ?? fallback);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1`);
  return value;
}
const redisKeys = count('--redis-keys', 1_000_000);
const pgRows = count('--pg-rows', 2_000_000);
const mongoDocs = count('--mongo-docs', 200_000);
const only = (argValue('--only') ?? SECTIONS.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const s of only) if (!SECTIONS.includes(s as Section)) throw new Error(`--only takes ${SECTIONS.join(', ')} (comma-separated), not ${s}`);

const log = (line: string) => process.stderr.write(`[bench:backups] ${line}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const mb = (bytes: number) => bytes / 1024 / 1024;
const perSecond = (units: number, ms: number) => Math.round(units / (ms / 1000));
const mbPerSecond = (bytes: number, ms: number) => round(mb(bytes) / (ms / 1000), 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every password the bench's servers were started with: removed from any error text printed. */
const secrets: string[] = [];
const redact = (text: string) => secrets.reduce((t, s) => (s ? t.split(s).join('***') : t), text);

/** What stops the services started so far (run once each: at the end, on error, on Ctrl-C). */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
}

interface Phase<T> {
  result: T;
  ms: number;
  /** This process' RSS when the phase started, and the largest RSS sampled during it (every 50 ms). */
  rssBeforeMb: number;
  peakRssMb: number;
}

/** Runs `work`, timing it and sampling this process' RSS every 50 ms (and once at each end). */
async function phase<T>(name: string, work: () => Promise<T>): Promise<Phase<T>> {
  log(`${name}…`);
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  try {
    const result = await work();
    const ms = performance.now() - started;
    peak = Math.max(peak, process.memoryUsage().rss);
    log(`${name}: ${Math.round(ms)} ms, peak RSS ${round(mb(peak))} MB`);
    return { result, ms, rssBeforeMb: round(mb(before)), peakRssMb: round(mb(peak)) };
  } finally {
    clearInterval(sample);
  }
}

/** Figures of one timed side: time, throughput in units and MB per second, peak RSS. */
function figures(p: Phase<unknown>, units: number, unitName: string, bytes: number) {
  return { ms: round(p.ms), [`${unitName}_per_s`]: perSecond(units, p.ms), mb_per_s: mbPerSecond(bytes, p.ms), peak_rss_mb: p.peakRssMb, rss_before_mb: p.rssBeforeMb };
}

interface ToolRun {
  ms: number;
  /** The program's own peak RSS (`/usr/bin/time -f %M`), or "not measured" where /usr/bin/time is missing. */
  peakRssMb: number | 'not measured';
}

/**
 * Runs one program to completion (arguments as an array, no shell, secrets in `env` only), timing it
 * from spawn to exit; its peak RSS is read from /usr/bin/time's report written to a file of its own.
 */
async function runTool(label: string, program: string, args: string[], env: Record<string, string>, scratch: string): Promise<ToolRun> {
  const timeFile = join(scratch, `time-${randomBytes(4).toString('hex')}.txt`);
  const withTime = existsSync(TIME);
  const [command, argv] = withTime ? [TIME, ['-f', '%M', '-o', timeFile, program, ...args]] : [program, args];
  log(`${label}…`);
  const started = performance.now();
  const { code, output } = await new Promise<{ code: number | null; output: string }>((done, fail) => {
    const child = spawn(command, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', fail);
    child.once('close', (exit) => done({ code: exit, output }));
  });
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${label} failed (exit ${code}): ${redact(output.trim())}`);
  let peakRssMb: ToolRun['peakRssMb'] = 'not measured';
  if (withTime) {
    const kb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
    if (Number.isFinite(kb) && kb > 0) peakRssMb = round(kb / 1024);
    rmSync(timeFile, { force: true });
  }
  log(`${label}: ${Math.round(ms)} ms, its peak RSS ${peakRssMb}${typeof peakRssMb === 'number' ? ' MB' : ''}`);
  return { ms, peakRssMb };
}

function toolFigures(run: ToolRun, units: number, unitName: string, bytes: number) {
  return { ms: round(run.ms), [`${unitName}_per_s`]: perSecond(units, run.ms), mb_per_s: mbPerSecond(bytes, run.ms), peak_rss_mb: run.peakRssMb };
}

// ---------------------------------------------------------------------------------------------- Redis

async function benchRedis(work: string): Promise<object> {
  const n = redisKeys;
  const service = await startRedis({ debug: true });
  secrets.push(service.password);
  cleanups.push(() => service.destroy());
  log(`Redis (pid ${service.pid}) on port ${service.port}`);
  const client = new Redis({ host: '127.0.0.1', port: service.port, password: service.password, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    const fill = await phase(`Redis: DEBUG POPULATE ${n} item`, async () => {
      // No 5 s wait for more replicas before a diskless transfer (what SYNC and redis-cli --rdb ask for).
      await client.config('SET', 'repl-diskless-sync-delay', '0');
      await client.call('DEBUG', 'POPULATE', String(n), 'item');
      // Let the keyspace's incremental rehash finish, so it does not run during the timed phases.
      for (let i = 0; i < 100 && String(await client.call('DEBUG', 'HTSTATS', '0')).includes('rehashing'); i++) await sleep(100);
    });
    if ((await client.dbsize()) !== n) throw new Error(`DEBUG POPULATE made ${await client.dbsize()} keys, not ${n}`);
    const usedMemory = Number(/^used_memory:(\d+)/m.exec(await client.info('memory'))?.[1] ?? 0);

    const target: BackupTarget = { id: randomUUID(), name: 'bench', type: 'redis', connectionString: service.url, localFiles: true };
    const dir = join(work, 'redis-ours');
    const backup = await phase('Redis: our backup (redisBackup.create)', () => redisBackup.create(target, dir, { id: randomUUID(), tools }));
    const manifest = backup.result;
    if (manifest.contents.engine !== 'redis' || manifest.contents.keys !== n) throw new Error(`the backup's manifest counts ${manifest.contents.engine === 'redis' ? manifest.contents.keys : '?'} keys, not ${n}`);
    const bytes = manifest.totalBytes;

    // The raw comparison for the backup: redis-cli's own RDB transfer (REPLCONF rdb-only + SYNC).
    let raw: object | string = 'none (redis-cli not found)';
    const cli = ['/usr/bin/redis-cli', '/usr/local/bin/redis-cli'].find((p) => existsSync(p));
    if (cli) {
      const rawFile = join(work, 'redis-raw.rdb');
      const run = await runTool('Redis: redis-cli --rdb', cli, ['-h', '127.0.0.1', '-p', String(service.port), '--rdb', rawFile], { PATH: process.env.PATH ?? '', REDISCLI_AUTH: service.password }, work);
      const rawBytes = statSync(rawFile).size;
      raw = { tool: 'redis-cli --rdb', rdb_mb: round(mb(rawBytes), 2), ...toolFigures(run, n, 'keys', rawBytes) };
      rmSync(rawFile, { force: true });
    }

    await client.flushdb();
    if ((await client.dbsize()) !== 0) throw new Error('FLUSHDB left keys behind');
    const precheck = await phase('Redis: our pre-check (redisBackup.precheck)', () => redisBackup.precheck(target, dir, { tools }));
    if (precheck.result.plan.add.count !== n) throw new Error(`the pre-check plans to add ${precheck.result.plan.add.count} keys, not ${n}`);
    const restore = await phase('Redis: our restore (redisBackup.restoreFrom)', () => redisBackup.restoreFrom(target, dir, { tools }));
    if (restore.result.outcome !== 'completed' || restore.result.verification?.ok === false) throw new Error(`the restore ended ${restore.result.outcome}: ${redact(restore.result.message)}`);
    const restored = await client.dbsize();
    if (restored !== n) throw new Error(`DBSIZE after the restore is ${restored}, not ${n}`);
    return {
      keys: n,
      rdb_mb: round(mb(bytes), 2),
      method: manifest.method,
      redis_used_memory_mb: round(mb(usedMemory)),
      fill_ms: round(fill.ms),
      backup: figures(backup, n, 'keys', bytes),
      backup_baseline: raw,
      precheck: { ms: round(precheck.ms), peak_rss_mb: precheck.peakRssMb },
      restore: { ...figures(restore, n, 'keys', bytes), with_precheck_ms: round(precheck.ms + restore.ms), with_precheck_keys_per_s: perSecond(n, precheck.ms + restore.ms) },
      restore_baseline: 'none',
      dbsize_after_restore: restored,
    };
  } finally {
    client.disconnect();
  }
}

// ----------------------------------------------------------------------------------------- PostgreSQL

async function pgTool(name: PgToolName): Promise<string> {
  const [tool] = await findPgTools(name, tools);
  if (!tool) throw new Error(`${name} was not found`);
  return tool.path;
}

async function benchPostgres(work: string): Promise<object> {
  const m = pgRows;
  const service = await startPostgres();
  secrets.push(service.password);
  cleanups.push(() => service.destroy());
  log(`PostgreSQL (pid ${service.pid}) on port ${service.port}`);
  const connect = async (database: string) => {
    const client = new pg.Client({ host: '127.0.0.1', port: service.port, user: 'postgres', password: service.password, database });
    await client.connect();
    return client;
  };
  const urlOf = (database: string) => {
    const url = new URL(service.url);
    url.pathname = `/${database}`;
    return url.toString();
  };
  const countRows = async (database: string) => {
    const client = await connect(database);
    try {
      return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM ledger')).rows[0]!.n);
    } finally {
      await client.end();
    }
  };
  const admin = await connect('postgres');
  try {
    await admin.query('CREATE DATABASE bench');
    const source = await connect('bench');
    let fill: Phase<void>;
    let tableBytes: number;
    try {
      fill = await phase(`PostgreSQL: ${m} rows into ledger`, async () => {
        // As bench/postgres.ts: the key is added after the rows (one index build), then VACUUM ANALYZE.
        await source.query(`CREATE TABLE ledger (id bigint NOT NULL, account int NOT NULL, amount numeric(12, 2) NOT NULL, label text NOT NULL, created timestamptz NOT NULL)`);
        await source.query(`INSERT INTO ledger SELECT g, g % 1000, (g % 100000) / 100.0, 'entry ' || g, timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, $1::bigint) g`, [m]);
        await source.query('ALTER TABLE ledger ADD PRIMARY KEY (id)');
        await source.query('VACUUM (ANALYZE) ledger');
      });
      tableBytes = Number((await source.query<{ b: string }>("SELECT pg_total_relation_size('ledger') AS b")).rows[0]!.b);
    } finally {
      await source.end();
    }

    const target: BackupTarget = { id: randomUUID(), name: 'bench', type: 'postgres', connectionString: urlOf('bench'), localFiles: true };
    const dir = join(work, 'pg-ours');
    const backup = await phase('PostgreSQL: our backup (postgresBackup.create)', () => postgresBackup.create(target, dir, { id: randomUUID(), tools }));
    const manifest = backup.result;
    const counted = manifest.contents.engine === 'postgres' ? manifest.contents.tables.find((t) => t.name === 'ledger')?.rows : undefined;
    if (counted !== m) throw new Error(`the backup's manifest counts ${counted} rows in ledger, not ${m}`);
    const oursBytes = manifest.totalBytes;

    // The same database dumped by pg_dump itself, as a user would run it.
    const pgDump = await pgTool('pg_dump');
    const pgRestore = await pgTool('pg_restore');
    const libpq = (database: string) => ({ PATH: process.env.PATH ?? '', LC_ALL: 'C', PGHOST: '127.0.0.1', PGPORT: String(service.port), PGUSER: 'postgres', PGPASSWORD: service.password, PGDATABASE: database });
    const rawFile = join(work, 'pg-raw.dump');
    const rawDump = await runTool('PostgreSQL: pg_dump --format=custom', pgDump, ['--format=custom', '--no-password', '-f', rawFile], libpq('bench'), work);
    const rawBytes = statSync(rawFile).size;

    await admin.query('CREATE DATABASE bench_ours');
    await admin.query('CREATE DATABASE bench_raw');
    const fresh: BackupTarget = { id: randomUUID(), name: 'bench_ours', type: 'postgres', connectionString: urlOf('bench_ours'), localFiles: true };
    const precheck = await phase('PostgreSQL: our pre-check (postgresBackup.precheck)', () => postgresBackup.precheck(fresh, dir, { tools }));
    if (precheck.result.plan.add.count !== 1) throw new Error(`the pre-check plans to add ${precheck.result.plan.add.count} tables, not 1`);
    const restore = await phase('PostgreSQL: our restore (postgresBackup.restoreFrom)', () => postgresBackup.restoreFrom(fresh, dir, { tools }));
    if (restore.result.outcome !== 'completed' || restore.result.verification?.ok !== true) throw new Error(`our restore ended ${restore.result.outcome}: ${redact(restore.result.message)}`);
    const oursRows = await countRows('bench_ours');
    if (oursRows !== m) throw new Error(`bench_ours holds ${oursRows} rows after our restore, not ${m}`);

    const rawRestore = await runTool('PostgreSQL: pg_restore -d bench_raw', pgRestore, ['--no-password', '-d', 'bench_raw', rawFile], libpq('bench_raw'), work);
    const rawRows = await countRows('bench_raw');
    if (rawRows !== m) throw new Error(`bench_raw holds ${rawRows} rows after pg_restore, not ${m}`);

    return {
      rows: m,
      table_mb: round(mb(tableBytes)),
      dump_mb: round(mb(oursBytes), 2),
      raw_dump_mb: round(mb(rawBytes), 2),
      fill_ms: round(fill.ms),
      backup: figures(backup, m, 'rows', oursBytes),
      backup_baseline: { tool: 'pg_dump --format=custom', ...toolFigures(rawDump, m, 'rows', rawBytes) },
      backup_ratio: round(backup.ms / rawDump.ms, 2),
      precheck: { ms: round(precheck.ms), peak_rss_mb: precheck.peakRssMb },
      restore: { ...figures(restore, m, 'rows', oursBytes), with_precheck_ms: round(precheck.ms + restore.ms), with_precheck_rows_per_s: perSecond(m, precheck.ms + restore.ms) },
      restore_baseline: { tool: 'pg_restore -d', ...toolFigures(rawRestore, m, 'rows', rawBytes) },
      restore_ratio: round(restore.ms / rawRestore.ms, 2),
    };
  } finally {
    await admin.end().catch(() => undefined);
  }
}

// -------------------------------------------------------------------------------------------- MongoDB

/** Starts the wire-protocol test server (as the harness does) in its own process group; its URL. */
async function startWireServer(): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/mongo-wire/main.ts', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const pid = child.pid!;
  cleanups.push(() => stopPid(pid, { group: true }));
  return new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error('the MongoDB wire test server did not report ready within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the MongoDB wire test server exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const ready = JSON.parse(line) as { url?: string };
        if (ready.url) {
          clearTimeout(timer);
          log(`MongoDB wire test server (pid ${pid})`);
          resolveUrl(ready.url);
        }
      } catch {
        /* not the ready line */
      }
    });
  });
}

/** The URL with `db` as its path, keeping its hosts and query (which may carry credentials: never printed). */
function withDatabase(url: string, db: string): string {
  const [base, query] = url.split('?', 2) as [string, string | undefined];
  const hosts = /^(mongodb(?:\+srv)?:\/\/[^/]*)/.exec(base)?.[1];
  if (!hosts) throw new Error('MONGODB_URL is not a mongodb:// or mongodb+srv:// URL');
  return `${hosts}/${db}${query ? `?${query}` : ''}`;
}

async function benchMongo(work: string): Promise<object> {
  const d = mongoDocs;
  const real = Boolean(process.env.MONGODB_URL);
  const url = process.env.MONGODB_URL ?? (await startWireServer());
  const dbName = `ogelbase_bench_backups_${randomBytes(4).toString('hex')}`;
  const client = new MongoClient(url);
  // Also on Ctrl-C: a real server (MONGODB_URL) keeps no bench database behind.
  // At most 5 s: a server that stopped answering does not hold up the exit.
  const bounded = () => new Promise((done) => setTimeout(done, 5000).unref());
  cleanups.push(() => Promise.race([client.db(dbName).dropDatabase(), bounded()]).finally(() => client.close()));
  await client.connect();
  const db = client.db(dbName);
  const BATCH = 10_000;
  const fill = await phase(`MongoDB: ${d} documents`, async () => {
    // The documents of bench/mongo.ts: 8 fields, about 160 bytes of BSON each.
    for (let start = 0; start < d; start += BATCH) {
      const n = Math.min(BATCH, d - start);
      await db.collection('docs').insertMany(Array.from({ length: n }, (_, k) => {
        const i = start + k;
        return { i, name: `user ${i}`, email: `user${i}@example.com`, age: 18 + (i % 60), score: i / 7, tags: ['a', `t${i % 10}`], createdAt: new Date(1_700_000_000_000 + i * 1000) };
      }));
    }
  });
  const target: BackupTarget = { id: randomUUID(), name: 'bench', type: 'mongodb', connectionString: withDatabase(url, dbName), localFiles: true };
  const dir = join(work, 'mongo-ours');
  const backup = await phase('MongoDB: our backup (mongoBackup.create, directory layout, no gzip)', () => mongoBackup.create(target, dir, { id: randomUUID(), tools }));
  const manifest = backup.result;
  const documents = manifest.contents.engine === 'mongodb' ? manifest.contents.databases.flatMap((x) => x.collections).reduce((a, c) => a + c.documents, 0) : -1;
  if (documents !== d) throw new Error(`the backup's manifest counts ${documents} documents, not ${d}`);
  const bytes = manifest.totalBytes;

  await db.dropDatabase();
  const precheck = await phase('MongoDB: our pre-check (mongoBackup.precheck)', () => mongoBackup.precheck(target, dir, { tools }));
  const restore = await phase('MongoDB: our restore (mongoBackup.restoreFrom)', () => mongoBackup.restoreFrom(target, dir, { tools }));
  if (restore.result.outcome !== 'completed' || restore.result.verification?.ok !== true) throw new Error(`the restore ended ${restore.result.outcome}: ${redact(restore.result.message)}`);
  const restored = await db.collection('docs').countDocuments({});
  if (restored !== d) throw new Error(`${restored} documents after the restore, not ${d}`);
  return {
    documents: d,
    server: real ? 'mongodb' : 'wire-test-server',
    dump_mb: round(mb(bytes), 2),
    fill_ms: round(fill.ms),
    backup: figures(backup, d, 'docs', bytes),
    backup_baseline: 'none',
    precheck: { ms: round(precheck.ms), peak_rss_mb: precheck.peakRssMb },
    restore: { ...figures(restore, d, 'docs', bytes), with_precheck_ms: round(precheck.ms + restore.ms), with_precheck_docs_per_s: perSecond(d, precheck.ms + restore.ms) },
    restore_baseline: 'none',
  };
}

// ----------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ogelbase-bench-backups-'));
  cleanups.push(async () => rmSync(work, { recursive: true, force: true }));
  const started = performance.now();
  const load = loadavg().map((l) => round(l, 2));
  const out: Record<string, unknown> = { bench: 'backups' };
  for (const section of SECTIONS) {
    if (!only.includes(section)) continue;
    const at = cleanups.length;
    try {
      out[section] = section === 'redis' ? await benchRedis(work) : section === 'postgres' ? await benchPostgres(work) : await benchMongo(work);
    } finally {
      // This section's servers stop before the next one starts (the work folder stays until the end).
      while (cleanups.length > at) await cleanups.pop()!().catch(() => undefined);
    }
  }
  Object.assign(out, {
    total_ms: Math.round(performance.now() - started),
    max_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    cpus: cpus().length,
    loadavg_start: load,
    loadavg_end: loadavg().map((l) => round(l, 2)),
    node: process.version,
  });
  console.log(JSON.stringify(out));
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the servers`);
    void cleanUp().finally(() => process.exit(code));
  });
}
main()
  .catch((error: unknown) => {
    process.stderr.write(`[bench:backups] failed: ${redact(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    process.exitCode = 1;
  })
  .finally(() => cleanUp());
