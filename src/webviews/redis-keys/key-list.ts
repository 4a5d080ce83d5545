import type { KeyInfo, KeyRef } from '../../core/engines/redis/types';
import { DeleteKeys, DeleteMatching, GetKey, ScanKeys } from '../protocol/redis-keys';
import { isCancelled, type HostClient } from '../shared/client';
import { announce, h, setContent, setDisabled } from '../shared/dom';
import { formatBytes, formatCount, formatTtl } from '../shared/bytes';
import { valueOf } from '../shared/elements';
import { VirtualList } from '../shared/virtual-list';
import { exactName } from './patterns';
import { button, keyName, keyParam, select, textfield } from './ui';

export type Row = { kind: 'ns'; prefix: string; label: string; depth: number; count: number } | { kind: 'key'; info: KeyInfo; label: string; depth: number };

export interface ListState {
  match: string;
  type: string;
  group: boolean;
  expanded: string[];
  scrollTop: number;
}

const TYPES: [string, string][] = [['', 'All types'], ['string', 'string'], ['hash', 'hash'], ['list', 'list'], ['set', 'set'], ['zset', 'zset'], ['stream', 'stream'], ['json', 'json']];
const idOf = (key: KeyRef) => (key.base64 === undefined ? `t:${key.name}` : `b:${key.base64}`);

/**
 * The left pane: pattern and type filters, SCAN pages ("Scan more", with the keys scanned so far
 * and whether the scan finished; Cancel stops a running one), keys folded into namespaces on the
 * delimiter, type/TTL/memory (and the Cluster master) per key, delete of a selection or by pattern.
 */
export class KeyList {
  readonly element: HTMLElement;
  private readonly list: VirtualList<Row>;
  private readonly status = h('div', { className: 'status', attrs: { role: 'status' } });
  private readonly pattern: HTMLInputElement;
  private readonly more: HTMLElement;
  private readonly cancel: HTMLElement;
  private readonly deleteSelected: HTMLElement;
  private keys: KeyInfo[] = [];
  private seen = new Set<string>();
  private cursor: string | undefined;
  private done = false;
  private scanned = 0;
  private running = false;
  /** The pattern named one key exactly (no glob character): it was looked up, not scanned for. */
  private exact = false;

  constructor(
    private readonly client: HostClient,
    private readonly state: ListState,
    private readonly options: { delimiter: string; pageSize: number; readOnly: boolean; cluster: boolean; onOpen(key: KeyRef): void; onChange(state: Partial<ListState>): void; onNewKey(): void },
  ) {
    this.pattern = textfield('Pattern', { value: state.match, placeholder: 'Pattern, e.g. user:*', onEnter: () => this.apply() });
    this.pattern.classList.add('grow');
    const type = select('Type', TYPES, state.type, (value) => {
      this.state.type = value;
      this.apply();
    });
    const group = h('vscode-checkbox', { attrs: { checked: state.group, label: 'Group by namespace' } }) as unknown as HTMLInputElement;
    group.addEventListener('change', () => {
      this.state.group = group.checked;
      this.options.onChange({ group: group.checked });
      this.render(true);
    });
    this.more = button('Scan more', () => void this.scan(false), { secondary: true });
    this.cancel = button('Cancel', () => this.client.cancelLane('scan'), { secondary: true });
    this.deleteSelected = button('Delete selected', () => void this.deleteSelection(), { secondary: true, icon: 'trash' });
    const writes = options.readOnly
      ? []
      : [button('New key', () => options.onNewKey(), { secondary: true, icon: 'add' }), this.deleteSelected, button('Delete matching…', () => void this.deleteMatching(), { secondary: true, icon: 'trash' })];
    this.list = new VirtualList<Row>({
      label: 'Keys',
      multiSelect: !options.readOnly,
      empty: 'No keys loaded',
      columns: [
        { id: 'name', title: 'Key', width: 'minmax(10em, 1fr)', cell: (row) => this.nameCell(row) },
        { id: 'type', title: 'Type', width: '5em', cell: (row) => (row.kind === 'key' ? row.info.type : `${formatCount(row.count)} keys`) },
        { id: 'ttl', title: 'TTL', width: '6em', className: 'end', cell: (row) => (row.kind === 'key' ? formatTtl(row.info.ttl) : '') },
        { id: 'memory', title: 'Memory', width: '6em', className: 'end', cell: (row) => (row.kind === 'key' && row.info.memory !== undefined ? formatBytes(row.info.memory) : '') },
        ...(options.cluster ? [{ id: 'node', title: 'Node', width: '9em', cell: (row: Row) => (row.kind === 'key' ? (row.info.node ?? '') : '') }] : []),
      ],
      onActivate: (row) => (row.kind === 'key' ? this.options.onOpen(row.info.key) : this.toggle(row.prefix)),
      onSelectionChange: (indices) => setDisabled(this.deleteSelected, !indices.some((i) => this.list.rowAt(i)?.kind === 'key')),
      onNearEnd: () => void (!this.done && !this.running && this.keys.length < 100_000 && this.keys.length > 0 && this.scan(false)),
      onScroll: (top) => this.options.onChange({ scrollTop: top }),
    });
    setDisabled(this.deleteSelected, true);
    this.element = h(
      'section',
      { className: 'key-list', attrs: { 'aria-label': 'Key list' } },
      h('div', { className: 'toolbar' }, this.pattern, type, button('Scan', () => this.apply(), { icon: 'search' })),
      h('div', { className: 'toolbar' }, group, this.more, this.cancel, ...writes),
      this.status,
      this.list.element,
    );
  }

  /** A new scan with the filters as they are now. */
  apply(): void {
    this.state.match = valueOf(this.pattern).trim();
    this.options.onChange({ match: this.state.match, type: this.state.type });
    void this.scan(true);
  }

  setPattern(pattern: string): void {
    this.pattern.value = pattern;
    this.apply();
  }

  async scan(fresh: boolean, restoreScroll?: number): Promise<void> {
    const literal = exactName(this.state.match);
    if (fresh && literal !== undefined) return this.lookUp(literal);
    this.exact = false;
    if (fresh) {
      this.keys = [];
      this.seen.clear();
      this.cursor = undefined;
      this.done = false;
      this.scanned = 0;
      this.render(false);
    }
    this.running = true;
    this.updateStatus();
    try {
      const page = await this.client.request(
        ScanKeys,
        { ...(this.state.match ? { match: this.state.match } : {}), ...(this.state.type ? { type: this.state.type } : {}), ...(this.cursor ? { cursor: this.cursor } : {}), limit: this.options.pageSize },
        { lane: 'scan' },
      );
      this.cursor = page.cursor;
      this.done = page.done;
      this.scanned += page.scanned;
      for (const info of page.keys) {
        const id = idOf(info.key);
        if (this.seen.has(id)) continue;
        this.seen.add(id);
        this.keys.push(info);
      }
      this.running = false;
      this.render(true);
      if (restoreScroll !== undefined) this.list.scrollTop = restoreScroll;
    } catch (error) {
      this.running = false;
      if (isCancelled(error)) announce(this.status, `Scan cancelled: ${formatCount(this.keys.length)} keys, ${formatCount(this.scanned)} scanned`);
      else announce(this.status, (error as Error).message, 'error');
      this.buttons();
      return;
    }
  }

  /**
   * A pattern without glob characters names one key: it is looked up (one round trip) rather than
   * scanned for, which on a million keys would take a hundred "Scan more" pages.
   */
  private async lookUp(name: string): Promise<void> {
    this.keys = [];
    this.seen.clear();
    this.cursor = undefined;
    this.scanned = 0;
    this.done = true;
    this.exact = true;
    this.running = true;
    this.updateStatus();
    try {
      const info = await this.client.request(GetKey, { key: name }, { lane: 'scan' });
      if (!this.state.type || info.type === this.state.type) {
        this.keys = [info];
        this.seen.add(idOf(info.key));
      }
    } catch (error) {
      const e = error as Error & { code?: string };
      if (isCancelled(error)) return;
      if (e.code !== 'not_found') {
        this.running = false;
        announce(this.status, e.message, 'error');
        return this.buttons();
      }
    }
    this.running = false;
    this.render(true);
  }

  /** Forgets keys that were deleted, renamed or expired, without a new scan. */
  remove(keys: KeyRef[]): void {
    const gone = new Set(keys.map(idOf));
    this.keys = this.keys.filter((k) => !gone.has(idOf(k.key)));
    for (const id of gone) this.seen.delete(id);
    this.render(true);
  }

  /** Updates a listed key's type/TTL after it was opened or edited. */
  update(info: KeyInfo): void {
    const at = this.keys.findIndex((k) => idOf(k.key) === idOf(info.key));
    if (at >= 0) this.keys[at] = { ...this.keys[at]!, ...info };
    this.list.refresh();
  }

  focusKey(key: KeyRef): void {
    for (let i = 0; i < this.list.length; i++) {
      const row = this.list.rowAt(i);
      if (row?.kind === 'key' && idOf(row.info.key) === idOf(key)) return this.list.setFocus(i);
    }
  }

  private toggle(prefix: string): void {
    const expanded = new Set(this.state.expanded);
    if (expanded.has(prefix)) expanded.delete(prefix);
    else expanded.add(prefix);
    this.state.expanded = [...expanded];
    this.options.onChange({ expanded: this.state.expanded });
    this.render(true);
  }

  private nameCell(row: Row): Node {
    const indent = h('span', { className: `indent d${Math.min(row.depth, 8)}` });
    if (row.kind === 'ns') {
      const open = this.state.expanded.includes(row.prefix);
      return h('span', { className: 'name' }, indent, h('span', { className: `codicon codicon-chevron-${open ? 'down' : 'right'}`, attrs: { 'aria-hidden': 'true' } }), h('span', { className: 'codicon codicon-folder', attrs: { 'aria-hidden': 'true' } }), ` ${row.label}`);
    }
    const binary = row.info.key.base64 !== undefined;
    return h('span', { className: 'name' }, indent, h('span', { className: `codicon codicon-${ICON[row.info.type] ?? 'symbol-key'}`, attrs: { 'aria-hidden': 'true' } }), ` ${row.label}`, binary ? h('span', { className: 'tag', text: 'binary' }) : null);
  }

  /** The rows as shown: flat, or folded into namespaces (only expanded ones show their children). */
  private rows(): Row[] {
    if (!this.state.group) return this.keys.map((info) => ({ kind: 'key', info, label: keyName(info.key), depth: 0 }));
    const delimiter = this.options.delimiter;
    interface Ns { prefix: string; count: number; children: Map<string, Ns>; keys: KeyInfo[] }
    const root: Ns = { prefix: '', count: 0, children: new Map(), keys: [] };
    for (const info of this.keys) {
      const name = keyName(info.key);
      const parts = name.split(delimiter);
      let node = root;
      for (let i = 0; i < parts.length - 1; i++) {
        const prefix = `${node.prefix}${parts[i]}${delimiter}`;
        let child = node.children.get(prefix);
        if (!child) node.children.set(prefix, (child = { prefix, count: 0, children: new Map(), keys: [] }));
        child.count++;
        node = child;
      }
      node.keys.push(info);
    }
    const out: Row[] = [];
    const expanded = new Set(this.state.expanded);
    const walk = (node: Ns, depth: number) => {
      for (const child of [...node.children.values()].sort((a, b) => (a.prefix < b.prefix ? -1 : 1))) {
        out.push({ kind: 'ns', prefix: child.prefix, label: `${child.prefix.slice(node.prefix.length)}`, depth, count: child.count });
        if (expanded.has(child.prefix)) walk(child, depth + 1);
      }
      for (const info of node.keys) out.push({ kind: 'key', info, label: keyName(info.key).slice(node.prefix.length) || keyName(info.key), depth });
    };
    walk(root, 0);
    return out;
  }

  private render(keep: boolean): void {
    this.list.setRows(this.rows(), keep);
    this.updateStatus();
  }

  private updateStatus(): void {
    const state = this.exact ? (this.running ? 'looking up the name…' : 'exact name, looked up') : this.running ? 'scanning…' : this.done ? 'scan finished' : 'more to scan';
    announce(this.status, `${formatCount(this.keys.length)} key${this.keys.length === 1 ? '' : 's'} · ${formatCount(this.scanned)} scanned · ${state}`);
    this.buttons();
  }

  private buttons(): void {
    setDisabled(this.more, this.done || this.running);
    setDisabled(this.cancel, !this.running);
  }

  private async deleteSelection(): Promise<void> {
    const keys = this.list.selection.map((i) => this.list.rowAt(i)).flatMap((row) => (row?.kind === 'key' ? [row.info.key] : []));
    if (keys.length === 0) return;
    try {
      const { deleted } = await this.client.request(DeleteKeys, { keys: keys.slice(0, 1000).map(keyParam) });
      this.remove(keys);
      announce(this.status, `Deleted ${formatCount(deleted)} key${deleted === 1 ? '' : 's'}`);
    } catch (error) {
      if (!isCancelled(error)) announce(this.status, (error as Error).message, 'error');
    }
  }

  private async deleteMatching(): Promise<void> {
    const match = valueOf(this.pattern).trim();
    if (!match) {
      announce(this.status, 'Type a pattern first (for example session:*): every key matching it is deleted after you confirm the count.', 'error');
      return;
    }
    try {
      const { deleted } = await this.client.request(DeleteMatching, { match });
      await this.scan(true);
      announce(this.status, `Deleted ${formatCount(deleted)} keys matching ${match}`);
    } catch (error) {
      if (!isCancelled(error)) announce(this.status, (error as Error).message, 'error');
    }
  }
}

const ICON: Record<string, string> = { string: 'symbol-string', hash: 'symbol-object', list: 'list-ordered', set: 'symbol-array', zset: 'list-filter', stream: 'pulse', json: 'json' };

export const emptyListState = (): ListState => ({ match: '', type: '', group: false, expanded: [], scrollTop: 0 });

/** Clears an element and shows a short message in it. */
export const message = (element: HTMLElement, text: string, kind: 'info' | 'error' = 'info') => setContent(element, h('p', { className: kind === 'error' ? 'error' : 'muted', attrs: { role: kind === 'error' ? 'alert' : 'status' }, text }));
