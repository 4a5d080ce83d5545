/**
 * `npm run test:setup`: installs what the extension-host and e2e layers need into the cache folder
 * (see cache.ts): Node 24 and code-server, each skipped when its folder holds a marker of the right
 * version. The marker is written only after a verified install, so an interrupted one is redone.
 * Debian packages (Chromium, the Kerberos headers, a C++ toolchain) are only checked: the error
 * names the exact `apt-get install` line (.ci/run runs it).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, chromiumPath, codeServer, isInstalled, markerName, node24, node24Env, type Marker } from './cache';

/** Native modules of code-server's VS Code that the extension host, terminals and file watching load. */
const nativeModules = ['node-pty', '@parcel/watcher', 'kerberos', '@vscode/spdlog', '@vscode/sqlite3', '@vscode/native-watchdog'];

const logsDir = join(cacheDir, 'logs');

/** Where progress lines go: `[setup] …` on the console, or `npm start`'s own lines. */
let progress = (line: string) => console.log(`[setup] ${line}`);

function missingDebianPackages(needBuildTools: boolean): string[] {
  const missing: string[] = [];
  if (!existsSync(chromiumPath)) missing.push('chromium');
  if (needBuildTools) {
    // kerberos (a dependency of code-server's VS Code) compiles against these headers.
    if (!existsSync('/usr/include/gssapi/gssapi.h')) missing.push('libkrb5-dev');
    const onPath = (name: string) => (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, name)));
    if (!onPath('make')) missing.push('make');
    if (!onPath('g++')) missing.push('g++');
    if (!onPath('python3')) missing.push('python3');
  }
  return missing;
}

/** Runs a command with its output in a log file; on failure the error carries the log's tail. */
async function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; log: string }): Promise<void> {
  mkdirSync(logsDir, { recursive: true });
  const out = createWriteStream(options.log, { flags: 'a' });
  out.write(`$ ${command} ${args.join(' ')}\n`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.once('error', (error) => {
      out.write(`${error.message}\n`);
      resolve(127);
    });
    child.once('close', (exitCode) => resolve(exitCode ?? 1));
  });
  await new Promise<void>((resolve) => out.end(resolve));
  if (code !== 0) {
    const tail = readFileSync(options.log, 'utf8').split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed with exit code ${code} (full log: ${options.log}):\n${tail}`);
  }
}

/** Wipes the folder, gives it a package.json of its own (so npm never walks up into a project), installs, verifies, marks. */
async function installPiece(
  name: string,
  piece: { dir: string; version: string; markerVersion?: string },
  manifest: object,
  install: (log: string) => Promise<void>,
): Promise<void> {
  if (isInstalled(piece)) {
    progress(`${name} ${piece.version}: already installed in ${piece.dir}`);
    return;
  }
  const started = Date.now();
  progress(`${name} ${piece.version}: installing into ${piece.dir} (once; code-server takes about 3 minutes) ...`);
  rmSync(piece.dir, { recursive: true, force: true });
  mkdirSync(piece.dir, { recursive: true });
  writeFileSync(join(piece.dir, 'package.json'), `${JSON.stringify({ name: `ogelbase-cache-${name}`, private: true, ...manifest }, null, 2)}\n`);
  const log = join(logsDir, `${name}.log`);
  rmSync(log, { force: true });
  await install(log);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const marker: Marker = { version: piece.markerVersion ?? piece.version, installedAt: new Date().toISOString(), seconds };
  writeFileSync(join(piece.dir, markerName), `${JSON.stringify(marker, null, 2)}\n`);
  progress(`${name} ${piece.version}: installed in ${seconds} s`);
}

/**
 * The environment without what an outer `npm run` exports: its `npm_config_user_agent` names the
 * Node that ran *it* (code-server's postinstall then refuses: "requires node v24 ... you are on node
 * v20"), and its `npm_config_*` (nodedir=/usr, local_prefix=<repo>) would override ours.
 */
function installEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== 'INIT_CWD' && key !== 'NODE'),
  );
  return { ...env, ...extra };
}

const npmArgs = ['install', '--no-audit', '--no-fund', '--no-save'];

async function installNode24(): Promise<void> {
  await installPiece('node24', node24, {}, async (log) => {
    await run('npm', [...npmArgs, `${node24.packageName}@${node24.version}`], { cwd: node24.dir, env: installEnv(), log });
    if (!existsSync(join(node24.home, 'include', 'node', 'node.h'))) throw new Error(`${node24.home} ships no headers (include/node/node.h)`);
    await run(node24.node, ['-e', `if (process.version !== 'v${node24.version}') process.exit(1)`], { cwd: node24.dir, env: installEnv(), log });
  });
}

async function installCodeServer(): Promise<void> {
  // code-server's postinstall builds VS Code's native modules (node-gyp) and insists on Node 24:
  // npm must run under Node 24, and node-gyp must use Node 24's headers, not those the machine's
  // npmrc names (`nodedir=/usr`, Node 20's), or the modules load with an ABI mismatch.
  const env = node24Env(installEnv({ npm_config_nodedir: node24.home, JOBS: '2' }));
  // npm 11's allowScripts: 11.19 still runs unapproved install scripts (with a warning), later
  // releases skip them, and without them code-server is not usable. Approve the two top-level ones;
  // VS Code's own package.json (lib/vscode, installed by that postinstall) approves its native modules.
  // The probe below fails the install if any of them did not build.
  const manifest = { allowScripts: { 'code-server': true, argon2: true } };
  await installPiece('code-server', codeServer, manifest, async (log) => {
    await run('npm', [...npmArgs, `code-server@${codeServer.version}`], { cwd: codeServer.dir, env, log });
    if (!existsSync(codeServer.entry)) throw new Error(`code-server's entry point ${codeServer.entry} is missing after the install`);
    // Loading each native module under Node 24 proves it was built, and built for the right ABI.
    const vscodeDir = join(codeServer.home, 'lib', 'vscode');
    const probe = `for (const m of ${JSON.stringify(nativeModules)}) { try { require(m); } catch (e) { console.error(m + ': ' + e.message); process.exitCode = 1; } }`;
    await run(node24.node, ['-e', probe], { cwd: vscodeDir, env, log }).catch((error: Error) => {
      throw new Error(`code-server's native modules do not load (were their install scripts skipped?): ${error.message}`);
    });
  });
}

/**
 * Installs what is missing into the cache folder. `npm start` calls it too, without Chromium (it
 * prints a URL instead of opening a browser) and with its own `say` and `again` (the command to
 * run once the missing Debian packages are installed).
 */
export async function ensureVsCodeTools(options: { chromium: boolean; say?: (line: string) => void; again?: string } = { chromium: true }): Promise<void> {
  const say = options.say ?? progress;
  say(`cache folder: ${cacheDir}`);
  const missing = missingDebianPackages(!isInstalled(codeServer)).filter((name) => options.chromium || name !== 'chromium');
  if (missing.length > 0) {
    throw new Error(`missing Debian packages (${missing.join(', ')}): run \`sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}\`, then \`${options.again ?? 'npm run test:setup'}\` again`);
  }
  mkdirSync(cacheDir, { recursive: true });
  progress = say;
  await installNode24();
  await installCodeServer();
  if (options.chromium) say(`Chromium: ${chromiumPath}`);
}

async function main(): Promise<void> {
  const started = Date.now();
  await ensureVsCodeTools({ chromium: true });
  console.log(`[setup] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Run as `npm run test:setup`; imported by `npm start`.
if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`[setup] FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
