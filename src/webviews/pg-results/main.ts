import '../shared/base.css';
import '../pg-shared/style.css';
import './style.css';
import '../shared/elements';
import type { Cell } from '../../core/engines/postgres/values';
import { gridWidth, resultColumns } from '../pg-shared/cells';
import { button, tabs } from '../pg-shared/ui';
import { bootWebview } from '../shared/boot';
import { isCancelled } from '../shared/client';
import { announce, cssVar, h, setContent } from '../shared/dom';
import { PanelState } from '../shared/state';
import { VirtualList, type Column } from '../shared/virtual-list';
import { CancelRun, ExportResult, FetchMore, Ready, RunFinishedNote, RunStartedNote, ShowHistory, StatementDoneNote, type RunStarted, type StatementOutcome } from '../protocol/pg-results';
import { planView } from './plan';

interface View {
  run: RunStarted | null;
  outcomes: (StatementOutcome | null)[];
  finished: { cancelled: boolean; durationMs: number } | null;
  tab: number;
}
/** Rows kept in the panel's state for a reload (beyond them, the statement is run again to see its rows). */
const KEPT_CELLS = 200_000;

const sanitize = (raw: unknown): View => {
  const v = (raw ?? {}) as Partial<View>;
  return { run: v.run ?? null, outcomes: Array.isArray(v.outcomes) ? v.outcomes : [], finished: v.finished ?? null, tab: typeof v.tab === 'number' ? v.tab : 0 };
};

const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`;

async function main(): Promise<void> {
  const client = bootWebview();
  const { database } = await client.request(Ready, {});
  const state = new PanelState<View>(sanitize);
  state.setDatabase(database.persisted);
  let view = state.get() as View;
  const root = document.getElementById('root')!;
  const head = h('div', { className: 'head' });
  const tabBar = h('div', { className: 'tabbar' });
  const body = h('div', { className: 'result' });
  const status = h('div', { className: 'status', attrs: { role: 'status' } });
  root.append(head, tabBar, body, status);
  let timer: ReturnType<typeof setInterval> | undefined;

  const keep = () => {
    // Rows past the budget are not kept: a reload then says to run again.
    let cells = 0;
    const outcomes = view.outcomes.map((o) => {
      if (o?.kind !== 'rows') return o;
      cells += o.result.rows.length * Math.max(1, o.result.columns.length);
      return cells > KEPT_CELLS ? { ...o, result: { ...o.result, rows: [] } } : o;
    });
    state.update({ ...view, outcomes });
  };

  function renderHead(): void {
    const run = view.run;
    if (!run) return setContent(head, h('span', { className: 'muted', text: `Run SQL on ${database.name} from a SQL editor (OgelBase: New Query, then Ctrl/Cmd+Enter).` }));
    const running = view.finished === null;
    const what = run.mode === 'run' ? 'Run' : run.mode === 'explain' ? 'Explain' : 'Explain Analyze';
    setContent(
      head,
      h('span', { className: 'doc', text: `${what}: ${run.document}` }),
      h('span', { className: 'muted', text: `${plural(run.statements.length, 'statement')} · row cap ${run.maxRows.toLocaleString('en-US')} · timeout ${run.timeoutMs / 1000} s` }),
      running
        ? h('span', { className: 'running' }, h('span', { className: 'codicon codicon-loading spin', attrs: { 'aria-hidden': 'true' } }), h('span', { className: 'elapsed', text: ' Running…' }))
        : h('span', { className: view.finished!.cancelled ? 'warn' : 'muted', text: view.finished!.cancelled ? 'Cancelled' : `Done in ${view.finished!.durationMs} ms` }),
      running ? button('Cancel', () => client.command(CancelRun, { runId: run.runId }), { icon: 'debug-stop' }) : null,
      h('span', { className: 'grow' }),
      button('History', () => client.command(ShowHistory, {}), { icon: 'history', secondary: true }),
    );
  }

  function renderTabs(): void {
    const run = view.run;
    if (!run) return setContent(tabBar);
    const label = (i: number) => {
      const o = view.outcomes[i];
      const mark = o === null || o === undefined ? '…' : o.kind === 'error' ? '✗' : o.kind === 'skipped' ? '–' : '✓';
      return `${mark} ${i + 1}: ${run.statements[i]!.sql.replace(/\s+/g, ' ').slice(0, 40)}`;
    };
    const bar = tabs('Statements', run.statements.map((s) => [String(s.index), label(s.index)]), String(view.tab), (id) => {
      view.tab = Number(id);
      state.update({ tab: view.tab });
      renderBody();
    });
    setContent(tabBar, bar.element);
  }

  function grid(columns: Column<Cell[]>[], rows: Cell[][], label: string): HTMLElement {
    const list = new VirtualList<Cell[]>({ label, columns, empty: 'No rows' });
    cssVar(list.element, '--grid-width', `${gridWidth(columns as Column<unknown>[])}px`);
    list.setRows(rows);
    return h('div', { className: 'grid-wrap' }, list.element);
  }

  function renderBody(): void {
    const run = view.run;
    const index = view.tab;
    const outcome = view.outcomes[index];
    if (!run || !run.statements[index]) return setContent(body);
    const statement = run.statements[index]!;
    if (!outcome) return setContent(body, h('p', { className: 'empty-note muted', text: `Running statement ${index + 1} (line ${statement.line})…` }));
    if (outcome.kind === 'skipped') return setContent(body, h('p', { className: 'empty-note muted', text: 'Not run: an earlier statement failed, or the run was cancelled.' }));
    if (outcome.kind === 'error') {
      const where = outcome.line !== undefined ? ` (statement line ${outcome.line}, column ${outcome.column}; marked in the editor)` : '';
      return setContent(body, h('div', { className: 'error-box error', attrs: { role: 'alert' } }, h('strong', { text: outcome.code === 'cancelled' ? 'Cancelled' : 'Error' }), `: ${outcome.message}${where}`));
    }
    if (outcome.kind === 'plan') return setContent(body, planView(outcome.plan));
    const r = outcome.result;
    const shown = r.rows.length;
    const info: (Node | string | null)[] = [];
    if (r.columns.length === 0) info.push(h('strong', { text: `${r.command || 'Done'}${r.rowCount !== null && r.rowCount !== undefined ? `: ${plural(r.rowCount, 'row')} affected` : ''}` }));
    else info.push(h('strong', { text: plural(shown, 'row') }), r.command === 'SELECT' ? null : h('span', { className: 'muted', text: `${r.command}${r.rowCount !== shown ? ` · ${plural(r.rowCount, 'row')} affected` : ''}` }));
    info.push(h('span', { className: 'muted', text: `${r.durationMs} ms` }));
    if (r.truncated) {
      info.push(h('span', { className: 'warn', text: `capped at ${run.maxRows.toLocaleString('en-US')} rows per fetch` }));
      if (outcome.canFetchMore) info.push(button('Fetch More', () => void fetchMore(index), { icon: 'fold-down', secondary: true, title: 'Runs the query again and skips the rows already shown' }));
    }
    if (r.columns.length > 0 && outcome.canFetchMore !== undefined) {
      info.push(h('span', { className: 'grow' }), button('Export CSV', () => client.command(ExportResult, { runId: run.runId, index, format: 'csv' }), { icon: 'export', secondary: true }), button('Export JSON', () => client.command(ExportResult, { runId: run.runId, index, format: 'json' }), { icon: 'json', secondary: true }));
    }
    const notices = r.notices?.length ? h('div', { className: 'notices mono', attrs: { 'aria-label': 'Notices' }, text: r.notices.join('\n') }) : null;
    const rowsKept = r.rows.length > 0 || r.columns.length === 0 || r.rowCount === 0;
    setContent(
      body,
      h('div', { className: 'result-info' }, ...info),
      notices,
      r.columns.length > 0 ? (rowsKept ? grid(resultColumns(r.columns), r.rows, `Result of statement ${index + 1}`) : h('p', { className: 'empty-note muted', text: 'The rows were not kept after the reload: run the statement again.' })) : null,
    );
  }

  async function fetchMore(index: number): Promise<void> {
    const outcome = view.outcomes[index];
    if (outcome?.kind !== 'rows' || !view.run) return;
    announce(status, 'Fetching more rows…');
    try {
      const more = await client.request(FetchMore, { runId: view.run.runId, index, offset: outcome.result.rows.length }, { lane: `more-${index}` });
      view.outcomes[index] = { ...outcome, canFetchMore: more.truncated, result: { ...outcome.result, rows: [...outcome.result.rows, ...more.rows], truncated: more.truncated } };
      keep();
      renderBody();
      announce(status, `${plural(more.rows.length, 'more row')}.`);
    } catch (error) {
      if (!isCancelled(error)) announce(status, (error as Error).message, 'error');
    }
  }

  const render = () => {
    renderHead();
    renderTabs();
    renderBody();
  };

  client.on(RunStartedNote, (run) => {
    view = { run, outcomes: run.statements.map(() => null), finished: null, tab: 0 };
    announce(status, '');
    const started = Date.now();
    clearInterval(timer);
    timer = setInterval(() => {
      const elapsed = head.querySelector('.elapsed');
      if (elapsed) elapsed.textContent = ` Running… ${((Date.now() - started) / 1000).toFixed(1)} s`;
    }, 200);
    keep();
    render();
  });
  client.on(StatementDoneNote, (done) => {
    if (done.runId !== view.run?.runId) return;
    view.outcomes[done.index] = done.outcome;
    // Follow the run: show the statement that just finished, and stay on an error.
    const shownFailed = view.outcomes[view.tab]?.kind === 'error';
    if (!shownFailed && done.outcome.kind !== 'skipped') view.tab = done.index;
    keep();
    render();
  });
  client.on(RunFinishedNote, (finished) => {
    if (finished.runId !== view.run?.runId) return;
    clearInterval(timer);
    view.finished = { cancelled: finished.cancelled, durationMs: finished.durationMs };
    keep();
    renderHead();
  });
  // A run that was still going when the panel reloaded cannot be followed any more.
  if (view.run && view.finished === null) view.finished = { cancelled: true, durationMs: 0 };
  render();
}

void main();
