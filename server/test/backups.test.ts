import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { BackupInfo, RestoreInfo, RestorePlanInfo } from '../../src/core/api/backups';
import { createTestDatabase, type TestDatabase } from '../../test/support/services/postgres';
import { PROCESS_INSTANCE } from '../src/backups/jobs';
import { createFixture, type Fixture, seedOrganization } from './support/fixture';

const pgUrl = process.env.OGELBASE_TEST_PG_URL;
const redisUrl = process.env.OGELBASE_TEST_REDIS_URL;

type Reply<T> = { status: number; body: T & { error?: { code: string; message: string } }; headers: Headers };

describe.skipIf(!pgUrl || !redisUrl)('backups and restores through the platform', () => {
  let f: Fixture;
  let org: Awaited<ReturnType<typeof seedOrganization>>;
  let other: Awaited<ReturnType<typeof seedOrganization>>;
  let source: TestDatabase;
  let prodDb: string;
  let redisDb: string;
  let readOnly: string;
  let developer: string;
  const redisPrefix = `bk${Math.random().toString(36).slice(2, 8)}`;

  const call = async <T = Record<string, unknown>>(method: string, path: string, token: string, json?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> => {
    const response = await f.request(path, { method, token, json, headers });
    const text = await response.text();
    return { status: response.status, body: (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : { text }) as never, headers: response.headers };
  };
  const base = (id: string) => `/api/platform/databases/${id}`;
  const waitFor = async <T extends { status: string }>(read: () => Promise<T>, done = (x: T) => !['queued', 'running'].includes(x.status)): Promise<T> => {
    for (let i = 0; i < 600; i++) {
      const value = await read();
      if (done(value)) return value;
      await Bun.sleep(100);
    }
    throw new Error('the job did not finish');
  };
  const backupNow = async (id: string, token = org.owner.token) => {
    const started = await call<BackupInfo>('POST', `${base(id)}/backups`, token, {});
    expect(started.status).toBe(202);
    return waitFor(async () => (await call<BackupInfo>('GET', `${base(id)}/backups/${started.body.id}`, token)).body);
  };
  const admin = async () => {
    const client = new pg.Client({ connectionString: source.url });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    source = await createTestDatabase(pgUrl!, 'bksrc');
    const c = await admin();
    await c.query('CREATE TABLE orders (id int PRIMARY KEY, note text)');
    await c.query("INSERT INTO orders SELECT g, 'n' || g FROM generate_series(1, 3000) g");
    await c.end();
    f = await createFixture('pglite', { BACKUP_RETENTION_DAYS: '30' });
    org = await seedOrganization(f, 'bk');
    other = await seedOrganization(f, 'bkother');
    readOnly = (await f.member(org.slug, 'read_only')).token;
    developer = (await f.member(org.slug, 'developer')).token;
    const create = async (name: string, type: string, connectionString: string) => {
      const r = await call<{ id: string }>('POST', '/api/platform/databases', org.owner.token, { projectRef: org.projectRef, name, type, connectionString });
      expect(r.status).toBe(201);
      return r.body.id;
    };
    prodDb = await create('orders-prod', 'postgres', source.url);
    redisDb = await create('cache', 'redis', redisUrl!.replace(/\/0$/, '/7'));
    const r = new Redis(redisUrl!.replace(/\/0$/, '/7'));
    await r.flushdb();
    await r.set(`${redisPrefix}:s`, 'v');
    await r.hset(`${redisPrefix}:h`, { a: '1' });
    await r.set(`${redisPrefix}:ttl`, 'x', 'EX', 500);
    await r.config('SET', 'repl-diskless-sync-delay', '0');
    r.disconnect();
  });
  afterAll(async () => {
    await f?.close();
    await source?.drop();
  });

  test('a PostgreSQL backup runs in the background, lists with time, size and status, and has a manifest', async () => {
    const done = await backupNow(prodDb);
    expect(done.status).toBe('completed');
    expect(done.summary).toBe('1 table, 3,000 rows');
    expect(done.manifest?.engine).toBe('postgres');
    expect(done.manifest?.method).toBe('pg_dump');
    // The manifest (as served and as stored beside the dump) names the server without its login's password.
    const password = decodeURIComponent(new URL(source.url).password);
    const stored = readFileSync(join(f.platform.config.backupDir, prodDb, done.id, 'manifest.json'), 'utf8');
    for (const text of [JSON.stringify(done), stored, f.logs.join('\n')]) expect(text).not.toContain(password);
    expect(JSON.parse(stored).database.endpoint).not.toContain('@');
    const list = await call<{ backups: BackupInfo[]; total: number }>('GET', `${base(prodDb)}/backups`, readOnly);
    expect(list.status).toBe(200);
    expect(list.body.backups[0]).toMatchObject({ id: done.id, status: 'completed', engine: 'postgres' });
    expect(list.body.backups[0]!.sizeBytes).toBeGreaterThan(0);
    expect(list.body.backups[0]!.manifest).toBeUndefined();
    const audit = await f.platform.audit.list({ action: 'backup.create' });
    expect(audit.some((a) => (a.details as { backupId?: string }).backupId === done.id)).toBe(true);
  });

  test('downloads stream the tar or one file, resume with Range, and refuse paths that climb out', async () => {
    const done = await backupNow(prodDb);
    const url = `${base(prodDb)}/backups/${done.id}/download`;
    const whole = await f.request(url, { token: developer });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('application/x-tar');
    const tar = Buffer.from(await whole.arrayBuffer());
    expect(tar.length).toBe(Number(whole.headers.get('content-length')));
    expect(tar.subarray(0, 100).toString('utf8')).toContain('/manifest.json');
    const etag = whole.headers.get('etag')!;
    const head = await f.request(url, { token: developer, headers: { range: 'bytes=0-99' } });
    expect(head.status).toBe(206);
    const rest = await f.request(url, { token: developer, headers: { range: 'bytes=100-', 'if-range': etag } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes 100-${tar.length - 1}/${tar.length}`);
    expect(Buffer.concat([Buffer.from(await head.arrayBuffer()), Buffer.from(await rest.arrayBuffer())]).equals(tar)).toBe(true);
    expect((await f.request(url, { token: developer, headers: { range: 'bytes=100-', 'if-range': '"other"' } })).status).toBe(200);
    expect((await f.request(url, { token: developer, headers: { range: `bytes=${tar.length + 10}-` } })).status).toBe(416);

    const manifest = await f.request(`${url}?file=manifest.json`, { token: developer });
    expect(manifest.status).toBe(200);
    expect(((await manifest.json()) as { id: string }).id).toBe(done.id);
    const dump = done.manifest!.files[0]!;
    const tail = await f.request(`${url}?file=${encodeURIComponent(dump.path)}`, { token: developer, headers: { range: 'bytes=-10' } });
    expect(tail.status).toBe(206);
    expect((await tail.arrayBuffer()).byteLength).toBe(10);

    for (const file of ['../../../etc/passwd', '/etc/passwd', 'dump/../../x', '..\\..\\x', 'a\u0000b']) {
      const refused = await call('GET', `${url}?file=${encodeURIComponent(file)}`, developer);
      expect({ file, status: refused.status }).toEqual({ file, status: 400 });
    }
    expect((await call('GET', `${url}?file=not-there.bin`, developer)).status).toBe(404);
    const traversal = await call('GET', `${base(prodDb)}/backups/..%2F..%2Fetc/download`, developer);
    expect(traversal.status).toBe(400);
    expect((await call('GET', url, readOnly)).status).toBe(403);
  });

  test('roles: read_only lists only, developers back up but neither restore nor delete, outsiders see nothing', async () => {
    const done = await backupNow(prodDb, developer);
    expect(done.status).toBe('completed');
    expect((await call('POST', `${base(prodDb)}/backups`, readOnly, {})).status).toBe(403);
    expect((await call('POST', `${base(prodDb)}/backups/${done.id}/restore-plan`, developer)).status).toBe(403);
    expect((await call('POST', `${base(prodDb)}/backups/${done.id}/restore`, developer, { confirm: 'orders-prod' })).status).toBe(403);
    expect((await call('DELETE', `${base(prodDb)}/backups/${done.id}`, developer)).status).toBe(403);
    expect((await call('PUT', `${base(prodDb)}/backup-schedule`, developer, { cron: '0 3 * * *' })).status).toBe(403);
    for (const path of [`${base(prodDb)}/backups`, `${base(prodDb)}/backups/${done.id}`, `${base(prodDb)}/backups/${done.id}/download`]) {
      const outsider = await call('GET', path, other.owner.token);
      expect(outsider.status).toBe(404);
    }
    // Every action that writes, asked by a read_only member (403) and by the owner of another organization (404):
    // refused before anything runs, the backup and the schedule as they were.
    const before = (await call<{ total: number }>('GET', `${base(prodDb)}/backups`, org.owner.token)).body.total;
    const writes: [string, string, unknown][] = [
      ['POST', `${base(prodDb)}/backups`, {}],
      ['GET', `${base(prodDb)}/backups/${done.id}/download`, undefined],
      ['POST', `${base(prodDb)}/backups/${done.id}/cancel`, undefined],
      ['POST', `${base(prodDb)}/backups/${done.id}/restore-plan`, undefined],
      ['POST', `${base(prodDb)}/backups/${done.id}/restore`, { confirm: 'orders-prod' }],
      ['DELETE', `${base(prodDb)}/backups/${done.id}`, undefined],
      ['PUT', `${base(prodDb)}/backup-schedule`, { cron: '0 3 * * *' }],
      ['DELETE', `${base(prodDb)}/backup-schedule`, undefined],
    ];
    for (const [method, path, json] of writes) {
      const asReader = await call(method, path, readOnly, json);
      expect([method, path, asReader.status]).toEqual([method, path, 403]);
      const asOutsider = await call(method, path, other.owner.token, json);
      expect([method, path, asOutsider.status]).toEqual([method, path, 404]);
    }
    expect((await call<{ total: number }>('GET', `${base(prodDb)}/backups`, org.owner.token)).body.total).toBe(before);
    expect((await call<BackupInfo>('GET', `${base(prodDb)}/backups/${done.id}`, org.owner.token)).body.status).toBe('completed');
    expect(await f.platform.backups.store.schedule(prodDb)).toBeUndefined();
    // A backup id of another database is "not found" under this one.
    const redisBackup = await backupNow(redisDb);
    expect((await call('GET', `${base(prodDb)}/backups/${redisBackup.id}`, org.owner.token)).status).toBe(404);
    expect((await call('POST', `${base(prodDb)}/backups/${redisBackup.id}/restore-plan`, org.owner.token)).status).toBe(404);
  });

  test('restore: pre-check, the name typed for a production-named database, the report and the audit trail', async () => {
    const done = await backupNow(prodDb);
    const c = await admin();
    await c.query('DELETE FROM orders WHERE id > 10');
    await c.query('CREATE TABLE extra (a int)');
    const plan = await call<RestorePlanInfo>('POST', `${base(prodDb)}/backups/${done.id}/restore-plan`, org.owner.token);
    expect(plan.status).toBe(200);
    expect(plan.body.overwrite.items).toEqual([{ name: 'public.orders', inBackup: 3000, now: 10 }]);
    expect(plan.body.leaveAlone.items).toEqual([{ name: 'public.extra', now: 0 }]);
    expect(plan.body.confirmation).toEqual({ required: true, reason: 'the name orders-prod marks it as production' });

    const unconfirmed = await call('POST', `${base(prodDb)}/backups/${done.id}/restore`, org.owner.token, {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error?.code).toBe('confirmation_required');
    expect((await call('POST', `${base(prodDb)}/backups/${done.id}/restore`, org.owner.token, { confirm: 'ORDERS-PROD' })).status).toBe(400);
    const started = await call<RestoreInfo>('POST', `${base(prodDb)}/backups/${done.id}/restore`, org.owner.token, { confirm: 'orders-prod' });
    expect(started.status).toBe(202);
    const finished = await waitFor(async () => (await call<RestoreInfo>('GET', `${base(prodDb)}/restores/${started.body.id}`, readOnly)).body);
    expect(finished.status).toBe('completed');
    expect(finished.report?.verification?.ok).toBe(true);
    expect((await c.query('SELECT count(*)::int AS n FROM orders')).rows[0].n).toBe(3000);
    expect((await c.query('SELECT count(*)::int AS n FROM extra')).rows[0].n).toBe(0);
    await c.end();
    const actions = (await f.platform.audit.list({ limit: 500 })).map((a) => a.action);
    for (const action of ['restore.precheck', 'restore.start', 'restore.completed', 'backup.download', 'backup.completed']) expect(actions).toContain(action);
  });

  test('a Redis backup restores every key with its TTL; one job per database at a time', async () => {
    const done = await backupNow(redisDb);
    expect(done.manifest?.method).toBe('redis-sync');
    const r = new Redis(redisUrl!.replace(/\/0$/, '/7'));
    await r.del(`${redisPrefix}:h`, `${redisPrefix}:ttl`);
    const started = await call<RestoreInfo>('POST', `${base(redisDb)}/backups/${done.id}/restore`, org.owner.token, {});
    expect(started.status).toBe(202);
    const busy = await call('POST', `${base(redisDb)}/backups`, org.owner.token, {});
    expect(busy.status).toBe(409);
    const finished = await waitFor(async () => (await call<RestoreInfo>('GET', `${base(redisDb)}/restores/${started.body.id}`, org.owner.token)).body);
    expect(finished.status).toBe('completed');
    expect(await r.hgetall(`${redisPrefix}:h`)).toEqual({ a: '1' });
    expect(await r.ttl(`${redisPrefix}:ttl`)).toBeGreaterThan(400);
    r.disconnect();
  });

  test('a cancelled backup leaves no file and says so; options of another engine are refused', async () => {
    const started = await call<BackupInfo>('POST', `${base(prodDb)}/backups`, org.owner.token, {});
    const cancelled = await call<BackupInfo>('POST', `${base(prodDb)}/backups/${started.body.id}/cancel`, org.owner.token);
    expect([200, 409]).toContain(cancelled.status);
    const final = await waitFor(async () => (await call<BackupInfo>('GET', `${base(prodDb)}/backups/${started.body.id}`, org.owner.token)).body);
    if (final.status === 'cancelled') {
      expect(existsSync(join(f.platform.config.backupDir, prodDb, started.body.id))).toBe(false);
      expect(final.error).toContain('cancelled');
    }
    const staging = join(f.platform.config.backupDir, '.staging');
    expect(existsSync(staging) ? readdirSync(staging) : []).toEqual([]);
    expect((await call('POST', `${base(prodDb)}/backups`, org.owner.token, { gzip: true })).status).toBe(400);
    expect((await call('POST', `${base(prodDb)}/backups`, org.owner.token, { nope: 1 })).status).toBe(400);
  });

  test('schedules: cron checked, due runs started once, retention deletes old backups with their files', async () => {
    expect((await call('PUT', `${base(redisDb)}/backup-schedule`, org.owner.token, { cron: 'every day' })).status).toBe(400);
    expect((await call('PUT', `${base(redisDb)}/backup-schedule`, org.owner.token, { cron: '* * * * *' })).status).toBe(400);
    const set = await call<{ schedule: { nextRunAt: string } }>('PUT', `${base(redisDb)}/backup-schedule`, org.owner.token, { cron: '0 3 * * *', timezone: 'Europe/Paris' });
    expect(set.status).toBe(200);
    const next = new Date(set.body.schedule.nextRunAt);
    const { scheduler, store } = f.platform.backups;
    await scheduler.runOnce(new Date(next.getTime() + 1000));
    const listed = await call<{ backups: BackupInfo[] }>('GET', `${base(redisDb)}/backups`, readOnly);
    const scheduled = listed.body.backups.find((b) => b.trigger === 'scheduled');
    expect(scheduled).toBeDefined();
    await waitFor(async () => (await call<BackupInfo>('GET', `${base(redisDb)}/backups/${scheduled!.id}`, readOnly)).body);
    // The same due time is not run twice.
    await scheduler.runOnce(new Date(next.getTime() + 2000));
    expect((await call<{ backups: BackupInfo[] }>('GET', `${base(redisDb)}/backups`, readOnly)).body.backups.filter((b) => b.trigger === 'scheduled')).toHaveLength(1);

    await f.platform.sql.query("UPDATE platform.backups SET created_at = now() - interval '31 days' WHERE id = $1", [scheduled!.id]);
    await scheduler.runOnce();
    expect((await call('GET', `${base(redisDb)}/backups/${scheduled!.id}`, org.owner.token)).status).toBe(404);
    expect(existsSync(join(f.platform.config.backupDir, redisDb, scheduled!.id))).toBe(false);
    expect((await call('DELETE', `${base(redisDb)}/backup-schedule`, org.owner.token)).status).toBe(204);
    expect(await store.schedule(redisDb)).toBeUndefined();
  });

  test('jobs left running by a process that died are marked failed', async () => {
    const id = crypto.randomUUID();
    await f.platform.sql.query(
      "INSERT INTO platform.backups (id, database_id, organization_id, engine, status, trigger, instance, heartbeat_at) SELECT $1, d.id, p.organization_id, d.type, 'running', 'manual', 'gone', now() - interval '10 minutes' FROM platform.databases d JOIN platform.projects p ON p.id = d.project_id WHERE d.id = $2",
      [id, prodDb],
    );
    await f.platform.backups.jobs.recover(false);
    const row = await call<BackupInfo>('GET', `${base(prodDb)}/backups/${id}`, org.owner.token);
    expect(row.body.status).toBe('failed');
    expect(row.body.error).toContain('the server stopped while this job ran');
    // The embedded database's single owner fails every job of an earlier process at once, fresh heartbeat or not.
    const fresh = crypto.randomUUID();
    await f.platform.sql.query(
      "INSERT INTO platform.backups (id, database_id, organization_id, engine, status, trigger, instance, heartbeat_at) SELECT $1, d.id, p.organization_id, d.type, 'running', 'manual', 'earlier', now() FROM platform.databases d JOIN platform.projects p ON p.id = d.project_id WHERE d.id = $2",
      [fresh, prodDb],
    );
    expect(PROCESS_INSTANCE).not.toBe('earlier');
    await f.platform.backups.jobs.recover(true);
    expect((await call<BackupInfo>('GET', `${base(prodDb)}/backups/${fresh}`, org.owner.token)).body.status).toBe('failed');
  });

  test('deleting a backup removes its record and its files (owners and admins)', async () => {
    const done = await backupNow(redisDb);
    const folder = join(f.platform.config.backupDir, redisDb, done.id);
    expect(existsSync(folder)).toBe(true);
    expect((await call('DELETE', `${base(redisDb)}/backups/${done.id}`, org.owner.token)).status).toBe(204);
    expect(existsSync(folder)).toBe(false);
    expect((await call('GET', `${base(redisDb)}/backups/${done.id}`, org.owner.token)).status).toBe(404);
  });
});
