import * as vscode from 'vscode';
import { refName } from '../access/database-ref';
import { runOperation } from '../access/operations';
import type { Explorer } from '../explorer';
import { count, estimate, plural } from '../tree/format';
import { isItem, type ItemNode } from '../tree/nodes';
import { CommandIds } from './ids';
import { registerCommand } from './register';
import { asNode, info, withProgress } from './support';

/**
 * Context-menu commands of PostgreSQL tables and views and of MongoDB collections: copy the name,
 * count (cancellable), and for tables a `SELECT … LIMIT 100` in a new SQL document. The inspectors
 * (table inspector, document browser) own what a click opens; these stay beside them.
 */

/** PostgreSQL's reserved key words (and those that cannot be column names): always quoted. */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column concurrently constraint create cross ' +
    'current_catalog current_date current_role current_schema current_time current_timestamp current_user default deferrable desc distinct do else end except false ' +
    'fetch for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit localtime ' +
    'localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references returning right select session_user similar some ' +
    'symmetric system_user table tablesample then to trailing true union unique user using variadic verbose when where window with'
  ).split(' '),
);

/** An identifier as SQL: bare when PostgreSQL would read it back unchanged, else double-quoted with `"` doubled. */
export function sqlIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const qualifiedName = (node: ItemNode<'postgres.relation'>) => `${sqlIdentifier(node.detail.schema)}.${sqlIdentifier(node.detail.name)}`;

function relationNode(arg: unknown, command: string): ItemNode<'postgres.relation'> {
  const node = asNode(arg);
  if (!isItem(node, 'postgres.relation')) throw new Error(`${command} runs from a PostgreSQL table or view row of the explorer.`);
  return node;
}

function collectionNode(arg: unknown, command: string): ItemNode<'mongodb.collection'> {
  const node = asNode(arg);
  if (!isItem(node, 'mongodb.collection')) throw new Error(`${command} runs from a MongoDB collection row of the explorer.`);
  return node;
}

async function copyTableName(arg: unknown): Promise<void> {
  const name = qualifiedName(relationNode(arg, 'Copy Qualified Name'));
  await vscode.env.clipboard.writeText(name);
  info(`Copied ${name}.`);
}

async function countRows(explorer: Explorer, arg: unknown): Promise<void> {
  const node = relationNode(arg, 'Count Rows');
  const name = qualifiedName(node);
  const { exact, estimate: estimated } = await withProgress(`Counting the rows of ${name} in ${refName(node.ref)}…`, (signal) =>
    runOperation(explorer.access, node.ref, 'postgres', 'countRows', { schema: node.detail.schema, name: node.detail.name, exact: true, timeoutMs: 120_000 }, signal),
  );
  const rows = exact ?? 0;
  const note = estimated === null ? '' : ` (the statistics estimated ~${estimate(estimated)})`;
  explorer.log.info(`[commands] counted ${name} of ${refName(node.ref)}: ${count(rows)}`);
  info(`${name}: ${plural(rows, 'row')}${note}.`);
}

async function selectRows(explorer: Explorer, arg: unknown): Promise<void> {
  const node = relationNode(arg, 'SELECT … LIMIT 100');
  const described = await withProgress(`Reading the columns of ${qualifiedName(node)}…`, (signal) =>
    runOperation(explorer.access, node.ref, 'postgres', 'describeRelation', { schema: node.detail.schema, name: node.detail.name }, signal),
  );
  const columns = described.columns.map((c) => sqlIdentifier(c.name));
  const list = columns.length === 0 ? '*' : columns.join(',\n  ');
  const content = `-- ${refName(node.ref)}\nSELECT\n  ${list}\nFROM ${qualifiedName(node)}\nLIMIT 100;\n`;
  const document = await vscode.workspace.openTextDocument({ language: 'sql', content });
  await vscode.window.showTextDocument(document, { preview: false });
}

async function copyCollectionName(arg: unknown): Promise<void> {
  const { detail } = collectionNode(arg, 'Copy Collection Name');
  await vscode.env.clipboard.writeText(detail.name);
  info(`Copied ${detail.name} (in database ${detail.db}).`);
}

async function countDocuments(explorer: Explorer, arg: unknown): Promise<void> {
  const node = collectionNode(arg, 'Count Documents');
  const { db, name } = node.detail;
  const result = await withProgress(`Counting the documents of ${db}.${name}…`, (signal) => runOperation(explorer.access, node.ref, 'mongodb', 'countDocuments', { db, collection: name }, signal));
  explorer.log.info(`[commands] counted ${db}.${name} of ${refName(node.ref)}: ${count(result.count)}`);
  info(`${db}.${name}: ${plural(result.count, 'document')}.`);
}

export function registerCatalogCommands(explorer: Explorer): vscode.Disposable[] {
  return [
    registerCommand(CommandIds.copyTableName, explorer.log, (arg) => copyTableName(arg)),
    registerCommand(CommandIds.countRows, explorer.log, (arg) => countRows(explorer, arg)),
    registerCommand(CommandIds.selectRows, explorer.log, (arg) => selectRows(explorer, arg)),
    registerCommand(CommandIds.copyCollectionName, explorer.log, (arg) => copyCollectionName(arg)),
    registerCommand(CommandIds.countDocuments, explorer.log, (arg) => countDocuments(explorer, arg)),
  ];
}
