import * as vscode from 'vscode';
import { CommandIds } from '../commands/ids';
import type { Config } from '../config';
import { DisposableStore } from '../disposable';
import type { Log } from '../log';
import type { PlatformSession } from '../platform/session';
import { describe, fromError, fromReport, type HealthState, type StatusView } from './health-state';

/** While offline the interval doubles after each failed check, up to this many times the configured one. */
const MAX_BACKOFF = 8;

/**
 * One status bar item that reflects `GET /api/platform/health`: polled at the configured interval,
 * checked at once on sign-in and when the window regains focus, backing off while offline. When
 * the platform turns degraded it says so once, not on every poll.
 */
export class HealthStatusBar extends DisposableStore {
  private readonly item = this.register(vscode.window.createStatusBarItem('ogelbase.health', vscode.StatusBarAlignment.Left, 10));
  private current: HealthState = { kind: 'signedOut' };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private backoff = 1;
  private lastCheck = 0;
  private checking: Promise<HealthState> | undefined;
  private readonly changed = this.register(new vscode.EventEmitter<HealthState>());
  /** Fires after every check (tests and the health report listen). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly session: PlatformSession,
    private readonly config: Config,
    private readonly log: Log,
  ) {
    super();
    this.item.name = 'OgelBase Platform Health';
    this.register(session.onDidChange(() => void this.refresh()));
    this.register(
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused && Date.now() - this.lastCheck > 5_000) void this.refresh();
      }),
    );
    this.register(config.onDidChange((event) => event.affectsConfiguration('ogelbase.healthCheckInterval') && this.schedule()));
    this.register({ dispose: () => clearTimeout(this.timer) });
    this.show({ kind: 'signedOut' });
    this.item.show();
  }

  get state(): HealthState {
    return this.current;
  }

  /** What the item shows now (text, Markdown tooltip, background): for tests and the e2e screenshots. */
  get view(): StatusView {
    return describe(this.current, { signIn: CommandIds.signIn, report: CommandIds.showHealthReport });
  }

  /** Milliseconds until the next scheduled check: the interval, multiplied while offline. */
  get nextCheckInMs(): number {
    return this.config.healthIntervalMs * this.backoff;
  }

  /** Checks now (a check already running is shared) and reschedules the next one. */
  async refresh(): Promise<HealthState> {
    const signedIn = this.session.signedIn;
    clearTimeout(this.timer);
    if (!signedIn) {
      this.show({ kind: 'signedOut' });
      return this.current;
    }
    this.checking ??= (async () => {
      const name = signedIn.platform.name;
      if (this.current.kind === 'signedOut') this.show({ kind: 'checking', platform: name });
      let next: HealthState;
      try {
        next = fromReport(name, await signedIn.client.health(true));
        this.backoff = 1;
      } catch (error) {
        next = fromError(name, error);
        if (next.kind === 'offline') this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF);
      }
      this.lastCheck = Date.now();
      // The session may have changed while the check ran: only the current platform's answer counts.
      if (this.session.signedIn === signedIn) this.show(next);
      return this.current;
    })().finally(() => {
      this.checking = undefined;
      this.schedule();
    });
    return this.checking;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.session.signedIn) return;
    this.timer = setTimeout(() => void this.refresh(), this.config.healthIntervalMs * this.backoff);
  }

  private show(next: HealthState): void {
    const previous = this.current;
    this.current = next;
    const view = describe(next, { signIn: CommandIds.signIn, report: CommandIds.showHealthReport });
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = { enabledCommands: [CommandIds.showHealthReport, CommandIds.showLog, CommandIds.signIn] };
    this.item.tooltip = tooltip;
    this.item.command = view.command;
    this.item.backgroundColor = view.background ? new vscode.ThemeColor(`statusBarItem.${view.background}Background`) : undefined;
    if (next.kind === 'degraded' && previous.kind !== 'degraded') {
      this.log.warn(`[health] ${next.platform} is degraded: ${next.failing.join(', ')}`);
      void vscode.window.showWarningMessage(`OgelBase platform ${next.platform} is degraded: ${next.failing.join(', ')} unhealthy.`, 'Show Health Report').then((choice) => {
        if (choice) void vscode.commands.executeCommand(CommandIds.showHealthReport);
      });
    } else if (next.kind === 'offline' && previous.kind !== 'offline') {
      this.log.warn(`[health] ${next.platform} is offline: ${next.message}`);
    } else if (next.kind === 'healthy' && previous.kind !== 'healthy' && previous.kind !== 'signedOut' && previous.kind !== 'checking') {
      this.log.info(`[health] ${next.platform} is healthy again`);
    }
    this.changed.fire(next);
  }
}
