// `npm start`: from a fresh clone to browsing the demo databases in VS Code (see scripts/start/main.ts).
// This file needs nothing but Node: it checks the Node version, installs the dependencies when
// node_modules is missing or older than package-lock.json, then runs the real program with tsx.
//   npm start                   platform + demo databases + VS Code in the browser (code-server)
//   npm start -- --server-only  platform + demo databases, for desktop VS Code (prints URL and token)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => console.log(`[start] ${line}`);
const fail = (line) => {
  console.error(`[start] ERROR: ${line}`);
  process.exit(1);
};

// 1. Node: the version package.json's engines.node names.
const wanted = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node; // ">=20.11"
const [wantMajor, wantMinor] = wanted.replace(/^>=\s*/, '').split('.').map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < wantMajor || (major === wantMajor && minor < (wantMinor ?? 0))) {
  fail(`Node ${process.versions.node} is too old: this project needs Node ${wanted} (package.json engines.node). Install Node 20.11 or newer (https://nodejs.org, or \`nvm install 22\`), then run \`npm start\` again.`);
}

// 2. Dependencies: `npm ci` when node_modules is missing or older than package-lock.json.
const installed = join(root, 'node_modules', '.package-lock.json');
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(join(root, 'package-lock.json')).mtimeMs || !existsSync(join(root, 'node_modules', 'tsx'));
if (stale) {
  say(existsSync(join(root, 'node_modules')) ? 'node_modules is older than package-lock.json: running npm ci ...' : 'no node_modules yet: running npm ci (once, about a minute) ...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const started = Date.now();
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) fail(`could not run npm (${result.error.message}): npm comes with Node; check your PATH.`);
  if (result.status !== 0) {
    fail(`npm ci failed (exit ${result.status}). If you are offline: connect to the network (or to your npm mirror, set with \`npm config set registry\`) once, then run \`npm start\` again; the install is kept.`);
  }
  say(`dependencies installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

// 3. The program itself, in TypeScript. Ctrl-C reaches it directly (same terminal); this process
//    only waits for it and exits with its code.
const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'start', 'main.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    // The terminal sends Ctrl-C to the child too; a SIGTERM/SIGHUP sent to npm alone is passed on.
    if (signal !== 'SIGINT') child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
