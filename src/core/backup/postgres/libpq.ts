import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseConnectionString, type PostgresConnection } from '../../connection-strings';
import { postgresTlsMaterial } from '../../engines/postgres/connect';
import type { BackupTarget } from '../types';

/**
 * The environment pg_dump and pg_restore connect with: every connection parameter as a libpq
 * variable, the password in PGPASSWORD only (never an argument, so never in `ps`, a log or an
 * error), certificates given as PEM text written to owner-only files in `scratch`. Nothing of the
 * process' own environment leaks in: no PGSERVICE, no ~/.pgpass of the account it runs under, no
 * Kerberos ticket on the server; the connection string alone decides. The first host is used,
 * at the address the host policy pinned.
 */
export async function libpqEnvironment(target: BackupTarget, scratch: string, database?: string): Promise<Record<string, string>> {
  const c = parseConnectionString('postgres', target.connectionString) as PostgresConnection;
  const first = c.hosts[0]!;
  const address = target.guard ? await target.guard.pin(first.host) : undefined;
  const tls = await postgresTlsMaterial(c, target.tls, target.localFiles ?? false);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    // Messages in English: the progress lines are read.
    LC_ALL: 'C',
    LANG: 'C',
    HOME: scratch,
    PGPASSFILE: join(scratch, 'no-pgpass'),
    PGSERVICEFILE: join(scratch, 'no-pg-service'),
    PGSYSCONFDIR: scratch,
    PGHOST: first.host,
    PGPORT: String(first.port),
    PGDATABASE: database ?? c.database,
    PGAPPNAME: 'ogelbase-backup',
    PGCONNECT_TIMEOUT: String(c.connectTimeout ?? 10),
  };
  if (process.platform === 'win32' && process.env.SystemRoot) env.SystemRoot = process.env.SystemRoot;
  if (address && address !== first.host) env.PGHOSTADDR = address;
  const user = target.credentials?.user ?? c.user;
  const password = target.credentials?.password ?? c.password;
  if (user) env.PGUSER = user;
  if (password !== undefined) env.PGPASSWORD = password;
  if (c.options) env.PGOPTIONS = c.options;
  if (!target.localFiles) env.PGGSSENCMODE = 'disable';
  env.PGSSLMODE = c.sslmode ?? (tls?.ca || tls?.cert ? 'verify-full' : 'prefer');
  if (c.sslrootcert === 'system' && !tls?.ca) env.PGSSLROOTCERT = 'system';
  const files: [keyof NonNullable<typeof tls>, string][] = [['ca', 'PGSSLROOTCERT'], ['cert', 'PGSSLCERT'], ['key', 'PGSSLKEY']];
  for (const [part, variable] of files) {
    const pem = tls?.[part];
    if (!pem) continue;
    const path = join(scratch, `tls-${part}.pem`);
    await writeFile(path, pem, { mode: 0o600 });
    env[variable] = path;
  }
  return env;
}
