import * as vscode from 'vscode';
import { ENGINE_LABEL } from '../../core/connection-strings';
import { refReadOnly, refType, refWritable, type AccessPath, type DatabaseRef } from '../access/database-ref';
import { CommandIds } from '../commands/ids';
import { count } from './format';
import { codicon, engineIcon, Icons } from './icons';
import type { DatabaseNode, ExplorerNode } from './nodes';
import { renderItem } from './render-items';
import { Tooltip } from './tooltip';

/**
 * TreeItems of every row. contextValues, for `when` clauses in package.json:
 * - `organization`, `project`, `loadMore`, `message`, `error`;
 * - `database.<engine>.<writable|readonly>[.local][.filtered]`: `writable` when the user may edit or
 *   remove the record (not a read_only member), `.local` for Local Connections, `.filtered` while a
 *   Filter Keys pattern is set on it (Clear Filter shows);
 * - items: `<engine>.<kind>[.<subtype>]`, plus `.readonly` when the database refuses writes, e.g.
 *   `postgres.schema`, `postgres.relation.view`, `postgres.column`, `redis.namespace`,
 *   `redis.key.hash`, `mongodb.database`, `mongodb.collection.timeseries`, `mongodb.index`; a Redis
 *   namespace with a filter adds `.filtered` at the end.
 */
export interface RenderContext {
  /** How calls reach this database, once the first one told. */
  pathOf(ref: DatabaseRef): AccessPath | undefined;
  /** The Filter Keys pattern set on a row (Redis databases and namespaces). */
  filterOf(id: string): string | undefined;
}

const { Collapsed, None } = vscode.TreeItemCollapsibleState;

export function renderNode(node: ExplorerNode, context: RenderContext): vscode.TreeItem {
  switch (node.kind) {
    case 'organization': {
      const { organization } = node;
      const item = new vscode.TreeItem(organization.name, Collapsed);
      item.description = organization.role;
      item.iconPath = codicon(Icons.organization);
      item.tooltip = new Tooltip()
        .title(organization.name, 'organization')
        .code('Slug', organization.slug)
        .field('Your role', organization.role)
        .field('Projects', count(organization.projectCount)).markdown;
      return finish(item, node, 'organization');
    }
    case 'project': {
      const { project } = node;
      const item = new vscode.TreeItem(project.name, Collapsed);
      item.description = project.databaseCount === 1 ? '1 database' : `${count(project.databaseCount)} databases`;
      item.iconPath = codicon(Icons.project);
      item.tooltip = new Tooltip()
        .title(project.name, 'project')
        .code('Ref', project.ref)
        .field('Region', project.region)
        .field('Organization', node.organization.name)
        .field('Databases', count(project.databaseCount)).markdown;
      return finish(item, node, 'project');
    }
    case 'database':
      return renderDatabase(node, context.pathOf(node.ref), context.filterOf(node.id));
    case 'item': {
      const filter = context.filterOf(node.id);
      const look = renderItem(node, filter);
      const item = new vscode.TreeItem(node.label, look.expandable ? Collapsed : None);
      item.description = filter ? [`filtered: ${filter}`, look.description].filter(Boolean).join(' · ') : look.description;
      item.iconPath = codicon(filter ? 'filter-filled' : look.icon);
      item.tooltip = look.tooltip;
      // A click on a key opens the key browser on it, on a table the table inspector, on a collection its documents.
      if (look.command) item.command = look.command;
      else if (node.itemKind === 'redis.key') item.command = { command: CommandIds.openKeyBrowser, title: 'Open Key Browser', arguments: [node] };
      if (node.itemKind === 'mongodb.collection') item.command = { command: CommandIds.browseDocuments, title: 'Browse Documents', arguments: [node] };
      return finish(item, node, `${look.context}${refReadOnly(node.ref) ? '.readonly' : ''}${filter ? '.filtered' : ''}`);
    }
    case 'loadMore': {
      const item = new vscode.TreeItem(node.label, None);
      item.iconPath = codicon(node.toEnd ? 'run-all' : Icons.loadMore);
      item.command = node.toEnd
        ? { command: CommandIds.scanToEnd, title: 'Scan to the End', arguments: [node] }
        : { command: CommandIds.loadMore, title: 'Load More', arguments: [node] };
      // Without this a screen reader reads the tooltip, not the progress the label shows.
      const sentence = node.detail ?? node.label;
      item.tooltip = sentence;
      item.accessibilityInformation = { label: sentence };
      return finish(item, node, node.toEnd ? 'loadMore.toEnd' : 'loadMore');
    }
    case 'message': {
      const item = new vscode.TreeItem(node.label, None);
      item.iconPath = codicon(node.icon ?? Icons.message);
      if (node.command) item.command = node.command;
      return finish(item, node, 'message');
    }
    case 'error': {
      const item = new vscode.TreeItem(node.message, None);
      item.iconPath = codicon(Icons.error, 'problemsErrorIcon.foreground');
      item.tooltip = new Tooltip().note(node.message).note('Click to retry; Show Log has the details.').markdown;
      item.command = { command: CommandIds.retry, title: 'Retry', arguments: [node] };
      return finish(item, node, 'error');
    }
  }
}

function finish(item: vscode.TreeItem, node: ExplorerNode, contextValue: string): vscode.TreeItem {
  item.id = node.id;
  item.contextValue = contextValue;
  return item;
}

const pathText: Record<AccessPath, string> = { direct: 'directly from this machine', platform: 'through the platform' };

function renderDatabase(node: DatabaseNode, path: AccessPath | undefined, filter: string | undefined): vscode.TreeItem {
  const { ref } = node;
  const type = refType(ref);
  const readOnly = refReadOnly(ref);
  const record = ref.scope === 'platform' ? ref.info : { ...ref.local, connectionString: ref.local.masked };
  const item = new vscode.TreeItem(record.name, Collapsed);
  item.iconPath = engineIcon(type);
  item.description = [filter && `filtered: ${filter}`, record.endpoint, readOnly && 'read-only'].filter(Boolean).join(' · ');

  const tooltip = new Tooltip().title(record.name, ENGINE_LABEL[type]).code('Endpoint', record.endpoint).code('Connection string', record.connectionString);
  if (ref.scope === 'platform') {
    tooltip.field('Read-only', ref.info.readOnly ? 'yes (the database is marked read-only)' : ref.role === 'read_only' ? 'yes (your role is read_only)' : 'no');
    tooltip.field('Your role', ref.role);
    tooltip.field('Reached', path ? pathText[path] : 'decided on first use');
  } else {
    tooltip.field('Read-only', readOnly ? 'yes' : 'no');
    tooltip.field('Reached', pathText.direct);
  }
  if (filter) tooltip.code('Keys filtered by', filter);
  item.tooltip = tooltip.note(record.description).markdown;
  return finish(item, node, `database.${type}.${refWritable(ref) ? 'writable' : 'readonly'}${ref.scope === 'local' ? '.local' : ''}${filter ? '.filtered' : ''}`);
}
