import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeEndpoint } from '../../connection-strings';
import { EngineError } from '../../engines/errors';
import { redisError } from '../../engines/redis/errors';
import { describeFiles, writeManifest, type BackupManifest, type RedisContents } from '../manifest';
import type { BackupOptions, BackupTarget } from '../types';
import { connectForBackup, type BackupConnection, type Master } from './client';
import { checkWithRedisCheckRdb, inventoryRdb } from './inspect';
import { rdbVersionOf } from './rdb-format';
import { RdbWriter } from './rdb-writer';
import { syncRdb, SyncRefused } from './sync';

/** Keys per SCAN call and per pipeline of DUMP + PTTL in the fallback. */
const BATCH = 500;

const fileName = (conn: BackupConnection, index: number, master: Master) =>
  conn.parsed.topology === 'cluster' ? `node-${index + 1}-${master.label.replace(/[^A-Za-z0-9.-]/g, '_')}.rdb` : 'dump.rdb';

/**
 * The logical fallback: every key of the connected database read with SCAN, DUMP and PTTL (in
 * pipelines on each master), written as an RDB file by RdbWriter. Not one point in time (clients
 * keep writing while it reads), but readable by the same restore and by redis-server itself.
 */
async function dumpMaster(master: Master, db: number, path: string, version: string, progress: { keys: number; bytes: number; base: number }, report: () => void, signal?: AbortSignal): Promise<void> {
  const [seconds, micros] = (await master.client.time()) as unknown as [string, string];
  const offset = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - Date.now();
  const writer = new RdbWriter(path, { 'redis-ver': version, 'ctime': String(Math.floor(Date.now() / 1000)), 'ogelbase-method': 'dump' }, rdbVersionOf(version));
  try {
    let cursor = '0';
    do {
      if (signal?.aborted) throw new EngineError('cancelled', 'Redis: the backup was cancelled');
      const [next, keys] = await master.client.scanBuffer(cursor, 'COUNT', BATCH);
      cursor = String(next);
      if (keys.length === 0) continue;
      const pipeline = master.client.pipeline();
      for (const key of keys) {
        pipeline.dumpBuffer(key);
        pipeline.pttl(key);
      }
      const replies = (await pipeline.exec()) ?? [];
      const now = Date.now() + offset;
      for (let i = 0; i < keys.length; i++) {
        const [dumpError, payload] = replies[2 * i] ?? [];
        const [, pttl] = replies[2 * i + 1] ?? [];
        if (dumpError) throw redisError(dumpError, 'DUMP');
        if (payload === null || payload === undefined) continue; // deleted or expired since SCAN listed it
        const ttl = Number(pttl);
        await writer.key(db, keys[i]!, payload as Buffer, ttl >= 0 ? now + ttl : undefined);
        progress.keys++;
      }
      progress.bytes = progress.base + writer.bytes;
      report();
    } while (cursor !== '0');
    // Function libraries (Redis 7): FUNCTION DUMP's body is the RDB's own FUNCTION2 records.
    const functions = (await master.client.callBuffer('FUNCTION', 'DUMP').catch(() => null)) as Buffer | null;
    if (functions && functions.length > 10) await writer.functions(functions.subarray(0, functions.length - 10));
    await writer.finish();
    progress.base += writer.bytes;
    progress.bytes = progress.base;
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/**
 * Backs up one Redis database: on each master (one, the Sentinel's, or every master of a
 * Cluster: one file each) an RDB snapshot over the replication protocol, the way `redis-cli --rdb`
 * takes it; where the server refuses SYNC (an ACL, a managed service), DUMP of every key instead.
 * Each file is then read back whole (structure and CRC-64), counted for the manifest, and checked
 * with `redis-check-rdb` where it is installed.
 */
export async function backupRedis(target: BackupTarget, dir: string, options: BackupOptions): Promise<BackupManifest> {
  const startedAt = new Date().toISOString();
  const conn = await connectForBackup(target);
  const progress = { keys: 0, bytes: 0, base: 0 };
  try {
    const sizes = await Promise.all(conn.masters.map((m) => m.client.dbsize().catch(() => 0)));
    const total = sizes.reduce((a, b) => a + b, 0);
    const report = (current?: string) => options.onProgress?.({ phase: 'dumping', unit: 'keys', done: progress.keys, total, bytes: progress.bytes, current });
    report();
    let method: 'redis-sync' | 'redis-dump' = 'redis-sync';
    const files = conn.masters.map((m, i) => ({ path: fileName(conn, i, m), node: m.label }));
    let before = 0;
    for (const [i, master] of conn.masters.entries()) {
      try {
        const { bytes } = await syncRdb(master.endpoint, join(dir, files[i]!.path), {
          signal: options.signal,
          onBytes: (n) => {
            progress.bytes = before + n;
            report(master.label);
          },
        });
        before += bytes;
      } catch (error) {
        if (!(error instanceof SyncRefused)) throw error;
        method = 'redis-dump';
        break;
      }
    }
    if (method === 'redis-dump') {
      for (const file of files) await rm(join(dir, file.path), { force: true });
      progress.bytes = 0;
      for (const [i, master] of conn.masters.entries()) {
        await dumpMaster(master, conn.db, join(dir, files[i]!.path), conn.version, progress, () => report(master.label), options.signal);
      }
    }

    options.onProgress?.({ phase: 'checking', unit: 'keys', done: progress.keys, total, bytes: progress.bytes });
    const contents: RedisContents = { engine: 'redis', topology: conn.parsed.topology, db: conn.db, keys: 0, byType: {}, expiring: 0, otherDatabases: {}, functions: 0, nodes: [], pointInTime: method === 'redis-sync' };
    const checks = new Set<string>(['CRC-64 and structure of every RDB read back']);
    let rdbVersion = 0;
    for (const file of files) {
      const path = join(dir, file.path);
      const inventory = await inventoryRdb(path, conn.db, options.signal);
      rdbVersion = Math.max(rdbVersion, inventory.version);
      const keys = inventory.keysByDb[conn.db] ?? 0;
      contents.keys += keys;
      contents.expiring += inventory.expiring;
      contents.functions = Math.max(contents.functions, inventory.functions);
      for (const [type, n] of Object.entries(inventory.byType)) contents.byType[type] = (contents.byType[type] ?? 0) + n;
      for (const [db, n] of Object.entries(inventory.keysByDb)) if (Number(db) !== conn.db) contents.otherDatabases[db] = (contents.otherDatabases[db] ?? 0) + n;
      contents.nodes.push({ file: file.path, node: file.node, keys });
      const checked = await checkWithRedisCheckRdb(path, inventory.version);
      if (checked) checks.add(checked);
    }
    const described = await describeFiles(dir, files, options.signal);
    const manifest: BackupManifest = {
      format: 'ogelbase-backup',
      formatVersion: 1,
      id: options.id,
      engine: 'redis',
      method,
      database: { name: target.name, endpoint: describeEndpoint(conn.parsed), target: String(conn.db) },
      server: { version: conn.version, major: Number(conn.version.split('.')[0]) || 0 },
      tool: { name: method === 'redis-sync' ? 'replication (SYNC), as redis-cli --rdb' : 'DUMP and PTTL of every key', version: `RDB ${rdbVersion}` },
      checks: [...checks],
      startedAt,
      finishedAt: new Date().toISOString(),
      options: { gzip: false, archive: false },
      contents,
      files: described,
      totalBytes: described.reduce((n, f) => n + f.bytes, 0),
    };
    await writeManifest(dir, manifest);
    return manifest;
  } catch (error) {
    if (options.signal?.aborted) throw new EngineError('cancelled', 'Redis: the backup was cancelled');
    throw error instanceof EngineError ? error : redisError(error);
  } finally {
    await conn.close();
  }
}
