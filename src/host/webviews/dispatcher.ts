import { maskSecretsInText } from '../../core/redact';
import {
  describeIssues,
  MAX_MESSAGE_CHARS,
  type CommandType,
  type HostMessage,
  type NotificationType,
  type ParamsOfCommand,
  type ParamsOfNotification,
  type ParamsOfRequest,
  type ProtocolError,
  type RequestType,
  type ResultOfRequest,
  WebviewMessageSchema,
} from '../../webviews/protocol/base';

/** What a request handler gets besides its params: the signal that fires when the webview cancels or the panel closes. */
export interface RequestContext {
  signal: AbortSignal;
}
export type RequestHandler<T> = (params: ParamsOfRequest<T>, context: RequestContext) => Promise<ResultOfRequest<T>> | ResultOfRequest<T>;

export interface DispatcherOptions {
  /** Posts to the webview (webview.postMessage). */
  post(message: HostMessage): unknown;
  log: { warn(message: string): void; error(message: string): void };
  /** Log prefix, e.g. `redis keys: cache`. */
  scope: string;
}

/** Notifications kept while the webview is not ready yet (oldest dropped first). */
const MAX_QUEUED = 100;

/**
 * The host end of one webview's protocol, without `vscode` (so it is unit-tested on Node): it
 * validates every inbound message (envelope, then the descriptor's params schema), runs the
 * request's handler with an AbortSignal, answers with `response` or `error` by id, aborts a request
 * when the webview cancels it (an outdated page the user moved away from) or when the panel goes,
 * and holds notifications until the webview's ready handshake has been answered. It never throws:
 * a bad message or a failing handler becomes an `error` reply and a log line.
 */
export class MessageDispatcher {
  private readonly requests = new Map<string, { descriptor: RequestType; handler: RequestHandler<RequestType> }>();
  private readonly commands = new Map<string, { descriptor: CommandType; handler: (params: unknown) => unknown }>();
  private readonly running = new Map<number, AbortController>();
  private queue: HostMessage[] = [];
  private ready = false;
  private disposed = false;

  constructor(private readonly options: DispatcherOptions) {}

  onRequest<T extends RequestType>(descriptor: T, handler: RequestHandler<T>): void {
    this.requests.set(descriptor.method, { descriptor, handler: handler as RequestHandler<RequestType> });
  }

  onCommand<T extends CommandType>(descriptor: T, handler: (params: ParamsOfCommand<T>) => unknown): void {
    this.commands.set(descriptor.method, { descriptor, handler: handler as (params: unknown) => unknown });
  }

  /** Posts a notification now, or once the ready handshake is answered. */
  notify<T extends NotificationType>(descriptor: T, params: ParamsOfNotification<T>): void {
    const message: HostMessage = { type: 'notification', method: descriptor.method, params };
    if (this.ready) this.post(message);
    else {
      this.queue.push(message);
      if (this.queue.length > MAX_QUEUED) this.queue.shift();
    }
  }

  /**
   * Whether the current document's `webview/ready` was answered (for tests that drive a panel by
   * hand: the real webview's handshake resets the dispatcher and cancels what is running).
   */
  get handshaken(): boolean {
    return this.ready;
  }

  /** Requests still running (for tests and the log). */
  get pending(): number {
    return this.running.size;
  }

  /** The panel's webview was recreated (hidden and shown, or reloaded): wait for a new handshake. */
  reset(): void {
    this.ready = false;
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  /** Handles one message from the webview. Never throws. */
  async receive(raw: unknown): Promise<void> {
    if (this.disposed) return;
    let size: number;
    try {
      size = JSON.stringify(raw)?.length ?? 0;
    } catch {
      size = Infinity;
    }
    if (size > MAX_MESSAGE_CHARS) return this.refuse(null, 'invalid_message', `the message is ${size === Infinity ? 'not serialisable' : `${Math.round(size / 1024)} KiB`}, over the ${MAX_MESSAGE_CHARS / 1024 / 1024} MiB limit`);
    const envelope = WebviewMessageSchema.safeParse(raw);
    if (!envelope.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'number' && Number.isSafeInteger((raw as { id: number }).id) ? (raw as { id: number }).id : null;
      return this.refuse(id, 'invalid_message', `not a message of this protocol (${describeIssues(envelope.error.issues)})`);
    }
    const message = envelope.data;
    if (message.type === 'cancel') {
      this.running.get(message.id)?.abort();
      return;
    }
    if (message.type === 'command') {
      const entry = this.commands.get(message.method);
      if (!entry) return this.refuse(null, 'unknown_method', `unknown command ${message.method}`);
      const params = entry.descriptor.params.safeParse(message.params ?? {});
      if (!params.success) return this.refuse(null, 'invalid_params', `${message.method}: ${describeIssues(params.error.issues)}`);
      try {
        await entry.handler(params.data);
      } catch (error) {
        this.options.log.error(`[${this.options.scope}] ${message.method} failed: ${describeError(error).message}`);
      }
      return;
    }
    await this.answer(message.id, message.method, message.params);
  }

  private async answer(id: number, method: string, rawParams: unknown): Promise<void> {
    const entry = this.requests.get(method);
    if (!entry) return this.refuse(id, 'unknown_method', `unknown request ${method}`);
    if (this.running.has(id)) return this.refuse(id, 'invalid_message', `request id ${id} is already in use`);
    // A new handshake means a new document (the panel was hidden and shown, or reloaded): what the
    // old one asked for is no longer wanted, and notifications wait for this handshake's answer.
    if (method === 'webview/ready') this.reset();
    const params = entry.descriptor.params.safeParse(rawParams ?? {});
    if (!params.success) return this.refuse(id, 'invalid_params', describeIssues(params.error.issues));
    const controller = new AbortController();
    this.running.set(id, controller);
    try {
      const result = await entry.handler(params.data, { signal: controller.signal });
      if (controller.signal.aborted) this.post({ type: 'error', id, error: { code: 'cancelled', message: 'cancelled' } });
      else this.post({ type: 'response', id, result });
      if (method === 'webview/ready' && !controller.signal.aborted) this.flush();
    } catch (error) {
      const described = controller.signal.aborted ? { code: 'cancelled', message: 'cancelled' } : describeError(error);
      if (described.code !== 'cancelled') this.options.log.warn(`[${this.options.scope}] ${method}: ${described.message}`);
      this.post({ type: 'error', id, error: described });
    } finally {
      this.running.delete(id);
    }
  }

  private flush(): void {
    this.ready = true;
    const queued = this.queue;
    this.queue = [];
    for (const message of queued) this.post(message);
  }

  private refuse(id: number | null, code: ProtocolError['code'], message: string): void {
    this.options.log.warn(`[${this.options.scope}] refused a webview message: ${message}`);
    this.post({ type: 'error', id, error: { code, message } });
  }

  private post(message: HostMessage): void {
    if (this.disposed) return;
    try {
      void Promise.resolve(this.options.post(message)).catch(() => undefined);
    } catch {
      // The panel is gone: nothing to tell.
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
    this.queue = [];
  }
}

/** An error as the webview shows it: the typed code of EngineError/PlatformError, a masked message. */
export function describeError(error: unknown): ProtocolError {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  return { code, message: maskSecretsInText(message) };
}
