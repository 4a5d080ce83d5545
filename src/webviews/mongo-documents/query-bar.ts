import type { QueryText } from '../protocol/mongo-documents';
import { h, setContent, uniqueId, ve } from '../shared/dom';
import { applySuggestion, completionContext, fieldOfError, locateMistake, pointAt, suggestions, type CompletionContext, type QueryField } from './query-text';

export interface QueryBarOptions {
  onRun(query: QueryText): void;
  /** Field names of the collection, for completion. */
  fields(): Promise<string[]>;
  /** The collection's recent queries, newest first. */
  history(): Promise<QueryText[]>;
}

const PLACEHOLDERS: Record<QueryField, string> = {
  filter: '{"status": "open", "_id": ObjectId("…")}',
  projection: '{"name": 1, "_id": 0}',
  sort: '{"createdAt": -1}',
};

const summary = (q: QueryText) =>
  [q.filter.trim() || '{}', q.projection.trim() && `project ${q.projection.trim()}`, q.sort.trim() && `sort ${q.sort.trim()}`, q.skip && `skip ${q.skip}`, q.limit && `limit ${q.limit}`]
    .filter(Boolean)
    .join(' · ');

/**
 * Filter, projection, sort, skip and limit, as typed: relaxed Extended JSON or mongosh style, parsed
 * by the engine, whose mistakes are shown under the field with a caret at the position. Field
 * names (from a sample) and operators complete as you type a key; History brings back the
 * collection's recent queries.
 */
export class QueryBar {
  readonly element: HTMLFormElement;
  private readonly inputs: Record<QueryField, HTMLInputElement>;
  private readonly skip: HTMLInputElement;
  private readonly limit: HTMLInputElement;
  private readonly error = h('div', { className: 'query-error', attrs: { role: 'alert', hidden: true } });
  private readonly list = h('ul', { className: 'popup-list', attrs: { role: 'listbox', id: uniqueId('completions'), hidden: true } });
  private readonly historyList = h('ul', {
    className: 'popup-list history-list',
    attrs: { role: 'listbox', 'aria-label': 'Recent queries', hidden: true },
    on: {
      // Escape, or the focus going elsewhere, closes the list as a menu closes.
      keydown: (e) => e.key === 'Escape' && (e.preventDefault(), (this.historyList.hidden = true)),
      focusout: (e) => !this.historyList.contains(e.relatedTarget as Node | null) && (this.historyList.hidden = true),
    },
  });
  private completion: { input: HTMLInputElement; context: CompletionContext; items: string[]; active: number } | undefined;
  private fieldNames: string[] | undefined;

  constructor(private readonly options: QueryBarOptions) {
    const field = (name: QueryField, label: string) => {
      const input = h('input', {
        className: 'mono query-input',
        attrs: { id: uniqueId(name), type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: PLACEHOLDERS[name], 'aria-label': label, 'aria-autocomplete': 'list', 'aria-controls': this.list.id, 'aria-expanded': 'false', role: 'combobox' },
        on: { input: () => this.complete(input), keydown: (e) => this.onKey(e, input), blur: () => setTimeout(() => this.closeCompletion(), 150) },
      });
      return input;
    };
    this.inputs = { filter: field('filter', 'Filter'), projection: field('projection', 'Projection'), sort: field('sort', 'Sort') };
    const number = (label: string) => h('input', { className: 'query-number', attrs: { type: 'number', min: 0, step: 1, value: '0', 'aria-label': label } });
    this.skip = number('Skip');
    this.limit = number('Limit (0: none)');
    const labelled = (text: string, input: HTMLInputElement, grow = false) => h('label', { className: grow ? 'query-field grow' : 'query-field' }, h('span', { className: 'query-label', text }), input);
    const run = ve('vscode-button', { text: 'Find', attrs: { 'aria-label': 'Find' }, on: { click: () => this.submit() } });
    const reset = ve('vscode-button', { text: 'Reset', attrs: { secondary: true }, on: { click: () => this.reset() } });
    const history = ve('vscode-button', { text: 'History', attrs: { secondary: true, 'aria-haspopup': 'listbox' }, on: { click: () => void this.toggleHistory() } });
    this.element = h(
      'form',
      { className: 'query-bar', attrs: { role: 'search', 'aria-label': 'Query' }, on: { submit: (e) => (e.preventDefault(), this.submit()) } },
      h('div', { className: 'query-row' }, labelled('Filter', this.inputs.filter, true), history, run, reset),
      h('div', { className: 'query-row' }, labelled('Project', this.inputs.projection, true), labelled('Sort', this.inputs.sort, true), labelled('Skip', this.skip), labelled('Limit', this.limit)),
      this.error,
      this.list,
      this.historyList,
    );
  }

  get value(): QueryText {
    const n = (input: HTMLInputElement) => Math.max(0, Math.trunc(Number(input.value) || 0));
    return { filter: this.inputs.filter.value, projection: this.inputs.projection.value, sort: this.inputs.sort.value, skip: n(this.skip), limit: n(this.limit) };
  }

  set value(q: QueryText) {
    this.inputs.filter.value = q.filter;
    this.inputs.projection.value = q.projection;
    this.inputs.sort.value = q.sort;
    this.skip.value = String(q.skip);
    this.limit.value = String(q.limit);
    this.clearError();
  }

  /** A new collection: its field names are fetched again on the next completion. */
  forgetFields(): void {
    this.fieldNames = undefined;
  }

  private submit(): void {
    this.closeCompletion();
    this.clearError();
    this.options.onRun(this.value);
  }

  private reset(): void {
    this.value = { filter: '', projection: '', sort: '', skip: 0, limit: 0 };
    this.submit();
  }

  /** Shows an engine error under the field it is about, with a caret at the position when it has one. */
  showError(message: string): void {
    const mistake = locateMistake(message);
    const field = mistake?.field ?? fieldOfError(message);
    for (const [name, input] of Object.entries(this.inputs)) input.setAttribute('aria-invalid', String(name === field));
    const parts: Node[] = [h('span', { text: message })];
    if (mistake) {
      const input = this.inputs[mistake.field];
      const { line, caret } = pointAt(input.value, mistake.position);
      parts.push(h('pre', { className: 'pointer mono', text: `${line}\n${caret}` }));
      input.focus();
      input.setSelectionRange(mistake.position, Math.min(input.value.length, mistake.position + 1));
    }
    setContent(this.error, ...parts);
    this.error.hidden = false;
  }

  clearError(): void {
    this.error.hidden = true;
    for (const input of Object.values(this.inputs)) input.setAttribute('aria-invalid', 'false');
  }

  private async complete(input: HTMLInputElement): Promise<void> {
    const caret = input.selectionStart ?? input.value.length;
    const asked = completionContext(input.value, caret);
    if (!asked) return this.closeCompletion();
    if (!asked.prefix.startsWith('$') && this.fieldNames === undefined) {
      // A failed or cancelled fetch leaves the names unknown, to be asked again on the next key.
      const fields = await this.options.fields().catch(() => undefined);
      this.fieldNames ??= fields;
    }
    // Keys typed while the names were fetched count: the list is for the text as it is now.
    const context = completionContext(input.value, input.selectionStart ?? input.value.length);
    if (!context) return this.closeCompletion();
    const items = suggestions(this.fieldNames ?? [], context.prefix);
    if (items.length === 0 || document.activeElement !== input) return this.closeCompletion();
    // A name chosen with the arrows stays chosen while it is still offered (answers for earlier keys arrive late).
    const before = this.completion;
    const chosen = before?.input === input ? before.items[before.active] : undefined;
    this.completion = { input, context, items, active: chosen === undefined ? 0 : Math.max(0, items.indexOf(chosen)) };
    this.renderCompletion();
  }

  private renderCompletion(): void {
    const c = this.completion;
    if (!c) return;
    setContent(
      this.list,
      ...c.items.map((item, i) =>
        h('li', {
          className: i === c.active ? 'active' : '',
          text: item,
          attrs: { role: 'option', id: `${this.list.id}-${i}`, 'aria-selected': String(i === c.active) },
          on: { mousedown: (e) => (e.preventDefault(), this.accept(i)) },
        }),
      ),
    );
    this.list.hidden = false;
    this.list.classList.toggle('under-filter', c.input === this.inputs.filter);
    c.input.setAttribute('aria-expanded', 'true');
    c.input.setAttribute('aria-activedescendant', `${this.list.id}-${c.active}`);
  }

  private accept(index: number): void {
    const c = this.completion;
    if (!c) return;
    const caret = c.input.selectionStart ?? c.input.value.length;
    const next = applySuggestion(c.input.value, caret, c.context, c.items[index]!);
    c.input.value = next.text;
    c.input.setSelectionRange(next.caret, next.caret);
    this.closeCompletion();
  }

  private closeCompletion(): void {
    if (this.completion) {
      this.completion.input.setAttribute('aria-expanded', 'false');
      this.completion.input.removeAttribute('aria-activedescendant');
    }
    this.completion = undefined;
    this.list.hidden = true;
  }

  private onKey(event: KeyboardEvent, input: HTMLInputElement): void {
    const c = this.completion;
    if (c && c.input === input) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        c.active = (c.active + (event.key === 'ArrowDown' ? 1 : c.items.length - 1)) % c.items.length;
        return this.renderCompletion();
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        return this.accept(c.active);
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        return this.closeCompletion();
      }
    }
    if (event.key === ' ' && event.ctrlKey) {
      event.preventDefault();
      void this.complete(input);
    }
  }

  private async toggleHistory(): Promise<void> {
    if (!this.historyList.hidden) {
      this.historyList.hidden = true;
      return;
    }
    const entries = await this.options.history().catch(() => []);
    setContent(
      this.historyList,
      ...(entries.length === 0
        ? [h('li', { className: 'muted', text: 'No queries run on this collection yet', attrs: { role: 'option', 'aria-disabled': 'true' } })]
        : entries.map((q) =>
            h('li', {
              className: 'mono',
              text: summary(q),
              attrs: { role: 'option', tabindex: 0 },
              on: {
                click: () => this.pick(q),
                keydown: (e) => e.key === 'Enter' && this.pick(q),
              },
            }),
          )),
    );
    this.historyList.hidden = false;
    (this.historyList.firstElementChild as HTMLElement | null)?.focus();
  }

  private pick(q: QueryText): void {
    this.historyList.hidden = true;
    this.value = q;
    this.submit();
  }
}
