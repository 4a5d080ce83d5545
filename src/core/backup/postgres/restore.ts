import { writeFile } from 'node:fs/promises';
import { plural } from '../summary';
import { join } from 'node:path';
import type pg from 'pg';
import { parseConnectionString, type PostgresConnection } from '../../connection-strings';
import { EngineError } from '../../engines/errors';
import { inside } from '../paths';
import type { BackupManifest, PostgresContents } from '../manifest';
import { bytesRead, runProgram } from '../process';
import { section } from '../plan';
import type { PlanItem, ProgressSink, RestorePlan, RestoreReport, ToolSettings } from '../types';
import { failureText } from './dump';
import { connectForBackup, countRows, listTables, serverVersion } from './inventory';
import { libpqEnvironment } from './libpq';
import { majorOf, pickPgTool, type PgTool } from './tools';

const PROCESSING = /^pg_restore: processing data for table "(.+)"$/;
const PROGRESS = /^pg_restore: (?!error|warning|fatal|detail|hint)/i;

interface Prepared {
  plan: RestorePlan;
  tool: PgTool;
  /** The archive's table of contents with the entries to skip commented out (`--use-list`). */
  list: string;
  /** Owners or grantees missing here: objects are then restored without owners and privileges. */
  withoutOwners: boolean;
}

const contentsOf = (manifest: BackupManifest): PostgresContents => {
  if (manifest.contents.engine !== 'postgres') throw new EngineError('invalid_input', `this is a ${manifest.engine} backup, not a PostgreSQL one`);
  return manifest.contents;
};
const qualified = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;

/** libpq's keyword form of one value: `dbname='it''s'` (only the name: the rest is in the environment). */
const conninfoDbname = (name: string) => `dbname='${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Reads the archive's table of contents; entries whose object already exists here and must not be
 * dropped (a schema or an extension that holds objects the backup does not have) are commented out,
 * so `--clean` drops and recreates only what the backup brings.
 */
function filterToc(toc: string, existingSchemas: Set<string>, existingExtensions: Set<string>): string {
  return toc
    .split('\n')
    .map((line) => {
      const schema = /^\d+; \d+ \d+ SCHEMA - (.+) \S+$/.exec(line);
      if (schema && existingSchemas.has(schema[1]!)) return `;${line}`;
      const extension = /^\d+; \d+ \d+ EXTENSION - (\S+)/.exec(line);
      if (extension && existingExtensions.has(extension[1]!)) return `;${line}`;
      return line;
    })
    .join('\n');
}

async function readToc(tool: PgTool, file: string, env: Record<string, string>, signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  const result = await runProgram(tool.path, ['--list', file], { env, signal, stdout: (c) => chunks.push(c) });
  if (result.code !== 0) throw new EngineError('invalid_input', `the dump cannot be read by pg_restore ${tool.version}: ${failureText(result.errors, result.code, result.signal)}`);
  return Buffer.concat(chunks).toString('utf8');
}

async function prepare(client: pg.Client, target: { name: string }, dir: string, manifest: BackupManifest, tools: ToolSettings, env: Record<string, string>, signal?: AbortSignal): Promise<Prepared> {
  const contents = contentsOf(manifest);
  const server = await serverVersion(client);
  if (server.major < manifest.server.major) {
    throw new EngineError('invalid_input', `the backup is of PostgreSQL ${manifest.server.version} and ${target.name} runs PostgreSQL ${server.version}: a dump cannot be restored into an older major version`);
  }
  const tool = await pickPgTool('pg_restore', majorOf(manifest.tool.version), `reading a dump written by pg_dump ${manifest.tool.version}`, tools);
  const file = inside(dir, manifest.files[0]!.path);
  const toc = await readToc(tool, file, env, signal);

  const current = await listTables(client);
  const inBackup = new Map(contents.tables.map((t) => [qualified(t), t]));
  const here = new Map(current.map((t) => [qualified(t), t]));
  const overwrite: PlanItem[] = [];
  const add: PlanItem[] = [];
  for (const table of contents.tables) {
    const existing = here.get(qualified(table));
    if (existing) overwrite.push({ name: qualified(table), inBackup: table.rows ?? undefined, now: (await countRows(client, existing)) ?? undefined });
    else add.push({ name: qualified(table), inBackup: table.rows ?? undefined });
  }
  const alone = current.filter((t) => !inBackup.has(qualified(t)));
  const leaveAlone: PlanItem[] = [];
  for (const table of alone.slice(0, 200)) leaveAlone.push({ name: qualified(table), now: (await countRows(client, table)) ?? undefined });

  const { rows: roles } = await client.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])', [contents.roles]);
  const missing = contents.roles.filter((r) => !roles.some((x) => x.rolname === r));
  const { rows: schemas } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace');
  const { rows: extensions } = await client.query<{ extname: string }>('SELECT extname FROM pg_extension');
  const notes = [
    'The restore runs in one transaction: if anything fails, or you cancel, PostgreSQL rolls all of it back.',
    'Tables, views, sequences, functions and types of the backup are dropped and created again with the backup\'s rows; everything else is left as it is.',
  ];
  if (missing.length) notes.push(`Roles of the backup missing here (${missing.slice(0, 10).join(', ')}${missing.length > 10 ? '…' : ''}): objects will belong to the restoring login and keep no privileges.`);
  return {
    tool,
    withoutOwners: missing.length > 0,
    list: filterToc(toc, new Set(schemas.map((s) => s.nspname)), new Set(extensions.map((e) => e.extname))),
    plan: {
      engine: 'postgres',
      unit: 'tables',
      backup: { id: manifest.id, name: manifest.database.name, finishedAt: manifest.finishedAt, serverVersion: manifest.server.version, method: manifest.method, totalBytes: manifest.totalBytes },
      target: { name: target.name, serverVersion: server.version },
      overwrite: section(overwrite),
      add: section(add),
      leaveAlone: { ...section(leaveAlone), count: alone.length, truncated: alone.length > leaveAlone.length },
      notes,
    },
  };
}

/** What restoring this backup into the target would overwrite, add and leave alone; refuses what cannot work. */
export async function planPostgresRestore(target: Parameters<typeof connectForBackup>[0], dir: string, manifest: BackupManifest, tools: ToolSettings, scratch: string, signal?: AbortSignal): Promise<RestorePlan> {
  const client = await connectForBackup(target);
  try {
    const env = await libpqEnvironment(target, scratch);
    return (await prepare(client, target, dir, manifest, tools, env, signal)).plan;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Restores with `pg_restore --clean --if-exists --single-transaction --exit-on-error`, so the
 * database ends either as the backup has it or exactly as it was. Afterwards every table's rows
 * are counted and compared with the manifest.
 */
export async function restorePostgres(
  target: Parameters<typeof connectForBackup>[0],
  dir: string,
  scratch: string,
  manifest: BackupManifest,
  options: { tools: ToolSettings; signal?: AbortSignal; onProgress?: ProgressSink },
): Promise<RestoreReport> {
  const startedAt = new Date().toISOString();
  const contents = contentsOf(manifest);
  const client = await connectForBackup(target);
  try {
    const env = await libpqEnvironment(target, scratch);
    const prepared = await prepare(client, target, dir, manifest, options.tools, env, options.signal);
    const listFile = join(scratch, 'restore.list');
    await writeFile(listFile, prepared.list, { mode: 0o600 });
    const database = (parseConnectionString('postgres', target.connectionString) as PostgresConnection).database;
    const total = contents.tables.length;
    const processed: string[] = [];
    let pid: number | undefined;
    const report = (current?: string) => options.onProgress?.({ phase: 'restoring', unit: 'tables', done: processed.length, total, bytes: Math.min(bytesRead(pid) ?? 0, manifest.totalBytes), totalBytes: manifest.totalBytes, current });
    const poll = setInterval(() => report(processed.at(-1)), 500);
    let result;
    try {
      result = await runProgram(
        prepared.tool.path,
        [
          '--clean', '--if-exists', '--single-transaction', '--exit-on-error', '--verbose', '--no-password',
          ...(prepared.withoutOwners ? ['--no-owner', '--no-acl'] : []),
          '--use-list', listFile, '--dbname', conninfoDbname(database), inside(dir, manifest.files[0]!.path),
        ],
        {
          env,
          signal: options.signal,
          secrets: env.PGPASSWORD ? [env.PGPASSWORD] : [],
          isProgress: (line) => PROGRESS.test(line),
          onSpawn: (p) => (pid = p),
          onLine: (line) => {
            const match = PROCESSING.exec(line);
            if (match) {
              processed.push(match[1]!);
              report(match[1]);
            }
          },
        },
      );
    } finally {
      clearInterval(poll);
    }
    const rows = new Map(contents.tables.map((t) => [qualified(t), t.rows ?? undefined]));
    if (result.code !== 0) {
      const cancelled = options.signal?.aborted === true;
      return {
        outcome: cancelled ? 'cancelled' : 'failed',
        unit: 'tables',
        startedAt,
        finishedAt: new Date().toISOString(),
        restored: 0,
        total,
        message: cancelled
          ? `Cancelled after ${processed.length} of ${total} tables; the restore ran in one transaction, which PostgreSQL rolled back: ${target.name} is as it was.`
          : `pg_restore failed and PostgreSQL rolled the whole restore back (${target.name} is as it was): ${failureText(result.errors, result.code, result.signal)}`,
        items: contents.tables.map((t) => ({ name: qualified(t), restored: 0, expected: t.rows ?? undefined, state: processed.includes(qualified(t)) ? ('rolled back' as const) : ('not started' as const) })).slice(0, 500),
        ...(cancelled ? {} : { error: failureText(result.errors, result.code, result.signal) }),
      };
    }
    options.onProgress?.({ phase: 'verifying', unit: 'tables', done: 0, total, bytes: manifest.totalBytes });
    const now = await listTables(client);
    const mismatches: { name: string; expected: number; found: number }[] = [];
    const items: RestoreReport['items'] = [];
    let checked = 0;
    for (const table of now.filter((t) => rows.has(qualified(t)))) {
      const found = (await countRows(client, table)) ?? 0;
      const expected = rows.get(qualified(table));
      items.push({ name: qualified(table), restored: found, expected, state: 'done' });
      if (expected === undefined) continue;
      checked++;
      if (found !== expected) mismatches.push({ name: qualified(table), expected, found });
      options.onProgress?.({ phase: 'verifying', unit: 'tables', done: checked, total, bytes: manifest.totalBytes });
    }
    for (const missing of contents.tables.filter((t) => !now.some((n) => qualified(n) === qualified(t)))) mismatches.push({ name: qualified(missing), expected: missing.rows ?? 0, found: 0 });
    const ok = mismatches.length === 0;
    return {
      outcome: 'completed',
      unit: 'tables',
      startedAt,
      finishedAt: new Date().toISOString(),
      restored: items.length,
      total,
      message: ok
        ? `Restored ${plural(items.length, 'table')} into ${target.name}; every table's rows match the backup.`
        : `Restored into ${target.name}, but ${mismatches.length} table(s) do not match the backup's counts: ${mismatches.slice(0, 3).map((m) => `${m.name} ${m.found}/${m.expected}`).join(', ')}`,
      items: items.slice(0, 500),
      verification: { ok, checked, mismatches },
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
