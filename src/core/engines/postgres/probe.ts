import pg from 'pg';
import type { TestConnectionResult } from '../../api/types';
import { describeEndpoint, parseConnectionString, type PostgresConnection } from '../../connection-strings';
import { withDeadline } from '../deadline';
import type { ProbeTarget } from '../probe-result';
import { timedProbe } from '../probe-result';
import type { EngineSettings } from '../settings';
import { postgresPoolConfig, postgresTlsMaterial } from './connect';

/** Connects once, asks the server version, disconnects. */
export function probePostgres(connectionString: string, settings: EngineSettings, timeoutMs: number, target: ProbeTarget = {}): Promise<TestConnectionResult> {
  const parsed = parseConnectionString('postgres', connectionString) as PostgresConnection;
  return timedProbe('postgres', describeEndpoint(parsed), async () => {
    const tls = await postgresTlsMaterial(parsed, target.tls, target.localFiles ?? false);
    const address = target.guard ? await target.guard.pin(parsed.hosts[0]!.host) : undefined;
    const client = new pg.Client(postgresPoolConfig(parsed, { ...settings, postgresConnectTimeoutMs: timeoutMs }, { tls, address }));
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
