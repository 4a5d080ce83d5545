import { restorePlatformDatabase } from '../backups/platform-database';
import type { Config } from '../config';
import { DataDirBusy, isAlive, readHolder, type LockHolder } from '../db/data-dir-lock';
import { migrate } from '../db/migrations';
import { createLogger, type Logger } from '../logger';
import { createPlatform, openPlatformSql } from '../platform';
import { callAdminChannel } from './admin-channel';
import { executeAdmin, parseAdminRequest, refusalWhileServing, usage, UsageError, type AdminRequest } from './admin-commands';

const print = (value: unknown) => console.log(JSON.stringify(value));

/** How long a command waits for a server that holds the folder but is still starting (PGlite takes seconds). */
const SERVER_START_WAIT_MS = 60_000;

/**
 * Runs one administration command; returns the exit code. With the embedded database, a server
 * that holds DATA_DIR carries the command out (the folder is never opened twice); otherwise the
 * command opens the platform database itself.
 */
export async function runCommand(command: string, argv: string[], config: Config): Promise<number> {
  if (command === 'help' || command === '--help') {
    console.log(usage);
    return 0;
  }
  let request: AdminRequest;
  try {
    request = parseAdminRequest(command, argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${usage}`);
    return 2;
  }
  const log = createLogger({ level: config.LOG_LEVEL, write: (line) => process.stderr.write(`${line}\n`) });

  for (let attempt = 0; attempt < 3; attempt++) {
    const holder = config.DATABASE_URL ? undefined : readHolder(config.dataDir);
    if (holder?.role === 'server' && isAlive(holder)) return viaServer(config, request, holder, log);
    try {
      return await locally(config, request, log);
    } catch (error) {
      // A server started between the look and the lock: go through it.
      if (error instanceof DataDirBusy && error.holder.role === 'server') continue;
      throw error;
    }
  }
  throw new Error(`could not reach the embedded database in ${config.dataDir}: it changed owner several times; try again`);
}

async function locally(config: Config, request: AdminRequest, log: Logger): Promise<number> {
  if (request.command === 'restore-platform') {
    // Opens the data folder itself (under its lock), never a platform on it.
    print(await restorePlatformDatabase(config, request.positionals[0]!));
    return 0;
  }
  if (request.command === 'migrate') {
    const sql = await openPlatformSql(config, log, { role: 'command', command: 'migrate' });
    try {
      print({ applied: await migrate(sql, log) });
    } finally {
      await sql.close();
    }
    return 0;
  }
  const platform = await createPlatform(config, { log, owner: { role: 'command', command: request.command } });
  try {
    const result = await executeAdmin(platform, request, { url: `http://localhost:${config.PORT}` });
    print(result.output);
    return result.exitCode;
  } finally {
    await platform.close();
  }
}

async function viaServer(config: Config, request: AdminRequest, holder: LockHolder, log: Logger): Promise<number> {
  const refusal = refusalWhileServing(request);
  if (refusal) throw new Error(`a server (pid ${holder.pid}) is running on the embedded database in ${config.dataDir}: ${refusal}`);
  const deadline = Date.now() + SERVER_START_WAIT_MS;
  let current: LockHolder | undefined = holder;
  while (!current?.admin) {
    if (!current || !isAlive(current) || current.role !== 'server') return runCommand(request.command.split(' ')[0]!, argvOf(request), config);
    if (Date.now() > deadline) throw new Error(`the server (pid ${current.pid}) holds ${config.dataDir} but does not take administration commands yet; try again once it is listening`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    current = readHolder(config.dataDir);
  }
  log.info(`the server (pid ${current.pid}) owns the embedded database: running \`${request.command}\` through it`);
  const result = await callAdminChannel(current.admin, request);
  print(result.output);
  return result.exitCode;
}

/** The command line of a request again (when the server went away before it could take it). */
function argvOf(request: AdminRequest): string[] {
  const [, sub] = request.command.split(' ');
  const options = Object.entries(request.options).flatMap(([name, value]) => (value === undefined ? [] : [`--${name}`, value]));
  return [...(sub ? [sub] : []), ...request.positionals, ...options];
}
