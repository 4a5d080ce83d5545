import * as vscode from 'vscode';
import { PlatformClient, PlatformError, type CallOutcome } from '../../core/api/client';
import type { Profile } from '../../core/api/types';
import { ContextKeys } from '../commands/ids';
import { normalizeUrl, type Config, type PlatformEntry } from '../config';
import type { Log } from '../log';
import type { SecretVault } from '../secrets';
import { plural } from '../tree/format';

const ACTIVE_KEY = 'ogelbase.activePlatform';
const KNOWN_KEY = 'ogelbase.knownPlatforms';

/** Secret keys of one platform share this prefix, so signing out can remove all of them. */
export const platformSecretPrefix = (url: string) => `ogelbase.platform:${normalizeUrl(url)}:`;
const tokenKey = (url: string) => `${platformSecretPrefix(url)}token`;

export interface SignedIn {
  platform: PlatformEntry;
  client: PlatformClient;
  /** Known once the platform confirmed the token (at sign-in, or after the first call on restore). */
  profile: Profile | undefined;
}

/**
 * Which platform the explorer is signed in to. The token lives in SecretStorage only; globalState
 * remembers which platform was active (a URL, no secret). Restoring at activation does no network
 * call, so activation stays fast; the first tree expansion or health check proves the token.
 */
export class PlatformSession implements vscode.Disposable {
  private current: SignedIn | undefined;
  private readonly changed = new vscode.EventEmitter<SignedIn | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly called = new vscode.EventEmitter<CallOutcome & { client: PlatformClient }>();
  /** Every call of a client this session made (tree, commands, health), once it settled. */
  readonly onDidCall = this.called.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly vault: SecretVault,
    private readonly config: Config,
    private readonly log: Log,
  ) {}

  get signedIn(): SignedIn | undefined {
    return this.current;
  }

  /** Platforms from the settings plus every one signed in to before, by URL. */
  knownPlatforms(): PlatformEntry[] {
    const byUrl = new Map<string, PlatformEntry>();
    for (const p of this.state.get<PlatformEntry[]>(KNOWN_KEY, [])) byUrl.set(p.url, p);
    for (const p of this.config.platforms) byUrl.set(p.url, p);
    return [...byUrl.values()];
  }

  private client(url: string, token: string): PlatformClient {
    const client: PlatformClient = new PlatformClient({
      url,
      token,
      timeoutMs: this.config.requestTimeoutMs,
      observe: (outcome) => this.called.fire({ ...outcome, client }),
    });
    return client;
  }

  /** Signs in again to the platform that was active, with its stored token, without a network call. */
  async restore(): Promise<void> {
    const url = this.state.get<string>(ACTIVE_KEY);
    const token = url ? await this.vault.get(tokenKey(url)) : undefined;
    if (url && token) await this.activate({ platform: this.entryFor(url), client: this.client(url, token), profile: undefined });
    else await this.activate(undefined);
  }

  private entryFor(url: string, name?: string): PlatformEntry {
    return this.knownPlatforms().find((p) => p.url === url) ?? { name: name ?? new URL(url).host, url };
  }

  /** Checks URL and token against the platform (API version included) and keeps the token on success only. */
  async signIn(rawUrl: string, token: string, name?: string, signal?: AbortSignal): Promise<SignedIn> {
    const url = normalizeUrl(rawUrl);
    const client = this.client(url, token);
    const profile = await client.profile(signal);
    // Cancelled while the platform answered: nothing is stored.
    if (signal?.aborted) throw new PlatformError(0, 'cancelled', 'cancelled');
    // Connection strings cached for direct access belong to the user who revealed them.
    const userKey = `ogelbase.platformUser:${url}`;
    if (this.state.get<string>(userKey) !== profile.user.id) {
      await this.vault.deleteAll(`${platformSecretPrefix(url)}db:`);
      await this.state.update(userKey, profile.user.id);
    }
    await this.vault.store(tokenKey(url), token);
    const platform = this.entryFor(url, name);
    await this.state.update(KNOWN_KEY, [...this.state.get<PlatformEntry[]>(KNOWN_KEY, []).filter((p) => p.url !== url), platform]);
    await this.activate({ platform, client, profile });
    this.log.info(`[session] signed in to ${url} as ${profile.user.email} (API v${profile.apiVersion}, server ${profile.serverVersion})`);
    return this.current!;
  }

  /** Makes another known platform active: with its stored token, or returns false when it needs a sign-in. */
  async switchTo(url: string): Promise<boolean> {
    const token = await this.vault.get(tokenKey(url));
    if (!token) return false;
    await this.activate({ platform: this.entryFor(url), client: this.client(url, token), profile: undefined });
    this.log.info(`[session] switched to ${url}`);
    return true;
  }

  /** Removes every secret stored for the platform (its token and cached connection strings). */
  async signOut(url = this.current?.platform.url): Promise<number> {
    if (!url) return 0;
    const removed = await this.vault.deleteAll(platformSecretPrefix(url));
    if (this.current?.platform.url === url) await this.activate(undefined);
    this.log.info(`[session] signed out of ${url}; ${plural(removed, 'secret')} removed`);
    return removed;
  }

  /** Records the profile once a restored session's first call confirmed the token. */
  remember(profile: Profile): void {
    if (this.current) this.current.profile = profile;
  }

  private async activate(next: SignedIn | undefined): Promise<void> {
    this.current = next;
    await this.state.update(ACTIVE_KEY, next?.platform.url);
    await vscode.commands.executeCommand('setContext', ContextKeys.signedIn, next !== undefined);
    await vscode.commands.executeCommand('setContext', ContextKeys.platformCount, this.knownPlatforms().length);
    this.changed.fire(next);
  }

  dispose(): void {
    this.changed.dispose();
    this.called.dispose();
  }
}
