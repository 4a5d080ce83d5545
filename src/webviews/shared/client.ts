import type {
  CommandType,
  HostMessage,
  NotificationType,
  ParamsOfCommand,
  ParamsOfNotification,
  ParamsOfRequest,
  ProtocolError,
  RequestType,
  ResultOfRequest,
} from '../protocol/base';

/** The API VS Code gives a webview once (a second `acquireVsCodeApi()` throws). */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
let api: VsCodeApi | undefined;
export const vscodeApi = (): VsCodeApi => (api ??= acquireVsCodeApi());

/** A request the host answered with an error (or that was cancelled: `code === 'cancelled'`). */
export class RequestError extends Error {
  readonly code: string;
  constructor(error: ProtocolError) {
    super(error.message);
    this.code = error.code;
  }
}
/** True for the rejection of a request that was superseded or cancelled: nothing to show. */
export const isCancelled = (error: unknown) => error instanceof RequestError && error.code === 'cancelled';

export interface RequestOptions {
  /**
   * Requests of one lane replace each other: a new one cancels the one still running (the user
   * moved on to another key or page), which rejects with code `cancelled` and is aborted on the host.
   */
  lane?: string;
  signal?: AbortSignal;
}

/**
 * The webview end of the protocol: `request` (answered by id, cancellable), `command` (fire and
 * forget) and `on` (host notifications), all typed by the descriptors of the inspector's protocol file.
 */
export class HostClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  private readonly lanes = new Map<string, number>();
  private readonly handlers = new Map<string, Set<(params: unknown) => void>>();
  /** Called with errors the host sent without an id (a message it could not read at all). */
  onProtocolError: (error: ProtocolError) => void = () => undefined;

  constructor(private readonly vscode: VsCodeApi = vscodeApi()) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => this.receive(event.data));
  }

  request<T extends RequestType>(descriptor: T, params: ParamsOfRequest<T>, options: RequestOptions = {}): Promise<ResultOfRequest<T>> {
    const id = this.nextId++;
    if (options.lane !== undefined) {
      const previous = this.lanes.get(options.lane);
      if (previous !== undefined) this.cancel(previous);
      this.lanes.set(options.lane, id);
    }
    return new Promise<ResultOfRequest<T>>((resolve, reject) => {
      const done = () => {
        this.pending.delete(id);
        if (options.lane !== undefined && this.lanes.get(options.lane) === id) this.lanes.delete(options.lane);
      };
      this.pending.set(id, {
        resolve: (value) => {
          done();
          resolve(value as ResultOfRequest<T>);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      options.signal?.addEventListener('abort', () => this.cancel(id), { once: true });
      this.vscode.postMessage({ type: 'request', id, method: descriptor.method, params });
    });
  }

  /** Cancels the request still running in a lane, if any. */
  cancelLane(lane: string): void {
    const id = this.lanes.get(lane);
    if (id !== undefined) this.cancel(id);
  }

  /** Cancels a request: it rejects at once with `cancelled`, and the host aborts its work. */
  cancel(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.vscode.postMessage({ type: 'cancel', id });
    entry.reject(new RequestError({ code: 'cancelled', message: 'cancelled' }));
  }

  command<T extends CommandType>(descriptor: T, params: ParamsOfCommand<T>): void {
    this.vscode.postMessage({ type: 'command', method: descriptor.method, params });
  }

  on<T extends NotificationType>(descriptor: T, handler: (params: ParamsOfNotification<T>) => void): () => void {
    let set = this.handlers.get(descriptor.method);
    if (!set) this.handlers.set(descriptor.method, (set = new Set()));
    set.add(handler as (params: unknown) => void);
    return () => set.delete(handler as (params: unknown) => void);
  }

  private receive(data: unknown): void {
    const message = data as HostMessage;
    if (typeof message !== 'object' || message === null) return;
    if (message.type === 'response') this.pending.get(message.id)?.resolve(message.result);
    else if (message.type === 'error') {
      if (message.id === null) this.onProtocolError(message.error);
      else this.pending.get(message.id)?.reject(new RequestError(message.error));
    } else if (message.type === 'notification') {
      for (const handler of this.handlers.get(message.method) ?? []) handler(message.params);
    }
  }
}
