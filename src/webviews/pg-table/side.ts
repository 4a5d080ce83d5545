import type { ResultOf } from '../../core/engines/operations';
import type { PostgresOperations } from '../../core/engines/postgres/operations';
import type { Cell } from '../../core/engines/postgres/values';
import { bytesOf, fullText, isCut, isJsonColumn } from '../pg-shared/cells';
import { button, tabs } from '../pg-shared/ui';
import { formatBytes } from '../shared/bytes';
import { h, setContent } from '../shared/dom';
import { HexView } from '../shared/hex-view';

export type Description = ResultOf<PostgresOperations, 'describeRelation'>;
export type Details = ResultOf<PostgresOperations, 'relationDetails'>;
type ColumnInfo = Description['columns'][number];

export interface SideActions {
  /** Saves a new value of the shown cell (already in the engine's encoding). */
  save(value: unknown): void;
  insert(values: Record<string, unknown>): void;
  loadDetails(): Promise<Details>;
  openReference(fk: Description['foreignKeys'][number]): void;
}

export const SIDE_TABS: [string, string][] = [['value', 'Value'], ['columns', 'Columns'], ['indexes', 'Indexes'], ['constraints', 'Constraints'], ['fks', 'Foreign Keys'], ['triggers', 'Triggers'], ['ddl', 'DDL']];

const table = (head: string[], rows: (string | Node)[][]) =>
  h('table', { className: 'info' }, h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { text: t })))), h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))));

/** Value, insert form, and the relation's structure (columns, indexes, constraints, foreign keys, triggers, DDL). */
export class SidePanel {
  readonly element = h('aside', { className: 'side', attrs: { 'aria-label': 'Details' } });
  private readonly body = h('div', { className: 'side-body' });
  private readonly tabBar;
  private tab: string;
  private description: Description | undefined;
  private details: Promise<Details> | undefined;

  constructor(
    private readonly actions: SideActions,
    initialTab: string,
    private readonly onTab: (tab: string) => void,
  ) {
    this.tab = initialTab;
    this.tabBar = tabs('Details', SIDE_TABS, initialTab, (id) => {
      this.tab = id;
      this.onTab(id);
      void this.render();
    });
    this.element.append(this.tabBar.element, this.body);
  }

  setRelation(description: Description): void {
    this.description = description;
    this.details = undefined;
    if (this.tab === 'value') setContent(this.body, h('p', { className: 'muted', text: 'Click a cell to see its whole value (and edit it).' }));
    void this.render();
  }

  select(tab: string): void {
    this.tabBar.select(tab);
  }

  /** Shows one cell's whole value, and its editor when the cell may be edited. */
  showValue(column: ColumnInfo, value: Cell, editable: string | null): void {
    this.tabBar.select('value');
    const text = fullText(value, { name: column.name, type: column.type, typeOid: column.typeOid });
    const bytes = bytesOf(value);
    const parts: Node[] = [h('div', { className: 'side-title' }, h('strong', { text: column.name }), h('span', { className: 'muted', text: ` ${column.type}` }))];
    if (value === null) parts.push(h('p', { className: 'value null', text: 'NULL' }));
    else if (bytes) {
      const hex = new HexView('Bytes of the value');
      hex.show(bytes);
      parts.push(h('p', { className: 'muted', text: `${formatBytes(bytes.length)}${isCut(value) ? ' shown (cut for display)' : ''}` }), h('div', { className: 'hex-wrap' }, hex.element));
    } else parts.push(h('pre', { className: 'value mono', attrs: { 'aria-label': 'Value' }, text: text === '' ? '' : text }), text === '' ? h('p', { className: 'value empty', text: "'' (empty string)" }) : null!);
    if (isCut(value)) parts.push(h('p', { className: 'muted', text: 'The value is over 64 KiB: it is shown cut, and cannot be edited here (use SQL).' }));
    if (editable) parts.push(h('p', { className: 'muted', text: editable }));
    else if (!isCut(value) && !column.generated) parts.push(this.editor(column, value === null ? '' : text, value === null));
    setContent(this.body, ...parts.filter(Boolean));
  }

  private editor(column: ColumnInfo, text: string, isNull: boolean): HTMLElement {
    const area = h('textarea', { className: 'native', attrs: { rows: 6, 'aria-label': `New value of ${column.name}` } });
    area.value = text;
    const nullBox = h('input', { attrs: { type: 'checkbox', 'aria-label': 'NULL' } });
    nullBox.checked = isNull;
    const error = h('p', { className: 'field-error', attrs: { role: 'alert' } });
    const save = () => {
      if (nullBox.checked) return this.actions.save(null);
      if (isJsonColumn(column)) {
        try {
          return this.actions.save(JSON.parse(area.value) as unknown);
        } catch (e) {
          error.textContent = `Not valid JSON: ${(e as Error).message}`;
          return;
        }
      }
      this.actions.save(area.value);
    };
    area.addEventListener('keydown', (e) => (e.ctrlKey || e.metaKey) && e.key === 'Enter' && save());
    return h('div', { className: 'editor' }, area, h('label', { className: 'check' }, nullBox, ' NULL'), error, h('div', { className: 'row' }, button('Save', save, { icon: 'save' })));
  }

  /** The insert form: every column with its type and default; a column left on "default" is not sent. */
  showInsert(): void {
    const description = this.description;
    if (!description) return;
    this.tabBar.select('value');
    const fields = description.columns.map((c) => {
      const value = h('input', { className: 'native', attrs: { type: 'text', 'aria-label': `Value of ${c.name}`, placeholder: c.default ? `DEFAULT ${c.default}` : c.identity ? 'identity' : c.nullable ? 'NULL' : '' } });
      const useDefault = h('input', { attrs: { type: 'checkbox', 'aria-label': `Default for ${c.name}` } });
      useDefault.checked = Boolean(c.default || c.identity || c.generated || c.nullable);
      value.disabled = Boolean(c.generated) || c.identity === 'always';
      value.addEventListener('input', () => (useDefault.checked = false));
      return { c, value, useDefault };
    });
    const submit = () => {
      const values: Record<string, unknown> = {};
      for (const { c, value, useDefault } of fields) {
        if (useDefault.checked || c.generated) continue;
        if (isJsonColumn(c)) {
          try {
            values[c.name] = JSON.parse(value.value) as unknown;
          } catch {
            values[c.name] = value.value;
          }
        } else values[c.name] = value.value;
      }
      this.actions.insert(values);
    };
    setContent(
      this.body,
      h('div', { className: 'side-title' }, h('strong', { text: 'New row' })),
      h('p', { className: 'muted', text: 'Columns left on “default” take their default (shown as the placeholder).' }),
      table(['Column', 'Value', 'Default'], fields.map(({ c, value, useDefault }) => [h('span', {}, c.name, h('span', { className: 'muted', text: ` ${c.type}` })), value, useDefault])),
      h('div', { className: 'row' }, button('Insert Row', submit, { icon: 'add' })),
    );
  }

  private async render(): Promise<void> {
    const d = this.description;
    if (!d || this.tab === 'value') return;
    const on = this.tab;
    const show = (...nodes: Node[]) => on === this.tab && setContent(this.body, ...nodes);
    if (on === 'columns') {
      show(table(['Column', 'Type', 'Null', 'Default'], d.columns.map((c) => [`${d.primaryKey.includes(c.name) ? '🔑 ' : ''}${c.name}`, c.type, c.nullable ? 'yes' : 'no', c.generated ? `generated: ${c.generated}` : c.identity ? `identity ${c.identity}` : (c.default ?? '')])));
    } else if (on === 'indexes') {
      show(d.indexes.length ? table(['Index', 'Definition'], d.indexes.map((i) => [i.name, i.definition])) : h('p', { className: 'muted', text: 'No indexes' }));
    } else if (on === 'constraints') {
      const rows = [
        ...(d.primaryKey.length ? [['PRIMARY KEY', d.primaryKey.join(', ')]] : []),
        ...d.uniqueConstraints.map((u) => [`UNIQUE ${u.name}`, u.columns.join(', ')]),
        ...d.checks.map((c) => [`CHECK ${c.name}`, c.definition]),
      ];
      show(rows.length ? table(['Constraint', 'Definition'], rows) : h('p', { className: 'muted', text: 'No constraints' }));
    } else if (on === 'fks') {
      show(
        d.foreignKeys.length
          ? table(['Columns', 'References', 'On delete / update'], d.foreignKeys.map((fk) => [fk.columns.join(', '), h('button', { className: 'link', text: `${fk.references.schema}.${fk.references.table} (${fk.references.columns.join(', ')})`, on: { click: () => this.actions.openReference(fk) } }), `${fk.onDelete} / ${fk.onUpdate}`]))
          : h('p', { className: 'muted', text: 'No foreign keys' }),
      );
    } else {
      show(h('p', { className: 'muted', text: 'Loading…' }));
      try {
        this.details ??= this.actions.loadDetails();
        const details = await this.details;
        if (on === 'triggers') show(details.triggers.length ? table(['Trigger', 'Enabled', 'Definition'], details.triggers.map((t) => [t.name, t.enabled, t.definition])) : h('p', { className: 'muted', text: 'No triggers' }));
        else show(h('pre', { className: 'value mono ddl', attrs: { 'aria-label': 'DDL' }, text: details.ddl }));
      } catch (error) {
        this.details = undefined;
        show(h('p', { className: 'error', attrs: { role: 'alert' }, text: (error as Error).message }));
      }
    }
  }
}
