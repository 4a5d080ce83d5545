/**
 * Tests that drive a panel's dispatcher by hand share it with the panel's real webview. When that
 * webview's `webview/ready` arrives, the dispatcher starts over for the new document and cancels
 * everything still running (by design: what the old document asked for is no longer wanted), so a
 * request a test sent just before would come back `cancelled`. A test waits for the real handshake
 * right after opening a panel, before it sends anything of its own.
 */
import type { OpenPanel } from '../../../src/host/webviews/panels';
import type { HostMessage } from '../../../src/webviews/protocol/base';

export interface Handshake {
  database: Record<string, unknown>;
  init: Record<string, unknown>;
}

/**
 * Waits until the real webview's handshake was answered, and returns the answer it got when it
 * came after this call (call it as soon as the command that opened the panel returns: the
 * webview's message crosses the renderer's IPC, long after).
 */
export async function realWebviewReady(entry: Pick<OpenPanel<unknown>, 'dispatcher' | 'panel'>, timeoutMs = 60_000): Promise<Handshake | undefined> {
  let answer: Handshake | undefined;
  const webview = entry.panel.webview as { postMessage: (m: HostMessage) => Thenable<boolean> };
  const original = webview.postMessage;
  webview.postMessage = (m: HostMessage) => {
    const result = m.type === 'response' ? (m.result as Partial<Handshake> | undefined) : undefined;
    if (result && typeof result === 'object' && 'database' in result && 'init' in result) answer = result as Handshake;
    return original.call(entry.panel.webview, m);
  };
  try {
    const deadline = Date.now() + timeoutMs;
    while (!entry.dispatcher.handshaken) {
      if (Date.now() > deadline) throw new Error(`the webview of "${entry.panel.title}" did not send its handshake within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return answer;
  } finally {
    webview.postMessage = original;
  }
}
