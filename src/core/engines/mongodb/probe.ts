import type { TestConnectionResult } from '../../api/types';
import { describeEndpoint, parseConnectionString } from '../../connection-strings';
import { withDeadline } from '../deadline';
import { timedProbe, type ProbeTarget } from '../probe-result';
import type { EngineSettings } from '../settings';
import { createMongoClient, mongoPreflight } from './connect';
import { checkMongoSeeds, mongoReach } from './reach';

/** Connects once, runs buildInfo, disconnects. */
export function probeMongo(connectionString: string, settings: EngineSettings, timeoutMs: number, target: ProbeTarget = {}): Promise<TestConnectionResult> {
  const parsed = parseConnectionString('mongodb', connectionString);
  return timedProbe('mongodb', describeEndpoint(parsed), async () => {
    // The host policy runs inside the preflight: nothing connects to a host it refuses, not even the TLS check.
    await mongoPreflight(connectionString, timeoutMs, () => checkMongoSeeds(connectionString, target));
    const client = createMongoClient(connectionString, { ...settings, mongoConnectTimeoutMs: timeoutMs, mongoMinPoolSize: 0 }, { maxPoolSize: 1, ...mongoReach(connectionString, target) });
    try {
      await withDeadline(client.connect(), timeoutMs + 500, 'MongoDB');
      const info = await withDeadline(client.db('admin').command({ buildInfo: 1 }), timeoutMs, 'MongoDB');
      return String(info.version);
    } finally {
      void client.close().catch(() => undefined);
    }
  });
}

/** The databases of a MongoDB server with their size (the seed's GET /api/platform/mongodb/databases). */
export async function listMongoDatabases(connectionString: string, settings: EngineSettings, timeoutMs: number, target: ProbeTarget = {}) {
  parseConnectionString('mongodb', connectionString);
  await mongoPreflight(connectionString, timeoutMs);
  const client = createMongoClient(connectionString, { ...settings, mongoConnectTimeoutMs: timeoutMs, mongoMinPoolSize: 0 }, { maxPoolSize: 1, ...mongoReach(connectionString, target) });
  try {
    const result = await withDeadline(client.db('admin').admin().listDatabases(), timeoutMs + 500, 'MongoDB');
    return result.databases.map((d) => ({ name: d.name, sizeOnDisk: Number(d.sizeOnDisk ?? 0), empty: Boolean(d.empty) }));
  } finally {
    void client.close().catch(() => undefined);
  }
}
