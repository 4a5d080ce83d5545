import * as vscode from 'vscode';
import type { PostgresOperations } from '../../core/engines/postgres/operations';
import { CancelRun, ExportResult, FetchMore, RunFinishedNote, RunStartedNote, ShowHistory, StatementDoneNote, type ResultsInit, type StatementOutcome } from '../../webviews/protocol/pg-results';
import { refName, type DatabaseRef } from '../access/database-ref';
import { describeError } from '../webviews/dispatcher';
import type { InspectorDefinition, InspectorHost, InspectorSession } from '../webviews/inspector';
import { exportToFile } from './export-file';
import { planText, type PlanNode } from '../../webviews/pg-shared/plan-text';
import { errorPosition, type DocumentStatement } from './statements';

export interface RunRequest {
  mode: 'run' | 'explain' | 'analyze';
  document: vscode.TextDocument;
  statements: DocumentStatement[];
}

/** What the SQL editor hears back from a run: errors for diagnostics, every statement for the history. */
export interface RunListener {
  onStatement(statement: DocumentStatement, outcome: StatementOutcome, durationMs: number): void;
}

export interface ResultsSettings {
  maxRows(): number;
  timeoutMs(): number;
}

interface Run {
  ref: DatabaseRef;
  statements: DocumentStatement[];
  controller: AbortController;
}

const READ_STATEMENT = /^\s*(\(|select\b|values\b|table\b|with\b)/i;

/**
 * The host half of a database's results panel: runs the SQL editor's statements one after another
 * (each with the row cap and statement timeout in force, through DatabaseAccess), posts each
 * outcome as it comes, and stops at the first error. Cancel aborts the running call, which cancels
 * the statement on the server (directly, or through the platform). Only the latest run per panel
 * is kept for "fetch more" and export.
 */
export class ResultsSession implements InspectorSession<never> {
  private nextRun = 1;
  private readonly runs = new Map<number, Run>();
  private readonly call;

  constructor(
    private readonly host: InspectorHost<never>,
    private readonly settings: ResultsSettings,
    private readonly openHistory: (ref: DatabaseRef) => void,
  ) {
    this.call = host.access.operations<PostgresOperations>(host.ref);
    host.dispatcher.onCommand(CancelRun, (p) => this.cancel(p.runId));
    host.dispatcher.onRequest(FetchMore, (p, { signal }) => {
      const statement = this.runs.get(p.runId)?.statements[p.index];
      if (!statement) throw new Error('this result is from an earlier run: run the statement again');
      return this.call('query', { sql: statement.text, maxRows: this.settings.maxRows(), timeoutMs: this.settings.timeoutMs(), offset: p.offset }, signal);
    });
    host.dispatcher.onCommand(ExportResult, async (p) => {
      const statement = this.runs.get(p.runId)?.statements[p.index];
      if (!statement) return void vscode.window.showWarningMessage('This result is from an earlier run: run the statement again to export it.');
      try {
        await exportToFile(host.access, host.log, host.ref, { sql: statement.text, format: p.format, suggestedName: `result.${p.format}`, expectedRows: null });
      } catch (error) {
        void vscode.window.showErrorMessage(`Export failed: ${(error as Error).message}`);
      }
    });
    host.dispatcher.onCommand(ShowHistory, () => this.openHistory(host.ref));
  }

  init(): Promise<ResultsInit> {
    return Promise.resolve({ maxRows: this.settings.maxRows() });
  }

  navigate(): void {}

  /** Cancels every run still going (the Cancel button, the Cancel Query command). */
  cancel(runId?: number): boolean {
    let any = false;
    for (const [id, run] of this.runs) {
      if ((runId === undefined || id === runId) && !run.controller.signal.aborted) {
        run.controller.abort();
        any = true;
      }
    }
    return any;
  }

  async run(request: RunRequest, listener: RunListener): Promise<void> {
    const runId = this.nextRun++;
    const run: Run = { ref: this.host.ref, statements: request.statements, controller: new AbortController() };
    // Earlier runs stay known for fetch more and export only while they are the latest one.
    for (const id of this.runs.keys()) if (id < runId - 4) this.runs.delete(id);
    this.runs.set(runId, run);
    const maxRows = this.settings.maxRows();
    const timeoutMs = this.settings.timeoutMs();
    const document = request.document;
    const started = performance.now();
    this.host.dispatcher.notify(RunStartedNote, {
      runId,
      mode: request.mode,
      document: document.uri.scheme === 'untitled' ? document.uri.path : vscode.workspace.asRelativePath(document.uri),
      statements: request.statements.map((s, index) => ({ index, sql: s.text.slice(0, 2000), line: document.positionAt(s.offset).line + 1 })),
      timeoutMs,
      maxRows,
    });
    let failed = false;
    for (const [index, statement] of request.statements.entries()) {
      const signal = run.controller.signal;
      if (failed || signal.aborted) {
        this.host.dispatcher.notify(StatementDoneNote, { runId, index, outcome: { kind: 'skipped' } });
        continue;
      }
      const begun = performance.now();
      let outcome: StatementOutcome;
      try {
        outcome = request.mode === 'run' ? await this.query(statement, maxRows, timeoutMs, signal) : await this.explain(statement, request.mode === 'analyze', timeoutMs, signal);
      } catch (error) {
        const described = signal.aborted ? { code: 'cancelled', message: 'Cancelled: the statement was stopped on the server.' } : describeError(error);
        outcome = { kind: 'error', code: described.code, message: readOnlyHint(described.code, described.message), ...errorPosition(described.message) };
        failed = true;
      }
      const durationMs = Math.round(performance.now() - begun);
      this.host.dispatcher.notify(StatementDoneNote, { runId, index, outcome });
      listener.onStatement(statement, outcome, durationMs);
    }
    this.host.dispatcher.notify(RunFinishedNote, { runId, cancelled: run.controller.signal.aborted, durationMs: Math.round(performance.now() - started) });
    if (!run.controller.signal.aborted) run.controller.abort(); // nothing left to cancel; marks the run done
  }

  private async query(statement: DocumentStatement, maxRows: number, timeoutMs: number, signal: AbortSignal): Promise<StatementOutcome> {
    const result = await this.call('query', { sql: statement.text, maxRows, timeoutMs }, signal);
    return { kind: 'rows', result, canFetchMore: result.truncated && READ_STATEMENT.test(statement.text.replace(/^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, '')) };
  }

  private async explain(statement: DocumentStatement, analyze: boolean, timeoutMs: number, signal: AbortSignal): Promise<StatementOutcome> {
    const begun = performance.now();
    const json = this.call('explain', { sql: statement.text, analyze, format: 'json', timeoutMs }, signal);
    // ANALYZE runs the statement: it is asked once, in JSON, and the text is rebuilt from it.
    const text = analyze ? undefined : this.call('explain', { sql: statement.text, analyze: false, format: 'text', timeoutMs }, signal);
    const plan = (await json).plan as [{ Plan: PlanNode }];
    const textPlan = text ? String((await text).plan) : planText(plan[0]);
    return { kind: 'plan', plan: { json: plan, text: textPlan, analyzed: analyze }, durationMs: Math.round(performance.now() - begun) };
  }

  dispose(): void {
    this.cancel();
  }
}

/** A refusal of a read-only database or role, said plainly (from the platform's 403 or the database's own error). */
function readOnlyHint(code: string, message: string): string {
  if (code === 'read_only' || code === 'forbidden' || /read-only transaction/.test(message)) return `Read-only: ${message}`;
  return message;
}

export function resultsPanel(settings: ResultsSettings, openHistory: (ref: DatabaseRef) => void): InspectorDefinition<never> {
  return {
    viewType: 'ogelbase.postgresResults',
    bundle: 'pg-results',
    engine: 'postgres',
    title: (ref) => `Results: ${refName(ref)}`,
    attach: (host) => new ResultsSession(host, settings, openHistory),
  };
}
