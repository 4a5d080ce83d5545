import type { HashEntry, KeyDetails, KeyRef, RedisText, StreamEntry, ZsetEntry } from '../../core/engines/redis/types';
import { Edit, ReadHash, ReadJson, ReadList, ReadSet, ReadStream, ReadString, ReadZset, ReadZsetByScore, type EditOperation } from '../protocol/redis-keys';
import { isCancelled, type HostClient } from '../shared/client';
import { announce, h, setContent } from '../shared/dom';
import { base64ToBytes, formatBytes, formatCount, prettyJson } from '../shared/bytes';
import { valueOf } from '../shared/elements';
import { HexView } from '../shared/hex-view';
import { PagedTable } from './paged';
import { button, keyName, keyParam, select, textarea, textfield, textParam, valueText } from './ui';

/** What a viewer keeps in the panel state (the window it shows). */
export interface ViewerState {
  offset?: number;
  start?: number;
  match?: string;
  mode?: 'rank' | 'score';
  order?: 'asc' | 'desc';
  min?: string;
  max?: string;
  streamStart?: string;
  streamEnd?: string;
  reverse?: boolean;
  path?: string;
  pretty?: boolean;
}

export interface ViewerContext {
  client: HostClient;
  key: KeyRef;
  details: KeyDetails;
  readOnly: boolean;
  state: ViewerState;
  save(state: Partial<ViewerState>): void;
  /** Re-opens the key (after an edit, a conflict, or "Refresh"). */
  reload(): void;
  status: HTMLElement;
}

const PAGE_BYTES = 64 * 1024;

/** Runs an edit; a conflict offers a refresh, a refused confirmation is silent. */
export async function edit(ctx: ViewerContext, operation: EditOperation, params: Record<string, unknown>, done: string): Promise<boolean> {
  try {
    await ctx.client.request(Edit, { operation, params: { key: keyParam(ctx.key), ...params } });
    announce(ctx.status, done);
    return true;
  } catch (error) {
    if (isCancelled(error)) return false;
    const e = error as Error & { code?: string };
    announce(ctx.status, e.message, 'error');
    if (e.code === 'conflict' || e.code === 'not_found') ctx.status.append(' ', button('Refresh', () => ctx.reload(), { secondary: true }));
    return false;
  }
}

const editor = (...children: (Node | null)[]) => h('div', { className: 'editor toolbar' }, ...children);

export async function stringViewer(ctx: ViewerContext, body: HTMLElement): Promise<void> {
  const offset = ctx.state.offset ?? 0;
  const page = await ctx.client.request(ReadString, { key: keyParam(ctx.key), offset, maxBytes: PAGE_BYTES }, { lane: 'value' });
  const range = page.length > page.bytes ? `bytes ${formatCount(offset)}–${formatCount(offset + page.bytes - 1)} of ${formatCount(page.length)}` : `${formatCount(page.length)} bytes`;
  const nav = h(
    'div',
    { className: 'toolbar' },
    h('span', { className: 'muted', text: `${formatBytes(page.length)} · showing ${range}${page.binary ? ' · binary: hex and ASCII' : ''}` }),
    offset > 0 ? button('Previous', () => (ctx.save({ offset: Math.max(0, offset - PAGE_BYTES) }), ctx.reload()), { secondary: true }) : null,
    page.truncated ? button('Next', () => (ctx.save({ offset: offset + page.bytes }), ctx.reload()), { secondary: true }) : null,
  );
  if (page.binary) {
    const hex = new HexView(`Bytes of ${keyName(ctx.key)}`);
    setContent(body, nav, hex.element);
    hex.show(base64ToBytes(page.value), offset);
    return;
  }
  const pretty = ctx.state.pretty !== false ? prettyJson(page.value) : undefined;
  const pre = h('pre', { className: 'value mono', attrs: { 'aria-label': `Value of ${keyName(ctx.key)}`, tabindex: 0 }, text: pretty ?? page.value });
  const json = prettyJson(page.value) !== undefined ? button(pretty ? 'Raw' : 'Pretty JSON', () => (ctx.save({ pretty: !pretty }), ctx.reload()), { secondary: true }) : null;
  const canEdit = !ctx.readOnly && page.sha1 !== undefined;
  const area = textarea('Value', page.value, 8);
  const form = editor(area, button('Save', () => void edit(ctx, 'setString', { value: valueOf(area), expectedSha1: page.sha1 }, 'Saved').then((ok) => ok && ctx.reload())));
  form.hidden = true;
  const editButton = canEdit ? button('Edit', () => ((form.hidden = false), (pre.hidden = true)), { secondary: true, icon: 'edit' }) : null;
  if (!ctx.readOnly && page.sha1 === undefined) nav.append(h('span', { className: 'muted', text: ' · values larger than one page are not edited here' }));
  setContent(body, nav, h('div', { className: 'toolbar' }, json, editButton), pre, form);
}

export function hashViewer(ctx: ViewerContext, body: HTMLElement): void {
  let cursor = '0';
  const match = ctx.state.match ?? '';
  const table = new PagedTable<HashEntry>(
    `Fields of ${keyName(ctx.key)}`,
    [
      { id: 'field', title: 'Field', width: 'minmax(8em, 1fr)', cell: (e) => valueText(e.field) },
      { id: 'value', title: 'Value', width: '2fr', cell: (e) => valueText(e.value) },
    ],
    async () => {
      const page = await ctx.client.request(ReadHash, { key: keyParam(ctx.key), cursor, ...(match ? { match } : {}) }, { lane: 'value' });
      cursor = page.cursor;
      return { rows: page.entries, done: page.done, total: page.length };
    },
    { what: 'fields', onActivate: (entry) => choose(entry) },
  );
  const filter = textfield('Field filter', { value: match, placeholder: 'Field filter (glob)', onEnter: () => (ctx.save({ match: valueOf(filter).trim() }), ctx.reload()) });
  const form = h('div');
  const choose = (entry: HashEntry) => {
    if (ctx.readOnly || entry.value.truncated || entry.field.truncated) return;
    const area = textarea(`Value of ${valueText(entry.field)}`, entry.value.binary ? '' : entry.value.value, 3);
    setContent(
      form,
      editor(
        h('span', { className: 'muted', text: `Field ${valueText(entry.field)}` }),
        area,
        button('Save', () => void edit(ctx, 'hashSet', { field: textParam(entry.field), value: valueOf(area), expected: textParam(entry.value) }, 'Field saved').then((ok) => ok && ctx.reload())),
        button('Delete field', () => void edit(ctx, 'hashDelete', { fields: [textParam(entry.field)] }, 'Field deleted').then((ok) => ok && ctx.reload()), { secondary: true }),
      ),
    );
  };
  const add = ctx.readOnly ? null : addForm(ctx, 'Add field', ['Field', 'Value'], ([field, value]) => ['hashSet', { field, value, expected: null }]);
  setContent(body, h('div', { className: 'toolbar' }, filter, button('Filter', () => (ctx.save({ match: valueOf(filter).trim() }), ctx.reload()), { secondary: true })), table.element, form, add);
  void table.load();
}

export function listViewer(ctx: ViewerContext, body: HTMLElement): void {
  const first = ctx.state.start ?? 0;
  const table = new PagedTable<{ index: number; value: RedisText }>(
    `Elements of ${keyName(ctx.key)}`,
    [
      { id: 'index', title: 'Index', width: '7em', className: 'end', cell: (e) => formatCount(e.index) },
      { id: 'value', title: 'Element', width: '1fr', cell: (e) => valueText(e.value) },
    ],
    async (loaded) => {
      const page = await ctx.client.request(ReadList, { key: keyParam(ctx.key), start: first + loaded }, { lane: 'value' });
      return { rows: page.items, done: first + loaded + page.items.length >= page.length || page.items.length === 0, total: page.length };
    },
    { what: 'elements', onActivate: (e) => choose(e) },
  );
  const jump = textfield('Jump to index', { value: String(first), size: 8, onEnter: () => go() });
  const go = () => {
    const n = Number(valueOf(jump));
    if (!Number.isInteger(n) || n < 0) return announce(ctx.status, 'Jump to index: type a whole number from 0', 'error');
    ctx.save({ start: n });
    ctx.reload();
  };
  const form = h('div');
  const choose = (e: { index: number; value: RedisText }) => {
    if (ctx.readOnly || e.value.truncated) return;
    const area = textarea(`Element ${e.index}`, e.value.binary ? '' : e.value.value, 3);
    setContent(
      form,
      editor(
        area,
        button('Save', () => void edit(ctx, 'listSet', { index: e.index, value: valueOf(area), expected: textParam(e.value) }, 'Element saved').then((ok) => ok && ctx.reload())),
        button('Remove element', () => void edit(ctx, 'listRemove', { value: textParam(e.value), count: 1 }, 'Element removed').then((ok) => ok && ctx.reload()), { secondary: true }),
      ),
    );
  };
  const push = ctx.readOnly
    ? null
    : addForm(ctx, 'Push', ['Element'], ([value]) => ['listPush', { values: [value], end: 'tail' }]);
  setContent(body, h('div', { className: 'toolbar' }, jump, button('Go', go, { secondary: true })), table.element, form, push);
  void table.load();
}

export function setViewer(ctx: ViewerContext, body: HTMLElement): void {
  let cursor = '0';
  const match = ctx.state.match ?? '';
  const table = new PagedTable<RedisText>(
    `Members of ${keyName(ctx.key)}`,
    [{ id: 'member', title: 'Member', width: '1fr', cell: (m) => valueText(m) }],
    async () => {
      const page = await ctx.client.request(ReadSet, { key: keyParam(ctx.key), cursor, ...(match ? { match } : {}) }, { lane: 'value' });
      cursor = page.cursor;
      return { rows: page.members, done: page.done, total: page.length };
    },
    { what: 'members', onActivate: (m) => choose(m) },
  );
  const filter = textfield('Member filter', { value: match, placeholder: 'Member filter (glob)', onEnter: () => (ctx.save({ match: valueOf(filter).trim() }), ctx.reload()) });
  const form = h('div');
  const choose = (member: RedisText) => {
    if (ctx.readOnly || member.truncated) return;
    const area = textfield('Member', { value: member.binary ? '' : member.value });
    setContent(
      form,
      editor(
        area,
        button('Save', () => void edit(ctx, 'setReplace', { member: textParam(member), newMember: valueOf(area) }, 'Member saved').then((ok) => ok && ctx.reload())),
        button('Remove member', () => void edit(ctx, 'setRemove', { members: [textParam(member)] }, 'Member removed').then((ok) => ok && ctx.reload()), { secondary: true }),
      ),
    );
  };
  const add = ctx.readOnly ? null : addForm(ctx, 'Add member', ['Member'], ([member]) => ['setAdd', { members: [member] }]);
  setContent(body, h('div', { className: 'toolbar' }, filter), table.element, form, add);
  void table.load();
}

/** A score as typed, or an error message a person can act on. */
export function scoreOf(text: string): number | 'inf' | '-inf' | string {
  const t = text.trim().toLowerCase();
  if (t === 'inf' || t === '+inf') return 'inf';
  if (t === '-inf') return '-inf';
  const n = t === '' ? NaN : Number(t);
  return Number.isFinite(n) ? n : `score: ${JSON.stringify(text.slice(0, 40))} is not a number (use digits, or inf / -inf)`;
}

export function zsetViewer(ctx: ViewerContext, body: HTMLElement): void {
  const mode = ctx.state.mode ?? 'rank';
  const order = ctx.state.order ?? 'asc';
  const min = ctx.state.min ?? '-inf';
  const max = ctx.state.max ?? '+inf';
  const start = ctx.state.start ?? 0;
  const table = new PagedTable<ZsetEntry>(
    `Members of ${keyName(ctx.key)}`,
    [
      { id: 'rank', title: 'Rank', width: '6em', className: 'end', cell: (e) => formatCount(e.rank) },
      { id: 'score', title: 'Score', width: '9em', className: 'end', cell: (e) => String(e.score) },
      { id: 'member', title: 'Member', width: '1fr', cell: (e) => valueText(e.member) },
    ],
    async (loaded) => {
      if (mode === 'score') {
        const page = await ctx.client.request(ReadZsetByScore, { key: keyParam(ctx.key), min, max, offset: loaded, order }, { lane: 'value' });
        return { rows: page.members, done: loaded + page.members.length >= page.inRange || page.members.length === 0, total: page.inRange };
      }
      const page = await ctx.client.request(ReadZset, { key: keyParam(ctx.key), start: start + loaded, order }, { lane: 'value' });
      return { rows: page.members, done: start + loaded + page.members.length >= page.length || page.members.length === 0, total: page.length };
    },
    { what: 'members', onActivate: (e) => choose(e) },
  );
  const minField = textfield('Min score', { value: min, size: 8 });
  const maxField = textfield('Max score', { value: max, size: 8 });
  const startField = textfield('From rank', { value: String(start), size: 8 });
  const apply = () => {
    const from = Number(valueOf(startField));
    if (mode === 'rank' && (!Number.isInteger(from) || from < 0)) return announce(ctx.status, 'From rank: type a whole number from 0', 'error');
    ctx.save({ min: valueOf(minField).trim(), max: valueOf(maxField).trim(), start: from });
    ctx.reload();
  };
  const controls = h(
    'div',
    { className: 'toolbar' },
    select('Range by', [['rank', 'By rank'], ['score', 'By score']], mode, (v) => (ctx.save({ mode: v as 'rank' | 'score' }), ctx.reload())),
    select('Order', [['asc', 'Lowest first'], ['desc', 'Highest first']], order, (v) => (ctx.save({ order: v as 'asc' | 'desc' }), ctx.reload())),
    ...(mode === 'score' ? [minField, maxField] : [startField]),
    button('Apply', apply, { secondary: true }),
  );
  const form = h('div');
  const choose = (entry: ZsetEntry) => {
    if (ctx.readOnly) return;
    const score = textfield('Score', { value: String(entry.score), size: 10 });
    setContent(
      form,
      editor(
        h('span', { className: 'muted', text: `Member ${valueText(entry.member)}` }),
        score,
        button('Save score', () => {
          const parsed = scoreOf(valueOf(score));
          if (typeof parsed === 'string' && parsed !== 'inf' && parsed !== '-inf') return announce(ctx.status, parsed, 'error');
          void edit(ctx, 'zsetScore', { member: textParam(entry.member), score: parsed, expected: entry.score }, 'Score saved').then((ok) => ok && ctx.reload());
        }),
        button('Remove member', () => void edit(ctx, 'zsetRemove', { members: [textParam(entry.member)] }, 'Member removed').then((ok) => ok && ctx.reload()), { secondary: true }),
      ),
    );
  };
  const add = ctx.readOnly
    ? null
    : addForm(ctx, 'Add member', ['Member', 'Score'], ([member, scoreText]) => {
        const score = scoreOf(scoreText!);
        if (typeof score === 'string' && score !== 'inf' && score !== '-inf') return score;
        return ['zsetAdd', { members: [{ member, score }] }];
      });
  setContent(body, controls, table.element, form, add);
  void table.load();
}

export function streamViewer(ctx: ViewerContext, body: HTMLElement): void {
  const startId = ctx.state.streamStart ?? '-';
  const endId = ctx.state.streamEnd ?? '+';
  const reverse = ctx.state.reverse ?? false;
  let next: string | null = reverse ? endId : startId;
  const groups = h('div', { className: 'groups' });
  const table = new PagedTable<StreamEntry>(
    `Entries of ${keyName(ctx.key)}`,
    [
      { id: 'id', title: 'ID', width: '14em', className: 'mono', cell: (e) => e.id },
      { id: 'fields', title: 'Fields', width: '1fr', cell: (e) => e.fields.map((f) => `${valueText(f.field)}=${valueText(f.value)}`).join('  ') },
    ],
    async () => {
      const page = await ctx.client.request(ReadStream, { key: keyParam(ctx.key), start: reverse ? startId : (next ?? startId), end: reverse ? (next ?? endId) : endId, reverse }, { lane: 'value' });
      next = page.next;
      renderGroups(groups, page.groups);
      return { rows: page.entries, done: page.next === null, total: page.length };
    },
    { what: 'entries' },
  );
  const startField = textfield('From ID', { value: startId, size: 14 });
  const endField = textfield('To ID', { value: endId, size: 14 });
  const rev = h('vscode-checkbox', { attrs: { checked: reverse, label: 'Newest first' } }) as unknown as HTMLInputElement;
  const apply = () => (ctx.save({ streamStart: valueOf(startField).trim() || '-', streamEnd: valueOf(endField).trim() || '+', reverse: rev.checked }), ctx.reload());
  const add = ctx.readOnly ? null : addForm(ctx, 'Add entry', ['Field', 'Value'], ([field, value]) => ['streamAdd', { fields: [{ field, value }] }]);
  setContent(body, h('div', { className: 'toolbar' }, startField, endField, rev, button('Apply', apply, { secondary: true })), table.element, h('h3', { text: 'Consumer groups' }), groups, add);
  void table.load();
}

function renderGroups(element: HTMLElement, list: { name: string; consumers: number; pending: number; lastDeliveredId: string; lag?: number | null }[]): void {
  if (list.length === 0) return setContent(element, h('p', { className: 'muted', text: 'No consumer group' }));
  const table = h('table', { attrs: { 'aria-label': 'Consumer groups' } }, h('tr', {}, ...['Group', 'Consumers', 'Pending', 'Last delivered', 'Lag'].map((t) => h('th', { text: t }))));
  for (const g of list) table.append(h('tr', {}, ...[g.name, formatCount(g.consumers), formatCount(g.pending), g.lastDeliveredId, g.lag === undefined || g.lag === null ? '' : formatCount(g.lag)].map((t) => h('td', { text: t }))));
  setContent(element, table);
}

export async function jsonViewer(ctx: ViewerContext, body: HTMLElement): Promise<void> {
  const path = ctx.state.path ?? '$';
  const field = textfield('JSON path', { value: path, onEnter: () => (ctx.save({ path: valueOf(field).trim() || '$' }), ctx.reload()) });
  const read = await ctx.client.request(ReadJson, { key: keyParam(ctx.key), path }, { lane: 'value' });
  const text = read.truncated ? read.json : (prettyJson(read.json) ?? read.json);
  setContent(
    body,
    h('div', { className: 'toolbar' }, field, h('span', { className: 'muted', text: `${formatBytes(read.bytes)}${read.truncated ? ' · cut: read a narrower path' : ''}` })),
    h('pre', { className: 'value mono', attrs: { 'aria-label': `JSON of ${keyName(ctx.key)}`, tabindex: 0 }, text }),
  );
}

/** A row of inputs and a button that runs one edit ("Add field", "Push", "Add member"). `build` returns an error text to refuse. */
function addForm(ctx: ViewerContext, title: string, labels: string[], build: (values: string[]) => [EditOperation, Record<string, unknown>] | string): HTMLElement {
  const fields = labels.map((label) => textfield(label, { size: 14 }));
  return h(
    'div',
    { className: 'toolbar add' },
    ...fields,
    button(title, () => {
      const built = build(fields.map(valueOf));
      if (typeof built === 'string') return announce(ctx.status, built, 'error');
      void edit(ctx, built[0], built[1], `${title}: done`).then((ok) => ok && ctx.reload());
    }, { secondary: true, icon: 'add' }),
  );
}
