/**
 * The newcomer's path, exactly: a copy of the repository as a clone has it (the files git tracks or
 * would track, no node_modules, no data), `npm start` in it, the printed URL opened in Chromium,
 * the demo organization's PostgreSQL and Redis databases browsed down to columns and keys, then
 * Ctrl-C, after which no process that run started may be left. A second run (`--server-only`)
 * reuses the data. The VS Code cache folder (code-server) is the shared warm one.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Locator } from 'playwright-core';
import { PlatformClient } from '../../src/core/api/client';
import { registerSecret } from '../support/secrets';
import { freePort } from '../support/services/ports';
import { recordPid } from '../support/services/processes';
import { launchBrowser, waitForWorkbenchUi, type Browser } from '../support/vscode/browser';
import { repoRoot, resultsDir } from '../support/vscode/e2e-session';
import { showOgelBase } from '../support/vscode/workbench';

/** The repository as a fresh clone has it: tracked and not-ignored files only. */
function cloneLikeCopy(): string {
  const target = mkdtempSync(join(tmpdir(), 'ogelbase-first-run-'));
  // As a clone in an ordinary folder: others may pass through (PostgreSQL, run as `postgres` under root, must).
  chmodSync(target, 0o755);
  const files = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  for (const file of files) {
    const from = join(repoRoot, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue;
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(from, join(target, file));
  }
  return target;
}

interface Run {
  child: ChildProcess;
  output(): string;
  /** Resolves with the first match of `pattern` in the output, or rejects when the run ends first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  exited: Promise<number>;
}

/** `npm start` in `dir`, in its own process group (as a terminal runs it), without the outer npm's variables. */
function npmStart(dir: string, args: string[], env: Record<string, string>): Run {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|INIT_CWD$|MONGODB_URL$|PORT$)/.test(k)));
  const child = spawn('npm', ['start', ...(args.length ? ['--', ...args] : [])], { cwd: dir, env: { ...clean, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  recordPid(child.pid!);
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  return {
    child,
    output: () => text,
    exited,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setInterval(() => {
          const match = text.match(pattern);
          if (match) finish(() => resolve(match));
          else if (Date.now() > deadline) finish(() => reject(new Error(`npm start printed no ${pattern} within ${timeoutMs} ms; it printed:\n${text.slice(-3000)}`)));
        }, 200);
        const deadline = Date.now() + timeoutMs;
        const finish = (then: () => void) => {
          clearInterval(timer);
          then();
        };
        void exited.then((code) => {
          if (!text.match(pattern)) finish(() => reject(new Error(`npm start exited (code ${code}) before printing ${pattern}:\n${text.slice(-3000)}`)));
        });
      }),
  };
}

/** Processes whose command line or working folder is inside `dir` (what a run there started), ours excluded. */
function processesIn(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(`${pid} ${cmdline.slice(0, 160)}`);
    } catch {
      /* gone, or not ours to read */
    }
  }
  return found;
}

/** Ctrl-C in the terminal: SIGINT to the whole foreground process group. */
async function ctrlC(run: Run, dir: string): Promise<void> {
  process.kill(-run.child.pid!, 'SIGINT');
  const code = await Promise.race([run.exited, new Promise<number>((r) => setTimeout(() => r(-1), 60_000))]);
  assert.notEqual(code, -1, `npm start did not end within 60 s of Ctrl-C:\n${run.output().slice(-2000)}`);
  let left: string[] = [];
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    left = processesIn(dir);
    if (left.length === 0) break;
  }
  assert.deepEqual(left, [], 'Ctrl-C left processes behind');
}

async function expand(view: Locator, row: string | RegExp, child: string | RegExp): Promise<void> {
  const item = view.getByRole('treeitem', { name: row }).first();
  await item.click({ timeout: 60_000 });
  const target = view.getByRole('treeitem', { name: child }).first();
  // A click on a table opens the table inspector; its columns unfold with its twistie.
  if (!(await target.waitFor({ timeout: 5000 }).then(() => true, () => false))) await item.locator('.monaco-tl-twistie').click();
  await target.waitFor({ timeout: 60_000 });
}

describe('first run: npm start on a clone-like copy (no node_modules), browsed in Chromium', function () {
  let dir: string;
  let run: Run | undefined;
  const runs: Run[] = [];
  /** Ctrl-C to a run a failed test left going, so the next one starts on free data. */
  const endLeftover = async () => {
    for (const r of runs) {
      if (r.child.exitCode !== null || r.child.signalCode !== null) continue;
      try {
        process.kill(-r.child.pid!, 'SIGINT');
      } catch {
        /* ended */
      }
      await Promise.race([r.exited, new Promise((resolve) => setTimeout(resolve, 60_000))]);
    }
  };
  let browser: Browser | undefined;
  let platformPort: number;
  let token: string;
  let platformUrl: string;

  before(async function () {
    this.timeout(60_000);
    dir = cloneLikeCopy();
    platformPort = await freePort();
  });
  after(async function () {
    this.timeout(90_000);
    await browser?.close();
    await endLeftover();
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs, starts the platform and the demo databases, and prints a tokened loopback URL', async function () {
    this.timeout(900_000);
    assert.ok(!existsSync(join(dir, 'node_modules')), 'the copy starts without node_modules');
    run = npmStart(dir, [], { PORT: String(platformPort), OGELBASE_VSCODE_PORT: String(await freePort()) });
    runs.push(run);
    const [url] = await run.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?\S*tkn=\S+/, 840_000);
    const out = run.output();
    assert.match(out, /running npm ci/);
    assert.match(out, /sample data: customers 50, products 30, orders 500/);
    assert.match(out, /MongoDB: no MONGODB_URL/);
    assert.ok(existsSync(join(dir, 'node_modules', 'tsx')), 'npm start installed the dependencies');

    const state = JSON.parse(readFileSync(join(dir, '.ogelbase-start', 'state.json'), 'utf8')) as { token: string };
    token = state.token;
    registerSecret(token);
    assert.equal(statSync(join(dir, '.ogelbase-start', 'state.json')).mode & 0o077, 0, 'the state file is owner-only');
    platformUrl = `http://127.0.0.1:${platformPort}`;
    const client = new PlatformClient({ url: platformUrl, token });
    assert.ok((await client.organizations()).some((o) => o.slug === 'demo'));
    const { databases } = await client.databases('demo-project', { limit: 100, offset: 0 });
    assert.deepEqual(databases.map((d) => d.name).sort(), ['shop-postgres', 'shop-redis']);
    for (const database of databases) assert.equal((await client.testConnection(database.id)).ok, true, `${database.name} answers`);

    // The gateway: nothing without the printed token.
    const gateway = new URL(url);
    assert.equal((await fetch(`${gateway.origin}/`, { redirect: 'manual' })).status, 401);
    assert.equal((await fetch(`${gateway.origin}/?tkn=wrong`, { redirect: 'manual' })).status, 401);

    browser = await launchBrowser(join(resultsDir, 'vscode', 'first-run-chromium'));
    const page = browser.page;
    await page.goto(url, { timeout: 180_000 });
    await waitForWorkbenchUi(page, 180_000);
    await showOgelBase(page);
    const view = page.locator('#workbench\\.parts\\.sidebar');
    await expand(view, /Demo Organization/, /Demo Project/);
    await expand(view, /Demo Project/, /shop-postgres/);
    await expand(view, /shop-postgres/, /^public/);
    await expand(view, /^public/, /^customers/);
    await expand(view, /^customers/, /^email/);
    // `shop`, the namespace (not `shop-redis` or `shop-postgres`, the databases).
    await expand(view, /^shop-redis/, /^shop(?![-\w])/);
    await expand(view, /^shop(?![-\w])/, /^user\b/);
    await expand(view, /^user\b/, /^1\b|user:1\b/);
    await page.mouse.move(900, 500);
    mkdirSync(join(resultsDir, 'screenshots'), { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'screenshots', 'first-run.png') });

    // Signed in through SecretStorage: the token is in no setting.
    const settings = readFileSync(join(dir, '.ogelbase-start', 'vscode', 'user-data', 'User', 'settings.json'), 'utf8');
    assert.ok(!settings.includes(token), 'the token is not in the user settings');
    await browser.close();
    browser = undefined;

    await ctrlC(run, dir);
    assert.match(run.output(), /stopped; the data stays in/);
    assert.ok(!existsSync(join(dir, '.ogelbase-start', 'vscode', 'sign-in.json')), 'the hand-off file is gone after the run');
  });

  it('a second run (--server-only) reuses the data: same token, no second copy of anything', async function () {
    this.timeout(300_000);
    await browser?.close();
    browser = undefined;
    await endLeftover();
    run = npmStart(dir, ['--server-only'], { PORT: String(platformPort) });
    runs.push(run);
    await run.waitFor(/token: ogb_\S+/, 240_000);
    const out = run.output();
    assert.doesNotMatch(out, /running npm ci/);
    assert.match(out, /reused from an earlier run/);
    assert.match(out, /sample data: kept \(already there\)/);
    assert.ok(out.includes(`token: ${token}`), 'the token of the first run is still accepted and printed');
    const { databases } = await new PlatformClient({ url: platformUrl, token }).databases('demo-project', { limit: 100, offset: 0 });
    assert.deepEqual(databases.map((d) => d.name).sort(), ['shop-postgres', 'shop-redis']);
    await ctrlC(run, dir);
  });
});
