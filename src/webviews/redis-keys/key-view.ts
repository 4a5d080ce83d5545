import type { KeyDetails, KeyInfo, KeyRef } from '../../core/engines/redis/types';
import { CreateKey, DeleteKeys, Edit, GetKey } from '../protocol/redis-keys';
import { isCancelled, type HostClient } from '../shared/client';
import { announce, h, setContent } from '../shared/dom';
import { formatBytes, formatCount, formatTtl } from '../shared/bytes';
import { valueOf } from '../shared/elements';
import { message } from './key-list';
import { button, keyName, keyParam, select, textfield } from './ui';
import { hashViewer, jsonViewer, listViewer, setViewer, streamViewer, stringViewer, zsetViewer, type ViewerContext, type ViewerState } from './viewers';

export interface KeyViewEvents {
  onInfo(info: KeyInfo): void;
  onGone(key: KeyRef): void;
  onOpened(key: KeyRef | undefined, viewer: ViewerState): void;
}

/**
 * The right pane: the open key's header (type, TTL, memory, length, encoding, Cluster master) with
 * rename, TTL and delete, and the viewer of its type below. Every change goes to the host, which
 * confirms what destroys and refuses what read-only forbids.
 */
export class KeyView {
  readonly element: HTMLElement;
  private readonly header = h('header', { className: 'key-header' });
  private readonly status = h('div', { className: 'status', attrs: { role: 'status' } });
  private readonly body = h('div', { className: 'viewer' });
  private key: KeyRef | undefined;
  private viewer: ViewerState = {};

  constructor(
    private readonly client: HostClient,
    private readonly readOnly: boolean,
    private readonly events: KeyViewEvents,
  ) {
    this.element = h('section', { className: 'key-view', attrs: { 'aria-label': 'Key' } }, this.header, this.status, this.body);
    message(this.body, 'Select a key to see its value.');
  }

  get openKey(): KeyRef | undefined {
    return this.key;
  }

  async open(key: KeyRef, viewer: ViewerState = {}): Promise<void> {
    const changed = !this.key || this.key.name !== key.name || this.key.base64 !== key.base64;
    this.key = key;
    this.viewer = changed ? viewer : { ...this.viewer, ...viewer };
    this.events.onOpened(key, this.viewer);
    // A reload of the same key (after an edit) keeps the status that says how the edit went.
    if (changed) announce(this.status, '');
    setContent(this.header, h('h2', { className: 'key-name', text: keyName(key) }));
    message(this.body, 'Loading…');
    let details: KeyDetails;
    try {
      details = await this.client.request(GetKey, { key: keyParam(key) }, { lane: 'key' });
    } catch (error) {
      if (isCancelled(error)) return;
      const e = error as Error & { code?: string };
      message(this.body, e.message, 'error');
      if (e.code === 'not_found') this.events.onGone(key);
      return;
    }
    this.events.onInfo(details);
    this.renderHeader(details);
    const ctx: ViewerContext = {
      client: this.client,
      key,
      details,
      readOnly: this.readOnly,
      state: this.viewer,
      status: this.status,
      save: (patch) => {
        this.viewer = { ...this.viewer, ...patch };
        this.events.onOpened(key, this.viewer);
      },
      reload: () => void this.open(key, this.viewer),
    };
    try {
      switch (details.type) {
        case 'string':
          return await stringViewer(ctx, this.body);
        case 'hash':
          return hashViewer(ctx, this.body);
        case 'list':
          return listViewer(ctx, this.body);
        case 'set':
          return setViewer(ctx, this.body);
        case 'zset':
          return zsetViewer(ctx, this.body);
        case 'stream':
          return streamViewer(ctx, this.body);
        case 'json':
          return await jsonViewer(ctx, this.body);
        default:
          message(this.body, `Keys of type ${details.type} (a module's type) have no viewer here.`);
      }
    } catch (error) {
      if (!isCancelled(error)) message(this.body, (error as Error).message, 'error');
    }
  }

  clear(): void {
    this.key = undefined;
    setContent(this.header);
    message(this.body, 'Select a key to see its value.');
    this.events.onOpened(undefined, {});
  }

  private renderHeader(d: KeyDetails): void {
    const facts = [
      d.type,
      formatTtl(d.ttl),
      d.memory !== undefined ? `${formatBytes(d.memory)} in memory` : null,
      d.length !== undefined ? (d.type === 'string' ? formatBytes(d.length) : `${formatCount(d.length)} ${LENGTH[d.type] ?? 'items'}`) : null,
      d.encoding ? `encoding ${d.encoding}` : null,
      d.node ? `node ${d.node} · slot ${d.slot}` : null,
    ].filter(Boolean);
    const actions = this.readOnly ? [h('span', { className: 'badge', text: 'read-only' })] : this.writeActions(d);
    setContent(
      this.header,
      h('h2', { className: 'key-name', text: keyName(d.key) }, d.key.base64 !== undefined ? h('span', { className: 'tag', text: 'binary name' }) : null),
      h('div', { className: 'facts muted', text: facts.join(' · ') }),
      h('div', { className: 'toolbar' }, button('Refresh', () => void this.open(d.key, this.viewer), { secondary: true, icon: 'refresh' }), ...actions),
    );
  }

  private writeActions(d: KeyDetails): HTMLElement[] {
    const ttl = textfield('TTL (seconds)', { value: d.ttl > 0 ? String(d.ttl) : '', size: 10, placeholder: 'TTL seconds' });
    const rename = textfield('New name', { value: keyName(d.key), size: 16 });
    const run = async (operation: 'expire' | 'rename', params: Record<string, unknown>, done: string, after: (result: unknown) => void) => {
      try {
        const result = await this.client.request(Edit, { operation, params: { key: keyParam(d.key), ...params } });
        announce(this.status, done);
        after(result);
      } catch (error) {
        if (!isCancelled(error)) announce(this.status, (error as Error).message, 'error');
      }
    };
    return [
      ttl,
      button('Set TTL', () => {
        const text = valueOf(ttl).trim();
        if (!/^-?\d+$/.test(text)) return announce(this.status, 'TTL: type a whole number of seconds (1 to 2147483647), or use Remove TTL', 'error');
        void run('expire', { ttl: Number(text) }, 'TTL set', () => void this.open(d.key, this.viewer));
      }, { secondary: true }),
      button('Remove TTL', () => void run('expire', { ttl: null }, 'TTL removed', () => void this.open(d.key, this.viewer)), { secondary: true }),
      rename,
      button('Rename', () => void run('rename', { newKey: valueOf(rename) }, 'Renamed', (r) => {
        this.events.onGone(d.key);
        void this.open((r as { key: KeyRef }).key);
      }), { secondary: true }),
      button('Delete key', () => void this.deleteKey(d.key), { icon: 'trash' }),
    ];
  }

  private async deleteKey(key: KeyRef): Promise<void> {
    try {
      await this.client.request(DeleteKeys, { keys: [keyParam(key)] });
      this.events.onGone(key);
      this.clear();
      announce(this.status, `Deleted ${keyName(key)}`);
    } catch (error) {
      if (!isCancelled(error)) announce(this.status, (error as Error).message, 'error');
    }
  }

  /** The "New key" form: a type, a name, an optional TTL and the first value. */
  showNewKey(): void {
    this.key = undefined;
    let type = 'string';
    const name = textfield('Key name', { size: 24 });
    const ttl = textfield('TTL (seconds, optional)', { size: 10, placeholder: 'TTL seconds' });
    const field = textfield('Field', { size: 14 });
    const value = textfield('Value', { size: 24 });
    const score = textfield('Score', { size: 8 });
    const sync = () => {
      field.hidden = type !== 'hash' && type !== 'stream';
      score.hidden = type !== 'zset';
    };
    const create = async () => {
      const ttlText = valueOf(ttl).trim();
      if (ttlText && !/^-?\d+$/.test(ttlText)) return announce(this.status, 'TTL: type a whole number of seconds', 'error');
      try {
        const { key } = await this.client.request(CreateKey, {
          type: type as 'string',
          key: valueOf(name),
          value: valueOf(value),
          ...(ttlText ? { ttl: Number(ttlText) } : {}),
          ...(field.hidden ? {} : { field: valueOf(field) }),
          ...(score.hidden ? {} : { score: valueOf(score) }),
        });
        await this.open(key);
        announce(this.status, `Created ${keyName(key)}`);
      } catch (error) {
        if (!isCancelled(error)) announce(this.status, (error as Error).message, 'error');
      }
    };
    setContent(this.header, h('h2', { text: 'New key' }));
    setContent(
      this.body,
      h(
        'div',
        { className: 'toolbar new-key' },
        select('Key type', ['string', 'hash', 'list', 'set', 'zset', 'stream'].map((t) => [t, t] as [string, string]), type, (v) => ((type = v), sync())),
        name,
        ttl,
        field,
        score,
        value,
        button('Create', () => void create(), { icon: 'add' }),
      ),
    );
    sync();
  }
}

const LENGTH: Record<string, string> = { hash: 'fields', list: 'elements', set: 'members', zset: 'members', stream: 'entries', json: 'members' };
