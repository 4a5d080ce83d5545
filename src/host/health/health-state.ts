import { PlatformError } from '../../core/api/client';
import type { HealthReport } from '../../core/api/types';
import { Markdown, md, table } from '../../core/markdown';

/**
 * The one value the status bar shows, derived from the last health check (the rust-analyzer
 * pattern: a single state mapped to icon, colour and tooltip).
 */
export type HealthState =
  | { kind: 'signedOut' }
  | { kind: 'checking'; platform: string }
  | { kind: 'healthy'; platform: string; report: HealthReport }
  | { kind: 'degraded'; platform: string; report: HealthReport; failing: string[] }
  | { kind: 'offline'; platform: string; message: string }
  | { kind: 'rejected'; platform: string; message: string };

export function fromReport(platform: string, report: HealthReport): HealthState {
  const failing = Object.entries(report.services)
    .filter(([, s]) => s.status !== 'healthy')
    .map(([name]) => name);
  return report.status === 'healthy' && failing.length === 0 ? { kind: 'healthy', platform, report } : { kind: 'degraded', platform, report, failing };
}

/** A failed health call: the token was refused (sign in again) or the platform could not be reached. */
export function fromError(platform: string, error: unknown): HealthState {
  if (error instanceof PlatformError && (error.status === 401 || error.status === 403 || error.code === 'version')) {
    return { kind: 'rejected', platform, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'offline', platform, message };
}

/**
 * What a platform call's outcome says about the platform's health: `show` a state at once (the
 * platform could not be reached, or refused the token), `check` now (a server error, or a success
 * while the status bar says offline), or nothing (the caller's own mistake: 400, 404, 409…).
 */
export function verdictOf(current: HealthState, outcome: { ok: true } | { ok: false; error: PlatformError }): 'show' | 'check' | 'none' {
  if (outcome.ok) return current.kind === 'offline' || current.kind === 'rejected' ? 'check' : 'none';
  const { error } = outcome;
  if (error.code === 'cancelled') return 'none';
  if ((error.status === 0 && error.code === 'offline') || error.status === 401 || error.status === 403 || error.code === 'version') return 'show';
  // A timeout may be one slow operation rather than a platform gone: ask the platform.
  return error.status === 0 || error.status >= 500 || error.status === 429 ? 'check' : 'none';
}

/** Offline re-checks: soon at first, then further apart, never more than ~15 s (nor the configured interval). */
export const OFFLINE_DELAYS_MS = [2_000, 5_000, 10_000, 15_000] as const;

export function nextDelayMs(state: HealthState, offlineChecks: number, intervalMs: number): number {
  if (state.kind !== 'offline') return intervalMs;
  return Math.min(intervalMs, OFFLINE_DELAYS_MS[Math.min(offlineChecks, OFFLINE_DELAYS_MS.length) - 1] ?? OFFLINE_DELAYS_MS[0]);
}

export interface StatusView {
  text: string;
  tooltip: string;
  /** One plain sentence for screen readers (the tooltip is a Markdown table). */
  accessibleLabel: string;
  background?: 'warning' | 'error';
  command: string;
}

function servicesTable(report: HealthReport): Markdown {
  const rows = Object.entries(report.services).map(([name, s]) => [name, md`${Markdown.raw(s.status === 'healthy' ? '$(pass-filled)' : '$(error)')} ${s.status}`, `${s.latency} ms`, s.error ?? '']);
  return table(['Service', 'Status', 'Latency', 'Detail'], rows);
}

/** "postgres healthy in 3 ms, redis unhealthy in 1500 ms (no answer)" */
function servicesSentence(report: HealthReport): string {
  return Object.entries(report.services)
    .map(([name, s]) => `${name} ${s.status} in ${s.latency} ms${s.error ? ` (${s.error.split('\n')[0]})` : ''}`)
    .join(', ');
}

/** What the status bar item shows for a state. */
export function describe(state: HealthState, commands: { signIn: string; report: string }): StatusView {
  const footer = Markdown.raw(`\n\n[Show Health Report](command:${commands.report}) · [Show Log](command:ogelbase.showLog)`);
  switch (state.kind) {
    case 'signedOut':
      return {
        text: '$(sign-in) OgelBase',
        tooltip: 'OgelBase: signed out. Click to sign in to a platform.',
        accessibleLabel: 'OgelBase: signed out. Activate to sign in to a platform.',
        command: commands.signIn,
      };
    case 'checking':
      return { text: '$(sync~spin) OgelBase', tooltip: md`OgelBase: checking ${state.platform}…`.value, accessibleLabel: `OgelBase: checking the health of ${state.platform}.`, command: commands.report };
    case 'healthy':
      return {
        text: '$(pass-filled) OgelBase',
        tooltip: md`**${state.platform}: healthy**\n\n${servicesTable(state.report)}${footer}`.value,
        accessibleLabel: `OgelBase platform ${state.platform} is healthy: ${servicesSentence(state.report)}. Activate for the health report.`,
        command: commands.report,
      };
    case 'degraded':
      return {
        text: `$(warning) OgelBase: ${state.failing.join(', ') || 'degraded'}`,
        tooltip: md`**${state.platform}: degraded** (${state.failing.join(', ')})\n\n${servicesTable(state.report)}${footer}`.value,
        accessibleLabel: `OgelBase platform ${state.platform} is degraded, ${state.failing.join(', ') || 'a service'} unhealthy: ${servicesSentence(state.report)}. Activate for the health report.`,
        background: 'warning',
        command: commands.report,
      };
    case 'offline':
      return {
        text: '$(debug-disconnect) OgelBase: offline',
        tooltip: md`**${state.platform}: offline**\n\n${state.message}${footer}`.value,
        accessibleLabel: `OgelBase platform ${state.platform} is offline: ${state.message}. Checking again shortly; activate for the health report.`,
        background: 'error',
        command: commands.report,
      };
    case 'rejected':
      return {
        text: '$(error) OgelBase: sign in again',
        tooltip: md`**${state.platform}**: ${state.message}\n\nClick to sign in again.`.value,
        accessibleLabel: `OgelBase platform ${state.platform} refused the token: ${state.message}. Activate to sign in again.`,
        background: 'error',
        command: commands.signIn,
      };
  }
}
