import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Leak {
  file: string;
  /** The first characters of the secret only, so the report itself leaks nothing. */
  secretHint: string;
}

/** Reads every file under `dir` (logs, screenshots' neighbours, summaries) and reports each that contains a secret. */
export function scanForSecrets(dir: string, secrets: string[]): { filesScanned: number; leaks: Leak[] } {
  const needles = [...new Set(secrets.filter((s) => s.length >= 6))].flatMap((s) => [...new Set([s, encodeURIComponent(s)])]);
  const leaks: Leak[] = [];
  let filesScanned = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && statSync(full).size < 200 * 1024 * 1024 && !entry.name.endsWith('.png') && entry.name !== 'secrets.txt') {
        filesScanned++;
        const text = readFileSync(full, 'latin1');
        for (const needle of needles) {
          if (text.includes(needle)) leaks.push({ file: full, secretHint: `${needle.slice(0, 3)}…` });
        }
      }
    }
  };
  walk(dir);
  return { filesScanned, leaks };
}
