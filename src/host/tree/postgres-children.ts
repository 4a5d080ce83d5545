import type { RelationDescription, RelationInfo, SchemaInfo } from '../../core/engines/postgres';
import { refName } from '../access/database-ref';
import { childId } from './ids';
import { isItem, itemNode, type DatabaseNode, type ExplorerNode } from './nodes';
import { growingPages, slicePages, type ChildSource, type LoadContext } from './paging';

/** The cap listSchemas and listRelations put on `limit`. */
const CATALOG_MAX = 5000;

/** PostgreSQL: schemas → tables, views and materialized views → columns. */
export function postgresSource(node: ExplorerNode, ctx: LoadContext): ChildSource | undefined {
  if (node.kind === 'database') return schemas(node, ctx);
  if (isItem(node, 'postgres.schema')) return relations(node.id, node.ref, node.detail.name, ctx);
  if (isItem(node, 'postgres.relation')) return columns(node.id, node.ref, node.detail.schema, node.detail.name, ctx);
  return undefined;
}

function schemas(node: DatabaseNode, ctx: LoadContext): ChildSource {
  const { ref } = node;
  return {
    what: `schemas of ${refName(ref)}`,
    empty: { label: 'No schemas in this database' },
    first: () =>
      growingPages(
        async (limit) => {
          const result = await ctx.call<{ schemas: SchemaInfo[]; truncated: boolean }>(ref, 'listSchemas', { limit });
          return { items: result.schemas, truncated: result.truncated };
        },
        {
          pageSize: ctx.pageSize,
          max: CATALOG_MAX,
          noteId: `${node.id}/truncated`,
          noun: 'schemas',
          toNode: (schema) => itemNode(childId(node.id, 'schema', schema.name), ref, 'postgres.schema', schema.name, schema),
        },
      ),
  };
}

function relations(parentId: string, ref: DatabaseNode['ref'], schema: string, ctx: LoadContext): ChildSource {
  return {
    what: `tables and views of ${schema}`,
    empty: { label: `No tables or views in ${schema}` },
    first: () =>
      growingPages(
        async (limit) => {
          const result = await ctx.call<{ relations: RelationInfo[]; truncated: boolean }>(ref, 'listRelations', { schema, limit });
          return { items: result.relations, truncated: result.truncated };
        },
        {
          pageSize: ctx.pageSize,
          max: CATALOG_MAX,
          noteId: `${parentId}/truncated`,
          noun: 'tables and views',
          toNode: (relation) => itemNode(childId(parentId, 'rel', relation.name), ref, 'postgres.relation', relation.name, { ...relation, schema }),
        },
      ),
  };
}

function columns(parentId: string, ref: DatabaseNode['ref'], schema: string, relation: string, ctx: LoadContext): ChildSource {
  return {
    what: `columns of ${schema}.${relation}`,
    empty: { label: 'No columns' },
    first: async () => {
      const described = await ctx.call<RelationDescription>(ref, 'describeRelation', { schema, name: relation });
      const primary = new Set(described.primaryKey);
      const references = new Map<string, string>();
      for (const fk of described.foreignKeys) {
        const target = `${fk.references.schema}.${fk.references.table}(${fk.references.columns.join(', ')})`;
        for (const column of fk.columns) if (!references.has(column)) references.set(column, target);
      }
      return slicePages(described.columns, ctx.pageSize, (column) =>
        itemNode(childId(parentId, 'col', column.name), ref, 'postgres.column', column.name, {
          schema,
          relation,
          column,
          primaryKey: primary.has(column.name),
          references: references.get(column.name) ?? null,
        }),
      );
    },
  };
}
