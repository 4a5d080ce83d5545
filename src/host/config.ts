import * as vscode from 'vscode';

export interface PlatformEntry {
  name: string;
  url: string;
}

export type ConnectionMode = 'auto' | 'platform' | 'direct';

/** The extension's settings, read fresh on each access so a change applies at once. */
export class Config {
  private get section() {
    return vscode.workspace.getConfiguration('ogelbase');
  }

  get defaultPlatformUrl(): string {
    return this.section.get<string>('platform.url', 'http://localhost:3001');
  }

  get platforms(): PlatformEntry[] {
    const list = this.section.get<PlatformEntry[]>('platforms', []);
    return list.filter((p) => typeof p?.url === 'string' && p.url.length > 0).map((p) => ({ name: p.name || p.url, url: normalizeUrl(p.url) }));
  }

  get healthIntervalMs(): number {
    return Math.max(10, this.section.get<number>('healthCheckInterval', 60)) * 1000;
  }

  get connectionMode(): ConnectionMode {
    return this.section.get<ConnectionMode>('connectionMode', 'auto');
  }

  get requestTimeoutMs(): number {
    return Math.max(1, this.section.get<number>('requestTimeout', 30)) * 1000;
  }

  get pageSize(): number {
    return Math.min(2000, Math.max(10, this.section.get<number>('tree.pageSize', 200)));
  }

  get keyDelimiter(): string {
    return this.section.get<string>('redis.keyDelimiter', ':') || ':';
  }

  get scanCount(): number {
    return Math.min(10_000, Math.max(10, this.section.get<number>('redis.scanCount', 500)));
  }

  onDidChange(listener: (event: vscode.ConfigurationChangeEvent) => void): vscode.Disposable {
    return vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('ogelbase')) listener(event);
    });
  }
}

/** `http://host:3001/` and `http://host:3001` are the same platform. */
export function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '');
}
