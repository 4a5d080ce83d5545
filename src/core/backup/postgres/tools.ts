import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EngineError } from '../../engines/errors';
import type { ToolSettings } from '../types';

export type PgToolName = 'pg_dump' | 'pg_restore';

export interface PgTool {
  name: PgToolName;
  path: string;
  /** `15.18` */
  version: string;
  major: number;
}

const exe = (name: string) => (process.platform === 'win32' ? `${name}.exe` : name);

/** Folders where PostgreSQL's client programs are usually installed, newest major first. */
function versionedDirs(): string[] {
  const globbed = (root: string, pattern: RegExp, sub: string) =>
    existsSync(root)
      ? readdirSync(root)
          .filter((entry) => pattern.test(entry))
          .map((entry) => ({ dir: join(root, entry, sub), major: Number(/(\d+)/.exec(entry)?.[1] ?? 0) }))
      : [];
  const candidates = [
    ...globbed('/usr/lib/postgresql', /^\d+$/, 'bin'), // Debian, Ubuntu
    ...globbed('/usr', /^pgsql-\d+$/, 'bin'), // RHEL, Fedora (PGDG)
    ...globbed('/opt/homebrew/opt', /^postgresql@\d+$/, 'bin'), // macOS, Apple silicon
    ...globbed('/usr/local/opt', /^postgresql@\d+$/, 'bin'), // macOS, Intel
    ...globbed('/Applications/Postgres.app/Contents/Versions', /^\d+$/, 'bin'),
    ...globbed('C:\\Program Files\\PostgreSQL', /^\d+$/, 'bin'),
  ];
  return candidates.sort((a, b) => b.major - a.major).map((c) => c.dir);
}

function versionOf(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: 10_000, env: { PATH: process.env.PATH ?? '', LC_ALL: 'C' } }, (error, stdout) => {
      resolve(error ? undefined : /\(PostgreSQL\)\s+(\d+(?:\.\d+)*)/.exec(String(stdout))?.[1]);
    });
  });
}

/** The version's major: 15 for 15.18; 9 for the 9.x series. */
export const majorOf = (version: string) => Number(version.split('.')[0]) || 0;

/** Every installed copy of the program, newest first (the configured folder first of all). */
export async function findPgTools(name: PgToolName, tools: ToolSettings): Promise<PgTool[]> {
  const dirs = tools.postgresBinDir ? [tools.postgresBinDir] : [...versionedDirs(), ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  const seen = new Set<string>();
  const found: PgTool[] = [];
  for (const dir of dirs) {
    const path = join(dir, exe(name));
    if (seen.has(path) || !existsSync(path)) continue;
    seen.add(path);
    const version = await versionOf(path);
    if (version) found.push({ name, path, version, major: majorOf(version) });
  }
  return found.sort((a, b) => b.major - a.major);
}

/** What to install for PostgreSQL `major`'s client programs, where they are needed. */
export function installHint(major: number, tools: ToolSettings): string {
  if (tools.where === 'server') {
    return `The server's Docker image (server/Dockerfile) installs the newest PostgreSQL client programs from apt.postgresql.org, which handle PostgreSQL ${major}; elsewhere install postgresql-client-${major} or newer and set PG_BIN_DIR to the folder holding pg_dump and pg_restore`;
  }
  const how =
    process.platform === 'darwin'
      ? `brew install postgresql@${major}`
      : process.platform === 'win32'
        ? `the PostgreSQL ${major} installer from postgresql.org (its command line tools)`
        : `apt-get install postgresql-client-${major} (Debian and Ubuntu, from apt.postgresql.org) or dnf install postgresql${major} (Fedora, RHEL)`;
  return `Install the PostgreSQL ${major} client programs (${how}), or set ogelbase.backup.postgresBinDir to a folder holding those of ${major} or newer`;
}

/**
 * The program to run against a server (or an archive) of PostgreSQL `neededMajor`: the newest one
 * installed, which must be at least that major, because pg_dump refuses newer servers and
 * pg_restore cannot read archives written by a newer pg_dump. The error says exactly what was
 * found and what to install.
 */
export async function pickPgTool(name: PgToolName, neededMajor: number, why: string, tools: ToolSettings): Promise<PgTool> {
  const found = await findPgTools(name, tools);
  const best = found[0];
  if (!best) {
    const place = tools.postgresBinDir ? `in ${tools.postgresBinDir} (${tools.where === 'server' ? 'PG_BIN_DIR' : 'ogelbase.backup.postgresBinDir'})` : 'on this machine';
    throw new EngineError('invalid_input', `${name} was not found ${place}, and ${why} needs it. ${installHint(neededMajor, tools)}`);
  }
  if (best.major < neededMajor) {
    throw new EngineError('invalid_input', `${name} ${best.version} (${best.path}) is too old for ${why}: it must be of PostgreSQL ${neededMajor} or newer. ${installHint(neededMajor, tools)}`);
  }
  return best;
}
