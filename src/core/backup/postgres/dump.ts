import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeEndpoint, parseConnectionString, type PostgresConnection } from '../../connection-strings';
import { EngineError } from '../../engines/errors';
import { pgFailure } from '../../engines/postgres/failure';
import { describeFiles, writeManifest, type BackupManifest } from '../manifest';
import { runProgram } from '../process';
import type { BackupOptions, BackupTarget } from '../types';
import { connectForBackup, countRows, describeDatabase, serverVersion, type TableInfo } from './inventory';
import { libpqEnvironment } from './libpq';
import { pickPgTool, type PgTool } from './tools';

/** `pg_dump: dumping contents of table "public.orders"` (LC_ALL=C). */
const DUMPING = /^pg_dump: dumping contents of table "(.+)"$/;
/** Progress lines of --verbose; errors, warnings and their details (the server's own message) are not. */
const PROGRESS = /^pg_dump: (?!error|warning|fatal|detail|hint)/i;

/** A file name for the dump from the database's name (anything unusual becomes `_`). */
export const dumpFileName = (database: string) => `${database.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 100) || 'database'}.dump`;

/**
 * Backs up one PostgreSQL database with `pg_dump --format=custom` into `dir` (an empty staging
 * folder), then writes its manifest. The rows of every table are counted in the very snapshot
 * pg_dump dumps (exported from a REPEATABLE READ transaction and handed to `--snapshot`), so the
 * manifest's counts are exactly what the file holds. The archive's table of contents is read back
 * with `pg_restore --list` before the manifest is written.
 */
export async function backupPostgres(target: BackupTarget, dir: string, options: BackupOptions): Promise<BackupManifest> {
  const startedAt = new Date().toISOString();
  const parsed = parseConnectionString('postgres', target.connectionString) as PostgresConnection;
  const client = await connectForBackup(target);
  const onProgress = options.onProgress ?? (() => undefined);
  try {
    const server = await serverVersion(client);
    const dumpTool = await pickPgTool('pg_dump', server.major, `backing up PostgreSQL ${server.version}`, options.tools);
    const restoreTool = await pickPgTool('pg_restore', dumpTool.major, 'checking the dump', options.tools);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ snapshot: string }>('SELECT pg_export_snapshot() AS snapshot');
    const described = await describeDatabase(client);
    const file = dumpFileName(parsed.database);
    const out = join(dir, file);
    const env = await libpqEnvironment(target, dir);
    onProgress({ phase: 'dumping', unit: 'tables', done: 0, total: described.tables.length, bytes: 0 });

    // Counting runs beside pg_dump, in the same snapshot, on this connection.
    const counting = (async () => {
      const tables: TableInfo[] = [];
      for (const table of described.tables) {
        if (options.signal?.aborted) break;
        tables.push({ ...table, rows: await countRows(client, table, true) });
      }
      return tables;
    })();
    counting.catch(() => undefined); // awaited below, after pg_dump's own outcome
    const dumped = await runPgDump(dumpTool, out, rows[0]!.snapshot, env, described.tables.length, options);
    if (options.signal?.aborted) throw new EngineError('cancelled', 'PostgreSQL: the backup was cancelled');
    if (!dumped.ok) throw new EngineError('server', `pg_dump ${dumpTool.version} failed: ${dumped.message}`);
    const tables = await counting;
    await client.query('COMMIT');

    onProgress({ phase: 'checking', unit: 'tables', done: described.tables.length, total: described.tables.length, bytes: (await stat(out)).size });
    await checkArchive(restoreTool, out, env, options.signal);
    const files = await describeFiles(dir, [{ path: file }], options.signal);
    const manifest: BackupManifest = {
      format: 'ogelbase-backup',
      formatVersion: 1,
      id: options.id,
      engine: 'postgres',
      method: 'pg_dump',
      database: { name: target.name, endpoint: describeEndpoint(parsed), target: parsed.database },
      server,
      tool: { name: 'pg_dump', version: dumpTool.version },
      checks: [`table of contents read back by pg_restore ${restoreTool.version}`, 'rows counted in the snapshot pg_dump dumped'],
      startedAt,
      finishedAt: new Date().toISOString(),
      options: { gzip: false, archive: false },
      contents: { ...described, tables },
      files,
      totalBytes: files.reduce((n, f) => n + f.bytes, 0),
    };
    await writeManifest(dir, manifest);
    return manifest;
  } catch (error) {
    if (options.signal?.aborted) throw new EngineError('cancelled', 'PostgreSQL: the backup was cancelled');
    throw error instanceof EngineError ? error : pgFailure(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function runPgDump(tool: PgTool, out: string, snapshot: string, env: Record<string, string>, total: number, options: BackupOptions) {
  let done = 0;
  let bytes = 0;
  let current: string | undefined;
  const report = () => options.onProgress?.({ phase: 'dumping', unit: 'tables', done, total, bytes, current });
  const poll = setInterval(() => {
    void stat(out).then(
      (s) => {
        bytes = s.size;
        report();
      },
      () => undefined,
    );
  }, 250);
  try {
    const result = await runProgram(tool.path, ['--format=custom', '--verbose', '--no-password', `--snapshot=${snapshot}`, '--file', out], {
      env,
      signal: options.signal,
      secrets: env.PGPASSWORD ? [env.PGPASSWORD] : [],
      isProgress: (line) => PROGRESS.test(line),
      onLine: (line) => {
        const match = DUMPING.exec(line);
        if (!match) return;
        if (current !== undefined) done++;
        current = match[1];
        report();
      },
    });
    return { ok: result.code === 0, message: failureText(result.errors, result.code, result.signal) };
  } finally {
    clearInterval(poll);
  }
}

/** pg_dump's and pg_restore's own error lines, without their program prefix. */
export function failureText(errors: string[], code: number | null, signal: NodeJS.Signals | null): string {
  // `detail: Error message from server: …` says why; `detail: Command was: …` only repeats the statement.
  const lines = errors
    .map((l) => l.replace(/^pg_(dump|restore): (error: |detail: )?/, '').trim())
    .filter((l) => l && !l.startsWith('Command was:'));
  return lines.length ? lines.slice(-4).join('; ') : `exit ${code ?? signal}`;
}

/** Reads the archive's table of contents back: a file pg_restore cannot read is not a backup. */
async function checkArchive(tool: PgTool, file: string, env: Record<string, string>, signal?: AbortSignal): Promise<void> {
  const result = await runProgram(tool.path, ['--list', file], { env, signal, stdout: () => undefined });
  if (result.code !== 0) throw new EngineError('server', `the dump pg_dump wrote cannot be read back by pg_restore ${tool.version}: ${failureText(result.errors, result.code, result.signal)}`);
}
