/**
 * The Redis key browser measured in the real VS Code (code-server 4.139 in Chromium, the packaged
 * .vsix, as the e2e layer runs it), on a private redis-server filled with N keys, a hash of H fields
 * and a string of S MB, against the naive approach in the same run:
 * - click on a key → its first page rendered in the webview (timed inside the webview: the row's
 *   click() to the first viewer row painted), directly and through the companion platform; the
 *   naive side is what a whole-value viewer waits for before it can render anything (HGETALL of
 *   the hash, GET of the string, timed on a plain ioredis client in this process);
 * - frame times while scrolling 100,000 listed keys in our virtualized grid, against the same
 *   100,000 rows as plain DOM elements in the same webview;
 * - the extension host's RSS (from /proc) before and after all of that browsing.
 *
 *   npm run bench:keybrowser -- --keys 1000000 --hash 2000000 --string-mb 50    (the defaults)
 *   npm run bench:keybrowser -- --keys 20000 --hash 100000 --string-mb 5        (a quick look)
 *
 * Needs what the e2e layer needs (Chromium, Node 24 + code-server in the cache: installed here
 * when missing, as `npm run test:setup` does). Prints one JSON line; method and figures in
 * bench/key-browser.md and bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { FrameLocator, Page } from 'playwright-core';

const arg = (flag: string, fallback: number) => {
  const at = process.argv.indexOf(flag);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const KEYS = arg('--keys', 1_000_000);
const HASH = arg('--hash', 2_000_000);
const STRING_MB = arg('--string-mb', 50);
const LISTED = Math.min(100_000, KEYS);
const root = resolve(__dirname, '..');
process.env.OGELBASE_RESULTS_DIR ??= join(root, 'bench', '.data', 'key-browser');
mkdirSync(process.env.OGELBASE_RESULTS_DIR, { recursive: true });
const round = (n: number) => Math.round(n * 10) / 10;
const say = (line: string) => console.error(`[bench:keybrowser] ${line}`);

function quantiles(samples: number[]): { p50: number; p95: number; max: number; frames: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { p50: at(0.5), p95: at(0.95), max: round(sorted.at(-1) ?? 0), frames: sorted.length };
}

/** RSS in MB of the extension host under code-server's process group. */
function extensionHostRssMb(serverPid: number): number {
  const ps = spawnSync('ps', ['-eo', 'pid,pgid,args', '--no-headers'], { encoding: 'utf8' }).stdout;
  const line = ps.split('\n').find((l) => l.includes('extensionHost') && l.trim().split(/\s+/)[1] === String(serverPid));
  if (!line) throw new Error('no extension host process found under code-server');
  const pid = line.trim().split(/\s+/)[0]!;
  const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return round(Number(rss) / 1024);
}

async function fill(redis: Redis): Promise<number> {
  const started = Date.now();
  for (let start = 0; start < KEYS; start += 20_000) {
    const batch = redis.pipeline();
    for (let i = start; i < Math.min(KEYS, start + 20_000); i++) batch.set(`bench:key:${String(i).padStart(7, '0')}`, String(i));
    await batch.exec();
  }
  for (let start = 0; start < HASH; start += 100_000) {
    const batch = redis.pipeline();
    for (let i = start; i < Math.min(HASH, start + 100_000); i += 1000) {
      batch.hset('bench:big:hash', Object.fromEntries(Array.from({ length: Math.min(1000, HASH - i) }, (_, j) => [`field-${i + j}`, `value ${i + j}`])));
    }
    await batch.exec();
  }
  await redis.set('bench:big:string', Buffer.alloc(STRING_MB * 1024 * 1024, 'x'));
  await redis.set('bench:small', 'hello');
  return Date.now() - started;
}

/** Clicks a key's row inside the webview and times it until the first row of its viewer is painted. */
async function clickToFirstPage(frame: FrameLocator, pattern: string, rowText: string): Promise<number> {
  const field = frame.getByRole('textbox', { name: 'Pattern', exact: true });
  await field.fill(pattern);
  await field.press('Enter');
  const grid = frame.getByRole('grid', { name: 'Keys' });
  await grid.getByRole('row', { name: new RegExp(rowText) }).first().waitFor({ timeout: 120_000 });
  return grid.evaluate(async (element, text) => {
    const row = [...element.querySelectorAll<HTMLElement>('.vlist-row:not([hidden])')].find((r) => r.textContent?.includes(text))!;
    const view = element.ownerDocument.querySelector('.key-view')!;
    view.querySelector('.viewer')?.replaceChildren();
    const started = performance.now();
    row.click();
    return new Promise<number>((done, fail) => {
      const deadline = started + 120_000;
      const check = () => {
        const first = view.querySelector('.viewer .vlist-row:not([hidden]), .viewer pre.value');
        if (first && (first.textContent ?? '').length > 0) return requestAnimationFrame(() => done(performance.now() - started));
        if (performance.now() > deadline) return fail(new Error('the first page did not render'));
        requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
  }, rowText);
}

/** Scrolls a scroll container by `step` px per frame for `frames` frames; returns the frame durations. */
const scrollFrames = (frame: FrameLocator, selector: string, frames: number) =>
  frame.locator(selector).first().evaluate(
    (element, count) =>
      new Promise<number[]>((done) => {
        const durations: number[] = [];
        let last = performance.now();
        let n = 0;
        element.scrollTop = 0;
        const tick = (now: number) => {
          durations.push(now - last);
          last = now;
          element.scrollTop += Math.max(200, element.scrollHeight / (count + 1));
          if (++n < count) requestAnimationFrame(tick);
          else done(durations.slice(1));
        };
        requestAnimationFrame(tick);
      }),
    frames,
  );

async function main(): Promise<void> {
  const { assertInstalled } = await import('../test/support/vscode/cache');
  try {
    assertInstalled();
  } catch {
    say('installing Node 24 and code-server into the cache (npm run test:setup)');
    const setup = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/vscode/install.ts'], { cwd: root, stdio: 'inherit' });
    if (setup.status !== 0) throw new Error('npm run test:setup failed');
  }
  const { startRedis } = await import('../test/support/services/redis');
  const { startPlatform } = await import('../test/support/platform');
  const { PlatformClient } = await import('../src/core/api/client');
  const { startE2eSession, stopE2eSession } = await import('../test/support/vscode/e2e-session');
  const { applySettings, runCommand, showOgelBase } = await import('../test/support/vscode/workbench');
  const { webview } = await import('../test/support/vscode/webview');

  const redisService = await startRedis();
  const platform = await startPlatform();
  const redis = new Redis(redisService.url);
  let session: Awaited<ReturnType<typeof startE2eSession>> | undefined;
  try {
    say(`filling ${KEYS} keys, a hash of ${HASH} fields, a ${STRING_MB} MB string`);
    const fillMs = await fill(redis);
    const memory = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
    const client = new PlatformClient({ url: platform.url, token: platform.token });
    await client.createDatabase({ projectRef: platform.projectRef, name: 'bench', type: 'redis', connectionString: redisService.url });

    // The naive side: what a viewer that loads whole values waits for before rendering anything.
    const naive = new Redis(redisService.url, { commandTimeout: 600_000 });
    let t = performance.now();
    const all = await naive.hgetallBuffer('bench:big:hash');
    const hgetallMs = performance.now() - t;
    const hgetallFields = Object.keys(all).length;
    t = performance.now();
    const whole = await naive.getBuffer('bench:big:string');
    const getMs = performance.now() - t;
    naive.disconnect();
    say(`naive: HGETALL ${hgetallFields} fields ${round(hgetallMs)} ms, GET ${whole?.length} bytes ${round(getMs)} ms`);

    // A loaded machine can take longer than Playwright's 30 s to load the workbench: try again.
    for (let attempt = 1; !session; attempt++) {
      try {
        session = await startE2eSession();
      } catch (error) {
        await stopE2eSession();
        if (attempt === 3) throw error;
        say(`the workbench did not load (${(error as Error).message.split('\n')[0]}); again`);
      }
    }
    const page: Page = session.page;
    const results: Record<string, number> = {};
    let rssBefore = 0;
    for (const mode of ['direct', 'platform'] as const) {
      await applySettings(page, session.userDataDir, { 'ogelbase.platform.url': platform.url, 'ogelbase.connectionMode': mode, 'ogelbase.healthCheckInterval': 3600 });
      if (mode === 'direct') {
        await showOgelBase(page);
        await runCommand(page, 'OgelBase: Sign In');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: platform.url }).first().click({ timeout: 15_000 });
        await page.locator('.quick-input-widget input[type="password"]').fill(platform.token);
        await page.keyboard.press('Enter');
        await page.locator('#workbench\\.parts\\.sidebar').getByRole('treeitem', { name: /Demo Organization/ }).waitFor({ timeout: 60_000 });
      }
      // Signed in again after the reload (the session restores in the background) before opening.
      await page.locator('#workbench\\.parts\\.statusbar .statusbar-item', { hasText: 'OgelBase' }).locator('.codicon-pass-filled').first().waitFor({ timeout: 120_000 });
      // A restored webview may hold the keyboard focus (F1 would not reach the palette): click its tab first.
      const tab = page.locator('.tabs-container .tab', { hasText: 'Keys:' }).first();
      if (await tab.isVisible()) await tab.click();
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'OgelBase: Open Key Browser');
      const frame = webview(page);
      await frame.getByRole('grid', { name: 'Keys' }).waitFor({ timeout: 120_000 });
      // tsx compiles this file with esbuild's keepNames: functions sent to evaluate() call __name().
      await frame.locator('body').evaluate('globalThis.__name = (f) => f');
      if (mode === 'direct') rssBefore = extensionHostRssMb(session.server.pid);
      // A first open warms the connection (and, through the platform, its pool); then the timed runs.
      await clickToFirstPage(frame, 'bench:small', 'bench:small');
      for (const [name, pattern] of [['hash', 'bench:big:hash'], ['string', 'bench:big:string'], ['small', 'bench:small']] as const) {
        const runs: number[] = [];
        for (let i = 0; i < 5; i++) runs.push(await clickToFirstPage(frame, pattern, pattern));
        results[`${mode}_${name}_ms`] = quantiles(runs).p50;
        say(`${mode}: click → first page of ${name}: median ${results[`${mode}_${name}_ms`]} ms of ${runs.map(round).join(', ')}`);
      }
    }

    // 100,000 keys in the list: "scan more" pages until there are, then scroll through them.
    const frame = webview(page);
    const field = frame.getByRole('textbox', { name: 'Pattern', exact: true });
    await field.fill('bench:key:*');
    await field.press('Enter');
    const status = frame.locator('.key-list > .status');
    for (let i = 0; i < 2000; i++) {
      const count = Number(/^([\d,]+) key/.exec(await status.innerText())?.[1]?.replace(/,/g, '') ?? 0);
      if (count >= LISTED || /scan finished/.test(await status.innerText())) break;
      // Clicked from inside the webview: Playwright's pointer actionability checks are not what is measured here.
      const more = frame.getByRole('button', { name: 'Scan more', exact: true });
      if ((await more.getAttribute('aria-disabled')) !== 'true') await more.evaluate((button) => (button as HTMLElement).click());
      await page.waitForTimeout(50);
    }
    const listed = Number(/^([\d,]+) key/.exec(await status.innerText())?.[1]?.replace(/,/g, '') ?? 0);
    const ours = quantiles(await scrollFrames(frame, '.key-list .vlist', 300));
    // The naive grid: the same number of rows as plain elements, in the same webview.
    await frame.locator('body').evaluate((body, n) => {
      const list = document.createElement('div');
      list.className = 'naive-list';
      list.setAttribute('style', 'position:fixed;inset:0;overflow:auto;background:inherit;z-index:10');
      const rows = document.createDocumentFragment();
      for (let i = 0; i < n; i++) {
        const row = document.createElement('div');
        row.textContent = `bench:key:${i}\tstring\tno TTL\t72 B`;
        rows.appendChild(row);
      }
      list.appendChild(rows);
      body.appendChild(list);
    }, listed);
    const naiveFrames = quantiles(await scrollFrames(frame, '.naive-list', 300));
    await frame.locator('.naive-list').evaluate((element) => element.remove());
    const rssAfter = extensionHostRssMb(session.server.pid);

    console.log(
      JSON.stringify({
        bench: 'key-browser',
        keys: KEYS,
        hash_fields: HASH,
        string_mb: STRING_MB,
        ...results,
        naive_hgetall_ms: round(hgetallMs),
        naive_get_string_ms: round(getMs),
        listed_keys: listed,
        scroll_frame_ms: ours,
        naive_scroll_frame_ms: naiveFrames,
        ext_host_rss_before_mb: rssBefore,
        ext_host_rss_after_mb: rssAfter,
        ext_host_rss_growth_mb: round(rssAfter - rssBefore),
        fill_ms: fillMs,
        redis_used_memory_mb: Math.round(memory / 1024 / 1024),
      }),
    );
  } finally {
    redis.disconnect();
    if (session) await stopE2eSession();
    await platform.destroy();
    await redisService.destroy();
  }
}

void main().catch((error: Error) => {
  console.error(error);
  process.exitCode = 1;
});
