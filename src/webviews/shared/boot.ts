import { CspViolation, WebviewError } from '../protocol/base';
import { HostClient } from './client';

/**
 * Starts a webview: one HostClient, uncaught errors and Content-Security-Policy violations
 * reported to the host's log (so a blocked inline style or script is seen, in tests too).
 */
export function bootWebview(): HostClient {
  const client = new HostClient();
  document.addEventListener('securitypolicyviolation', (event) => {
    client.command(CspViolation, { directive: event.effectiveDirective.slice(0, 200), blocked: String(event.blockedURI || event.sample || 'inline').slice(0, 500) });
  });
  window.addEventListener('error', (event) => client.command(WebviewError, { message: String(event.message).slice(0, 2000) }));
  window.addEventListener('unhandledrejection', (event) => client.command(WebviewError, { message: String((event.reason as Error)?.message ?? event.reason).slice(0, 2000) }));
  return client;
}
