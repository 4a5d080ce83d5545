import { PlatformError } from '../../core/api/client';
import type { HealthReport } from '../../core/api/types';

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

export interface StatusView {
  text: string;
  tooltip: string;
  background?: 'warning' | 'error';
  command: string;
}

/** Markdown escaping for values shown in the tooltip (service names and errors come from the server). */
const md = (text: string) => text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);

function servicesTable(report: HealthReport): string {
  const rows = Object.entries(report.services).map(
    ([name, s]) => `| ${md(name)} | ${s.status === 'healthy' ? '$(pass-filled)' : '$(error)'} ${s.status} | ${s.latency} ms | ${s.error ? md(s.error) : ''} |`,
  );
  return ['| Service | Status | Latency | Detail |', '|---|---|---|---|', ...rows].join('\n');
}

/** What the status bar item shows for a state. */
export function describe(state: HealthState, commands: { signIn: string; report: string }): StatusView {
  const footer = `\n\n[Show Health Report](command:${commands.report}) · [Show Log](command:ogelbase.showLog)`;
  switch (state.kind) {
    case 'signedOut':
      return { text: '$(sign-in) OgelBase', tooltip: 'OgelBase: signed out. Click to sign in to a platform.', command: commands.signIn };
    case 'checking':
      return { text: '$(sync~spin) OgelBase', tooltip: `OgelBase: checking ${md(state.platform)}…`, command: commands.report };
    case 'healthy':
      return { text: '$(pass-filled) OgelBase', tooltip: `**${md(state.platform)}: healthy**\n\n${servicesTable(state.report)}${footer}`, command: commands.report };
    case 'degraded':
      return {
        text: `$(warning) OgelBase: ${state.failing.join(', ') || 'degraded'}`,
        tooltip: `**${md(state.platform)}: degraded** (${md(state.failing.join(', '))})\n\n${servicesTable(state.report)}${footer}`,
        background: 'warning',
        command: commands.report,
      };
    case 'offline':
      return { text: '$(debug-disconnect) OgelBase: offline', tooltip: `**${md(state.platform)}: offline**\n\n${md(state.message)}${footer}`, background: 'error', command: commands.report };
    case 'rejected':
      return { text: '$(error) OgelBase: sign in again', tooltip: `**${md(state.platform)}**: ${md(state.message)}\n\nClick to sign in again.`, background: 'error', command: commands.signIn };
  }
}
