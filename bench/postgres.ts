/**
 * Deep pages of a big table: PostgresEngine.rowsPage (keyset on the primary key) against OFFSET
 * paging, at page 1 and page 20,000 of 100 rows.
 *
 *   npm run bench:postgres -- --size 100000        # while developing (the deep page is then the last one)
 *   flock /tmp/ogelbase-bench.lock npm run bench:postgres   # N = 2,000,000
 *
 * Starts its own PostgreSQL (test/support/services/postgres.ts) and stops it by PID at the end, also
 * on error or Ctrl-C. Progress goes to stderr; stdout gets exactly one JSON line.
 */
import { cpus } from 'node:os';
import pg from 'pg';
import { PostgresEngine, type RowsPage } from '../src/core/engines/postgres';
import { startPostgres, type PostgresService } from '../test/support/services/postgres';

const PAGE = 100;
const DEEP_PAGE = 20_000;
const RUNS = 11;
const WARMUP = 3;

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}
const size = Number(argValue('--size') ?? 2_000_000);
if (!Number.isSafeInteger(size) || size < 2 * PAGE) throw new Error(`--size must be a whole number of at least ${2 * PAGE}`);
// Page 20,000 needs 2,000,000 rows; a smaller table is measured at its last full page.
const deepPage = Math.min(DEEP_PAGE, Math.floor(size / PAGE));

const log = (line: string) => process.stderr.write(`[bench:postgres] ${line}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (ms: number) => Math.round(ms * 100) / 100;

async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const started = performance.now();
  const result = await work();
  return [performance.now() - started, result];
}

async function fill(client: pg.Client): Promise<void> {
  // The key is added after the rows: one index build instead of two million insertions into it.
  await client.query(`CREATE TABLE ledger (id bigint NOT NULL, account int NOT NULL, amount numeric(12, 2) NOT NULL, label text NOT NULL, created timestamptz NOT NULL)`);
  await client.query(`INSERT INTO ledger SELECT g, g % 1000, (g % 100000) / 100.0, 'entry ' || g, timestamptz '2024-01-01' + g * interval '1 second' FROM generate_series(1, $1::bigint) g`, [size]);
  await client.query('ALTER TABLE ledger ADD PRIMARY KEY (id)');
  await client.query('VACUUM (ANALYZE) ledger');
}

/** The cursor of page `page - 1`'s last row, reached the way the UI reaches it: by following nextCursor (in pages of 1,000 while far away). */
async function cursorBefore(engine: PostgresEngine, page: number): Promise<string> {
  const target = (page - 1) * PAGE;
  let seen = 0;
  let after: string | null = null;
  while (seen < target) {
    const pageSize = target - seen >= 1000 ? 1000 : PAGE;
    const next: RowsPage = await engine.rowsPage({ schema: 'public', name: 'ledger', pageSize, after });
    seen += next.rows.length;
    after = next.nextCursor;
    if (!after) throw new Error(`the table ended after ${seen} rows`);
    if (seen % 200_000 === 0) log(`paged to row ${seen}`);
  }
  return after!;
}

async function main(service: PostgresService): Promise<void> {
  const url = service.url.replace(/\/postgres$/, '/bench');
  const admin = new pg.Client(service.url);
  await admin.connect();
  await admin.query('CREATE DATABASE bench');
  await admin.end();
  const client = new pg.Client(url);
  await client.connect();
  const engine = new PostgresEngine(url, { max: 2 });
  try {
    const [fillMs] = await timed(() => fill(client));
    log(`filled ${size} rows in ${Math.round(fillMs)} ms; finding the cursor of page ${deepPage}`);
    const cursor = await cursorBefore(engine, deepPage);
    const offset = (deepPage - 1) * PAGE;
    const firstId = String(offset + 1);

    const sides = {
      page1: () => engine.rowsPage({ schema: 'public', name: 'ledger', pageSize: PAGE }),
      ours: () => engine.rowsPage({ schema: 'public', name: 'ledger', pageSize: PAGE, after: cursor }),
      offsetPage1: () => client.query('SELECT * FROM ledger ORDER BY id LIMIT 100 OFFSET 0'),
      baseline: () => client.query(`SELECT * FROM ledger ORDER BY id LIMIT 100 OFFSET ${offset}`),
      keysetSql: () => client.query('SELECT * FROM ledger WHERE id > $1 ORDER BY id LIMIT 100', [offset]),
    };
    const times: Record<keyof typeof sides, number[]> = { page1: [], ours: [], offsetPage1: [], baseline: [], keysetSql: [] };
    for (let run = 0; run < WARMUP + RUNS; run++) {
      // Interleaved, so drift (caches, other load) hits every side alike.
      for (const [name, work] of Object.entries(sides) as [keyof typeof sides, () => Promise<unknown>][]) {
        const [ms, result] = await timed(work);
        if (run >= WARMUP) times[name].push(ms);
        if (name === 'ours' && (result as RowsPage).rows[0]?.[0] !== firstId) throw new Error(`page ${deepPage} starts at ${(result as RowsPage).rows[0]?.[0]}, not ${firstId}`);
      }
    }
    for (const [name, list] of Object.entries(times)) log(`${name}: ${list.map(round).join(', ')} ms`);
    const [bytes] = (await client.query<{ b: string }>("SELECT pg_total_relation_size('ledger') AS b")).rows.map((r) => Number(r.b));
    const ours = median(times.ours);
    const baseline = median(times.baseline);
    console.log(
      JSON.stringify({
        bench: 'postgres',
        size,
        ours_ms: round(ours),
        baseline_ms: round(baseline),
        ratio: round(baseline / ours),
        peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
        page1_ms: round(median(times.page1)),
        page: deepPage,
        page_size: PAGE,
        offset_page1_ms: round(median(times.offsetPage1)),
        keyset_sql_ms: round(median(times.keysetSql)),
        deep_vs_page1: round(ours / median(times.page1)),
        fill_ms: Math.round(fillMs),
        table_mb: round(bytes! / 1024 / 1024),
        runs: RUNS,
        cpus: cpus().length,
      }),
    );
  } finally {
    await engine.close();
    await client.end();
  }
}

void (async () => {
  const service = await startPostgres();
  log(`PostgreSQL (pid ${service.pid}) on port ${service.port}`);
  const stop = () => service.destroy().catch(() => undefined);
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().finally(() => process.exit(143)));
  try {
    await main(service);
  } finally {
    await stop();
  }
})().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
