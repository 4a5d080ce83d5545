import * as vscode from 'vscode';
import type { ResultOf } from '../../core/engines/operations';
import type { PostgresOperations } from '../../core/engines/postgres/operations';
import type { DatabaseAccess } from '../access/database-access';
import type { DatabaseRef } from '../access/database-ref';
import { refKey } from '../webviews/persisted-ref';
import { NAME, sourcesOf, sqlName, unquote } from './sql-names';

type Catalog = ResultOf<PostgresOperations, 'completionCatalog'>;
type Relation = Catalog['relations'][number];

/**
 * Completion of schema, table and column names in SQL documents bound to a database, from the
 * database's catalog (one bounded `completionCatalog` call, cached per database and dropped when
 * the explorer's trees refresh): after `schema.` its relations, after `table.` or `alias.` the
 * columns, elsewhere schemas, relations and the columns of the relations the statement names.
 */
export class SqlCompletion implements vscode.CompletionItemProvider {
  private readonly catalogs = new Map<string, Promise<Catalog>>();

  constructor(
    private readonly access: DatabaseAccess,
    private readonly refFor: (uri: vscode.Uri) => Promise<DatabaseRef | undefined>,
  ) {}

  /** Forgets every cached catalog (the trees were refreshed). */
  invalidate(): void {
    this.catalogs.clear();
  }

  catalog(ref: DatabaseRef): Promise<Catalog> {
    const key = refKey(ref);
    let cached = this.catalogs.get(key);
    if (!cached) {
      cached = this.access.operations<PostgresOperations>(ref)('completionCatalog', { limit: 2000 });
      this.catalogs.set(key, cached);
      cached.catch(() => this.catalogs.delete(key));
    }
    return cached;
  }

  async provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.CompletionItem[] | undefined> {
    const ref = await this.refFor(document.uri);
    if (!ref) return undefined;
    let catalog: Catalog;
    try {
      catalog = await this.catalog(ref);
    } catch {
      return undefined;
    }
    const before = document.lineAt(position.line).text.slice(0, position.character);
    const statement = currentStatement(document, position);
    const qualified = new RegExp(`(${NAME})\\s*\\.\\s*("?[\\w$]*)$`).exec(before);
    if (qualified) {
      const qualifier = unquote(qualified[1]!);
      if (catalog.schemas.includes(qualifier)) return catalog.relations.filter((r) => r.schema === qualifier).map((r) => relationItem(r, false));
      const relation = resolve(catalog, statement, qualifier);
      return relation ? relation.columns.map(([name, type]) => columnItem(name, type, relation)) : undefined;
    }
    const mentioned = sourcesOf(statement)
      .map((s) => find(catalog, s.relation))
      .filter((r): r is Relation => r !== undefined);
    return [
      ...catalog.schemas.map((s) => Object.assign(new vscode.CompletionItem(s, vscode.CompletionItemKind.Module), { insertText: sqlName(s), detail: 'schema', sortText: `3${s}` })),
      ...catalog.relations.map((r) => relationItem(r, r.schema !== 'public')),
      ...mentioned.flatMap((r) => r.columns.map(([name, type]) => columnItem(name, type, r))),
    ];
  }
}

function currentStatement(document: vscode.TextDocument, position: vscode.Position): string {
  const text = document.getText();
  const at = document.offsetAt(position);
  const start = text.lastIndexOf(';', at - 1) + 1;
  const end = text.indexOf(';', at);
  return text.slice(start, end === -1 ? text.length : end);
}

function find(catalog: Catalog, name: string[]): Relation | undefined {
  const [a, b] = name;
  return b === undefined ? (catalog.relations.find((r) => r.schema === 'public' && r.name === a) ?? catalog.relations.find((r) => r.name === a)) : catalog.relations.find((r) => r.schema === a && r.name === b);
}

function resolve(catalog: Catalog, statement: string, qualifier: string): Relation | undefined {
  const source = sourcesOf(statement).find((s) => s.alias === qualifier || s.relation.at(-1) === qualifier);
  return source ? find(catalog, source.relation) : find(catalog, [qualifier]);
}

const KINDS: Record<string, string> = { r: 'table', v: 'view', m: 'materialized view', f: 'foreign table', p: 'partitioned table' };

function relationItem(r: Relation, qualify: boolean): vscode.CompletionItem {
  const item = new vscode.CompletionItem(qualify ? `${r.schema}.${r.name}` : r.name, r.kind === 'v' || r.kind === 'm' ? vscode.CompletionItemKind.Interface : vscode.CompletionItemKind.Class);
  item.insertText = qualify ? `${sqlName(r.schema)}.${sqlName(r.name)}` : sqlName(r.name);
  item.detail = `${KINDS[r.kind] ?? 'relation'} · ${r.columns.length} columns`;
  item.sortText = `2${item.label as string}`;
  return item;
}

function columnItem(name: string, type: string, r: Relation): vscode.CompletionItem {
  const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.Field);
  item.insertText = sqlName(name);
  item.detail = `${type} · ${r.schema}.${r.name}`;
  item.sortText = `1${name}`;
  return item;
}
