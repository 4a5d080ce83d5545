/**
 * The table inspector and SQL editor on a big table, direct and through the platform, each beside
 * the naive way in the same run:
 *  - opening a table (what the panel waits for after the click: describeRelation, the first rowsPage
 *    of 200 rows, the row estimate) and a page 20,000 pages deep (keyset) against OFFSET;
 *  - a 1,000,000-row CSV export (streamed from a server-side cursor) against "query everything,
 *    then write": time and peak RSS of the exporting process (the extension host's code path) and
 *    of the platform server;
 *  - cancelling a 30-second query: how long until the call returns and until the backend is gone
 *    from pg_stat_activity, direct and through the platform.
 *
 *   npm run bench:inspector                      # 5,000,000 rows (fill takes a minute or two)
 *   npm run bench:inspector -- --size 300000     # while developing
 *
 * Starts its own PostgreSQL and platform server (test/support), stops both by PID at the end.
 * Progress goes to stderr; stdout gets exactly one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PlatformClient } from '../src/core/api/client';
import { PostgresEngine, type RowsPage } from '../src/core/engines/postgres';
import { postgresOperations } from '../src/core/engines/postgres/operations';
import { startPlatform, type PlatformService } from '../test/support/platform';
import { startPostgres, type PostgresService } from '../test/support/services/postgres';

const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
const size = Number(process.argv.includes('--size') ? arg('--size') : 5_000_000);
const EXPORT_ROWS = Math.min(1_000_000, size);
const PAGE = 100;
const deepPage = Math.min(20_000, Math.floor(size / PAGE));
const RUNS = 7;
const log = (line: string) => process.stderr.write(`[bench:inspector] ${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (n: number) => Math.round(n * 100) / 100;
async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}
const procStatus = (pid: number, field: string) => Number(/(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(field)) ?? '')?.[1] ?? 0) / 1024;

async function main(service: PostgresService, platform: PlatformService): Promise<void> {
  const admin = new pg.Client(service.url);
  await admin.connect();
  await admin.query('CREATE DATABASE bench_inspector');
  await admin.end();
  const url = service.url.replace(/\/postgres$/, '/bench_inspector');
  const sql = new pg.Client(url);
  await sql.connect();
  const [fillMs] = await timed(async () => {
    await sql.query(`CREATE TABLE ledger (id bigint NOT NULL, account int NOT NULL, amount numeric(12, 2) NOT NULL, label text, created timestamptz NOT NULL, meta jsonb)`);
    await sql.query(`INSERT INTO ledger SELECT g, g % 1000, (g % 100000) / 100.0, CASE WHEN g % 10 = 0 THEN NULL ELSE 'entry "' || g || '", ok' END, timestamptz '2024-01-01' + g * interval '1 second', jsonb_build_object('g', g) FROM generate_series(1, $1::bigint) g`, [size]);
    await sql.query('ALTER TABLE ledger ADD PRIMARY KEY (id)');
    await sql.query('VACUUM (ANALYZE) ledger');
  });
  log(`filled ${size} rows in ${Math.round(fillMs)} ms`);

  const client = new PlatformClient({ url: platform.url, token: platform.token, timeoutMs: 300_000 });
  const { id } = await client.createDatabase({ projectRef: platform.projectRef, name: 'bench', type: 'postgres', connectionString: url });
  const engine = new PostgresEngine(url, { max: 4 });
  const ops = postgresOperations;
  const direct = <K extends keyof typeof ops>(name: K, params: unknown) => ops[name].run(engine, ops[name].params.parse(params) as never, {}) as Promise<unknown>;
  const viaPlatform = (name: string, params: unknown) => client.operation<unknown>('postgres', id, name, params);
  const relation = { schema: 'public', name: 'ledger' };
  /** What the panel asks once a table is clicked: its description, then the first page and the estimate together. */
  const open = async (call: (name: string, params: unknown) => Promise<unknown>) => {
    await call('describeRelation', relation);
    await Promise.all([call('rowsPage', { ...relation, pageSize: 200 }), call('countRows', relation)]);
  };

  // The cursor before page `deepPage`, reached by following nextCursor as the UI would (pages of 1,000 while far).
  let after: string | null = null;
  for (let seen = 0; seen < (deepPage - 1) * PAGE; ) {
    const page = (await direct('rowsPage', { ...relation, pageSize: Math.min(1000, (deepPage - 1) * PAGE - seen), after })) as RowsPage;
    seen += page.rows.length;
    after = page.nextCursor;
  }
  const offset = (deepPage - 1) * PAGE;
  const sides: Record<string, () => Promise<unknown>> = {
    open_direct: () => open((n, p) => direct(n as keyof typeof ops, p)),
    open_platform: () => open(viaPlatform),
    deep_direct: () => direct('rowsPage', { ...relation, pageSize: PAGE, after }),
    deep_platform: () => viaPlatform('rowsPage', { ...relation, pageSize: PAGE, after }),
    deep_offset: () => sql.query(`SELECT * FROM ledger ORDER BY id LIMIT ${PAGE} OFFSET ${offset}`),
    page1_direct: () => direct('rowsPage', { ...relation, pageSize: PAGE }),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  const cold: Record<string, number> = {};
  for (let run = 0; run < RUNS + 1; run++) {
    for (const [name, work] of Object.entries(sides)) {
      const [ms] = await timed(work);
      if (run === 0) cold[name] = ms;
      else times[name]!.push(ms);
    }
  }
  const deepFirst = ((await direct('rowsPage', { ...relation, pageSize: PAGE, after })) as RowsPage).rows[0]?.[0];
  if (deepFirst !== String(offset + 1)) throw new Error(`page ${deepPage} starts at ${String(deepFirst)}`);
  log(`paging: ${JSON.stringify(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, round(median(v))])))}`);

  // Exports, each in a child process (its own peak RSS); the server's RSS read around the platform one.
  await sql.query(`CREATE TABLE ledger_export AS SELECT * FROM ledger WHERE id <= ${EXPORT_ROWS}; ALTER TABLE ledger RENAME TO ledger_all; ALTER TABLE ledger_export RENAME TO ledger`);
  const file = join(tmpdir(), `bench-export-${process.pid}.csv`);
  const child = (mode: string, extra: Record<string, unknown>) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'pg-export-child.ts'), mode, JSON.stringify({ file, ...extra })], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`export ${mode} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ms: number; rows: number; bytes: number; peak_rss_mb: number };
  };
  const serverPid = platform.pid!;
  const exportDirect = child('direct', { url });
  const serverBefore = procStatus(serverPid, 'VmRSS:');
  const exportPlatform = child('platform', { platformUrl: platform.url, token: platform.token, databaseId: id });
  const serverPeak = procStatus(serverPid, 'VmHWM:');
  const exportNaive = child('naive', { url });
  rmSync(file, { force: true });
  log(`export: direct ${JSON.stringify(exportDirect)}, platform ${JSON.stringify(exportPlatform)} (server ${round(serverBefore)} → peak ${round(serverPeak)} MB), naive ${JSON.stringify(exportNaive)}`);

  // Cancel a 30-second query after 1 s: until the call returns, and until its backend is gone.
  const backendGone = async (since: number) => {
    for (;;) {
      const { rowCount } = await sql.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'");
      if (rowCount === 0) return performance.now() - since;
      if (performance.now() - since > 30_000) throw new Error('the backend did not go away');
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const cancel = async (call: (signal: AbortSignal) => Promise<unknown>) => {
    const controller = new AbortController();
    const running = call(controller.signal).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1000));
    const since = performance.now();
    controller.abort();
    await running;
    const returned = performance.now() - since;
    return { returned_ms: round(returned), backend_gone_ms: round(await backendGone(since)) };
  };
  const cancelDirect = await cancel((signal) => engine.query({ sql: 'SELECT pg_sleep(30)', timeoutMs: 60_000 }, signal));
  const cancelPlatform = await cancel((signal) => client.operation('postgres', id, 'query', { sql: 'SELECT pg_sleep(30)', timeoutMs: 60_000 }, signal));
  log(`cancel: direct ${JSON.stringify(cancelDirect)}, platform ${JSON.stringify(cancelPlatform)}`);
  await engine.close();
  await sql.end();

  console.log(
    JSON.stringify({
      bench: 'pg-inspector',
      size,
      open_direct_ms: round(median(times.open_direct!)),
      open_platform_ms: round(median(times.open_platform!)),
      open_direct_cold_ms: round(cold.open_direct!),
      open_platform_cold_ms: round(cold.open_platform!),
      deep_page: deepPage,
      deep_direct_ms: round(median(times.deep_direct!)),
      deep_platform_ms: round(median(times.deep_platform!)),
      deep_offset_ms: round(median(times.deep_offset!)),
      page1_direct_ms: round(median(times.page1_direct!)),
      export_rows: exportDirect.rows,
      export_mb: round(exportDirect.bytes / 1048576),
      export_direct_ms: exportDirect.ms,
      export_direct_peak_rss_mb: exportDirect.peak_rss_mb,
      export_platform_ms: exportPlatform.ms,
      export_platform_client_peak_rss_mb: exportPlatform.peak_rss_mb,
      export_platform_server_rss_before_mb: round(serverBefore),
      export_platform_server_peak_rss_mb: round(serverPeak),
      export_naive_ms: exportNaive.ms,
      export_naive_peak_rss_mb: exportNaive.peak_rss_mb,
      cancel_direct: cancelDirect,
      cancel_platform: cancelPlatform,
      fill_ms: Math.round(fillMs),
      runs: RUNS,
    }),
  );
}

void (async () => {
  const service = await startPostgres();
  log(`PostgreSQL (pid ${service.pid}) on port ${service.port}`);
  const platform = await startPlatform({ databaseUrl: service.url });
  log(`platform (pid ${platform.pid}) on ${platform.url}`);
  const stop = async () => {
    await platform.destroy().catch(() => undefined);
    await service.destroy().catch(() => undefined);
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().finally(() => process.exit(143)));
  try {
    await main(service, platform);
  } finally {
    await stop();
  }
})().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
