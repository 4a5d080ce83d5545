/**
 * Where the real-VS Code test tools live: a cache folder outside the repository (hundreds of MB
 * that must not be committed and that survive `git clean`). `npm run test:setup` fills it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const cacheDir = process.env.OGELBASE_CACHE ?? join(homedir(), '.cache', 'ogelbase-explorer');

/**
 * Node 24 from the registry package that ships the binary and its headers. We install
 * `node-linux-<arch>` directly instead of the `node` wrapper: the wrapper only fetches this same
 * package from a preinstall script (one more script to approve) and stops at 24.9.
 */
export const node24 = {
  version: '24.22.3',
  dir: join(cacheDir, 'node24'),
  get packageName(): string {
    return `node-linux-${process.arch}`;
  },
  /** The folder with `bin/node` and `include/node`: what `npm_config_nodedir` must name for node-gyp. */
  get home(): string {
    return join(this.dir, 'node_modules', this.packageName);
  },
  get binDir(): string {
    return join(this.home, 'bin');
  },
  get node(): string {
    return join(this.binDir, 'node');
  },
};

/** code-server: VS Code's workbench and its real Node extension host, served over HTTP. */
export const codeServer = {
  version: '4.139.1',
  dir: join(cacheDir, 'code-server'),
  get home(): string {
    return join(this.dir, 'node_modules', 'code-server');
  },
  get entry(): string {
    return join(this.home, 'out', 'node', 'entry.js');
  },
  /** Its native modules are built against Node 24's headers: a change of that version redoes this install. */
  get markerVersion(): string {
    return `${this.version} (native modules for Node ${node24.version})`;
  },
};

/** Debian's Chromium; Playwright's own browser downloads cannot be fetched on these machines. */
export const chromiumPath = process.env.OGELBASE_CHROMIUM ?? '/usr/bin/chromium';

/** Written last by the installer, so a folder without it (or with another version) is redone. */
export const markerName = '.ogelbase-installed.json';

export interface Marker {
  version: string;
  installedAt: string;
  seconds: number;
}

export function readMarker(dir: string): Marker | undefined {
  const file = join(dir, markerName);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

export function isInstalled(piece: { dir: string; version: string; markerVersion?: string }): boolean {
  return readMarker(piece.dir)?.version === (piece.markerVersion ?? piece.version);
}

/** Throws the one instruction that fixes a missing cache, so every entry point says the same thing. */
export function assertInstalled(options: { chromium?: boolean } = {}): void {
  const missing = [
    !isInstalled(node24) && `Node ${node24.version} (${node24.dir})`,
    !isInstalled(codeServer) && `code-server ${codeServer.version} (${codeServer.dir})`,
    options.chromium !== false && !existsSync(chromiumPath) && `Chromium (${chromiumPath})`,
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(`the VS Code test tools are not installed: ${missing.join(', ')}; run \`npm run test:setup\` first`);
  }
}

/** An environment with Node 24 first on PATH: code-server refuses any other major version. */
export function node24Env(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, PATH: `${node24.binDir}:${base.PATH ?? ''}` };
}
