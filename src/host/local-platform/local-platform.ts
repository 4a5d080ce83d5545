import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ContextKeys } from '../commands/ids';
import type { Log } from '../log';
import { ensurePglite, readManifest } from './pglite-download';
import { chooseRuntime, freeLoopbackPort, liveHolder, runAdminCommand, serverEntryIn, startServer, type RunningServer, type RuntimeChoice, type ServerLaunch } from './server-process';

const PORT_KEY = 'ogelbase.localPlatform.port';

function installedVersion(packageDir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/** What a start gives the caller to sign in with. */
export interface LocalPlatformStart {
  url: string;
  /** A fresh demo token, or undefined when the stored one for `url` should be tried first. */
  mintToken: () => Promise<string>;
  /** Who runs it: "Bun 1.4.5 (bundled server)", or "another VS Code window". */
  description: string;
}

/**
 * "Start Local Platform": the companion server run by the extension itself, its data (embedded
 * PGlite, generated keys) in the extension's global storage, on a loopback port kept between
 * sessions. One per VS Code window at most; a server another window started on the same data is
 * reused. Stopped with the extension (dispose), and by the server itself when the extension host
 * goes away (its standard input closes).
 */
export class LocalPlatform implements vscode.Disposable {
  private running: RunningServer | undefined;
  private starting: Promise<LocalPlatformStart> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: Log,
  ) {}

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  get url(): string | undefined {
    return this.running?.url;
  }

  private get storage(): string {
    return this.context.globalStorageUri.fsPath;
  }

  private setting<T>(name: string, fallback: T): T {
    return vscode.workspace.getConfiguration('ogelbase.localPlatform').get<T>(name, fallback);
  }

  /** The server to run and how: the workspace's sources with Bun while developing, else the bundle. */
  private launchPlan(runtimeChoice: RuntimeChoice): Pick<ServerLaunch, 'runtime' | 'entry'> & { fromSource: boolean } {
    const runtime = chooseRuntime(runtimeChoice);
    const { source, bundle } = serverEntryIn(this.context.extensionPath);
    const developing = this.context.extensionMode === vscode.ExtensionMode.Development;
    if (developing && source && runtime.name === 'bun') return { runtime, entry: source, fromSource: true };
    if (!bundle) throw new Error(`the extension has no bundled server (${join(this.context.extensionPath, 'dist', 'server', 'index.js')} is missing): reinstall the extension, or run \`npm run build\` when developing.`);
    return { runtime, entry: bundle, fromSource: false };
  }

  /** PGlite for the bundled server: the repository's in a development checkout, else a verified download. */
  private async pglitePackage(fromSource: boolean, signal: AbortSignal, report: (message: string) => void): Promise<string | undefined> {
    if (fromSource) return undefined;
    const manifest = readManifest(join(this.context.extensionPath, 'dist', 'server', 'pglite.json'));
    // A build inside the repository (F5) resolves the installed package itself; a .vsix has no node_modules.
    if (installedVersion(join(this.context.extensionPath, 'node_modules', '@electric-sql', 'pglite')) === manifest.version) return undefined;
    return ensurePglite({
      manifest,
      storageDir: join(this.storage, 'pglite'),
      registry: this.setting('registry', 'https://registry.npmjs.org'),
      signal,
      report,
    });
  }

  start(signal: AbortSignal, report: (message: string) => void): Promise<LocalPlatformStart> {
    this.starting ??= this.doStart(signal, report).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(signal: AbortSignal, report: (message: string) => void): Promise<LocalPlatformStart> {
    const plan = this.launchPlan(this.setting<RuntimeChoice>('runtime', 'auto'));
    const dataDir = join(this.storage, 'platform');
    const onLine = (line: string) => this.log.info(`[local-platform] ${line}`);
    const base: ServerLaunch = { runtime: plan.runtime, entry: plan.entry, env: { DATA_DIR: dataDir }, onLine };
    const mint = async (launch: ServerLaunch) => String((await runAdminCommand(launch, ['demo'])).token);

    if (this.running) return { url: this.running.url, mintToken: () => mint(base), description: 'already running' };
    const holder = liveHolder(dataDir);
    if (holder) {
      // Another window's server owns the data: ask it (through its administration channel) where it listens.
      this.log.info(`[local-platform] the server of another window (pid ${holder.pid}) holds ${dataDir}: using it`);
      const demo = await runAdminCommand(base, ['demo']);
      return { url: String(demo.url).replace('localhost', '127.0.0.1'), mintToken: async () => String(demo.token), description: `the server another VS Code window started (pid ${holder.pid})` };
    }

    const pglite = await this.pglitePackage(plan.fromSource, signal, report);
    const launch: ServerLaunch = { ...base, env: { ...base.env, ...(pglite ? { PGLITE_PACKAGE_DIR: pglite } : {}) } };
    const port = await freeLoopbackPort(this.context.globalState.get<number>(PORT_KEY));
    await this.context.globalState.update(PORT_KEY, port);
    const what = `${plan.runtime.name === 'bun' ? 'Bun' : `VS Code's Node ${process.versions.node}`}, ${plan.fromSource ? 'server/src from the workspace' : 'the bundled server'}`;
    report(`starting the platform server on 127.0.0.1:${port} (${what}; the first start creates its database)`);
    this.log.info(`[local-platform] starting ${plan.entry} with ${plan.runtime.command}, data in ${dataDir}`);
    const server = await startServer({ ...launch, port, signal });
    this.running = server;
    void vscode.commands.executeCommand('setContext', ContextKeys.localPlatformRunning, true);
    void server.exited.then((code) => {
      if (this.running !== server) return;
      this.running = undefined;
      void vscode.commands.executeCommand('setContext', ContextKeys.localPlatformRunning, false);
      this.log.warn(`[local-platform] the server (pid ${server.pid}) exited with code ${code}`);
    });
    this.log.info(`[local-platform] listening on ${server.url} (pid ${server.pid}, ${what})`);
    return { url: server.url, mintToken: () => mint(launch), description: what };
  }

  async stop(): Promise<boolean> {
    const server = this.running;
    if (!server) return false;
    this.running = undefined;
    await vscode.commands.executeCommand('setContext', ContextKeys.localPlatformRunning, false);
    await server.stop();
    this.log.info(`[local-platform] stopped the server (pid ${server.pid})`);
    return true;
  }

  dispose(): void {
    void this.stop();
  }
}
