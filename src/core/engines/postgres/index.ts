/**
 * The PostgreSQL engine bundle (dist/engines/postgres.js), loaded by the extension on first use:
 * pg, the engine, and its operation table, so a direct call is validated by the same schemas as a
 * call through the platform and the two paths cannot drift apart.
 */
import type { EngineModule } from '../engine-module';
import { openPostgresHandle } from './handle';
import { postgresOperations } from './operations';
import { probePostgres } from './probe';

export { PostgresEngine, type PostgresEngineOptions } from './engine';
export { postgresPoolConfig } from './connect';
export { openPostgresHandle, probePostgres };
export { splitStatements, type Statement } from './sql-text';
export { CELL_CAP, type BytesValue, type Cell, type Column, type TruncatedText } from './values';
export type { ColumnInfo, ForeignKeyInfo, IndexInfo, RelationDescription, RelationInfo, RelationKind, SchemaInfo, ServerInfo } from './catalog';
export type { RelationShape } from './shape';
export type { PagingMethod, SortSpec } from './keyset';
export { FILTER_OPS, type CountRowsParams, type FilterOp, type FilterSpec, type RowCount, type RowsPage, type RowsPageParams } from './rows';
export type { ExplainParams, ExplainResult, QueryBatch, QueryParams, QueryResult } from './query';
export type { DeleteRowParams, UpdateCellParams, UpdatedRow } from './edit';

/** The EngineModule entries the ConnectionManager and the host use. */
export const openHandle: EngineModule['openHandle'] = openPostgresHandle;
export const operations = postgresOperations as EngineModule['operations'];
export const probe: EngineModule['probe'] = probePostgres;
export type { CompletionCatalog, RelationDetails, TriggerInfo } from './ddl';
export type { DeleteRowsParams, InsertRowParams } from './edit';
export type { EditPreview, PreviewEditParams } from './preview';
export type { ExportParams, ExportSummary } from './export';
export { isCursorCandidate, looksLikeWrite } from './sql-text';
/** Backup and restore (the bundle carries them so the extension loads this driver once). */
export { postgresBackup as backup } from '../../backup/postgres';
