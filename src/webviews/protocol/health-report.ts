import type { HealthReport, MetricsReport } from '../../core/api/types';

/** Messages of the health report webview, both directions. Types only: shared by host and webview. */

/** Host → webview. */
export type HealthHostMessage =
  | {
      type: 'report';
      /** Display name and URL of the platform the report is about. */
      platform: { name: string; url: string };
      /** The platform's `/api/platform/health` document. */
      health: HealthReport;
      /** `/api/platform/metrics`, when the server serves it. */
      metrics?: MetricsReport;
      /** Which section the panel should bring into view. */
      focus: 'health' | 'metrics';
    }
  | { type: 'error'; message: string }
  | { type: 'loading' };

/** Webview → host. */
export type HealthWebviewMessage = { type: 'ready' } | { type: 'refresh' } | { type: 'showLog' };
