import * as vscode from 'vscode';
import type { PostgresOperations } from '../../core/engines/postgres/operations';
import { Count, DeleteRows, Describe, Details, EditCell, ExportTable, InsertRow, Navigate, OpenSql, Page, type TableInit, type TableTarget } from '../../webviews/protocol/pg-table';
import { refName, type DatabaseRef } from '../access/database-ref';
import type { InspectorDefinition, InspectorHost, InspectorSession } from '../webviews/inspector';
import { exportToFile } from './export-file';

/** Opens a SQL editor bound to a database (set by the SQL editor module, which owns documents). */
export type OpenSqlEditor = (ref: DatabaseRef, sql: string) => Promise<void>;

const qualifiedName = (schema: string, name: string) => `${schema}.${name}`;

/**
 * The host half of one table inspector panel: every request goes to the database through
 * DatabaseAccess (typed by the PostgreSQL operation table), and every write is previewed first:
 * the engine renders the exact statements (previewEdit), the user confirms them in a modal, and
 * only then does the keyed write run, which checks it touched exactly one row per key.
 */
class TableInspectorSession implements InspectorSession<TableTarget> {
  constructor(
    private readonly host: InspectorHost<TableTarget>,
    private readonly openSql: OpenSqlEditor,
  ) {
    const call = host.access.operations<PostgresOperations>(host.ref);
    const { dispatcher } = host;
    const db = refName(host.ref);
    dispatcher.onRequest(Describe, async (p, { signal }) => {
      const description = await call('describeRelation', p, signal);
      host.panel.title = `${p.name} · ${db}`;
      return description;
    });
    dispatcher.onRequest(Details, (p, { signal }) => call('relationDetails', p, signal));
    dispatcher.onRequest(Page, (p, { signal }) => call('rowsPage', { ...p, after: p.after ?? null, before: p.before ?? null }, signal));
    dispatcher.onRequest(Count, (p, { signal }) => call('countRows', { ...p, timeoutMs: 120_000 }, signal));
    dispatcher.onRequest(EditCell, async (p, { signal }) => {
      const preview = await call('previewEdit', { action: 'update', ...p }, signal);
      if (!(await this.confirm(`Update ${p.column} of 1 row in ${qualifiedName(p.schema, p.name)}?`, preview.statements, 'Update'))) return null;
      return call('updateCell', p, signal);
    });
    dispatcher.onRequest(DeleteRows, async (p, { signal }) => {
      const preview = await call('previewEdit', { action: 'delete', schema: p.schema, name: p.name, keys: p.keys }, signal);
      const count = p.keys.length;
      if (!(await this.confirm(`Delete ${count} row${count === 1 ? '' : 's'} from ${qualifiedName(p.schema, p.name)}?`, preview.statements, `Delete ${count} Row${count === 1 ? '' : 's'}`))) return null;
      return call('deleteRows', p, signal);
    });
    dispatcher.onRequest(InsertRow, async (p, { signal }) => {
      const preview = await call('previewEdit', { action: 'insert', ...p }, signal);
      if (!(await this.confirm(`Insert 1 row into ${qualifiedName(p.schema, p.name)}?`, preview.statements, 'Insert'))) return null;
      return call('insertRow', p, signal);
    });
    dispatcher.onCommand(ExportTable, async (p) => {
      try {
        const described = await call('describeRelation', { schema: p.schema, name: p.name });
        await exportToFile(host.access, host.log, host.ref, { schema: p.schema, name: p.name, format: p.format, suggestedName: `${p.name}.${p.format}`, expectedRows: described.rowEstimate });
      } catch (error) {
        void vscode.window.showErrorMessage(`Export failed: ${(error as Error).message}`);
      }
    });
    dispatcher.onCommand(OpenSql, (p) => this.openSql(host.ref, p.sql));
  }

  /** The modal preview: the statements exactly as they will run, and one row checked per key. */
  private async confirm(message: string, statements: string[], action: string): Promise<boolean> {
    const shown = statements.slice(0, 20).join(';\n\n') + (statements.length > 20 ? `;\n\n… and ${statements.length - 20} more like these` : ';');
    const detail = `${shown}\n\nEach statement must touch exactly one row; otherwise nothing is changed.`;
    return (await this.host.prompts().confirm(message, detail, action)) === action;
  }

  async init(): Promise<TableInit> {
    const pageSize = Math.min(1000, Math.max(10, vscode.workspace.getConfiguration('ogelbase').get<number>('postgres.pageSize', 200)));
    return { target: this.host.target ?? null, pageSize };
  }

  navigate(target: TableTarget): void {
    this.host.dispatcher.notify(Navigate, target);
  }

  dispose(): void {}
}

export function tableInspector(openSql: OpenSqlEditor): InspectorDefinition<TableTarget> {
  return {
    viewType: 'ogelbase.postgresTable',
    bundle: 'pg-table',
    engine: 'postgres',
    title: (ref) => `Tables: ${refName(ref)}`,
    attach: (host) => new TableInspectorSession(host, openSql),
  };
}
