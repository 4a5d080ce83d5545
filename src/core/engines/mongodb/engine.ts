import type { MongoClient, MongoClientOptions } from 'mongodb';
import type { OperationContext } from '../operations';
import { EngineError } from '../errors';
import type { EngineSettings } from '../settings';
import { collectionStats, listCollections, listDatabases, serverInfo } from './browse';
import { createMongoClient, mongoPreflight } from './connect';
import { countDocuments } from './counts';
import { deleteDocument, deleteMany, findPage, getDocument, insertDocument, replaceDocument } from './documents';
import { mongoError } from './errors';
import type { QueryPolicy } from './query-guard';
import { explain } from './explain';
import { createIndex, dropIndex, listIndexes } from './indexes';
import { sampleSchema } from './schema';
import type {
  CountParams, CreateIndexParams, DeleteManyParams, DocumentIdParams, ExplainParams, FindPageParams, InsertDocumentParams,
  MongoEngineOptions, Namespace, ReplaceDocumentParams, SampleSchemaParams,
} from './types';

/**
 * One MongoDB deployment, as the explorer sees it: browse, page, count, edit with BSON types kept,
 * indexes, explain, schema and statistics. Each method takes plain JSON parameters and resolves
 * with plain JSON (the operation table in operations.ts exposes the same names over HTTP), and
 * throws only EngineError. A read-only engine refuses every write before it reaches the server.
 */
export class MongoEngine {
  readonly readOnly: boolean;
  /** What filters, projections and sorts may ask of the server (see query-guard.ts). */
  readonly policy: QueryPolicy;

  constructor(
    readonly client: MongoClient,
    options: MongoEngineOptions = {},
  ) {
    this.readOnly = options.readOnly ?? false;
    this.policy = { serverJavaScript: options.serverJavaScript ?? false };
  }

  /** Creates the client with the engine settings, connects, and wraps it. */
  static async connect(connectionString: string, settings: EngineSettings, options: MongoEngineOptions & { client?: MongoClientOptions; gate?: () => Promise<void> } = {}): Promise<MongoEngine> {
    await mongoPreflight(connectionString, settings.mongoConnectTimeoutMs, options.gate);
    let client: MongoClient | undefined;
    try {
      // Inside the try: the driver throws a MongoParseError here for a malformed connection string.
      client = createMongoClient(connectionString, settings, options.client);
      await client.connect();
    } catch (error) {
      void client?.close().catch(() => undefined);
      throw mongoError(error);
    }
    return new MongoEngine(client, options);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private writable(what: string): void {
    if (this.readOnly) throw new EngineError('read_only', `MongoDB: this connection is read-only; ${what} is not allowed`);
  }

  serverInfo(context: OperationContext = {}) {
    return serverInfo(this.client, context.signal);
  }

  listDatabases(context: OperationContext = {}) {
    return listDatabases(this.client, context.signal);
  }

  listCollections(params: { db: string; limit?: number }, context: OperationContext = {}) {
    return listCollections(this.client, params, context.signal);
  }

  findPage(params: FindPageParams, context: OperationContext = {}) {
    return findPage(this.client, params, context.signal, this.policy);
  }

  countDocuments(params: CountParams, context: OperationContext = {}) {
    return countDocuments(this.client, params, context.signal, this.policy);
  }

  getDocument(params: DocumentIdParams, context: OperationContext = {}) {
    return getDocument(this.client, params, context.signal);
  }

  async insertDocument(params: InsertDocumentParams, context: OperationContext = {}) {
    this.writable('inserting a document');
    return insertDocument(this.client, params, context.signal);
  }

  async replaceDocument(params: ReplaceDocumentParams, context: OperationContext = {}) {
    this.writable('replacing a document');
    return replaceDocument(this.client, params, context.signal);
  }

  async deleteDocument(params: DocumentIdParams, context: OperationContext = {}) {
    this.writable('deleting a document');
    return deleteDocument(this.client, params, context.signal);
  }

  async deleteMany(params: DeleteManyParams, context: OperationContext = {}) {
    this.writable('deleting documents');
    return deleteMany(this.client, params, context.signal, this.policy);
  }

  listIndexes(params: Namespace, context: OperationContext = {}) {
    return listIndexes(this.client, params, context.signal);
  }

  async createIndex(params: CreateIndexParams, context: OperationContext = {}) {
    this.writable('creating an index');
    return createIndex(this.client, params, context.signal);
  }

  async dropIndex(params: Namespace & { name: string }, context: OperationContext = {}) {
    this.writable('dropping an index');
    return dropIndex(this.client, params, context.signal);
  }

  explain(params: ExplainParams, context: OperationContext = {}) {
    return explain(this.client, params, context.signal, this.policy);
  }

  sampleSchema(params: SampleSchemaParams, context: OperationContext = {}) {
    return sampleSchema(this.client, params, context.signal);
  }

  collectionStats(params: Namespace, context: OperationContext = {}) {
    return collectionStats(this.client, params, context.signal);
  }
}
