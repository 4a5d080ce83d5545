import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { maskSecretsInText } from '../../core/redact';

/** One run of one statement: what ran and how it went, never a row of its result. */
export interface HistoryEntry {
  sql: string;
  /** ISO time it started. */
  at: string;
  durationMs: number;
  ok: boolean;
  /** Rows returned or affected, when it succeeded. */
  rows?: number;
}

const MAX_ENTRIES = 500;
const MAX_SQL = 20_000;
/** `PASSWORD 'x'` in CREATE/ALTER ROLE: the statement is kept, the password is not. */
const rolePasswords = /(\bpassword\s+)'(?:[^']|'')*'/gi;

export const scrubSql = (sql: string) => maskSecretsInText(sql.slice(0, MAX_SQL)).replace(rolePasswords, "$1'****'");

/**
 * The query history of each database: a JSON file per database under the extension's global
 * storage (`query-history/<sha256 of the database identity>.json`), newest first, at most 500
 * entries. No result data is kept, and passwords in statements are masked before anything is written.
 */
export class QueryHistory {
  private writing = Promise.resolve();

  constructor(private readonly folder: string) {}

  private file(databaseKey: string): string {
    return join(this.folder, 'query-history', `${createHash('sha256').update(databaseKey).digest('hex').slice(0, 32)}.json`);
  }

  async list(databaseKey: string): Promise<HistoryEntry[]> {
    try {
      const parsed = JSON.parse(await readFile(this.file(databaseKey), 'utf8')) as unknown;
      return Array.isArray(parsed) ? (parsed as HistoryEntry[]).filter((e) => typeof e?.sql === 'string' && typeof e.at === 'string') : [];
    } catch {
      return [];
    }
  }

  /** Adds entries (one run), written one run after another so two runs never lose each other's. */
  add(databaseKey: string, entries: HistoryEntry[]): Promise<void> {
    this.writing = this.writing.then(async () => {
      const file = this.file(databaseKey);
      const kept = [...entries.reverse().map((e) => ({ ...e, sql: scrubSql(e.sql) })), ...(await this.list(databaseKey))].slice(0, MAX_ENTRIES);
      await mkdir(join(this.folder, 'query-history'), { recursive: true });
      await writeFile(`${file}.tmp`, JSON.stringify(kept));
      await rename(`${file}.tmp`, file);
    }).catch(() => undefined);
    return this.writing;
  }
}
