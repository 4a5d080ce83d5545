import * as vscode from 'vscode';
import type { PostgresOperations } from '../../core/engines/postgres/operations';
import { refType, type DatabaseRef } from '../access/database-ref';
import type { Explorer } from '../explorer';
import { exportToFile } from '../postgres/export-file';
import { isItem } from '../tree/nodes';
import { CommandIds } from './ids';
import { pickDatabase } from './pickers';
import { registerCommand } from './register';
import { asNode, refOf, required } from './support';

/** The PostgreSQL database a command acts on: the row it was run from, else one the user picks. */
async function postgresRef(explorer: Explorer, arg: unknown, title: string): Promise<DatabaseRef> {
  const ref = refOf(asNode(arg));
  if (ref && refType(ref) === 'postgres') return ref;
  return pickDatabase(explorer, title, 'postgres');
}

/** A table, view or materialized view: the tree row it was run from, else picked from the database's catalog. */
async function relationOf(explorer: Explorer, arg: unknown, title: string): Promise<{ ref: DatabaseRef; schema: string; name: string; rowEstimate: number | null }> {
  const node = asNode(arg);
  if (isItem(node, 'postgres.relation')) return { ref: node.ref, schema: node.detail.schema, name: node.detail.name, rowEstimate: node.detail.rowEstimate };
  const ref = await postgresRef(explorer, arg, title);
  const catalog = await explorer.sql.completion.catalog(ref);
  const picked = required(
    await explorer.prompts.pick(
      catalog.relations.map((r) => ({ label: `${r.schema}.${r.name}`, description: { r: 'table', v: 'view', m: 'materialized view', f: 'foreign table', p: 'partitioned table' }[r.kind], relation: r })),
      { title, placeHolder: 'Which table or view?', matchOnDescription: true },
    ),
  );
  return { ref, schema: picked.relation.schema, name: picked.relation.name, rowEstimate: null };
}

/** The table inspector and the SQL editor (issue 12): open a table, new query, run, explain, cancel, history, export. */
export function registerPostgresCommands(explorer: Explorer): vscode.Disposable[] {
  const { log, sql } = explorer;
  const pick = (title: string) => pickDatabase(explorer, title, 'postgres');
  const uriOf = (arg: unknown) => (arg instanceof vscode.Uri ? arg : undefined);
  const offsetOf = (arg: unknown) => (typeof arg === 'number' ? arg : undefined);
  return [
    registerCommand(CommandIds.openTable, log, async (arg) => {
      const { ref, schema, name } = await relationOf(explorer, arg, 'Open Table');
      explorer.inspectors.show(explorer.tableInspector, ref, { schema, name });
    }),
    registerCommand(CommandIds.exportTable, log, async (arg) => {
      const { ref, schema, name, rowEstimate } = await relationOf(explorer, arg, 'Export Table');
      const format = required(await explorer.prompts.pick([{ label: 'CSV', value: 'csv' as const }, { label: 'JSON', value: 'json' as const }], { title: `Export ${schema}.${name} as` })).value;
      const estimate = rowEstimate ?? (await explorer.access.operations<PostgresOperations>(ref)('countRows', { schema, name })).estimate;
      await exportToFile(explorer.access, log, ref, { schema, name, format, suggestedName: `${name}.${format}`, expectedRows: estimate });
    }),
    registerCommand(CommandIds.newQuery, log, async (arg) => {
      await sql.documents.open(await postgresRef(explorer, arg, 'New Query'));
    }),
    registerCommand(CommandIds.runSql, log, (uri, offset) => sql.run('run', pick, uriOf(uri), offsetOf(offset))),
    registerCommand(CommandIds.explain, log, (uri, offset) => sql.run('explain', pick, uriOf(uri), offsetOf(offset))),
    registerCommand(CommandIds.explainAnalyze, log, (uri, offset) => sql.run('analyze', pick, uriOf(uri), offsetOf(offset))),
    registerCommand(CommandIds.cancelQuery, log, () => {
      if (!sql.cancelAll()) void vscode.window.showInformationMessage('No query is running.');
    }),
    registerCommand(CommandIds.changeDatabase, log, async (arg) => {
      const uri = uriOf(arg) ?? vscode.window.activeTextEditor?.document.uri;
      if (!uri) throw new Error('Open a SQL document first.');
      await sql.chooseDatabase(uri, pick);
    }),
    registerCommand(CommandIds.queryHistory, log, async (arg) => {
      const active = vscode.window.activeTextEditor?.document.uri;
      const ref = refOf(asNode(arg)) ?? (active ? await sql.documents.refFor(active) : undefined) ?? (await pick('Query History'));
      await sql.showHistory(ref);
    }),
  ];
}
