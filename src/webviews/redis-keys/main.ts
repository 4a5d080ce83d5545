/**
 * The Redis key browser webview: key list on the left, the open key on the right. It talks to the
 * host only through the protocol of ../protocol/redis-keys.ts and keeps its view (filters,
 * namespaces, scroll, open key and the viewer's window) with setState, so the panel comes back as
 * it was when it is shown again or restored after a reload.
 */
import '../shared/base.css';
import './style.css';
import '../shared/elements';
import type { KeyRef } from '../../core/engines/redis/types';
import { Navigate, Ready } from '../protocol/redis-keys';
import { bootWebview } from '../shared/boot';
import { h, setContent } from '../shared/dom';
import { formatCount } from '../shared/bytes';
import { PanelState } from '../shared/state';
import { emptyListState, KeyList, type ListState } from './key-list';
import { KeyView } from './key-view';
import type { ViewerState } from './viewers';

interface View extends ListState {
  openKey?: KeyRef;
  viewer: ViewerState;
}

function sanitize(raw: unknown): View {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<View>;
  const base = emptyListState();
  return {
    match: typeof r.match === 'string' ? r.match : base.match,
    type: typeof r.type === 'string' ? r.type : base.type,
    group: r.group === true,
    expanded: Array.isArray(r.expanded) ? r.expanded.filter((e) => typeof e === 'string').slice(0, 1000) : [],
    scrollTop: typeof r.scrollTop === 'number' ? r.scrollTop : 0,
    openKey: r.openKey && typeof r.openKey.name === 'string' ? r.openKey : undefined,
    viewer: typeof r.viewer === 'object' && r.viewer !== null ? r.viewer : {},
  };
}

async function main(): Promise<void> {
  const root = document.getElementById('root')!;
  root.className = 'key-browser';
  setContent(root, h('p', { className: 'muted', attrs: { role: 'status' }, text: 'Connecting…' }));
  const client = bootWebview();
  const state = new PanelState<View>(sanitize, client);
  const { database, init, state: kept } = await client.request(Ready, {});
  const restored = state.restored || kept !== undefined;
  state.setDatabase(database.persisted, kept);
  const view = { ...state.get() };
  const target = init.target;
  if (target?.pattern !== undefined) view.match = target.pattern;

  const keyView = new KeyView(client, database.readOnly, {
    onInfo: (info) => list.update(info),
    onGone: (key) => list.remove([key]),
    onOpened: (key, viewer) => state.update({ openKey: key, viewer }),
  });
  const list: KeyList = new KeyList(client, view, {
    delimiter: init.delimiter,
    pageSize: init.pageSize,
    readOnly: database.readOnly,
    cluster: init.server?.topology === 'cluster',
    onOpen: (key) => void keyView.open(key),
    onChange: (patch) => state.update(patch),
    onNewKey: () => keyView.showNewKey(),
  });
  const server = init.server;
  const summary = server ? `Redis ${server.version} · ${server.topology}${server.masters > 1 ? ` (${server.masters} masters)` : ''} · ${formatCount(server.dbSize)} keys${server.json ? ' · RedisJSON' : ''}` : 'Redis';
  const header = h(
    'header',
    { className: 'db-header' },
    h('h1', { text: database.name }),
    h('span', { className: 'muted', text: `${database.endpoint} · ${summary}` }),
    database.readOnly ? h('span', { className: 'badge', text: 'read-only' }) : null,
  );
  const split = h('vscode-split-layout', { className: 'split', attrs: { 'initial-handle-position': '36%' } }, h('div', { attrs: { slot: 'start' }, className: 'pane' }, list.element), h('div', { attrs: { slot: 'end' }, className: 'pane' }, keyView.element));
  setContent(root, header, split);

  client.on(Navigate, (t) => {
    if (t.pattern !== undefined) list.setPattern(t.pattern);
    if (t.key) void keyView.open(t.key).then(() => list.focusKey(t.key!));
  });

  await list.scan(true, restored ? view.scrollTop : undefined);
  const open = target?.key ?? view.openKey;
  if (open) {
    await keyView.open(open, target?.key ? {} : view.viewer);
    list.focusKey(open);
  }
  window.addEventListener('beforeunload', () => state.flush());
}

void main().catch((error: Error) => {
  const root = document.getElementById('root')!;
  setContent(root, h('p', { className: 'error', attrs: { role: 'alert' }, text: error.message }));
});
