/**
 * Backups under faults, each engine on a server of its own that the test stops in the middle of a
 * backup: a clear failure, and nothing left that looks like a backup (no folder, no staging). And
 * what a restore's pre-check refuses before touching anything: a manifest naming `../` paths,
 * another engine's backup, a backup of a newer major version.
 *
 *   node --import tsx node_modules/mocha/bin/mocha.js --timeout 120000 test/engines/backup-faults.test.ts
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import pg from 'pg';
import { mongoBackup } from '../../src/core/backup/mongodb';
import { postgresBackup } from '../../src/core/backup/postgres';
import { redisBackup } from '../../src/core/backup/redis';
import type { BackupKit } from '../../src/core/backup/engine';
import type { BackupTarget } from '../../src/core/backup/types';
import { EngineError } from '../../src/core/engines/errors';
import { rejectsWith } from '../support/engines/assertions';
import { freePort, waitForPort } from '../support/services/ports';
import { startPostgres } from '../support/services/postgres';
import { requireBinary, startDetached, stopPid } from '../support/services/processes';

const tools = { where: 'extension' as const };

/** Runs a backup into `parent/final`, stopping the server at the first progress it reports; checks what is left. */
async function stoppedMidway(kit: BackupKit, target: BackupTarget, stop: () => Promise<void>, expected: RegExp): Promise<void> {
  const parent = mkdtempSync(join(tmpdir(), 'ogelbase-bkfault-'));
  try {
    let stopping: Promise<void> | undefined;
    const error = await kit
      .create(target, join(parent, 'final'), { id: randomUUID(), tools, onProgress: (p) => p.phase === 'dumping' && (p.bytes > 0 || p.current !== undefined) && (stopping ??= stop()) })
      .then(
        () => assert.fail('the backup succeeded although its server was stopped'),
        (e: unknown) => e,
      );
    await stopping;
    assert.ok(error instanceof EngineError, String(error));
    assert.match(error.message, expected);
    assert.deepEqual(readdirSync(parent), [], 'no folder, partial or final, is left');
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

describe('backups whose database stops in the middle', function () {
  it('PostgreSQL: pg_dump fails, the failure says why, nothing is left', async function () {
    if (!process.env.OGELBASE_TEST_PG_URL) this.skip();
    const server = await startPostgres();
    try {
      const sql = new pg.Client(server.url);
      await sql.connect();
      await sql.query("CREATE TABLE big AS SELECT g AS id, repeat(md5(g::text), 4) AS filler FROM generate_series(1, 400000) g");
      await sql.end();
      await stoppedMidway(postgresBackup, { id: randomUUID(), name: 'pg', type: 'postgres', connectionString: server.url, localFiles: true }, () => server.stop(), /pg_dump .* failed: .*(terminat|closed the connection|shut ?down)/i);
    } finally {
      await server.destroy();
    }
  });

  it('Redis: the snapshot transfer is cut, the failure says so, nothing is left', async function () {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'ogelbase-bkredis-fault-'));
    const pid = startDetached(requireBinary('redis-server', 'redis-server'), ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0']);
    try {
      await waitForPort(port, 15_000);
      const client = new Redis({ port, host: '127.0.0.1' });
      for (let i = 0; i < 100; i++) await client.mset(Object.fromEntries(Array.from({ length: 1000 }, (_, j) => [`k${i * 1000 + j}`, 'v'.repeat(400)])));
      client.disconnect();
      await stoppedMidway(redisBackup, { id: randomUUID(), name: 'r', type: 'redis', connectionString: `redis://127.0.0.1:${port}/0`, localFiles: true }, () => stopPid(pid, { signal: 'SIGKILL' }), /closed during the snapshot's transfer|closed the connection|ECONNRESET/);
    } finally {
      await stopPid(pid).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Redis: the server killed in the middle of a restore: the restore ends as failed, says how far it got and why', async function () {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'ogelbase-bkredis-restore-fault-'));
    const pid = startDetached(requireBinary('redis-server', 'redis-server'), ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0']);
    try {
      await waitForPort(port, 15_000);
      const client = new Redis({ port, host: '127.0.0.1' });
      for (let i = 0; i < 20; i++) await client.mset(Object.fromEntries(Array.from({ length: 1000 }, (_, j) => [`k${i * 1000 + j}`, 'v'.repeat(400)])));
      const target: BackupTarget = { id: randomUUID(), name: 'r', type: 'redis', connectionString: `redis://127.0.0.1:${port}/0`, localFiles: true };
      const backup = join(dir, 'backup');
      await redisBackup.create(target, backup, { id: randomUUID(), tools });
      await client.flushdb();
      client.disconnect();
      let killed = false;
      const report = await redisBackup.restoreFrom(target, backup, {
        tools,
        onProgress: (p) => {
          if (p.phase === 'restoring' && p.done > 0 && !killed) {
            killed = true;
            process.kill(pid, 'SIGKILL');
          }
        },
      });
      assert.ok(killed, 'the server was killed during the restore');
      assert.equal(report.outcome, 'failed', report.message);
      assert.ok(report.restored > 0 && report.restored < report.total, `${report.restored} of ${report.total}`);
      assert.match(report.message, /could not be restored \([\d,]+ keys were\): .*(closed|ECONNRESET|ECONNREFUSED|writeable|connect)/i);
    } finally {
      await stopPid(pid).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('MongoDB: the cursor breaks, the failure says so, nothing is left', async function () {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mongo-wire/main.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    const url = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).on('line', (line) => resolve((JSON.parse(line) as { url: string }).url)));
    try {
      const client = new MongoClient(url);
      await client.db('shop').collection<{ _id: number; note: string }>('orders').insertMany(Array.from({ length: 20_000 }, (_, i) => ({ _id: i, note: 'x'.repeat(100) })));
      await client.close();
      await stoppedMidway(mongoBackup, { id: randomUUID(), name: 'm', type: 'mongodb', connectionString: `${url.replace(/\/$/, '')}/shop`, localFiles: true }, async () => void process.kill(-child.pid!, 'SIGKILL'), /MongoDB|closed|connect|ECONNRESET|pool/i);
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
});

describe('what the pre-check refuses before anything is touched', function () {
  let work: string;
  let target: BackupTarget;
  let dir: string;
  let client: Redis;

  before(async function () {
    if (!process.env.OGELBASE_TEST_REDIS_URL) this.skip();
    const url = process.env.OGELBASE_TEST_REDIS_URL.replace(/\/0$/, '/6');
    client = new Redis(url);
    await client.flushdb();
    await client.config('SET', 'repl-diskless-sync-delay', '0');
    await client.set('pre:a', '1');
    target = { id: randomUUID(), name: 'cache', type: 'redis', connectionString: url, localFiles: true };
    work = mkdtempSync(join(tmpdir(), 'ogelbase-precheck-'));
    dir = join(work, 'backup');
    await redisBackup.create(target, dir, { id: randomUUID(), tools });
  });

  after(async () => {
    await client?.flushdb();
    client?.disconnect();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const withManifest = (change: (m: Record<string, unknown> & { files: { path: string }[]; server: { major: number; version: string } }) => void) => {
    const copy = join(work, randomUUID());
    mkdirSync(copy);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    change(manifest);
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(join(copy, 'dump.rdb'), readFileSync(join(dir, 'dump.rdb')));
    return copy;
  };

  it('refuses a manifest whose files climb out of the backup folder', async () => {
    for (const path of ['../../../../etc/passwd', '/etc/passwd', 'a/../../b', 'C:\\Windows\\x']) {
      const copy = withManifest((m) => (m.files[0]!.path = path));
      await rejectsWith(redisBackup.precheck(target, copy, { tools }), 'invalid_input', /no valid manifest \(files\.0\.path: unsafe path\)/);
    }
  });

  it('refuses another engine\'s backup and a backup of a newer major version', async () => {
    await rejectsWith(postgresBackup.precheck({ ...target, type: 'postgres', name: 'pg' }, dir, { tools }), 'invalid_input', /this is a Redis backup \(cache\); pg is a PostgreSQL database/);
    const newer = withManifest((m) => {
      m.server.version = '99.0.0';
      m.server.major = 99;
    });
    // The RDB's own version decides for Redis; the manifest's major for the others: both are checked.
    await assert.doesNotReject(redisBackup.precheck(target, newer, { tools }));
    const bumped = withManifest(() => undefined);
    const rdb = readFileSync(join(bumped, 'dump.rdb'));
    rdb.write('0099', 5, 'latin1');
    writeFileSync(join(bumped, 'dump.rdb'), rdb);
    const manifest = JSON.parse(readFileSync(join(bumped, 'manifest.json'), 'utf8'));
    manifest.files[0].sha256 = (await import('../../src/core/backup/files')).hashFile(join(bumped, 'dump.rdb')).then((h) => h.sha256);
    manifest.files[0].sha256 = await manifest.files[0].sha256;
    writeFileSync(join(bumped, 'manifest.json'), JSON.stringify(manifest));
    await rejectsWith(redisBackup.precheck(target, bumped, { tools }), 'invalid_input', /RDB version 99/);
    assert.equal(await client.get('pre:a'), '1');
    assert.ok(existsSync(join(dir, 'dump.rdb')));
  });
});
