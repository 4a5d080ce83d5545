import type { EngineType, TestConnectionResult } from '../api/types';
import { ConnectionStringError } from '../connection-strings';
import { listMongoDatabases as listMongo, probeMongo } from './mongodb/probe';
import { probePostgres } from './postgres/probe';
import { probeRedis } from './redis/probe';
import type { ProbeTarget } from './probe-result';
import { defaultEngineSettings, type EngineSettings } from './settings';

export interface ProbeOptions {
  timeoutMs: number;
  settings?: EngineSettings;
  /** Certificates, local file access and the host policy's guard (see ManagedDatabase). */
  target?: ProbeTarget;
}

/**
 * Tests a connection string of any engine: latency and server version, or a readable error. This
 * module loads every driver, so it is for the server; the extension reaches the same per-engine
 * probes through the engine bundle it loads on demand.
 */
export async function probeConnection(type: EngineType, connectionString: string, options: ProbeOptions): Promise<TestConnectionResult> {
  const settings = options.settings ?? defaultEngineSettings;
  try {
    if (type === 'postgres') return await probePostgres(connectionString, settings, options.timeoutMs, options.target);
    if (type === 'redis') return await probeRedis(connectionString, settings, options.timeoutMs, options.target);
    return await probeMongo(connectionString, settings, options.timeoutMs, options.target);
  } catch (error) {
    if (error instanceof ConnectionStringError) return { ok: false, latency: 0, error: { code: 'invalid_input', message: error.message } };
    throw error;
  }
}

export function listMongoDatabases(connectionString: string, options: ProbeOptions) {
  return listMongo(connectionString, options.settings ?? defaultEngineSettings, options.timeoutMs, options.target);
}
