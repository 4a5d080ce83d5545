import type { Document, MongoClient } from 'mongodb';
import { parseConnectionString, type MongoConnection } from '../../connection-strings';
import { EngineError } from '../../engines/errors';
import { createMongoClient, mongoPreflight } from '../../engines/mongodb/connect';
import { mongoError } from '../../engines/mongodb/errors';
import { checkMongoSeeds, mongoReach } from '../../engines/mongodb/reach';
import { defaultEngineSettings } from '../../engines/settings';
import type { BackupTarget } from '../types';
import { invalidDbName, skippedCollection, type CollectionInfo } from './layout';

/** MongoDB's own databases: never part of a backup of a tenant's data. */
export const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);

/** BSON types as stored: Int32, Double, Long and Decimal128 stay themselves, regular expressions stay BSON ones. */
export const EXACT = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;

export interface MongoBackupConnection {
  client: MongoClient;
  parsed: MongoConnection;
  version: string;
  close(): Promise<void>;
}

/** A client of its own (two connections at most) with the same reach as the browsing engine. */
export async function connectForBackup(target: BackupTarget): Promise<MongoBackupConnection> {
  const parsed = parseConnectionString('mongodb', target.connectionString) as MongoConnection;
  await checkMongoSeeds(target.connectionString, target);
  await mongoPreflight(target.connectionString, defaultEngineSettings.mongoConnectTimeoutMs);
  let client: MongoClient | undefined;
  try {
    client = createMongoClient(target.connectionString, { ...defaultEngineSettings, mongoMaxPoolSize: 2, mongoMinPoolSize: 0, mongoSocketTimeoutMs: 300_000 }, {
      ...mongoReach(target.connectionString, { ...target, localFiles: target.localFiles ?? false }),
      appName: 'ogelbase-backup',
    });
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    const c = client;
    return { client: c, parsed, version: String(info.version ?? '0'), close: () => c.close() };
  } catch (error) {
    await client?.close().catch(() => undefined);
    throw error instanceof EngineError ? error : mongoError(error);
  }
}

/**
 * The databases a backup covers: the one the connection string names (unless it names `admin`,
 * which is usually only where the login lives), else every database but admin, local and config.
 */
export async function databasesToBackUp(conn: MongoBackupConnection): Promise<string[]> {
  const named = conn.parsed.database;
  if (named && !SYSTEM_DATABASES.has(named)) return [named];
  const { databases } = await conn.client.db('admin').admin().listDatabases({ nameOnly: true });
  return databases.map((d) => d.name).filter((n) => !SYSTEM_DATABASES.has(n) && !invalidDbName(n)).sort();
}

/** The collections (and views, time series) mongodump would dump, with options and UUID as stored. */
export async function listCollections(conn: MongoBackupConnection, db: string): Promise<CollectionInfo[]> {
  const infos = await conn.client.db(db).listCollections({}, { ...EXACT, nameOnly: false }).toArray();
  return (infos as Document[])
    .filter((c) => typeof c.name === 'string' && !skippedCollection(c.name))
    .map((c) => {
      const uuid = c.info?.uuid;
      return {
        name: c.name as string,
        type: c.type === 'view' ? 'view' : c.type === 'timeseries' ? 'timeseries' : 'collection',
        options: (c.options as Document | undefined) ?? {},
        uuid: uuid && uuid.sub_type === 4 ? Buffer.from(uuid.buffer).toString('hex') : '',
      } satisfies CollectionInfo;
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Index specifications as listIndexes answers them, BSON types kept. */
export async function listIndexes(conn: MongoBackupConnection, db: string, collection: string): Promise<Document[]> {
  try {
    return (await conn.client.db(db).collection(collection).listIndexes(EXACT).toArray()) as Document[];
  } catch (error) {
    // Dropped meanwhile: mongodump goes on too.
    if ((error as { codeName?: string }).codeName === 'NamespaceNotFound') return [];
    throw error;
  }
}
