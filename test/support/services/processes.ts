import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Finds a program on PATH or in the given folders; the error names the Debian package to install. */
export function requireBinary(name: string, debianPackage: string, extraDirs: string[] = []): string {
  for (const dir of [...extraDirs, ...(process.env.PATH ?? '').split(':')]) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  throw new Error(`${name} was not found: install it with \`apt-get install -y ${debianPackage}\` (.ci/run does this)`);
}

/** Runs a command to completion and throws with its output when it fails. */
export function run(command: string, args: string[], options: SpawnOptions = {}): string {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`${command} ${args[0] ?? ''} failed (exit ${result.status ?? result.signal}): ${output.slice(-2000)}`);
  }
  return String(result.stdout ?? '');
}

/**
 * Starts a long-running program in its own process group so it can be stopped with everything it
 * forked, by its PID and only its PID.
 */
export function startDetached(command: string, args: string[], options: SpawnOptions = {}): number {
  const child = spawn(command, args, { detached: true, stdio: 'ignore', ...options });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  child.unref();
  recordPid(child.pid);
  return child.pid;
}

/**
 * Notes a process a test started in the run's results folder, so that the harness can stop it if
 * the test that owns it is killed before its `after` hook runs (a layer that timed out).
 */
export function recordPid(pid: number): void {
  const dir = process.env.OGELBASE_RESULTS_DIR;
  if (dir) appendFileSync(join(dir, 'started-pids.txt'), `${pid}\n`);
}

/** Stops every recorded process that is still running (by its PID and process group); returns how many. */
export function stopRecordedPids(dir: string): number {
  const file = join(dir, 'started-pids.txt');
  if (!existsSync(file)) return 0;
  let stopped = 0;
  for (const pid of new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number))) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        continue;
      }
    }
    stopped++;
  }
  return stopped;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie has exited (a container's init may never reap it): nothing left to stop.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Sends `signal` to the process (and its group when `group`), then waits up to `timeoutMs` for it to exit. */
export async function stopPid(pid: number, { signal = 'SIGTERM' as NodeJS.Signals, group = false, timeoutMs = 10_000 } = {}): Promise<void> {
  const target = group ? -pid : pid;
  try {
    process.kill(target, signal);
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        /* exited meanwhile */
      }
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
