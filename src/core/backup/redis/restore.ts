import type { Redis } from 'ioredis';
import { plural } from '../summary';
import { EngineError } from '../../engines/errors';
import { redisError } from '../../engines/redis/errors';
import type { BackupManifest, RedisContents } from '../manifest';
import { inside } from '../paths';
import { section } from '../plan';
import type { BackupTarget, PlanItem, ProgressSink, RestorePlan, RestoreReport } from '../types';
import { connectForBackup, type BackupConnection } from './client';
import { rdbFileVersion, records } from './inspect';
import { rdbVersionOf, typeName } from './rdb-format';
import { dumpPayload } from './rdb-writer';

/**
 * Keys restored (or checked) at once: the batch's commands are written together (auto-pipelining)
 * and awaited together. A batch also ends at BATCH_BYTES of names and values, so big values are
 * not all held (and sent) at once.
 */
const BATCH = 2000;
const BATCH_BYTES = 16 * 1024 * 1024;

const contentsOf = (manifest: BackupManifest): RedisContents => {
  if (manifest.contents.engine !== 'redis') throw new EngineError('invalid_input', `this is a ${manifest.engine} backup, not a Redis one`);
  return manifest.contents;
};

interface KeyRecord {
  key: Buffer;
  type: number;
  value: Buffer;
  expireAt?: number;
}

/** The keys of the restored database, file after file, in batches; the files' RDB version with each. */
async function* batches(dir: string, manifest: BackupManifest, db: number, signal?: AbortSignal): AsyncGenerator<{ version: number; keys: KeyRecord[] }> {
  for (const file of manifest.files) {
    const path = inside(dir, file.path);
    const version = await rdbFileVersion(path);
    let keys: KeyRecord[] = [];
    let bytes = 0;
    for await (const record of records(path, signal)) {
      if (record.kind !== 'key' || record.db !== db) continue;
      keys.push(record);
      bytes += record.key.length + record.value.length;
      if (keys.length >= BATCH || bytes >= BATCH_BYTES) {
        yield { version, keys };
        keys = [];
        bytes = 0;
      }
    }
    if (keys.length) yield { version, keys };
  }
}

async function functionsOf(dir: string, manifest: BackupManifest, signal?: AbortSignal): Promise<Buffer[]> {
  const out = new Map<string, Buffer>();
  for (const file of manifest.files) for await (const record of records(inside(dir, file.path), signal)) if (record.kind === 'function') out.set(record.code.toString('latin1'), record.code);
  return [...out.values()];
}

/** Refuses a target whose Redis cannot read the backup's RDB version (RESTORE would refuse every key). */
async function checkVersion(conn: BackupConnection, dir: string, manifest: BackupManifest): Promise<void> {
  const readable = rdbVersionOf(conn.version);
  for (const file of manifest.files) {
    const version = await rdbFileVersion(inside(dir, file.path));
    if (version > readable) {
      throw new EngineError('invalid_input', `the backup holds RDB version ${version} (Redis ${manifest.server.version}) and the target runs Redis ${conn.version}, which reads RDB ${readable} and older: restore it into Redis ${manifest.server.version} or newer`);
    }
  }
}

/**
 * How many of `keys` (distinct names) the target holds: one EXISTS naming them all, or on a Cluster,
 * where one command cannot name keys of different slots, one EXISTS per key (pipelined).
 */
async function countPresent(conn: BackupConnection, keys: Buffer[]): Promise<number> {
  if (keys.length === 0) return 0;
  if (conn.parsed.topology !== 'cluster') return conn.client.exists(...keys);
  return (await Promise.all(keys.map((k) => conn.client.exists(k)))).reduce((a, b) => a + b, 0);
}

async function keysNow(conn: BackupConnection): Promise<number> {
  return (await Promise.all(conn.masters.map((m) => m.client.dbsize()))).reduce((a, b) => a + b, 0);
}

const byTypeItems = (counts: Map<string, { inBackup: number }>): PlanItem[] => [...counts.entries()].map(([type, c]) => ({ name: `${type} keys`, inBackup: c.inBackup }));

/**
 * What restoring would do, found before anything is written: every key of the backup is looked up
 * in the target (EXISTS, in batches): those present are overwritten (RESTORE … REPLACE), the others
 * added; keys of the target that the backup does not hold are left alone.
 */
export async function planRedisRestore(target: BackupTarget, dir: string, manifest: BackupManifest, signal?: AbortSignal): Promise<RestorePlan> {
  const contents = contentsOf(manifest);
  const conn = await connectForBackup(target);
  try {
    await checkVersion(conn, dir, manifest);
    const overwrite = new Map<string, { inBackup: number }>();
    const add = new Map<string, { inBackup: number }>();
    let expired = 0;
    const now = Date.now();
    for await (const { keys } of batches(dir, manifest, contents.db, signal)) {
      const live = keys.filter((k) => !(k.expireAt !== undefined && k.expireAt <= now));
      expired += keys.length - live.length;
      // Per type, how many are there already (one EXISTS per type and batch).
      const byType = new Map<string, Buffer[]>();
      for (const k of live) {
        const type = typeName(k.type);
        const names = byType.get(type);
        if (names) names.push(k.key);
        else byType.set(type, [k.key]);
      }
      const counted = await Promise.all([...byType].map(async ([type, names]) => [type, names.length, await countPresent(conn, names)] as const));
      for (const [type, inBatch, present] of counted) {
        if (present) overwrite.set(type, { inBackup: (overwrite.get(type)?.inBackup ?? 0) + present });
        if (inBatch - present) add.set(type, { inBackup: (add.get(type)?.inBackup ?? 0) + inBatch - present });
      }
    }
    const sum = (m: Map<string, { inBackup: number }>) => [...m.values()].reduce((n, c) => n + c.inBackup, 0);
    const total = await keysNow(conn);
    const overwritten = sum(overwrite);
    const notes = ['Keys of the backup replace keys of the same name (RESTORE … REPLACE ABSTTL, time to live kept); keys it does not hold stay as they are.'];
    if (expired) notes.push(`${expired} key(s) of the backup have expired since it was taken and will not be restored.`);
    const others = Object.entries(contents.otherDatabases);
    if (others.length) notes.push(`The snapshot also holds other logical databases (${others.map(([db, n]) => `db ${db}: ${n} keys`).join(', ')}); only db ${contents.db} is restored.`);
    if (contents.functions) notes.push(`${contents.functions} function librar${contents.functions === 1 ? 'y is' : 'ies are'} loaded too (FUNCTION LOAD REPLACE).`);
    if (!contents.pointInTime) notes.push('This backup was read key by key (DUMP), not one snapshot: keys changed while it ran may be from slightly different moments.');
    return {
      engine: 'redis',
      unit: 'keys',
      backup: { id: manifest.id, name: manifest.database.name, finishedAt: manifest.finishedAt, serverVersion: manifest.server.version, method: manifest.method, totalBytes: manifest.totalBytes },
      target: { name: target.name, serverVersion: conn.version },
      overwrite: section(byTypeItems(overwrite), sum(overwrite)),
      add: section(byTypeItems(add), sum(add)),
      leaveAlone: section([{ name: 'keys not in the backup', now: Math.max(0, total - overwritten) }], Math.max(0, total - overwritten)),
      notes,
    };
  } finally {
    await conn.close();
  }
}

/**
 * Restores key by key into the running server (no restart): RESTORE key <expiry> <payload>
 * REPLACE ABSTTL for every key of the backup's database that has not expired since, then the
 * function libraries. Redis has no transaction across keys: a cancelled restore keeps what it
 * restored, and its report says how much that was. Afterwards every restored key is looked up.
 */
export async function restoreRedis(target: BackupTarget, dir: string, manifest: BackupManifest, options: { signal?: AbortSignal; onProgress?: ProgressSink }): Promise<RestoreReport> {
  const startedAt = new Date().toISOString();
  const contents = contentsOf(manifest);
  const conn = await connectForBackup(target);
  const restored = new Map<string, number>();
  let done = 0;
  let skipped = 0;
  let bytes = 0;
  const failures: string[] = [];
  let failed = 0;
  const finish = (outcome: RestoreReport['outcome'], message: string, extra: Partial<RestoreReport> = {}): RestoreReport => ({
    outcome,
    unit: 'keys',
    startedAt,
    finishedAt: new Date().toISOString(),
    message,
    restored: done,
    total: contents.keys,
    items: Object.entries(contents.byType).map(([type, expected]) => ({ name: `${type} keys`, restored: restored.get(type) ?? 0, expected, state: (restored.get(type) ?? 0) >= expected ? 'done' : (restored.get(type) ?? 0) > 0 ? 'partial' : 'not started' })),
    ...extra,
  });
  try {
    await checkVersion(conn, dir, manifest);
    const report = () => options.onProgress?.({ phase: 'restoring', unit: 'keys', done, total: contents.keys, bytes, totalBytes: manifest.totalBytes });
    report();
    for await (const batch of batches(dir, manifest, contents.db, options.signal)) {
      if (options.signal?.aborted) break;
      const now = Date.now();
      await Promise.all(
        batch.keys.map(async (k) => {
          bytes += k.key.length + k.value.length;
          if (k.expireAt !== undefined && k.expireAt <= now) {
            skipped++;
            return;
          }
          try {
            await conn.client.restore(k.key, k.expireAt ?? 0, dumpPayload(k.type, k.value, batch.version), 'REPLACE', 'ABSTTL');
            done++;
            const type = typeName(k.type);
            restored.set(type, (restored.get(type) ?? 0) + 1);
          } catch (error) {
            failed++;
            if (failures.length < 20) failures.push(`${k.key.toString('utf8').slice(0, 80)}: ${redisError(error).message}`);
          }
        }),
      );
      report();
    }
    if (options.signal?.aborted) {
      return finish('cancelled', `Cancelled after ${done} of ${contents.keys} keys: the keys restored so far stay restored (Redis has no transaction across keys); the others are as they were.`);
    }
    const functions = contents.functions ? await functionsOf(dir, manifest, options.signal) : [];
    for (const code of functions) {
      for (const master of conn.masters) {
        await (master.client as Redis).call('FUNCTION', 'LOAD', 'REPLACE', code).catch((error: unknown) => {
          failed++;
          failures.push(`function library: ${redisError(error).message}`);
        });
      }
    }
    if (failed) {
      return finish('failed', `${failed} item(s) could not be restored (${done} keys were): ${failures[0]}`, { error: failures.join('; ') });
    }
    // Verification: every key restored is there (unless its time to live ran out meanwhile).
    options.onProgress?.({ phase: 'verifying', unit: 'keys', done: 0, total: done, bytes: manifest.totalBytes });
    let checked = 0;
    let missing = 0;
    for await (const batch of batches(dir, manifest, contents.db, options.signal)) {
      const now = Date.now();
      const live = batch.keys.filter((k) => !(k.expireAt !== undefined && k.expireAt <= now));
      checked += live.length;
      missing += live.length - (await countPresent(conn, live.map((k) => k.key)));
      options.onProgress?.({ phase: 'verifying', unit: 'keys', done: checked, total: done, bytes: manifest.totalBytes });
    }
    const expected = contents.keys - skipped;
    const mismatches = [...(missing || done !== expected ? [{ name: `keys of db ${contents.db}`, expected, found: done - missing }] : [])];
    return finish(
      'completed',
      mismatches.length
        ? `Restored ${plural(done, 'key')} into ${target.name}, but ${plural(missing, 'key')} of them are missing when checked afterwards.`
        : `Restored ${plural(done, 'key')} into ${target.name}${skipped ? ` (${plural(skipped, 'key')} had expired since the backup)` : ''}; every one is there.`,
      { verification: { ok: mismatches.length === 0, checked, mismatches } },
    );
  } catch (error) {
    if (options.signal?.aborted) return finish('cancelled', `Cancelled after ${done} of ${contents.keys} keys: the keys restored so far stay restored; the others are as they were.`);
    const engineError = error instanceof EngineError ? error : redisError(error);
    if (done === 0) throw engineError;
    return finish('failed', `The restore stopped after ${done} of ${contents.keys} keys: ${engineError.message}`, { error: engineError.message });
  } finally {
    await conn.close();
  }
}
