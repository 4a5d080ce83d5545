import type { Organization, Project } from '../../core/api/types';
import type { CollectionInfo, DatabaseInfo as MongoDatabaseInfo, IndexInfo as MongoIndexInfo } from '../../core/engines/mongodb';
import type { ColumnInfo, RelationInfo, SchemaInfo } from '../../core/engines/postgres';
import type { KeyInfo, KeyRef } from '../../core/engines/redis';
import type { DatabaseRef } from '../access/database-ref';

/**
 * The data of every row of the explorer's trees. `id` is stable and hierarchical (the parent's id,
 * then a segment), so VS Code keeps expansion across refreshes and a node's descendants share its
 * prefix. Commands receive these objects as their first argument when run from a row.
 * `contextValue`s (for `when` clauses) are derived from `kind` (and engine/writability for databases).
 */
export type ExplorerNode =
  | { kind: 'organization'; id: string; platformUrl: string; organization: Organization }
  | { kind: 'project'; id: string; platformUrl: string; organization: Organization; project: Project }
  | { kind: 'database'; id: string; ref: DatabaseRef }
  /** A child of a database (schema, table, column, namespace, key, collection, index…): `detail` is engine-specific. */
  | { kind: 'item'; id: string; ref: DatabaseRef; itemKind: string; label: string; detail: Record<string, unknown> }
  /** "Load more", or with `toEnd` "Scan to the end"; `detail` is the progress as a sentence (screen readers, tooltip). */
  | { kind: 'loadMore'; id: string; parentId: string; label: string; detail?: string; toEnd?: boolean }
  | { kind: 'message'; id: string; label: string; icon?: string; command?: { command: string; title: string; arguments?: unknown[] } }
  | { kind: 'error'; id: string; parentId: string | undefined; message: string };

export type DatabaseNode = Extract<ExplorerNode, { kind: 'database' }>;
export type ProjectNode = Extract<ExplorerNode, { kind: 'project' }>;
export type OrganizationNode = Extract<ExplorerNode, { kind: 'organization' }>;

export type ItemNodeBase = Extract<ExplorerNode, { kind: 'item' }>;
export type LoadMoreNode = Extract<ExplorerNode, { kind: 'loadMore' }>;
export type ErrorNode = Extract<ExplorerNode, { kind: 'error' }>;
export type MessageNode = Extract<ExplorerNode, { kind: 'message' }>;

/**
 * What an `item` row carries in `detail`, by `itemKind`. Engine shapes are the engines' own result
 * types (type-only imports: no driver code reaches the extension bundle), so a command can pass
 * them straight back to `access.call`, e.g. a Redis key's `detail.key` (exact bytes included).
 */
export interface ItemDetails {
  'postgres.schema': SchemaInfo;
  'postgres.relation': RelationInfo & { schema: string };
  'postgres.column': {
    schema: string;
    relation: string;
    column: ColumnInfo;
    /** Part of the primary key. */
    primaryKey: boolean;
    /** `schema.table(column)` when the column is part of a foreign key. */
    references: string | null;
  };
  'redis.namespace': {
    /** Pass back as `prefix` to list this namespace. */
    prefix: KeyRef;
    /** Keys met so far while scanning the parent (a lower bound while the scan goes on). */
    keysSeen: number;
    /** The parent's scan reached the end: `keysSeen` is the namespace's count. */
    complete?: boolean;
  };
  'redis.key': KeyInfo;
  'mongodb.database': MongoDatabaseInfo & {
    /** The database the connection string names (listed first). */
    registered?: boolean;
  };
  /** The folded row of MongoDB's own databases (admin, config, local). */
  'mongodb.systemDatabases': { databases: MongoDatabaseInfo[] };
  'mongodb.collection': CollectionInfo & { db: string };
  'mongodb.index': MongoIndexInfo & { db: string; collection: string };
}
export type ItemKind = keyof ItemDetails;
/** An `item` row of one kind, with its `detail` typed. */
export type ItemNode<K extends ItemKind = ItemKind> = ItemNodeBase & { itemKind: K; detail: ItemDetails[K] };

export function isItem<K extends ItemKind>(node: ExplorerNode | undefined, kind: K): node is ItemNode<K> {
  return node?.kind === 'item' && node.itemKind === kind;
}

/** Builds an `item` row; `id` is the parent's id plus a segment (see ids.ts). */
export function itemNode<K extends ItemKind>(id: string, ref: DatabaseRef, itemKind: K, label: string, detail: ItemDetails[K]): ItemNode<K> {
  return { kind: 'item', id, ref, itemKind, label, detail: detail as ItemDetails[K] & Record<string, unknown> };
}
