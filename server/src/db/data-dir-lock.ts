import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * One owner for the embedded database: PGlite has no locking of its own, and two processes that
 * open one folder corrupt it (an index row without its table row). Whoever opens DATA_DIR holds
 * `ogelbase.lock` in it: created atomically (link(2) of a complete file, so a reader never sees half
 * of it), naming the holder's pid and process start time. A holder that died (kill -9, a crash, a
 * power cut) leaves the file behind; the next process sees that the pid is gone, or now belongs to
 * another process, and takes the lock over. The running server adds where it takes administration
 * commands (see cli/admin-channel.ts), so commands go through it instead of opening the folder.
 */
export const LOCK_FILE = 'ogelbase.lock';

export type LockRole = 'server' | 'command';

export interface LockHolder {
  pid: number;
  /** The process's start time (Linux: clock ticks since boot), so a pid reused after a crash is told apart. */
  processStart?: string;
  hostname: string;
  role: LockRole;
  /** The administration command a `command` holder runs. */
  command?: string;
  since: string;
  /** Where the running server takes administration commands, once it listens. */
  admin?: { socket?: string; port?: number; secret: string };
}

/** The folder is held by another live process. */
export class DataDirBusy extends Error {
  constructor(
    readonly holder: LockHolder,
    message: string,
  ) {
    super(message);
  }
}

/** Fields of /proc/<pid>/stat after the command name (Linux), or undefined elsewhere. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const processStart = (pid: number) => procStat(pid)?.[19];

/** Whether the process that wrote `holder` still runs (a holder on another machine counts as alive: it cannot be checked). */
export function isAlive(holder: LockHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  if (holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(holder.pid);
  // A zombie has exited: in a container whose init does not reap, a killed process stays one.
  if (stat && (stat[0] === 'Z' || stat[0] === 'X')) return false;
  const now = stat?.[19];
  return !(holder.processStart && now && now !== holder.processStart);
}

/** The current holder of the folder's lock, alive or not; undefined when nobody holds it. */
export function readHolder(dir: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Writes `holder` to `path` atomically: a temporary file, then link (must not exist) or rename (replace). */
function writeAtomically(path: string, holder: LockHolder, mode: 'create' | 'replace'): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, JSON.stringify(holder), { mode: 0o600 });
  try {
    if (mode === 'create') linkSync(temporary, path);
    else renameSync(temporary, path);
  } finally {
    if (mode === 'create') unlinkSync(temporary);
  }
}

/**
 * Removes a dead holder's lock, under a short-lived mutex (mkdir is atomic) so that two processes
 * starting together after a crash cannot both take over, or one remove the other's fresh lock.
 */
function removeStale(dir: string, stale: LockHolder): boolean {
  const mutex = join(dir, `${LOCK_FILE}.takeover`);
  try {
    mkdirSync(mutex, { mode: 0o700 });
  } catch {
    // Another process is taking over; a mutex left by one that died during the take-over expires.
    try {
      if (Date.now() - statSync(mutex).mtimeMs > 10_000) rmdirSync(mutex);
    } catch {
      /* gone meanwhile */
    }
    return false;
  }
  try {
    const now = readHolder(dir);
    if (!now || (now.pid === stale.pid && now.processStart === stale.processStart && !isAlive(now))) {
      try {
        unlinkSync(join(dir, LOCK_FILE));
      } catch {
        /* already gone */
      }
      return true;
    }
    return false;
  } finally {
    rmdirSync(mutex);
  }
}

export class DataDirLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(
    readonly dir: string,
    private holder: LockHolder,
    /** The dead holder this lock replaced, if any (for a log line). */
    readonly replaced: LockHolder | undefined,
  ) {
    process.once('exit', this.onExit);
  }

  get path(): string {
    return join(this.dir, LOCK_FILE);
  }

  /** Takes the lock, or returns the live process that holds it. Never waits. */
  static tryAcquire(dir: string, role: LockRole, command?: string): DataDirLock | { busy: LockHolder } {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const holder: LockHolder = {
      pid: process.pid,
      processStart: processStart(process.pid),
      hostname: hostname(),
      role,
      ...(command ? { command } : {}),
      since: new Date().toISOString(),
    };
    let replaced: LockHolder | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        writeAtomically(join(dir, LOCK_FILE), holder, 'create');
        return new DataDirLock(dir, holder, replaced);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = readHolder(dir);
      if (current && isAlive(current)) return { busy: current };
      if (current && removeStale(dir, current)) replaced = current;
    }
    const current = readHolder(dir);
    if (current) return { busy: current };
    throw new Error(`could not take the lock ${join(dir, LOCK_FILE)}; try again`);
  }

  /**
   * Takes the lock, waiting up to `waitMs` while another administration command holds it (those
   * end within seconds). A server holding it is reported at once: it will not let go by itself.
   */
  static async acquire(dir: string, options: { role: LockRole; command?: string; waitMs?: number }): Promise<DataDirLock> {
    const deadline = Date.now() + (options.waitMs ?? 15_000);
    for (;;) {
      const taken = DataDirLock.tryAcquire(dir, options.role, options.command);
      if (taken instanceof DataDirLock) return taken;
      const { busy } = taken;
      if (busy.role === 'server' || Date.now() > deadline) throw new DataDirBusy(busy, busyMessage(dir, busy));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Records where the server takes administration commands (the file stays owner-only). */
  announce(admin: NonNullable<LockHolder['admin']>): void {
    this.holder = { ...this.holder, admin };
    writeAtomically(this.path, this.holder, 'replace');
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    const current = readHolder(this.dir);
    if (current?.pid !== this.holder.pid || current.since !== this.holder.since) return;
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}

/** Says who holds the folder and what to do about it. */
export function busyMessage(dir: string, holder: LockHolder): string {
  const who = holder.role === 'server' ? `a running server (pid ${holder.pid})` : `the administration command \`${holder.command ?? '?'}\` (pid ${holder.pid})`;
  const remote = holder.hostname !== hostname() ? ` on ${holder.hostname}` : '';
  return `the embedded database in ${dir} is in use by ${who}${remote} since ${holder.since}; only one process may open it. ` +
    (holder.role === 'server'
      ? 'Stop that server first, or give this one another DATA_DIR (or a DATABASE_URL).'
      : `Wait for it to finish and try again; if no such process runs, delete ${join(dir, LOCK_FILE)}.`);
}
