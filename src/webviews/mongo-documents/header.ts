import type { MongoOperations } from '../../core/engines/mongodb/operations';
import type { ResultOf } from '../../core/engines/operations';
import { ListCollections, ListDatabases } from '../protocol/mongo-documents';
import { formatCount } from '../shared/bytes';
import type { HostClient } from '../shared/client';
import { announce, h, setContent, uniqueId } from '../shared/dom';

export type CollectionInfo = ResultOf<MongoOperations, 'listCollections'>['collections'][number];

const SYSTEM = new Set(['admin', 'config', 'local']);

/** What kind of collection it is, in a few words: view (on what), time series (on which field), capped. */
export function kindOf(info: CollectionInfo): string | undefined {
  if (info.type === 'view') return `view on ${info.viewOn ?? '?'}`;
  if (info.type === 'timeseries') return `time series${typeof info.timeseries?.timeField === 'string' ? ` on ${info.timeseries.timeField}` : ''}`;
  return info.capped ? 'capped' : undefined;
}

export interface HeaderOptions {
  readOnly: boolean;
  onDatabase(db: string): void;
  onCollection(info: CollectionInfo | undefined): void;
}

/** The database and collection pickers, the collection's kind, and a read-only badge. */
export class BrowserHeader {
  readonly element: HTMLElement;
  private readonly dbSelect: HTMLSelectElement;
  private readonly collectionSelect: HTMLSelectElement;
  private readonly kind = h('span', { className: 'badge kind', attrs: { hidden: true } });
  private readonly note = h('span', { className: 'status' });
  private collections: CollectionInfo[] = [];
  database: string | undefined;

  constructor(
    private readonly client: HostClient,
    private readonly options: HeaderOptions,
  ) {
    const dbId = uniqueId('db');
    const collId = uniqueId('collection');
    this.dbSelect = h('select', { attrs: { id: dbId }, on: { change: () => options.onDatabase(this.dbSelect.value) } });
    this.collectionSelect = h('select', {
      attrs: { id: collId },
      on: {
        change: () => {
          const info = this.collections.find((c) => c.name === this.collectionSelect.value);
          this.showKind(info);
          options.onCollection(info);
        },
      },
    });
    this.element = h(
      'header',
      { className: 'browser-header toolbar' },
      h('label', { attrs: { for: dbId }, text: 'Database' }),
      this.dbSelect,
      h('label', { attrs: { for: collId }, text: 'Collection' }),
      this.collectionSelect,
      this.kind,
      options.readOnly ? h('span', { className: 'badge read-only', text: 'read-only', attrs: { title: 'This database refuses writes for you: the browser shows no write controls' } }) : null,
      this.note,
    );
  }

  /** Lists the databases; selects `preferred` when given (kept even when the user may not list it), else the first one not of mongod's own. */
  async loadDatabases(preferred?: string): Promise<void> {
    let names: string[] = [];
    try {
      names = (await this.client.request(ListDatabases, {})).map((d) => d.name);
    } catch (error) {
      announce(this.note, `Could not list the databases: ${(error as Error).message}`, 'error');
    }
    if (preferred && !names.includes(preferred)) names.unshift(preferred);
    const ordered = [...names.filter((n) => !SYSTEM.has(n)), ...names.filter((n) => SYSTEM.has(n))];
    setContent(this.dbSelect, ...ordered.map((n) => h('option', { attrs: { value: n }, text: SYSTEM.has(n) ? `${n} (system)` : n })));
    this.database = preferred ?? ordered[0];
    if (this.database) this.dbSelect.value = this.database;
    if (ordered.length === 0) announce(this.note, 'No database to browse');
  }

  /** Lists a database's collections and opens `preferred` (or the first). */
  async loadCollections(db: string, preferred?: string): Promise<void> {
    this.database = db;
    if (this.dbSelect.value !== db) {
      if (![...this.dbSelect.options].some((o) => o.value === db)) this.dbSelect.append(h('option', { attrs: { value: db }, text: db }));
      this.dbSelect.value = db;
    }
    announce(this.note, '');
    try {
      const { collections, truncated } = await this.client.request(ListCollections, { db }, { lane: 'collections' });
      this.collections = collections;
      if (truncated) announce(this.note, `Only the first ${formatCount(collections.length)} collections are listed`);
    } catch (error) {
      this.collections = [];
      announce(this.note, `Could not list the collections of ${db}: ${(error as Error).message}`, 'error');
    }
    setContent(
      this.collectionSelect,
      ...this.collections.map((c) => h('option', { attrs: { value: c.name }, text: kindOf(c) ? `${c.name} (${kindOf(c)})` : c.name })),
    );
    const chosen = this.collections.find((c) => c.name === preferred) ?? this.collections[0];
    if (chosen) this.collectionSelect.value = chosen.name;
    else announce(this.note, `${db} has no collections`);
    this.showKind(chosen);
    this.options.onCollection(chosen);
  }

  private showKind(info: CollectionInfo | undefined): void {
    const kind = info && kindOf(info);
    this.kind.hidden = !kind;
    this.kind.textContent = kind ?? '';
  }
}
