/**
 * Platform backups whose database goes away in the middle, through a fault proxy in front of the
 * harness's real PostgreSQL and Redis: the job ends `failed` with a reason naming what broke, no
 * file, staging folder or manifest is left, the backup cannot be downloaded or restored, and the
 * database's password is in none of the job's record, the audit trail or the server's log.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { BackupInfo } from '../../src/core/api/backups';
import { startFaultProxy, type FaultProxy } from '../../test/support/services/fault-proxy';
import { createTestDatabase, type TestDatabase } from '../../test/support/services/postgres';
import { createFixture, type Fixture, registerSecret, seedOrganization } from './support/fixture';

const pgUrl = process.env.OGELBASE_TEST_PG_URL;
const redisUrl = process.env.OGELBASE_TEST_REDIS_URL;

describe.skipIf(!pgUrl || !redisUrl)('backups whose database is cut in the middle (platform jobs)', () => {
  let f: Fixture;
  let org: Awaited<ReturnType<typeof seedOrganization>>;
  let source: TestDatabase;
  const proxies: FaultProxy[] = [];
  const login = `bk_login_${randomBytes(3).toString('hex')}`;
  const password = `Bk-fault-pw-${randomBytes(6).toString('hex')}`;
  registerSecret(password);

  const call = async <T = Record<string, unknown>>(method: string, path: string, json?: unknown) => {
    const response = await f.request(path, { method, token: org.owner.token, json });
    const text = await response.text();
    return { status: response.status, text, body: (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as T & { error?: { code: string; message: string } } };
  };
  const base = (id: string) => `/api/platform/databases/${id}`;
  const register = async (name: string, type: string, connectionString: string) => {
    const r = await call<{ id: string }>('POST', '/api/platform/databases', { projectRef: org.projectRef, name, type, connectionString });
    expect(r.status).toBe(201);
    return r.body.id;
  };
  const finished = async (id: string, backup: string): Promise<BackupInfo> => {
    for (let i = 0; i < 600; i++) {
      const row = (await call<BackupInfo>('GET', `${base(id)}/backups/${backup}`)).body;
      if (!['queued', 'running'].includes(row.status)) return row;
      await Bun.sleep(100);
    }
    throw new Error('the backup job did not end');
  };

  /** What must hold of a backup whose database was cut: failed, said why, nothing left, nothing leaked. */
  const expectCleanFailure = async (id: string, backup: BackupInfo, reason: RegExp) => {
    expect(backup.status).toBe('failed');
    expect(backup.error ?? '').toMatch(reason);
    expect(backup.manifest ?? null).toBeNull();
    expect(existsSync(join(f.platform.config.backupDir, id, backup.id))).toBe(false);
    const staging = join(f.platform.config.backupDir, '.staging');
    expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
    // Nothing presents it as a backup one could use.
    const download = await call('GET', `${base(id)}/backups/${backup.id}/download`);
    expect(download.status).toBe(409);
    expect((await call('POST', `${base(id)}/backups/${backup.id}/restore-plan`)).status).toBe(409);
    const listed = await call<{ backups: BackupInfo[] }>('GET', `${base(id)}/backups`);
    expect(listed.body.backups.filter((b) => b.status === 'completed')).toEqual([]);
    // The password is nowhere: the record, the list, the audit trail, the server's log.
    const audit = await f.platform.audit.list({ limit: 500 });
    for (const text of [JSON.stringify(backup), listed.text, download.text, JSON.stringify(audit), f.logs.join('\n')]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(encodeURIComponent(password));
    }
    expect(audit.some((a) => a.action === 'backup.failed' && (a.details as { backupId?: string }).backupId === backup.id)).toBe(true);
  };

  beforeAll(async () => {
    source = await createTestDatabase(pgUrl!, 'bkfault');
    const admin = new pg.Client({ connectionString: source.url });
    await admin.connect();
    // The harness's PostgreSQL logs every statement (for the leak scan): not this one, which holds the password.
    await admin.query("SET log_statement = 'none'");
    await admin.query(`CREATE ROLE ${login} LOGIN PASSWORD '${password}'`);
    await admin.query('RESET log_statement');
    await admin.query('CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 4) AS filler FROM generate_series(1, 50000) g');
    await admin.query(`GRANT SELECT ON big TO ${login}`);
    await admin.end();
    f = await createFixture('pglite');
    org = await seedOrganization(f, 'bkfault');
  });
  afterAll(async () => {
    await f?.close();
    for (const p of proxies) await p.close();
    await source?.drop();
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${login}`);
    await admin.end();
  });

  test('PostgreSQL: the connection cut when pg_dump starts copying rows fails the job, says why, leaves nothing', async () => {
    const upstream = new URL(pgUrl!);
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(upstream.port) });
    proxies.push(proxy);
    const url = new URL(source.url);
    url.username = login;
    url.password = password;
    url.port = String(proxy.port);
    const id = await register('orders-cut', 'postgres', url.toString());
    const cut = proxy.cutWhen('COPY ');
    const started = await call<BackupInfo>('POST', `${base(id)}/backups`, {});
    expect(started.status).toBe(202);
    await cut;
    const backup = await finished(id, started.body.id);
    await expectCleanFailure(id, backup, /pg_dump .*failed/i);
    expect(backup.error).toMatch(/connection|terminat|closed|server/i);
  });

  test('Redis: the server gone when the snapshot is asked for fails the job, says why, leaves nothing', async () => {
    const upstream = new URL(redisUrl!);
    const proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(upstream.port) });
    proxies.push(proxy);
    const url = new URL(redisUrl!);
    url.port = String(proxy.port);
    url.pathname = '/9';
    const id = await register('cache-cut', 'redis', url.toString());
    // A connection closed at SYNC alone reads as a refusal (the DUMP fallback then runs); here the whole server goes away.
    const cut = proxy.cutWhen('SYNC').then(() => proxy.close());
    const started = await call<BackupInfo>('POST', `${base(id)}/backups`, {});
    expect(started.status).toBe(202);
    await cut;
    const backup = await finished(id, started.body.id);
    await expectCleanFailure(id, backup, /Redis|closed|connection|ECONNRESET/i);
    const redisPassword = decodeURIComponent(upstream.password);
    expect(JSON.stringify(backup)).not.toContain(redisPassword);
    expect(f.logs.join('\n')).not.toContain(redisPassword);
  });
});
