import * as vscode from 'vscode';
import type { Statement } from '../../core/engines/postgres/sql-text';
import type { StatementOutcome } from '../../webviews/protocol/pg-results';
import { refName, type DatabaseRef } from '../access/database-ref';
import { loadEngine } from '../access/engine-loader';
import { CommandIds } from '../commands/ids';
import { DisposableStore } from '../disposable';
import type { Explorer } from '../explorer';
import { refKey } from '../webviews/persisted-ref';
import { QueryHistory, type HistoryEntry } from './query-history';
import { resultsPanel, type ResultsSession, type RunRequest } from './results-panel';
import { SqlCompletion } from './sql-completion';
import { SqlDocuments } from './sql-documents';
import { engineSplitter, offsetOf, statementsToRun, type DocumentStatement, type Splitter } from './statements';

const config = () => vscode.workspace.getConfiguration('ogelbase');
const SQL = { language: 'sql' };

/**
 * The SQL editor: ordinary VS Code text documents (`.sql`, SQL mode) bound to a PostgreSQL
 * database, run with a CodeLens, the editor title button or Ctrl/Cmd+Enter (the selection, else the
 * statement under the cursor); results, plans, errors and Cancel in the database's results panel,
 * beside the editor; errors marked in the editor as diagnostics; completion from the catalog; a
 * query history per database (statements only, never results).
 */
export class SqlEditor extends DisposableStore {
  readonly documents: SqlDocuments;
  readonly completion: SqlCompletion;
  readonly history: QueryHistory;
  readonly results;
  private readonly diagnostics = this.register(vscode.languages.createDiagnosticCollection('ogelbase-sql'));
  private readonly split: Splitter;
  private readonly lensesChanged = this.register(new vscode.EventEmitter<void>());

  constructor(private readonly explorer: Explorer) {
    super();
    const { context } = explorer;
    this.split = engineSplitter(context.extensionPath);
    this.documents = this.register(new SqlDocuments(context.workspaceState, explorer.session, explorer.local, explorer.log, CommandIds.changeDatabase));
    this.history = new QueryHistory(context.globalStorageUri.fsPath);
    this.completion = new SqlCompletion(explorer.access, (uri) => this.documents.refFor(uri));
    this.results = resultsPanel(
      {
        maxRows: () => Math.min(10_000, Math.max(1, config().get<number>('postgres.maxRows', 1000))),
        timeoutMs: () => Math.min(300, Math.max(1, config().get<number>('postgres.statementTimeout', 30))) * 1000,
      },
      (ref) => void this.showHistory(ref),
    );
    explorer.inspectors.registerInspector(this.results);
    this.register(vscode.languages.registerCompletionItemProvider(SQL, this.completion, '.', ' '));
    this.register(vscode.languages.registerCodeLensProvider(SQL, { provideCodeLenses: (d) => this.lenses(d), onDidChangeCodeLenses: this.lensesChanged.event }));
    this.register(this.documents.onDidChange(() => this.lensesChanged.fire()));
    // The catalog is read again once the explorer's trees are refreshed.
    this.register(explorer.platformTree.onDidChangeTreeData(() => this.completion.invalidate()));
    this.register(explorer.localTree.onDidChangeTreeData(() => this.completion.invalidate()));
    this.register(vscode.workspace.onDidCloseTextDocument((d) => this.diagnostics.delete(d.uri)));
  }

  private engine() {
    return loadEngine(this.explorer.context.extensionPath, 'postgres') as unknown as { looksLikeWrite(s: Statement): boolean };
  }

  private lenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    if (!this.documents.isBound(document.uri)) return [new vscode.CodeLens(top, { title: '$(database) Choose a PostgreSQL database to run this SQL', command: CommandIds.changeDatabase, arguments: [document.uri] })];
    if (document.getText().length > 2_000_000) return [];
    return this.split(document.getText())
      .slice(0, 1000)
      .flatMap((s) => {
        const range = new vscode.Range(document.positionAt(s.start), document.positionAt(s.start));
        const args = [document.uri, s.start];
        return [
          new vscode.CodeLens(range, { title: '$(play) Run', command: CommandIds.runSql, arguments: args, tooltip: 'Run this statement (Ctrl/Cmd+Enter)' }),
          new vscode.CodeLens(range, { title: 'Explain', command: CommandIds.explain, arguments: args }),
          new vscode.CodeLens(range, { title: 'Explain Analyze', command: CommandIds.explainAnalyze, arguments: args }),
        ];
      });
  }

  /** Asks which PostgreSQL database a document runs on, and remembers it. */
  async chooseDatabase(uri: vscode.Uri | undefined, pick: (title: string) => Promise<DatabaseRef>): Promise<DatabaseRef | undefined> {
    const target = uri ?? vscode.window.activeTextEditor?.document.uri;
    const ref = await pick('Run SQL on');
    if (target) await this.documents.bind(target, ref);
    return ref;
  }

  /** Runs (or explains) what the user means: CodeLens arguments name a statement; otherwise the selection or the statement under the cursor. */
  async run(mode: RunRequest['mode'], pick: (title: string) => Promise<DatabaseRef>, uri?: vscode.Uri, offset?: number): Promise<void> {
    const editor = uri ? await vscode.window.showTextDocument(uri, { preserveFocus: false }) : vscode.window.activeTextEditor;
    if (!editor) throw new Error('Open a SQL document to run it (OgelBase: New Query opens one on a database).');
    const document = editor.document;
    const ref = (await this.documents.refFor(document.uri)) ?? (await this.chooseDatabase(document.uri, pick));
    if (!ref) return;
    const text = document.getText();
    const selection = offset !== undefined ? { start: offset, end: offset } : { start: document.offsetAt(editor.selection.start), end: document.offsetAt(editor.selection.end) };
    const statements = statementsToRun(this.split, text, selection);
    if (statements.length === 0) return void vscode.window.showInformationMessage('There is no SQL statement here to run.');
    if (mode === 'analyze') {
      const writes = statements.filter((s) => this.split(s.text).some((parsed) => this.engine().looksLikeWrite(parsed)));
      if (writes.length > 0) {
        const action = 'Run EXPLAIN ANALYZE';
        const answer = await this.explorer.prompts.confirm(
          `EXPLAIN ANALYZE runs the statement, and ${writes.length === 1 ? 'this one writes' : `${writes.length} of these write`}.`,
          `${writes.map((s) => s.text.slice(0, 300)).join(';\n\n')}\n\nIt runs on ${refName(ref)} inside a transaction that is rolled back afterwards, but it takes locks and fires triggers as a real run would.`,
          action,
        );
        if (answer !== action) return;
      }
    }
    this.diagnostics.delete(document.uri);
    const panel = this.explorer.inspectors.show(this.results, ref, undefined, { column: vscode.ViewColumn.Beside, preserveFocus: true });
    const entries: HistoryEntry[] = [];
    const at = new Date().toISOString();
    await (panel.session as ResultsSession).run({ mode, document, statements }, {
      onStatement: (statement, outcome, durationMs) => {
        if (outcome.kind === 'skipped') return;
        entries.push({ sql: mode === 'run' ? statement.text : `EXPLAIN${mode === 'analyze' ? ' ANALYZE' : ''} ${statement.text}`, at, durationMs, ok: outcome.kind !== 'error', ...(outcome.kind === 'rows' ? { rows: outcome.result.rowCount } : {}) });
        if (outcome.kind === 'error' && outcome.code !== 'cancelled') this.markError(document, statement, outcome);
      },
    });
    await this.history.add(refKey(ref), entries);
  }

  private markError(document: vscode.TextDocument, statement: DocumentStatement, outcome: Extract<StatementOutcome, { kind: 'error' }>): void {
    let range: vscode.Range;
    if (outcome.line !== undefined && outcome.column !== undefined) {
      const start = document.positionAt(statement.offset + offsetOf(statement.text, outcome.line, outcome.column));
      range = document.getWordRangeAtPosition(start, /"(?:[^"]|"")*"|[\w$.]+|\S/) ?? new vscode.Range(start, start.translate(0, 1));
    } else {
      range = new vscode.Range(document.positionAt(statement.offset), document.positionAt(statement.offset + statement.text.length));
    }
    const diagnostic = new vscode.Diagnostic(range, outcome.message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'PostgreSQL';
    this.diagnostics.set(document.uri, [...(this.diagnostics.get(document.uri) ?? []), diagnostic]);
  }

  /** Cancels what runs in every results panel. */
  cancelAll(): boolean {
    return this.explorer.inspectors
      .list()
      .filter((p) => p.definition === (this.results as unknown))
      .map((p) => (p.session as unknown as ResultsSession).cancel())
      .some(Boolean);
  }

  async showHistory(ref: DatabaseRef): Promise<void> {
    const entries = await this.history.list(refKey(ref));
    if (entries.length === 0) return void vscode.window.showInformationMessage(`No query has run on ${refName(ref)} yet.`);
    const picked = await this.explorer.prompts.pick(
      entries.map((e) => ({
        label: e.sql.replace(/\s+/g, ' ').slice(0, 120),
        description: `${new Date(e.at).toLocaleString()} · ${e.ok ? `${e.rows === undefined ? 'ok' : `${e.rows} rows`}` : 'failed'} · ${e.durationMs} ms`,
        entry: e,
      })),
      { title: `Query history of ${refName(ref)}`, placeHolder: 'Pick a statement to open it in a new SQL document', matchOnDescription: true },
    );
    if (picked) await this.documents.open(ref, `${picked.entry.sql}\n`);
  }
}
