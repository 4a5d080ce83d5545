/**
 * The MongoDB document browser on a 200,000-document collection, measured side by side with the
 * naive way in the same run:
 *   1. the first page rendered after a click on the collection, directly and through the platform:
 *      the real webview bundle in headless Chromium, its host stubbed by this process, which runs
 *      the engine (direct) or calls the companion server's route (platform). Naive: count the
 *      collection, then skip/limit (what a browser showing "page 1 of N" does).
 *   2. a deep page (documents 100,000-100,019): keyset `after` against `skip`.
 *   3. scrolling 10,000 loaded documents: frame times of the virtualized table, against a plain
 *      table holding every row.
 *   4. an exact count cancelled at once: how long until the server stops working on it, with
 *      killOp (ours) and with the driver's abort alone (naive: the server scans on).
 *
 *   npm run bench:mongo-browser -- --size 200000
 *
 * Uses MONGODB_URL when set; otherwise starts the wire test server in a child process. Starts the
 * companion server (embedded PGlite) and Chromium itself; stops everything by PID at the end.
 * Progress goes to stderr; stdout gets exactly one JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import * as esbuild from 'esbuild';
import type { Document } from 'mongodb';
import { PlatformClient } from '../src/core/api/client';
import { createMongoClient, MongoEngine, type FindPageParams } from '../src/core/engines/mongodb';
import { defaultEngineSettings } from '../src/core/engines/settings';
import { startPlatform, type PlatformService } from '../test/support/platform';
import { launchBrowser, type Browser } from '../test/support/vscode/browser';

const root = resolve(__dirname, '..');
const argValue = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const size = Number(argValue('--size') ?? 200_000);
if (!Number.isSafeInteger(size) || size < 20_000) throw new Error('--size must be a whole number of at least 20,000');
const RUNS = 7;
const say = (line: string) => process.stderr.write(`${line}\n`);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;
const round = (n: number) => Math.round(n * 100) / 100;

let wire: ChildProcess | undefined;
const stopWire = () => {
  if (wire?.pid && wire.exitCode === null) {
    try {
      process.kill(-wire.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
};

async function startWire(): Promise<string> {
  wire = spawn(process.execPath, ['--import', 'tsx', 'test/support/mongo-wire/main.ts', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const child = wire;
  return new Promise((done, fail) => {
    child.once('exit', (code) => fail(new Error(`the wire test server exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const ready = JSON.parse(line) as { url?: string };
        if (ready.url) done(ready.url);
      } catch {
        /* not the ready line */
      }
    });
  });
}

/** The document browser's bundle, built here (dist/ is left alone: a test run may be using it). */
async function buildWebview(): Promise<{ js: string; css: string }> {
  const out = await esbuild.build({
    entryPoints: [join(root, 'src/webviews/mongo-documents/main.ts')],
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, write: false, outdir: '/bench',
    conditions: ['production'], define: { 'process.env.NODE_ENV': '"production"' }, logLevel: 'warning',
  });
  const text = (ext: string) => out.outputFiles.find((f) => f.path.endsWith(ext))!.text;
  return { js: text('.js'), css: text('.css') };
}

type Answer = (method: string, params: Record<string, unknown>) => Promise<unknown>;

/** What the measurements do inside the page (plain script: this project type-checks without DOM types). */
const PAGE_HELPERS = `
window.__bench = {
  grid: () => document.querySelector('[aria-label="Documents as a table"]'),
  rowsShown: () => document.querySelectorAll('[aria-label="Documents as a table"] .vlist-row:not([hidden])').length,
  clearRows: () => document.querySelectorAll('[aria-label="Documents as a table"] .vlist-row').forEach((r) => r.remove()),
  navigate: (db) => window.postMessage({ type: 'notification', method: 'mongo/navigate', params: { db, collection: 'docs' } }, '*'),
  status: () => (document.querySelector('[data-region="paging"]') || {}).textContent || '',
  tenThousand: () => {
    document.querySelector('input[aria-label="Limit (0: none)"]').value = '10000';
    const size = document.querySelector('select[aria-label="Page size"]');
    size.value = '500';
    size.dispatchEvent(new Event('change'));
  },
  toBottom: () => { const g = window.__bench.grid(); g.scrollTop = g.scrollHeight; },
  domRows: () => document.querySelectorAll('[aria-label="Documents as a table"] .vlist-row').length,
  scrollFrames: async (selector) => {
    const el = document.querySelector(selector);
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const frames = [];
    await frame();
    for (let i = 1; i <= 200; i++) {
      const t0 = performance.now();
      el.scrollTop = ((el.scrollHeight - el.clientHeight) * i) / 200;
      await frame();
      await frame();
      frames.push(performance.now() - t0);
    }
    return frames;
  },
  naiveTable: () => {
    const t0 = performance.now();
    const holder = document.createElement('div');
    holder.id = 'naive';
    holder.className = 'naive';
    const table = document.createElement('table');
    for (let i = 0; i < 10000; i++) {
      const tr = table.insertRow();
      for (const text of ["ObjectId('65f0" + i + "')", 'user ' + i, 'user' + i + '@example.com', String(18 + (i % 60)), String(i / 7), '[ 2 items ]', '{ 1 field }', new Date(1700000000000 + i * 1000).toISOString()]) tr.insertCell().textContent = text;
    }
    holder.append(table);
    document.body.append(holder);
    void holder.offsetHeight;
    return performance.now() - t0;
  },
};`;
/** The naive table's box (a stylesheet: the page keeps the webview's CSP habits). */
const NAIVE_CSS = '.naive { position: fixed; inset: 0; overflow: auto; background: #fff; z-index: 9; }';

/**
 * A page with the real webview bundle whose host is this process: the webview's requests come to
 * `answer`, replies go back by postMessage, exactly as VS Code would deliver them.
 */
async function openPage(browser: Browser, bundle: { js: string; css: string }, answer: { current: Answer }): Promise<void> {
  const { page } = browser;
  const codicons = readFileSync(join(root, 'node_modules/@vscode/codicons/dist/codicon.css'), 'utf8');
  await page.route('http://bench.invalid/**', (route) => {
    const path = new URL(route.request().url()).pathname;
    const body = path === '/main.js' ? bundle.js : path === '/main.css' ? `${bundle.css}\n${NAIVE_CSS}` : path === '/codicon.css' ? codicons : path === '/helpers.js' ? PAGE_HELPERS : path === '/' ? `<!DOCTYPE html><html><head><link id="vscode-codicon-stylesheet" rel="stylesheet" href="/codicon.css"><link rel="stylesheet" href="/main.css"></head><body><main id="root"></main><script src="/helpers.js"></script><script src="/main.js"></script></body></html>` : '';
    void route.fulfill({ body, contentType: path.endsWith('.js') ? 'text/javascript' : path.endsWith('.css') ? 'text/css' : 'text/html' });
  });
  const deliver = (message: unknown) => page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
  await page.exposeFunction('__toHost', async (message: { type: string; id?: number; method?: string; params?: Record<string, unknown> }) => {
    if (message.type !== 'request') return;
    try {
      await deliver({ type: 'response', id: message.id, result: await answer.current(message.method!, message.params ?? {}) });
    } catch (error) {
      await deliver({ type: 'error', id: message.id, error: { code: 'internal', message: (error as Error).message } });
    }
  });
  await page.addInitScript(`window.acquireVsCodeApi = () => ({ postMessage: (m) => void window.__toHost(m), getState: () => undefined, setState: () => undefined });`);
  await page.goto('http://bench.invalid/');
}

/** The host side of the stub: the handshake, listings, and pages from `findPage`. */
function host(db: string, findPage: (params: Record<string, unknown>) => Promise<unknown>): Answer {
  return async (method, params) => {
    switch (method) {
      case 'webview/ready':
        return { database: { name: 'bench', engine: 'mongodb', readOnly: true, endpoint: 'bench', persisted: { scope: 'local', localId: 'bench' } }, init: { pageSizes: [20, 500], defaultPageSize: 20 } };
      case 'mongo/listDatabases':
        return [{ name: db, sizeOnDisk: 0, empty: false }];
      case 'mongo/listCollections':
        return { collections: [{ name: 'docs', type: 'collection' }], truncated: false };
      case 'mongo/findPage':
        return findPage(params);
      default:
        return method === 'mongo/history' ? { entries: [] } : method === 'mongo/fieldNames' ? { fields: [] } : {};
    }
  };
}

async function main(): Promise<void> {
  const url = process.env.MONGODB_URL ?? (await startWire());
  const dbName = `ogelbase_bench_${randomBytes(4).toString('hex')}`;
  const client = createMongoClient(url, defaultEngineSettings);
  let platform: PlatformService | undefined;
  let browser: Browser | undefined;
  try {
    await client.connect();
    const collection = client.db(dbName).collection('docs');
    for (let start = 0; start < size; start += 10_000) {
      await collection.insertMany(Array.from({ length: Math.min(10_000, size - start) }, (_, k) => {
        const i = start + k;
        return { i, name: `user ${i}`, email: `user${i}@example.com`, age: 18 + (i % 60), score: i / 7, tags: ['a', `t${i % 10}`], address: { city: `City ${i % 50}` }, createdAt: new Date(1_700_000_000_000 + i * 1000) };
      }));
      if ((start / 10_000) % 5 === 0) say(`filled ${start + 10_000}/${size}`);
    }
    const engine = new MongoEngine(client);
    const ns = { db: dbName, collection: 'docs' };
    say('starting the companion server (embedded PGlite)');
    platform = await startPlatform();
    const api = new PlatformClient({ url: platform.url, token: platform.token });
    const registered = await api.createDatabase({ projectRef: platform.projectRef, name: 'bench', type: 'mongodb', connectionString: `${url.replace(/\/$/, '')}/${dbName}` });
    say('building the webview and starting Chromium');
    const bundle = await buildWebview();
    browser = await launchBrowser(join(root, 'bench', '.data', 'chromium-profile'));
    const strip = (p: Record<string, unknown>) => Object.fromEntries(Object.entries(p).filter(([k]) => !['remember', 'total'].includes(k)));
    const ways: Record<string, (p: Record<string, unknown>) => Promise<unknown>> = {
      direct: (p) => engine.findPage({ ...(strip(p) as unknown as FindPageParams), format: 'canonical' }),
      platform: (p) => api.operation('mongodb', registered.id, 'findPage', { ...strip(p), format: 'canonical' }),
      naive: async (p) => {
        const total = await collection.countDocuments({});
        const docs = await collection.find({}).skip(Number(p.skip ?? 0)).limit(Number(p.limit)).toArray();
        return { documents: docs.map((d) => JSON.parse(JSON.stringify(d))), ids: docs.map(() => null), truncated: [], hasMore: true, paging: 'skip', estimatedCount: total };
      },
    };
    const answer = { current: host(dbName, ways.direct!) };
    await openPage(browser, bundle, answer);
    const page = browser.page;
    const rowsShown = () => page.waitForFunction('window.__bench.rowsShown() >= 20', undefined, { polling: 'raf', timeout: 120_000 });

    // 1. The first page after the click, the way a tree click arrives: a Navigate notification.
    const click = async (way: string): Promise<number> => {
      answer.current = host(dbName, ways[way]!);
      await page.evaluate('window.__bench.clearRows()');
      const started = performance.now();
      await page.evaluate(`window.__bench.navigate(${JSON.stringify(dbName)})`);
      await rowsShown();
      return performance.now() - started;
    };
    const firstPage: Record<string, number[]> = { direct: [], platform: [], naive: [] };
    for (let r = 0; r < 2; r++) for (const way of Object.keys(firstPage)) await click(way); // warm-up
    for (let r = 0; r < RUNS; r++) for (const way of Object.keys(firstPage)) firstPage[way]!.push(await click(way));
    say(`first page (ms): ${JSON.stringify(Object.fromEntries(Object.entries(firstPage).map(([k, v]) => [k, v.map(round)])))}`);

    // 2. Documents 100,000-100,019: by key after the document before them, and by skip.
    const before = await engine.findPage({ ...ns, sort: '{"_id": 1}', skip: 99_999, limit: 1 });
    const token = JSON.stringify([JSON.parse(before.ids[0]!)]);
    const deep: Record<string, number[]> = { keyset: [], skip: [] };
    for (let r = 0; r < RUNS + 2; r++) {
      let t = performance.now();
      const a = await engine.findPage({ ...ns, after: token, limit: 20 });
      if (r >= 2) deep.keyset!.push(performance.now() - t);
      t = performance.now();
      const b = await engine.findPage({ ...ns, skip: 100_000, limit: 20 });
      if (r >= 2) deep.skip!.push(performance.now() - t);
      if (a.ids[0] !== b.ids[0]) throw new Error('the keyset page and the skip page differ');
    }

    // 3. Scrolling 10,000 loaded documents: the virtualized table, then a plain table of every row.
    answer.current = host(dbName, ways.direct!);
    await page.evaluate('window.__bench.tenThousand()');
    const shown = (n: number) => page.waitForFunction(`window.__bench.status().startsWith(${JSON.stringify(`${n.toLocaleString('en-US')} documents shown`)})`, undefined, { timeout: 120_000 });
    await shown(500);
    for (let loaded = 500; loaded < 10_000; loaded += 500) {
      await page.evaluate('window.__bench.toBottom()');
      await shown(loaded + 500);
    }
    const virtualFrames = (await page.evaluate('window.__bench.scrollFrames(\'[aria-label="Documents as a table"]\')')) as number[];
    const domRows = (await page.evaluate('window.__bench.domRows()')) as number;
    const naiveBuild = (await page.evaluate('window.__bench.naiveTable()')) as number;
    const naiveFrames = (await page.evaluate('window.__bench.scrollFrames("#naive")')) as number[];

    // 4. An exact count cancelled at once: until the server no longer runs it.
    const slow = '{"email": {"$regex": "never-there"}}';
    const admin = client.db('admin');
    const running = async (comment: string | RegExp) => ((await admin.command({ currentOp: 1, 'command.comment': comment })).inprog as Document[]).length;
    const untilGone = async (comment: string | RegExp, started: number) => {
      while ((await running(comment)) > 0) {
        if (performance.now() - started > 600_000) throw new Error('the count never stopped');
        await new Promise((r) => setTimeout(r, 5));
      }
      return performance.now() - started;
    };
    const oursStop: number[] = [];
    const naiveStop: number[] = [];
    const fullCount: number[] = [];
    for (let r = 0; r < 3; r++) {
      let t = performance.now();
      await collection.countDocuments({ email: { $regex: 'never-there' } });
      fullCount.push(performance.now() - t);
      const controller = new AbortController();
      t = performance.now();
      const ours = engine.countDocuments({ ...ns, filter: slow }, { signal: controller.signal }).catch(() => undefined);
      setTimeout(() => controller.abort(), 20);
      await ours;
      oursStop.push(await untilGone(/^ogelbase:count:/, t));
      const naive = new AbortController();
      const comment = `naive-${r}`;
      t = performance.now();
      const plain = collection.countDocuments({ email: { $regex: 'never-there' } }, { comment, signal: naive.signal }).catch(() => undefined);
      setTimeout(() => naive.abort(), 20);
      await plain;
      naiveStop.push(await untilGone(comment, t));
    }

    const result = {
      bench: 'mongo-browser',
      size,
      first_page_direct_ms: round(median(firstPage.direct!)),
      first_page_platform_ms: round(median(firstPage.platform!)),
      first_page_naive_ms: round(median(firstPage.naive!)),
      ours_ms: round(median(firstPage.direct!)),
      baseline_ms: round(median(firstPage.naive!)),
      ratio: round(median(firstPage.naive!) / median(firstPage.direct!)),
      deep_page_keyset_ms: round(median(deep.keyset!)),
      deep_page_skip_ms: round(median(deep.skip!)),
      scroll_10k_frame_p50_ms: round(percentile(virtualFrames, 50)),
      scroll_10k_frame_p95_ms: round(percentile(virtualFrames, 95)),
      scroll_10k_frame_max_ms: round(Math.max(...virtualFrames)),
      scroll_10k_dom_rows: domRows,
      naive_table_build_ms: round(naiveBuild),
      naive_scroll_frame_p50_ms: round(percentile(naiveFrames, 50)),
      naive_scroll_frame_p95_ms: round(percentile(naiveFrames, 95)),
      naive_scroll_frame_max_ms: round(Math.max(...naiveFrames)),
      count_full_ms: round(median(fullCount)),
      count_cancel_stop_ms: round(median(oursStop)),
      count_cancel_naive_stop_ms: round(median(naiveStop)),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
      server: process.env.MONGODB_URL ? 'mongodb' : 'wire-test-server',
    };
    console.log(JSON.stringify(result));
  } finally {
    await browser?.close();
    await client.db(dbName).dropDatabase().catch(() => undefined);
    await client.close().catch(() => undefined);
    await platform?.destroy().catch(() => undefined);
    stopWire();
  }
}

process.once('exit', stopWire);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopWire();
    process.exit(130);
  });
}
main().catch((error: unknown) => {
  say(`bench:mongo-browser failed: ${error instanceof Error ? error.stack : String(error)}`);
  stopWire();
  process.exit(1);
});
