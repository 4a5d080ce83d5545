import { SaveState, type PersistedDatabase } from '../protocol/base';
import { vscodeApi, type HostClient, type VsCodeApi } from './client';

/**
 * A panel's view state, kept with VS Code's `setState` so it survives the panel being hidden (its
 * document is destroyed then) and, through the WebviewPanelSerializer, a window reload. Stored as
 * `{ $panel, view }`: `$panel` is the database identity the serializer reads, `view` the
 * inspector's own state (selection, filters, scroll, open key). The view is also sent to the host
 * (SaveState), which hands it to the next panel of the same database after this one is closed.
 * What comes back from `getState` or the host still goes through `sanitize`, so an old shape never
 * breaks a panel.
 */
export class PanelState<T extends object> {
  private view: T;
  private panel: PersistedDatabase | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sanitize: (raw: unknown) => T,
    private readonly client?: HostClient,
    private readonly vscode: VsCodeApi = vscodeApi(),
  ) {
    const stored = (this.vscode.getState() ?? {}) as { $panel?: PersistedDatabase; view?: unknown };
    this.panel = stored.$panel;
    this.view = sanitize(stored.view);
  }

  /** The state restored at load, then as updated. */
  get(): Readonly<T> {
    return this.view;
  }

  /** True when this document was started from a kept state (the panel came back or the window reloaded). */
  get restored(): boolean {
    return this.panel !== undefined;
  }

  /** After the handshake: records the database, and starts from the host's kept state when this document has none of its own. */
  setDatabase(persisted: PersistedDatabase, kept?: unknown): void {
    if (!this.restored && kept !== undefined) this.view = this.sanitize(kept);
    this.panel = persisted;
    this.flush();
  }

  /** Merges a change; written at most every 150 ms (scrolling updates often), and at once on `flush`. */
  update(patch: Partial<T>): void {
    this.view = { ...this.view, ...patch };
    this.timer ??= setTimeout(() => this.flush(), 150);
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.vscode.setState({ $panel: this.panel, view: this.view });
    this.client?.command(SaveState, { view: this.view });
  }
}
