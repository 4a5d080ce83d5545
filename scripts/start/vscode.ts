/**
 * VS Code for `npm start`: code-server (installed once into the cache folder the tests share),
 * the extension packaged from this checkout (`vsce package --no-dependencies`, redone when a source
 * is newer than the .vsix) and installed the way a user installs one, a hand-off file (owner-only)
 * through which the extension signs in to the local platform (its token then lives in SecretStorage,
 * as after a typed Sign In), and code-server itself on an owner-only Unix socket behind the gateway.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installExtension, startCodeServer } from '../../test/support/vscode/code-server';
import { newestSource } from '../../test/support/vscode/e2e-session';
import { ensureVsCodeTools } from '../../test/support/vscode/install';

export interface StartedVsCode {
  socket: string;
  pid: number;
  exited: Promise<number>;
  stop(): Promise<void>;
}

export async function startVsCode(options: { root: string; dataDir: string; platformUrl: string; token: string; say: (line: string) => void }): Promise<StartedVsCode> {
  const { root, dataDir, say } = options;
  const dir = join(dataDir, 'vscode');
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  say('VS Code in the browser (code-server): checking the cache folder ...');
  await ensureVsCodeTools({ chromium: false, say: (line) => say(`  ${line}`), again: 'npm start' });

  const vsix = join(dataDir, 'ogelbase-explorer.vsix');
  if (!existsSync(vsix) || statSync(vsix).mtimeMs < newestSource(root)) {
    say('packaging the extension (vsce package --no-dependencies, a production build) ...');
    const started = Date.now();
    const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
    const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '-o', vsix], { cwd: root, encoding: 'utf8', timeout: 300_000 });
    if (result.status !== 0) throw new Error(`vsce package failed (exit ${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
    say(`  ${vsix} (${(statSync(vsix).size / 1024 / 1024).toFixed(2)} MB) in ${Math.round((Date.now() - started) / 1000)} s`);
  } else {
    say(`the packaged extension is up to date (${vsix})`);
  }
  const marker = join(dir, 'installed-vsix.txt');
  const stamp = String(statSync(vsix).mtimeMs);
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== stamp) {
    say('installing it into code-server (--install-extension) ...');
    installExtension({ dir }, vsix);
    writeFileSync(marker, stamp);
  }

  // The hand-off: read once by the extension (src/host/local-platform/handoff.ts); a new startedAt signs in again.
  const handoff = join(dir, 'sign-in.json');
  rmSync(handoff, { force: true });
  writeFileSync(handoff, JSON.stringify({ url: options.platformUrl, token: options.token, name: 'npm start platform', startedAt: new Date().toISOString() }), { mode: 0o600 });

  const socket = join(dir, 'code-server.sock');
  rmSync(socket, { force: true });
  say('starting code-server ...');
  const server = await startCodeServer({
    dir,
    folder: root,
    smokeTestDriver: false,
    socket,
    idleTimeoutSeconds: 0,
    readyTimeoutMs: 120_000,
    env: { OGELBASE_SIGN_IN_FILE: handoff },
    settings: { 'workbench.startupEditor': 'none', 'ogelbase.healthCheckInterval': 60 },
  });
  return {
    socket,
    pid: server.pid,
    exited: server.exited,
    stop: async () => {
      await server.stop();
      // The token stays in the extension's SecretStorage; the hand-off file is not left lying about.
      rmSync(handoff, { force: true });
    },
  };
}
