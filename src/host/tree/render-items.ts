import type * as vscode from 'vscode';
import { about, bytes, count, duration, plural } from './format';
import { Icons } from './icons';
import { isItem, type ItemNodeBase } from './nodes';
import { Tooltip } from './tooltip';

/** How an item row looks; render.ts turns it into a TreeItem. */
export interface ItemLook {
  description?: string;
  tooltip: vscode.MarkdownString;
  /** A codicon id. */
  icon: string;
  expandable: boolean;
  /** contextValue before the `.readonly` suffix. */
  context: string;
}

const relationKind: Record<string, string> = {
  table: 'table',
  view: 'view',
  materialized_view: 'materialized view',
  foreign_table: 'foreign table',
  partitioned_table: 'partitioned table',
};

/** How an item row looks; `filter` is the Filter Keys pattern set on it, if any. */
export function renderItem(node: ItemNodeBase, filter?: string): ItemLook {
  if (isItem(node, 'postgres.schema')) {
    const s = node.detail;
    const parts = [s.tables && plural(s.tables, 'table'), s.views && plural(s.views, 'view'), s.materializedViews && plural(s.materializedViews, 'materialized view')].filter(Boolean);
    return {
      description: s.usable ? parts.join(', ') || 'empty' : 'no access',
      icon: Icons.schema,
      expandable: true,
      context: 'postgres.schema',
      tooltip: new Tooltip()
        .title(s.name, 'schema')
        .field('Owner', s.owner)
        .field('Tables', count(s.tables))
        .field('Views', count(s.views))
        .field('Materialized views', count(s.materializedViews))
        .field('Foreign tables', s.foreignTables ? count(s.foreignTables) : null)
        .field('Sequences', count(s.sequences))
        .field('Functions', count(s.functions))
        .field('Access', s.usable ? null : 'you have no USAGE privilege on this schema')
        .note(s.comment).markdown,
    };
  }
  if (isItem(node, 'postgres.relation')) {
    const r = node.detail;
    const kind = relationKind[r.kind] ?? r.kind;
    const rows = r.rowEstimate === null ? undefined : about(r.rowEstimate, 'row');
    const description = r.kind === 'table' ? rows : [kind, rows].filter(Boolean).join(' · ');
    return {
      description: r.isPartition ? [description, 'partition'].filter(Boolean).join(' · ') : description,
      icon: Icons.relation[r.kind] ?? Icons.relation.table!,
      expandable: true,
      context: `postgres.relation.${r.kind}`,
      tooltip: new Tooltip()
        .title(`${r.schema}.${r.name}`, kind)
        .field('Rows (estimate)', r.rowEstimate === null ? (r.kind === 'view' || r.kind === 'foreign_table' ? null : 'unknown until ANALYZE') : count(Math.round(r.rowEstimate)))
        .field('Size', r.totalBytes === null ? null : bytes(r.totalBytes))
        .field('Partition', r.isPartition ? 'yes' : null)
        .note(r.comment).markdown,
    };
  }
  if (isItem(node, 'postgres.column')) {
    const { column, primaryKey, references } = node.detail;
    return {
      description: `${column.type} · ${column.nullable ? 'nullable' : 'not null'}`,
      icon: primaryKey ? Icons.primaryKey : references ? Icons.foreignKey : Icons.column,
      expandable: false,
      context: 'postgres.column',
      tooltip: new Tooltip()
        .title(column.name, 'column')
        .code('Type', column.type)
        .field('Nullable', column.nullable ? 'yes' : 'no')
        .code('Default', column.default)
        .field('Identity', column.identity ? `generated ${column.identity}` : null)
        .code('Generated', column.generated)
        .field('Primary key', primaryKey ? 'yes' : null)
        .code('References', references)
        .note(column.comment).markdown,
    };
  }
  if (isItem(node, 'redis.namespace')) {
    const { prefix, keysSeen, complete } = node.detail;
    return {
      description: complete ? plural(keysSeen, 'key') : `${count(keysSeen)}+ ${keysSeen === 1 ? 'key' : 'keys'} seen`,
      icon: Icons.namespace,
      expandable: true,
      context: 'redis.namespace',
      tooltip: new Tooltip()
        .title(node.label, 'namespace')
        .code('Prefix', prefix.name)
        .code('Keys filtered by', filter)
        .field(
          'Keys',
          complete
            ? `${count(keysSeen)}, counted by a scan of the whole keyspace (a key renamed or added meanwhile may be missed or counted twice)`
            : `at least ${count(keysSeen)}, counted while scanning; expand to list them page by page`,
        ).markdown,
    };
  }
  if (isItem(node, 'redis.key')) {
    const { key, type, ttl, memory } = node.detail;
    const expiry = ttl === -1 ? 'no TTL' : ttl === -2 ? 'expired' : `TTL ${duration(ttl)}`;
    return {
      description: `${type} · ${expiry}`,
      icon: Icons.redisType[type] ?? Icons.redisOther,
      expandable: false,
      context: `redis.key.${type}`,
      tooltip: new Tooltip()
        .title(key.name, type)
        .code('Key', key.name)
        .field('Bytes', key.base64 === undefined ? null : 'not UTF-8: shown with replacement characters, kept exactly')
        .field('TTL', ttl === -1 ? 'none' : ttl === -2 ? 'expired' : `${count(ttl)} s`)
        .field('Memory', memory === undefined ? null : bytes(memory)).markdown,
    };
  }
  if (isItem(node, 'mongodb.database')) {
    const d = node.detail;
    const size = d.empty ? 'empty' : bytes(d.sizeOnDisk);
    return {
      description: d.registered ? `${size} · from the connection string` : size,
      icon: Icons.mongoDatabase,
      expandable: true,
      context: 'mongodb.database',
      tooltip: new Tooltip()
        .title(d.name, 'database')
        .field('Size on disk', bytes(d.sizeOnDisk))
        .field('Listed first', d.registered ? 'the connection string names this database' : null).markdown,
    };
  }
  if (isItem(node, 'mongodb.systemDatabases')) {
    const names = node.detail.databases.map((d) => d.name).join(', ');
    return {
      description: names,
      icon: Icons.systemDatabases,
      expandable: true,
      context: 'mongodb.systemDatabases',
      tooltip: new Tooltip().title('System databases').field('Databases', names).note("MongoDB's own databases (users, sharding and replication metadata).").markdown,
    };
  }
  if (isItem(node, 'mongodb.collection')) {
    const c = node.detail;
    const docs = c.estimatedCount === undefined ? undefined : about(c.estimatedCount, 'doc');
    const timeField = typeof c.timeseries?.timeField === 'string' ? c.timeseries.timeField : undefined;
    const description =
      c.type === 'view' ? `view on ${c.viewOn ?? '?'}` : c.type === 'timeseries' ? ['time series', timeField].filter(Boolean).join(' · ') : [docs, c.capped ? 'capped' : undefined].filter(Boolean).join(' · ');
    return {
      description,
      icon: Icons.collection[c.type] ?? Icons.collection.collection!,
      expandable: c.type !== 'view',
      context: `mongodb.collection.${c.type}`,
      tooltip: new Tooltip()
        .title(`${c.db}.${c.name}`, c.type === 'timeseries' ? 'time-series collection' : c.type)
        .field('Documents (estimate)', c.estimatedCount === undefined ? null : count(c.estimatedCount))
        .field('Capped', c.capped ? 'yes' : null)
        .field('View on', c.viewOn)
        .code('Pipeline', c.pipeline ? JSON.stringify(c.pipeline) : null)
        .code('Time series', c.timeseries ? JSON.stringify(c.timeseries) : null).markdown,
    };
  }
  if (isItem(node, 'mongodb.index')) {
    const i = node.detail;
    const keys = Object.entries(i.keys)
      .map(([field, order]) => `${field}: ${typeof order === 'string' ? order : JSON.stringify(order)}`)
      .join(', ');
    const flags = [i.unique && 'unique', i.sparse && 'sparse', i.expireAfterSeconds !== undefined && `TTL ${duration(i.expireAfterSeconds)}`, i.partialFilterExpression && 'partial', i.hidden && 'hidden'];
    return {
      description: [keys, ...flags].filter(Boolean).join(' · '),
      icon: Icons.index,
      expandable: false,
      context: 'mongodb.index',
      tooltip: new Tooltip()
        .title(i.name, 'index')
        .code('Keys', JSON.stringify(i.keys))
        .field('Unique', i.unique ? 'yes' : 'no')
        .field('Sparse', i.sparse ? 'yes' : null)
        .field('Expires after', i.expireAfterSeconds === undefined ? null : `${count(i.expireAfterSeconds)} s`)
        .code('Partial filter', i.partialFilterExpression ? JSON.stringify(i.partialFilterExpression) : null)
        .field('Hidden', i.hidden ? 'yes' : null).markdown,
    };
  }
  return { description: undefined, icon: 'circle-small', expandable: false, context: node.itemKind, tooltip: new Tooltip().title(node.label).markdown };
}
