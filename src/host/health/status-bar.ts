import * as vscode from 'vscode';
import type { CallOutcome, PlatformClient } from '../../core/api/client';
import { CommandIds } from '../commands/ids';
import type { Config } from '../config';
import { DisposableStore } from '../disposable';
import type { Log } from '../log';
import type { PlatformSession } from '../platform/session';
import { describe, fromError, fromReport, nextDelayMs, verdictOf, type HealthState, type StatusView } from './health-state';

/** Calls that fail (or succeed while offline) in a burst trigger one check, not one each. */
const TRIGGER_GAP_MS = 2_000;

/**
 * One status bar item for the platform's health. It checks `GET /api/platform/health` at the
 * configured interval, at once on sign-in and when the window regains focus, and whenever another
 * platform call tells something: a call that could not reach the platform (or whose token was
 * refused) shows at once and is confirmed by a check; a server error triggers a check; a success
 * while offline triggers one too. While offline it re-checks after 2, 5, 10, then every 15 s, so
 * the item turns healthy within seconds of the platform's return. A degradation is announced once.
 */
export class HealthStatusBar extends DisposableStore {
  private readonly item = this.register(vscode.window.createStatusBarItem('ogelbase.health', vscode.StatusBarAlignment.Left, 10));
  private current: HealthState = { kind: 'signedOut' };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dueAt = Infinity;
  /** Consecutive checks that found the platform offline. */
  private offlineChecks = 0;
  private lastCheck = 0;
  private checking: Promise<HealthState> | undefined;
  /** A call asked for a check while one was running: check again once it ends. */
  private again = false;
  private readonly changed = this.register(new vscode.EventEmitter<HealthState>());
  /** Fires on every state shown (tests and the health report listen). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly session: PlatformSession,
    private readonly config: Config,
    private readonly log: Log,
  ) {
    super();
    this.item.name = 'OgelBase Platform Health';
    this.register(session.onDidChange(() => void this.refresh()));
    this.register(session.onDidCall((call) => this.observe(call)));
    this.register(
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused && Date.now() - this.lastCheck > 5_000) void this.refresh();
      }),
    );
    this.register(config.onDidChange((event) => event.affectsConfiguration('ogelbase.healthCheckInterval') && this.schedule()));
    this.register({ dispose: () => this.clearTimer() });
    this.show({ kind: 'signedOut' });
    this.item.show();
  }

  get state(): HealthState {
    return this.current;
  }

  /** What the item shows now (text, Markdown tooltip, accessible label, background): for tests and screenshots. */
  get view(): StatusView {
    return describe(this.current, { signIn: CommandIds.signIn, report: CommandIds.showHealthReport });
  }

  /** Milliseconds between two scheduled checks in the current state: the interval, at most ~15 s while offline. */
  get nextCheckInMs(): number {
    return nextDelayMs(this.current, this.offlineChecks, this.config.healthIntervalMs);
  }

  /** Checks now (a check already running is shared) and reschedules the next one. */
  async refresh(): Promise<HealthState> {
    const signedIn = this.session.signedIn;
    this.clearTimer();
    if (!signedIn) {
      this.offlineChecks = 0;
      this.show({ kind: 'signedOut' });
      return this.current;
    }
    this.checking ??= (async () => {
      const name = signedIn.platform.name;
      this.lastCheck = Date.now();
      if (this.current.kind === 'signedOut') this.show({ kind: 'checking', platform: name });
      let next: HealthState;
      try {
        next = fromReport(name, await signedIn.client.health(true));
      } catch (error) {
        next = fromError(name, error);
      }
      // The session may have changed while the check ran: only the current platform's answer counts.
      if (this.session.signedIn !== signedIn) return this.current;
      this.offlineChecks = next.kind === 'offline' ? this.offlineChecks + 1 : 0;
      this.show(next);
      return this.current;
    })().finally(() => {
      this.checking = undefined;
      this.schedule();
      if (this.again) {
        this.again = false;
        this.soon();
      }
    });
    return this.checking;
  }

  /** What another platform call's outcome says: show it at once, check soon, or nothing. */
  private observe(call: CallOutcome & { client: PlatformClient }): void {
    const signedIn = this.session.signedIn;
    // The status bar's own checks, and calls of a platform no longer current, say nothing new.
    if (!signedIn || call.client !== signedIn.client || call.path.startsWith('/api/platform/health')) return;
    const verdict = verdictOf(this.current, call);
    if (verdict === 'none') return;
    if (verdict === 'show' && !call.ok) {
      const next = fromError(signedIn.platform.name, call.error);
      if (next.kind !== this.current.kind) {
        this.log.info(`[health] ${call.method} ${call.path} failed: ${call.error.message}; checking the platform`);
        this.show(next);
      }
    }
    this.soon();
  }

  /** A check within TRIGGER_GAP_MS of the last one (or after the running one). */
  private soon(): void {
    if (!this.session.signedIn) return;
    if (this.checking) {
      this.again = true;
      return;
    }
    this.scheduleIn(Math.max(0, this.lastCheck + TRIGGER_GAP_MS - Date.now()));
  }

  private schedule(): void {
    this.clearTimer();
    if (this.session.signedIn) this.scheduleIn(this.nextCheckInMs);
  }

  /** Sets the timer to `ms` from now unless it is already due sooner. */
  private scheduleIn(ms: number): void {
    if (Date.now() + ms >= this.dueAt) return;
    this.clearTimer();
    this.dueAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.dueAt = Infinity;
      void this.refresh();
    }, ms);
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Infinity;
  }

  private show(next: HealthState): void {
    const previous = this.current;
    this.current = next;
    const view = describe(next, { signIn: CommandIds.signIn, report: CommandIds.showHealthReport });
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = { enabledCommands: [CommandIds.showHealthReport, CommandIds.showLog, CommandIds.signIn] };
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: view.accessibleLabel, role: 'button' };
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
