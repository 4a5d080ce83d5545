import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface Leak {
  file: string;
  /** The first characters of the secret only, so the report itself leaks nothing. */
  secretHint: string;
  /** How it was found: as is, JSON-escaped, URL-encoded or base64. */
  form: string;
}

/**
 * The forms a secret takes when it is written by something other than a plain print: inside a JSON
 * string (quotes and backslashes escaped), in a URL (percent-encoded), and base64 (a Basic header,
 * a token's payload, a dumped buffer). Base64 depends on where the secret starts in the encoded
 * bytes, so each of the three alignments is searched, by the part of its encoding that only the
 * secret's own bytes decide.
 */
export function secretForms(secret: string): { form: string; needle: string }[] {
  const forms: { form: string; needle: string }[] = [{ form: 'plain', needle: secret }];
  const json = JSON.stringify(secret).slice(1, -1);
  const unicode = JSON.stringify(secret).slice(1, -1).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  for (const [form, needle] of [['json', json], ['json-ascii', unicode], ['url', encodeURIComponent(secret)], ['url-form', encodeURIComponent(secret).replace(/%20/g, '+')]] as const) {
    forms.push({ form, needle });
  }
  const bytes = Buffer.from(secret, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const start = Math.ceil(offset / 3) * 4;
    const end = Math.floor((offset + bytes.length) / 3) * 4;
    const needle = encoded.slice(start, end);
    if (needle.length >= 8) {
      forms.push({ form: 'base64', needle });
      forms.push({ form: 'base64url', needle: needle.replace(/\+/g, '-').replace(/\//g, '_') });
    }
  }
  const seen = new Set<string>();
  return forms.filter((f) => f.needle.length >= 6 && !seen.has(f.needle) && seen.add(f.needle));
}

/**
 * Reads every file under `dir` (logs of each layer, the server's logs, the database servers' own
 * logs, summaries) and reports each that contains a secret in any of its {@link secretForms}.
 */
export function scanForSecrets(dir: string, secrets: string[]): { filesScanned: number; leaks: Leak[] } {
  const needles = [...new Set(secrets.filter((s) => s.length >= 6))].flatMap((secret) => secretForms(secret).map((f) => ({ ...f, secret, bytes: Buffer.from(f.needle, 'utf8') })));
  const leaks: Leak[] = [];
  let filesScanned = 0;
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && statSync(full).size < 200 * 1024 * 1024 && !entry.name.endsWith('.png') && entry.name !== 'secrets.txt') {
        filesScanned++;
        const content = readFileSync(full);
        for (const { bytes, form, secret } of needles) {
          if (content.includes(bytes)) leaks.push({ file: full, secretHint: `${secret.slice(0, 3)}…`, form });
        }
      }
    }
  };
  walk(dir);
  return { filesScanned, leaks };
}
