import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EngineError } from '../../engines/errors';
import { rdbVersionOf, typeName } from './rdb-format';
import { RdbReader, type RdbRecord } from './rdb-reader';

/** What one RDB file holds, counted while its CRC is checked. */
export interface RdbInventory {
  version: number;
  checksum: 'ok' | 'absent';
  /** Keys per logical database. */
  keysByDb: Record<number, number>;
  /** Keys of `db` by type. */
  byType: Record<string, number>;
  expiring: number;
  functions: number;
  redisVersion?: string;
}

/** Reads an RDB file from disk, record by record. */
export function readRdbFile(path: string, signal?: AbortSignal): RdbReader {
  return RdbReader.from(createReadStream(path, { highWaterMark: 1 << 20, signal }) as AsyncIterable<Buffer>);
}

export async function* records(path: string, signal?: AbortSignal): AsyncGenerator<RdbRecord, RdbReader> {
  const reader = readRdbFile(path, signal);
  yield* reader.records();
  return reader;
}

/** Reads the whole file once: counts for the manifest and the restore plan, and the CRC-64 check. */
export async function inventoryRdb(path: string, db: number, signal?: AbortSignal): Promise<RdbInventory> {
  const reader = readRdbFile(path, signal);
  const out: RdbInventory = { version: 0, checksum: 'absent', keysByDb: {}, byType: {}, expiring: 0, functions: 0 };
  for await (const record of reader.records()) {
    if (record.kind === 'function') out.functions++;
    else if (record.kind === 'aux' && record.name === 'redis-ver') out.redisVersion = record.value;
    else if (record.kind === 'key') {
      out.keysByDb[record.db] = (out.keysByDb[record.db] ?? 0) + 1;
      if (record.db !== db) continue;
      const type = typeName(record.type);
      out.byType[type] = (out.byType[type] ?? 0) + 1;
      if (record.expireAt !== undefined) out.expiring++;
    }
  }
  out.version = reader.version;
  out.checksum = reader.checksum ?? 'absent';
  return out;
}

/** The RDB version in a file's header, without reading further. */
export async function rdbFileVersion(path: string): Promise<number> {
  const stream = createReadStream(path, { start: 0, end: 8 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const head = Buffer.concat(chunks).toString('latin1');
  if (!/^REDIS\d{4}$/.test(head)) throw new EngineError('invalid_input', 'a file of the backup is not an RDB file');
  return Number(head.slice(5));
}

function findCheckRdb(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin', '/opt/homebrew/bin']) {
    if (dir && existsSync(join(dir, 'redis-check-rdb'))) return join(dir, 'redis-check-rdb');
  }
  return undefined;
}

const run = (path: string, args: string[]) =>
  new Promise<{ code: number; out: string }>((resolve) => {
    execFile(path, args, { timeout: 600_000, maxBuffer: 16 << 20, env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });

/**
 * Checks an RDB file with Redis' own `redis-check-rdb` where it is installed and can read that RDB
 * version. Returns what it ran (for the manifest's `checks`), or undefined when it could not run;
 * throws when it finds the file damaged.
 */
export async function checkWithRedisCheckRdb(path: string, fileVersion: number): Promise<string | undefined> {
  const tool = findCheckRdb();
  if (!tool) return undefined;
  const version = /(\d+\.\d+\.\d+)/.exec((await run(tool, ['--version'])).out)?.[1];
  if (!version || rdbVersionOf(version) < fileVersion) return undefined;
  const result = await run(tool, [path]);
  if (result.code !== 0 || !/RDB looks OK/.test(result.out)) {
    const reason = result.out.split('\n').filter((l) => /error|fail|wrong|unexpected|corrupt/i.test(l)).slice(-2).join(' ').slice(0, 300);
    throw new EngineError('server', `redis-check-rdb ${version} finds the snapshot damaged${reason ? `: ${reason}` : ''}`);
  }
  return `redis-check-rdb ${version}`;
}
