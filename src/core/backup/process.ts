import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { maskSecretsInText } from '../redact';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines of stderr that are not progress (errors and warnings), secrets masked. */
  errors: string[];
}

export interface RunOptions {
  env: Record<string, string>;
  signal?: AbortSignal;
  /** Each stderr line as it comes (progress of pg_dump/pg_restore --verbose). */
  onLine?: (line: string) => void;
  /** Lines that are progress, not errors: kept out of `errors`. */
  isProgress?: (line: string) => boolean;
  /** Standard output goes to this file descriptor owner instead of being ignored. */
  stdout?: (chunk: Buffer) => void;
  /** Secrets to mask in what is kept (the password, besides `password=` forms). */
  secrets?: string[];
  onSpawn?: (pid: number) => void;
}

/**
 * Runs a program with its arguments as an array (no shell, nothing interpolated), its secrets in
 * the environment only. Cancelling sends SIGTERM, then SIGKILL after 5 s. Resolves with the exit
 * status; never rejects for a non-zero exit (the caller words the failure).
 */
export function runProgram(path: string, args: string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { env: options.env, stdio: ['ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'], windowsHide: true });
    const errors: string[] = [];
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const abort = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
      killTimer.unref?.();
    };
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
    child.once('spawn', () => child.pid !== undefined && options.onSpawn?.(child.pid));
    if (options.stdout) child.stdout!.on('data', options.stdout);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      options.onLine?.(line);
      if (options.isProgress?.(line)) return;
      errors.push(maskSecretsInText(line, options.secrets ?? []));
      if (errors.length > 40) errors.shift();
    });
    child.once('error', (error) => {
      options.signal?.removeEventListener('abort', abort);
      reject(error);
    });
    child.once('close', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      clearTimeout(killTimer);
      resolve({ code, signal, errors });
    });
  });
}

/** Bytes a running process has read so far (Linux /proc), for a restore's progress; undefined elsewhere. */
export function bytesRead(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const match = /^rchar:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
