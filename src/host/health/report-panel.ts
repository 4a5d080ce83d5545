import * as vscode from 'vscode';
import type { HealthHostMessage, HealthWebviewMessage } from '../../webviews/protocol/health-report';
import { DisposableStore } from '../disposable';
import type { Log } from '../log';
import type { PlatformSession } from '../platform/session';
import { webviewHtml, webviewOptions } from '../webviews/html';

/**
 * The "Platform Health" panel: the services of /api/platform/health with latency and errors, and
 * the connection metrics and circuit breakers of /api/platform/metrics. One panel, revealed again
 * when asked twice; its webview speaks the typed protocol of webviews/protocol/health-report.ts.
 */
export class HealthReportPanel extends DisposableStore {
  private panel: vscode.WebviewPanel | undefined;
  private focus: 'health' | 'metrics' = 'health';
  private ready = false;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: PlatformSession,
    private readonly log: Log,
  ) {
    super();
  }

  /** Opens (or reveals) the panel and loads a fresh report. */
  async show(focus: 'health' | 'metrics'): Promise<void> {
    this.focus = focus;
    if (this.panel) {
      this.panel.reveal();
      await this.load();
      return;
    }
    const panel = vscode.window.createWebviewPanel('ogelbase.healthReport', 'Platform Health', vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'ogelbase.svg');
    this.panel = panel;
    this.ready = false;
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'health-report', 'Platform Health');
    const subscriptions = [
      panel.webview.onDidReceiveMessage((message: HealthWebviewMessage) => void this.receive(message)),
      panel.onDidDispose(() => {
        this.panel = undefined;
        for (const s of subscriptions) s.dispose();
      }),
    ];
    this.register({ dispose: () => this.panel?.dispose() });
  }

  private async receive(message: HealthWebviewMessage): Promise<void> {
    // A message handler must never throw into the webview channel: failures become an error message.
    try {
      if (message.type === 'ready') {
        this.ready = true;
        await this.load();
      } else if (message.type === 'refresh') {
        await this.load();
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

  private async load(): Promise<void> {
    const signedIn = this.session.signedIn;
    if (!signedIn) {
      this.post({ type: 'error', message: 'Not signed in to a platform: run "OgelBase: Sign In".' });
      return;
    }
    this.post({ type: 'loading' });
    try {
      const [health, metrics] = await Promise.all([signedIn.client.health(true), signedIn.client.metrics().catch(() => undefined)]);
      this.post({ type: 'report', platform: { name: signedIn.platform.name, url: signedIn.platform.url }, health, metrics, focus: this.focus });
    } catch (error) {
      const message = (error as Error).message;
      this.log.warn(`[health report] ${message}`);
      this.post({ type: 'error', message });
    }
  }
}
