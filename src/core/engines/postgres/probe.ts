import pg from 'pg';
import type { TestConnectionResult } from '../../api/types';
import { describeEndpoint, parseConnectionString, type PostgresConnection } from '../../connection-strings';
import { withDeadline } from '../deadline';
import { timedProbe } from '../probe-result';
import type { EngineSettings } from '../settings';
import { postgresPoolConfig } from './connect';

/** Connects once, asks the server version, disconnects. */
export function probePostgres(connectionString: string, settings: EngineSettings, timeoutMs: number): Promise<TestConnectionResult> {
  const parsed = parseConnectionString('postgres', connectionString) as PostgresConnection;
  return timedProbe('postgres', describeEndpoint(parsed), async () => {
    const client = new pg.Client(postgresPoolConfig(parsed, { ...settings, postgresConnectTimeoutMs: timeoutMs }));
    client.on('error', () => undefined);
    try {
      await withDeadline(client.connect(), timeoutMs, 'PostgreSQL', () => void client.end().catch(() => undefined));
      const { rows } = await withDeadline(client.query<{ server_version: string }>('SHOW server_version'), timeoutMs, 'PostgreSQL');
      return rows[0]!.server_version;
    } finally {
      void client.end().catch(() => undefined);
    }
  });
}
