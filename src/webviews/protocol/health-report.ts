import type { HealthReport, MetricsReport } from '../../core/api/types';

/** Messages of the "Platform Health" webview, both directions. Types only: shared by host and webview. */

/** Connections per engine at one moment, kept by the host while the panel is open. */
export interface MetricsSample {
  /** ISO time of the sample. */
  at: string;
  connections: MetricsReport['connections'];
}

/** A circuit breaker that changed state between two samples. */
export interface BreakerTransition {
  at: string;
  name: string;
  from: string;
  to: string;
}

/** Host → webview. */
export type HealthHostMessage =
  | {
      type: 'report';
      /** Display name and URL of the platform the report is about. */
      platform: { name: string; url: string };
      /** The platform's `/api/platform/health` document, as last received. */
      health: HealthReport;
      /** `/api/platform/metrics`, when the server serves it to this user. */
      metrics?: MetricsReport;
      /** Samples since the panel opened (oldest first), for the charts. */
      history: MetricsSample[];
      transitions: BreakerTransition[];
      /** ISO time of the last successful update. */
      updatedAt: string;
      /** Seconds between automatic updates while the panel is visible. */
      refreshSeconds: number;
      /** Set when the latest update failed: the rest of the message is the last one that worked. */
      problem?: string;
    }
  | { type: 'error'; message: string }
  | { type: 'loading' };

/** Webview → host. */
export type HealthWebviewMessage = { type: 'ready' } | { type: 'refresh' } | { type: 'showLog' };
