import type { MongoOperations } from '../../core/engines/mongodb/operations';
import type { ResultOf } from '../../core/engines/operations';
import { formatBytes, formatCount } from '../shared/bytes';
import { announce, cssVar, h, setContent, ve } from '../shared/dom';
import { VirtualList } from '../shared/virtual-list';

type IndexInfo = ResultOf<MongoOperations, 'listIndexes'>[number];
type Explained = ResultOf<MongoOperations, 'explain'>;
type Schema = ResultOf<MongoOperations, 'sampleSchema'>;

const keysText = (keys: Record<string, unknown>) =>
  Object.entries(keys)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');

const properties = (ix: IndexInfo) =>
  [ix.unique && 'unique', ix.sparse && 'sparse', ix.expireAfterSeconds !== undefined && `TTL ${formatCount(ix.expireAfterSeconds)} s`, ix.partialFilterExpression && `partial ${JSON.stringify(ix.partialFilterExpression)}`, ix.hidden && 'hidden']
    .filter(Boolean)
    .join(' · ');

const usageText = (ix: IndexInfo) => (ix.usage ? `${formatCount(ix.usage.ops)} since ${ix.usage.since.slice(0, 16).replace('T', ' ')}` : 'unknown');

export interface IndexesTabOptions {
  readOnly: boolean;
  create(spec: { keys: string; name?: string; unique: boolean; sparse: boolean; expireAfterSeconds?: number }): Promise<void>;
  drop(name: string): Promise<void>;
}

/** Indexes with their size and use ($indexStats); create and drop (both confirmed by the host). */
export class IndexesTab {
  readonly element: HTMLElement;
  readonly status = h('div', { className: 'status' });
  private readonly list: VirtualList<IndexInfo>;
  private readonly dropButton: HTMLElement;
  private readonly form: HTMLElement;

  constructor(private readonly options: IndexesTabOptions) {
    this.list = new VirtualList<IndexInfo>({
      label: 'Indexes',
      empty: 'No indexes',
      columns: [
        { id: 'name', title: 'Name', width: 'minmax(8em, 1fr)', cell: (ix) => ix.name },
        { id: 'keys', title: 'Keys', width: 'minmax(10em, 2fr)', className: 'mono', cell: (ix) => keysText(ix.keys) },
        { id: 'props', title: 'Properties', width: 'minmax(8em, 1.5fr)', cell: properties },
        { id: 'size', title: 'Size', width: '7em', className: 'end', cell: (ix) => (ix.size === undefined ? '' : formatBytes(ix.size)) },
        { id: 'usage', title: 'Used (ops)', width: 'minmax(12em, 1.5fr)', cell: usageText },
      ],
      onSelectionChange: () => this.updateButtons(),
    });
    this.dropButton = ve('vscode-button', { text: 'Drop Index', attrs: { secondary: true, disabled: true }, on: { click: () => void this.drop() } });
    const keys = h('input', { className: 'mono grow', attrs: { type: 'text', 'aria-label': 'Index keys', placeholder: '{"email": 1}', spellcheck: 'false' } });
    const name = h('input', { attrs: { type: 'text', 'aria-label': 'Index name (optional)', placeholder: 'name (optional)' } });
    const ttl = h('input', { className: 'query-number', attrs: { type: 'number', min: 0, 'aria-label': 'Expire after seconds (optional)', placeholder: 'TTL s' } });
    const unique = h('input', { attrs: { type: 'checkbox', 'aria-label': 'Unique' } });
    const sparse = h('input', { attrs: { type: 'checkbox', 'aria-label': 'Sparse' } });
    const create = ve('vscode-button', {
      text: 'Create Index',
      on: {
        click: () =>
          void this.run(async () => {
            await this.options.create({ keys: keys.value, name: name.value.trim() || undefined, unique: unique.checked, sparse: sparse.checked, expireAfterSeconds: ttl.value === '' ? undefined : Math.trunc(Number(ttl.value)) });
            keys.value = '';
            name.value = '';
          }),
      },
    });
    this.form = h('div', { className: 'toolbar index-form', attrs: { role: 'group', 'aria-label': 'New index' } }, keys, name, ttl, h('label', {}, unique, ' unique'), h('label', {}, sparse, ' sparse'), create);
    this.form.hidden = options.readOnly;
    this.dropButton.hidden = options.readOnly;
    this.element = h('div', { className: 'tab-body' }, this.form, h('div', { className: 'toolbar' }, this.dropButton), this.status, h('div', { className: 'grow-pane' }, this.list.element));
  }

  /** Shows the list (or why there is none: a view has no indexes of its own). */
  show(indexes: IndexInfo[] | string): void {
    if (typeof indexes === 'string') {
      this.list.setRows([]);
      announce(this.status, indexes);
      this.form.hidden = true;
      return;
    }
    this.form.hidden = this.options.readOnly;
    this.list.setRows(indexes);
    const total = indexes.reduce((n, ix) => n + (ix.size ?? 0), 0);
    announce(this.status, `${indexes.length} index${indexes.length === 1 ? '' : 'es'}${total ? `, ${formatBytes(total)} in all` : ''}`);
    this.updateButtons();
  }

  error(message: string): void {
    announce(this.status, message, 'error');
  }

  private selectedIndex(): IndexInfo | undefined {
    const [i] = this.list.selection;
    return i === undefined ? undefined : this.list.rowAt(i);
  }

  private updateButtons(): void {
    const ix = this.selectedIndex();
    this.dropButton.toggleAttribute('disabled', !ix || ix.name === '_id_');
  }

  private async drop(): Promise<void> {
    const ix = this.selectedIndex();
    if (ix) await this.run(() => this.options.drop(ix.name));
  }

  private async run(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const e = error as { code?: string; message: string };
      if (e.code !== 'cancelled') this.error(e.message);
    }
  }
}

/** Explain of the current query: a readable summary (winning plan, documents examined vs returned, index), then the raw plan. */
export function renderExplain(target: HTMLElement, explained: Explained): void {
  const s = explained.summary;
  const rows: [string, string][] = [
    ['Winning stage', s.winningStage ?? 'unknown'],
    ['Index used', s.indexName ?? (s.winningStage === 'COLLSCAN' ? 'none: a collection scan reads every document' : 'none')],
    ['Documents examined', s.docsExamined === undefined ? '—' : formatCount(s.docsExamined)],
    ['Keys examined', s.keysExamined === undefined ? '—' : formatCount(s.keysExamined)],
    ['Documents returned', s.returned === undefined ? '—' : formatCount(s.returned)],
    ['Time on the server', s.executionTimeMillis === undefined ? '—' : `${formatCount(s.executionTimeMillis)} ms`],
    ['Stages', s.stages.join(' ← ')],
  ];
  const ratio = s.docsExamined !== undefined && s.returned ? s.docsExamined / s.returned : undefined;
  const verdict =
    s.winningStage === 'COLLSCAN' ? 'This query reads the whole collection: an index on the filtered fields would answer it directly.'
    : ratio !== undefined && ratio > 10 ? `It examines ${Math.round(ratio)} documents for each one it returns: a more selective index would help.`
    : 'The query is answered from an index.';
  setContent(
    target,
    h('p', { className: s.winningStage === 'COLLSCAN' ? 'verdict warn' : 'verdict', text: verdict }),
    h('dl', { className: 'explain-summary' }, ...rows.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })])),
    h('details', {}, h('summary', { text: 'Raw plan' }), h('pre', { className: 'value mono', text: JSON.stringify(explained.plan, null, 2) })),
  );
}

/** The fields of a $sample with their types and how often each appears. */
export function renderSchema(target: HTMLElement, schema: Schema): VirtualList<Schema['fields'][number]> {
  const list = new VirtualList<Schema['fields'][number]>({
    label: 'Fields of the sampled documents',
    empty: 'No fields: the collection is empty',
    columns: [
      { id: 'path', title: 'Field', width: 'minmax(10em, 2fr)', className: 'mono', cell: (f) => f.path },
      {
        id: 'share',
        title: 'In documents',
        width: 'minmax(9em, 1fr)',
        cell: (f) => {
          const bar = h('span', { className: 'share-bar' });
          cssVar(bar, '--share', `${Math.round(f.share * 100)}%`);
          return h('span', { className: 'share' }, bar, h('span', { text: `${Math.round(f.share * 1000) / 10}%` }));
        },
      },
      { id: 'types', title: 'Types', width: 'minmax(12em, 2fr)', cell: (f) => Object.entries(f.types).map(([t, n]) => `${t} ${Math.round((n / f.count) * 100)}%`).join(' · ') },
    ],
  });
  list.setRows(schema.fields);
  setContent(target, h('p', { className: 'muted', text: `${formatCount(schema.sampled)} documents sampled${schema.truncated ? '; some paths were left out (too deep or too many)' : ''}.` }), h('div', { className: 'grow-pane' }, list.element));
  return list;
}
