import * as vscode from 'vscode';
import type { HealthReport, MetricsReport } from '../../core/api/types';
import type { BreakerTransition, HealthHostMessage, HealthWebviewMessage, MetricsSample } from '../../webviews/protocol/health-report';
import { DisposableStore } from '../disposable';
import type { Log } from '../log';
import type { PlatformSession } from '../platform/session';
import { webviewHtml, webviewOptions } from '../webviews/html';
import type { HealthStatusBar } from './status-bar';

/** Seconds between two updates while the panel is visible. */
const REFRESH_SECONDS = 5;
/** Samples kept for the charts: 10 minutes at one every 5 s. */
const HISTORY = 120;
const TRANSITIONS = 50;

/**
 * The "Platform Health" panel, health and metrics in one place: the services of
 * /api/platform/health, the runtime, memory, connections per engine over time and the circuit
 * breakers (with their transitions) of /api/platform/metrics. While visible it updates every
 * REFRESH_SECONDS and whenever the status bar learns something; a failed update keeps the last
 * good figures on screen, marked stale, with the reason. One panel, revealed again when asked twice.
 */
export class HealthReportPanel extends DisposableStore {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private loading: Promise<void> | undefined;
  private last: { platform: { name: string; url: string }; health: HealthReport; metrics?: MetricsReport; updatedAt: string } | undefined;
  private history: MetricsSample[] = [];
  private transitions: BreakerTransition[] = [];
  private lastCircuits = new Map<string, string>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: PlatformSession,
    statusBar: HealthStatusBar,
    private readonly log: Log,
  ) {
    super();
    this.register({ dispose: () => clearTimeout(this.timer) });
    // The status bar's checks are fresher than the panel's own schedule: show them at once.
    this.register(
      statusBar.onDidChange((state) => {
        if (!this.panel || !this.last) return;
        if (state.kind === 'healthy' || state.kind === 'degraded') this.publish({ ...this.last, health: state.report, updatedAt: new Date().toISOString() });
        else if (state.kind === 'offline' || state.kind === 'rejected') this.publish(this.last, state.message);
      }),
    );
    this.register(
      session.onDidChange(() => {
        this.forget();
        if (this.panel) void this.load(true);
      }),
    );
  }

  /** Opens (or reveals) the panel and loads a fresh report. */
  async show(): Promise<void> {
    if (this.panel) {
      this.panel.reveal();
      await this.load(true);
      return;
    }
    const panel = vscode.window.createWebviewPanel('ogelbase.healthReport', 'Platform Health', vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'ogelbase.svg');
    this.panel = panel;
    this.ready = false;
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'health-report', 'Platform Health');
    const subscriptions = [
      panel.webview.onDidReceiveMessage((message: HealthWebviewMessage) => void this.receive(message)),
      // Hidden, it stops polling; shown again, it catches up at once.
      panel.onDidChangeViewState(() => (panel.visible ? void this.load(false) : clearTimeout(this.timer))),
      panel.onDidDispose(() => {
        this.panel = undefined;
        clearTimeout(this.timer);
        this.forget();
        for (const s of subscriptions) s.dispose();
      }),
    ];
    this.register({ dispose: () => this.panel?.dispose() });
  }

  private forget(): void {
    this.last = undefined;
    this.history = [];
    this.transitions = [];
    this.lastCircuits = new Map();
  }

  private async receive(message: HealthWebviewMessage): Promise<void> {
    // A message handler must never throw into the webview channel: failures become an error message.
    try {
      if (message.type === 'ready') {
        this.ready = true;
        await this.load(true);
      } else if (message.type === 'refresh') {
        await this.load(true);
      } else if (message.type === 'showLog') {
        this.log.show(true);
      }
    } catch (error) {
      this.log.error(`[health report] ${(error as Error).message}`);
    }
  }

  private post(message: HealthHostMessage): void {
    if (this.panel && this.ready) void this.panel.webview.postMessage(message);
  }

  private publish(data: NonNullable<HealthReportPanel['last']>, problem?: string): void {
    this.post({ type: 'report', ...data, history: this.history, transitions: this.transitions, refreshSeconds: REFRESH_SECONDS, ...(problem ? { problem } : {}) });
  }

  /** Loads health and metrics (one load at a time), then schedules the next while visible. */
  private load(fresh: boolean): Promise<void> {
    this.loading ??= this.fetch(fresh).finally(() => {
      this.loading = undefined;
      clearTimeout(this.timer);
      if (this.panel?.visible) this.timer = setTimeout(() => void this.load(false), REFRESH_SECONDS * 1000);
    });
    return this.loading;
  }

  private async fetch(fresh: boolean): Promise<void> {
    const signedIn = this.session.signedIn;
    if (!signedIn) {
      this.post({ type: 'error', message: 'Not signed in to a platform: run "OgelBase: Sign In".' });
      return;
    }
    if (!this.last) this.post({ type: 'loading' });
    try {
      // The platform caches its health for HEALTH_CHECK_INTERVAL: automatic updates take that; Refresh asks for a new check.
      const [health, metrics] = await Promise.all([signedIn.client.health(fresh), signedIn.client.metrics().catch(() => undefined)]);
      if (this.session.signedIn !== signedIn) return;
      if (metrics) this.record(metrics);
      this.last = { platform: { name: signedIn.platform.name, url: signedIn.platform.url }, health, metrics, updatedAt: new Date().toISOString() };
      this.publish(this.last);
    } catch (error) {
      const message = (error as Error).message;
      this.log.warn(`[health report] ${message}`);
      if (this.last) this.publish(this.last, message);
      else this.post({ type: 'error', message });
    }
  }

  /** Keeps a sample for the charts and notes every breaker whose state changed since the previous one. */
  private record(metrics: MetricsReport): void {
    const before = this.history.length > 0 ? this.lastCircuits : undefined;
    this.history = [...this.history, { at: metrics.timestamp, connections: metrics.connections }].slice(-HISTORY);
    const now = new Map(metrics.circuits.map((c) => [c.name, c.state]));
    if (before) {
      for (const [name, state] of now) {
        const previous = before.get(name);
        // A breaker met for the first time counts as a transition only when it is not closed.
        if (previous === state || (previous === undefined && state === 'closed')) continue;
        this.transitions = [...this.transitions, { at: metrics.timestamp, name, from: previous ?? 'unused', to: state }].slice(-TRANSITIONS);
      }
    }
    this.lastCircuits = now;
  }
}
